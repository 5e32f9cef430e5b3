//! Shared by the tests that check how long a timed wait takes: the timeout they use, and an
//! assertion with a strict lower bound and a generous upper one (the test machine is small,
//! shared and noisy).
#![allow(dead_code)] // each test file uses part of this

use std::time::{Duration, Instant};

/// The timeout the timing tests wait for.
pub const SHORT: Duration = Duration::from_millis(60);
/// How late a timed-out wait may return.
pub const SLACK: Duration = Duration::from_millis(300);

/// Asserts that a wait started at `start` with timeout [`SHORT`] returned neither before its
/// deadline nor long after it.
pub fn assert_on_time(start: Instant, what: &str) {
    let took = start.elapsed();
    assert!(took >= SHORT, "{what} returned early, after {took:?}");
    assert!(took < SHORT + SLACK, "{what} returned late, after {took:?}");
}
