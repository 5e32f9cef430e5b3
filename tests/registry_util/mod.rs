//! Helpers shared by the registry tests.
//!
//! A receive with a timeout makes one last check when its deadline passes, so a lost wake-up
//! would only make it slow, never wrong. The tests that are about wake-ups therefore receive
//! without a timeout, on a [`Watched`] thread: if it is not done after [`WATCHDOG`], a wake-up
//! was lost and the test fails (instead of hanging).

#![allow(dead_code)]

use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// How long a watched thread may take before the test calls it stuck.
pub const WATCHDOG: Duration = Duration::from_secs(10);

/// A thread whose result is awaited for at most [`WATCHDOG`].
pub struct Watched<T> {
    handle: thread::JoinHandle<()>,
    result: mpsc::Receiver<thread::Result<T>>,
}

/// Runs `f` on a new, watched thread.
pub fn spawn_watched<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Watched<T> {
    let (tx, result) = mpsc::channel();
    let handle = thread::spawn(move || {
        let _ = tx.send(panic::catch_unwind(AssertUnwindSafe(f)));
    });
    Watched { handle, result }
}

impl<T> Watched<T> {
    /// True once the thread is done.
    pub fn is_finished(&self) -> bool {
        self.handle.is_finished()
    }

    /// The thread's result; panics if it panicked, or if it is stuck (a lost wake-up).
    #[track_caller]
    pub fn join(self) -> T {
        match self.result.recv_timeout(WATCHDOG) {
            Ok(Ok(value)) => value,
            Ok(Err(panic)) => panic::resume_unwind(panic),
            Err(_) => panic!("a watched thread was stuck for {WATCHDOG:?}: a wake-up was lost"),
        }
    }
}

/// A small xorshift generator: random delays without a dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next() % 10_000) as f64 / 10_000.0 < p
    }

    /// A duration between `lo` and `hi` microseconds.
    pub fn micros(&mut self, lo: u64, hi: u64) -> Duration {
        Duration::from_micros(lo + self.next() % (hi - lo))
    }
}
