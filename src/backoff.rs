//! [`Backoff`]: spin a little, then yield, then tell the caller to park.
//!
//! The machine this crate is tuned on has two cores, often oversubscribed: spinning for long
//! only burns the time slice the thread we wait for needs. So the spin phase is short (at most
//! 2⁶ pause hints per step), a few `yield_now` calls follow, and after that
//! [`Backoff::is_completed`] tells the caller to register a waiter and park.
//!
//! Under loom every busy-wait is a single `yield_now` and the backoff is "completed" at once, so
//! the models explore the register-and-park paths rather than spin loops.

#[cfg(not(all(test, tidings_loom)))]
const SPIN_LIMIT: u32 = 6;
#[cfg(not(all(test, tidings_loom)))]
const YIELD_LIMIT: u32 = 10;

/// Exponential backoff for busy-waits (see the module docs).
#[derive(Debug, Default)]
pub(crate) struct Backoff {
    #[cfg_attr(all(test, tidings_loom), allow(dead_code))]
    step: u32,
}

#[cfg(not(all(test, tidings_loom)))]
impl Backoff {
    #[inline]
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// After a lost compare-and-swap: the other thread made progress, retry soon.
    #[inline]
    pub(crate) fn spin(&mut self) {
        for _ in 0..1u32 << self.step.min(SPIN_LIMIT) {
            std::hint::spin_loop();
        }
        if self.step <= SPIN_LIMIT {
            self.step += 1;
        }
    }

    /// While another thread finishes something we cannot help with (a slot write, a block
    /// install): spin first, then give the core away.
    #[inline]
    pub(crate) fn snooze(&mut self) {
        if self.step <= SPIN_LIMIT {
            for _ in 0..1u32 << self.step {
                std::hint::spin_loop();
            }
        } else {
            std::thread::yield_now();
        }
        if self.step <= YIELD_LIMIT {
            self.step += 1;
        }
    }

    /// True once spinning and yielding are spent: time to register a waiter and park.
    #[inline]
    pub(crate) fn is_completed(&self) -> bool {
        self.step > YIELD_LIMIT
    }
}

#[cfg(all(test, tidings_loom))]
impl Backoff {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    pub(crate) fn spin(&mut self) {
        loom::thread::yield_now();
    }

    pub(crate) fn snooze(&mut self) {
        loom::thread::yield_now();
    }

    pub(crate) fn is_completed(&self) -> bool {
        true
    }
}
