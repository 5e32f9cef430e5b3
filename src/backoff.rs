//! [`Backoff`]: spin a little, then yield, then tell the caller to park.
//!
//! The machine this crate is tuned on has two cores, often oversubscribed. What matters for a
//! waiter is how soon it notices the other side's answer, and that it gives its core away when
//! somebody else needs it:
//!
//! * the spin phase is short and fine-grained: 1, 2, then 4 pause hints between checks (a
//!   pause is ~140 cycles on recent Intel cores, 27 ns on the AMD VM this was tuned on;
//!   crossbeam's 64 between checks meant noticing an answer up to ~3 µs late, which dominated
//!   a thread ping-pong);
//! * a [`patient`](Backoff::patient) backoff, for a thread waiting to receive, then spins 8
//!   more times 4 pause hints (about 1 µs in all) before its first yield: the answer to a
//!   message is often a few hundred nanoseconds away, and a `yield_now` costs ~600 ns on that
//!   VM even when nothing else wants the core. In a thread ping-pong this halved the round
//!   trip (823 → 387 ns, interleaved in one process). Senders waiting for room keep the short
//!   spin: the consumer they wait for may need their core, and spinning them longer cost the
//!   4 threads → 1 thread bounded cell about 13%;
//! * then up to ~70 `yield_now` calls, checking after each: an immediate hand-over when
//!   something else wants the core;
//! * after that, [`Backoff::is_completed`] tells the caller to register a waiter and park.
//!   A blocking sender on a full ring is the exception: it registers (leaving its message to
//!   be delivered) once the spin phase is over ([`Backoff::is_spinning`]), and yields while
//!   registered, so that the consumer always has a message to deliver when it makes room.
//!   The whole phase lasts tens of microseconds at most; waiting longer costs no CPU.
//!
//! Measured on the 2-core machine (interleaved runs): thread ping-pong went from ~6 µs to ~2 µs
//! per round trip, level with kanal (which yields up to 256 times) and ahead of crossbeam.
//!
//! Under loom every busy-wait is a single `yield_now` and the backoff is "completed" at once, so
//! the models explore the register-and-park paths rather than spin loops.

#[cfg(not(all(test, tidings_loom)))]
const SPIN_LIMIT: u32 = 2;
#[cfg(not(all(test, tidings_loom)))]
const YIELD_LIMIT: u32 = 70;
/// Extra steps of 4 pause hints a [`Backoff::patient`] spins before its first yield.
#[cfg(not(all(test, tidings_loom)))]
const PATIENT_STEPS: u32 = 8;

/// Exponential backoff for busy-waits (see the module docs).
#[derive(Debug, Default)]
pub(crate) struct Backoff {
    #[cfg_attr(all(test, tidings_loom), allow(dead_code))]
    step: u32,
    /// Extra spinning steps left before the first yield (see `patient`).
    #[cfg_attr(all(test, tidings_loom), allow(dead_code))]
    extra: u32,
}

#[cfg(not(all(test, tidings_loom)))]
impl Backoff {
    #[inline]
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// A backoff for a thread waiting to receive: it spins about 1 µs before its first yield
    /// (see the module docs).
    #[inline]
    pub(crate) fn patient() -> Self {
        Self { step: 0, extra: PATIENT_STEPS }
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
        } else if self.extra > 0 {
            self.extra -= 1;
            for _ in 0..1u32 << SPIN_LIMIT {
                std::hint::spin_loop();
            }
            return;
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

    /// True while the next [`snooze`](Self::snooze) still spins (before the first yield).
    #[inline]
    pub(crate) fn is_spinning(&self) -> bool {
        self.step <= SPIN_LIMIT || self.extra > 0
    }
}

#[cfg(all(test, tidings_loom))]
impl Backoff {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    pub(crate) fn patient() -> Self {
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

    pub(crate) fn is_spinning(&self) -> bool {
        false
    }
}

#[cfg(all(test, not(tidings_loom)))]
mod tests {
    use super::*;

    fn snoozes_until_completed(mut backoff: Backoff) -> u32 {
        let mut snoozes = 0;
        while !backoff.is_completed() {
            backoff.snooze();
            snoozes += 1;
        }
        snoozes
    }

    /// A patient backoff spins `PATIENT_STEPS` more times before it yields, then yields as
    /// often as a plain one before it tells the caller to park.
    #[test]
    fn a_patient_backoff_spins_longer_before_the_same_yields() {
        let plain = snoozes_until_completed(Backoff::new());
        assert_eq!(plain, YIELD_LIMIT + 1);
        assert_eq!(snoozes_until_completed(Backoff::patient()), plain + PATIENT_STEPS);
    }

    /// `is_spinning` is true exactly for the snoozes that spin: the first `SPIN_LIMIT + 1`
    /// (and a patient backoff's extra steps), none after the first yield.
    #[test]
    fn is_spinning_covers_the_spin_phase_only() {
        for (mut backoff, spins) in
            [(Backoff::new(), SPIN_LIMIT + 1), (Backoff::patient(), SPIN_LIMIT + 1 + PATIENT_STEPS)]
        {
            let mut spinning = 0;
            while backoff.is_spinning() {
                backoff.snooze();
                spinning += 1;
            }
            assert_eq!(spinning, spins);
            backoff.snooze();
            assert!(!backoff.is_spinning(), "a yield does not turn spinning back on");
        }
    }
}
