//! Shared by the tests that check how long a timed wait takes: the timeout they use, and an
//! assertion with a strict lower bound and a generous upper one. The upper bound only has to
//! tell "timed out at its deadline" from the failures these tests rule out (a timer that never
//! fires, or one restarted by every wake-up while wake-ups keep coming for many seconds); a
//! tight bound would fail whenever the shared 2-core CI machine is busy.
#![allow(dead_code)] // each test file uses part of this

use std::time::{Duration, Instant};

/// The timeout the timing tests wait for.
pub const SHORT: Duration = Duration::from_millis(60);
/// How late a timed-out wait may return.
pub const SLACK: Duration = Duration::from_secs(3);
/// How long the noise in the "wake-ups do not restart the timer" tests may go on: well past
/// `SHORT + SLACK`, so a timer restarted by each wake-up cannot pass.
pub const NOISE_FOR: Duration = Duration::from_secs(10);

/// Asserts that a wait started at `start` with timeout [`SHORT`] returned neither before its
/// deadline nor long after it.
pub fn assert_on_time(start: Instant, what: &str) {
    let took = start.elapsed();
    assert!(took >= SHORT, "{what} returned early, after {took:?}");
    assert!(took < SHORT + SLACK, "{what} returned late, after {took:?}");
}
