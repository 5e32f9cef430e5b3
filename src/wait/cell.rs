//! [`WaitCell`]: where the single consumer of a mailbox waits.
//!
//! A lock-free cell for at most one waiter. The slot that holds the waiter is owned by whoever
//! moved `state` into one of the two "busy" states, so that registering (the consumer) and
//! taking (any producer) never touch the slot at the same time. An `EMPTY` slot belongs to the
//! consumer: notifiers only act on `WAITING`, so nobody else leaves `EMPTY`, and the consumer
//! registers from there with a plain store (no CAS):
//!
//! ```text
//!   EMPTY ─────────────register──────────────▶ WAITING ──notify──▶ TAKING ──▶ EMPTY
//!     ▲                                    │    │    ▲
//!     └──────────── unregister ────────────┘    └────┘ register again (via REGISTERING)
//!                (via REGISTERING)
//! ```
//!
//! Both busy states last a few instructions (moving an `Option<Waiter>` in or out; wakers are
//! woken and dropped after the slot is released), so the rare party that finds the other one
//! busy just spins.
//!
//! # No fences: the handshake goes through the producers' word
//!
//! Neither `register` nor `notify` fences. What keeps a wake-up from being lost is a contract
//! with the caller (`chan`, the only one): both sides go through one atomic word with
//! read-modify-writes, the ring's producers' end.
//!
//! * The waiter, after `register` and before it sleeps, writes that word with a
//!   read-modify-write (the first arming pop of each registration, `Look::Arm { fresh }`).
//! * A notifier writes it with a read-modify-write before `notify` (the claim that reported,
//!   or the close that set the mark).
//!
//! Read-modify-writes of one word are totally ordered, and each reads the latest value. If
//! the notifier's comes first, the waiter's arming sees it (a claimed position or the mark) and
//! does not sleep. If the waiter's comes first, the notifier's reads it (or a later write in
//! the chain), so the registration before it is visible to `notify` (Release and Acquire on
//! the word). A `SeqCst` fence on each side did the same before, at the price of a locked
//! instruction in every registration and every notifying push.

use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};

use super::{Waiter, WaiterRef};
use crate::backoff::Backoff;
use crate::loom::{AtomicUsize, UnsafeCell};

/// No waiter in the slot (or a stale one nobody needs: see `unregister`).
const EMPTY: usize = 0;
/// A waiter is in the slot and wants waking.
const WAITING: usize = 1;
/// The consumer owns the slot (registering or unregistering).
const REGISTERING: usize = 2;
/// A notifier owns the slot (taking the waiter out to wake it).
const TAKING: usize = 3;

/// Holds at most one waiter: the mailbox's consumer, a task or a thread.
///
/// Producers call [`notify`](WaitCell::notify) after a push that the ring reported (the
/// consumer armed the ring after registering, see `chan`); a close notifies unconditionally.
/// Both rely on the contract in the module docs.
pub(crate) struct WaitCell {
    state: AtomicUsize,
    /// The waiter. Touched only by the party that moved `state` to `REGISTERING` (the
    /// consumer) or to `TAKING` (a notifier), until it moves `state` on.
    slot: UnsafeCell<Option<Waiter>>,
}

// SAFETY: the slot is only accessed by the owner of a busy state (see `slot`), so sharing the
// cell between threads is sound; `Waiter` (a `Waker` or a `Thread`) is `Send` and `Sync`.
unsafe impl Send for WaitCell {}
// SAFETY: as above.
unsafe impl Sync for WaitCell {}

impl std::fmt::Debug for WaitCell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WaitCell").field("state", &self.state.load(Relaxed)).finish()
    }
}

impl WaitCell {
    pub(crate) fn new() -> Self {
        Self { state: AtomicUsize::new(EMPTY), slot: UnsafeCell::new(None) }
    }

    /// Takes ownership of the slot from `EMPTY` or `WAITING`, waiting out a notifier that is
    /// taking the previous waiter. Returns false if it found nothing to own (only when
    /// `only_if_waiting` and the state was not `WAITING`).
    fn acquire_slot(&self, only_if_waiting: bool) -> bool {
        let mut backoff = Backoff::new();
        loop {
            // Relaxed: the CAS below (Acquire) is what orders our slot access.
            let current = self.state.load(Relaxed);
            match current {
                EMPTY if only_if_waiting => return false,
                EMPTY | WAITING => {
                    // Acquire: pairs with the Release store that last left the slot, so we see
                    // its contents (e.g. a waiter a notifier already took out).
                    if self
                        .state
                        .compare_exchange_weak(current, REGISTERING, Acquire, Relaxed)
                        .is_ok()
                    {
                        return true;
                    }
                }
                // A notifier is moving the previous waiter out: a few instructions.
                _ => backoff.snooze(),
            }
        }
    }

    /// Registers the consumer. Before it sleeps, the caller must write the handshake word with
    /// a read-modify-write and look again (see the module docs).
    #[inline]
    pub(crate) fn register(&self, waiter: WaiterRef<'_>) {
        // Acquire: pairs with the Release store that last emptied the slot. Only the consumer
        // leaves EMPTY (notifiers act on WAITING alone), so a slot seen EMPTY is ours without a
        // CAS; a WAITING one (registering again) may be taken by a notifier meanwhile.
        if self.state.load(Acquire) != EMPTY {
            self.acquire_slot(false);
        }
        // SAFETY: the slot is ours until we store below: `state` is EMPTY, which nobody but us
        // (the one consumer) leaves, or REGISTERING, which we set.
        let stale = self.slot.with_mut(|slot| unsafe {
            match &mut *slot {
                Some(old) if old.is_same(waiter) => None,
                slot => slot.replace(waiter.to_waiter()),
            }
        });
        // Release: hands the slot (with our waiter) to the notifier that takes it (Acquire).
        self.state.store(WAITING, Release);
        drop(stale);
    }

    /// The consumer no longer waits (it found a message, timed out, or was dropped).
    #[inline]
    pub(crate) fn unregister(&self) {
        // Relaxed: only the consumer registers; a stale WAITING costs a CAS, a stale EMPTY
        // means a notifier took the waiter already.
        if self.state.load(Relaxed) != EMPTY {
            self.unregister_slow();
        }
    }

    #[cold]
    fn unregister_slow(&self) {
        if !self.acquire_slot(true) {
            return;
        }
        // SAFETY: we moved `state` to REGISTERING: the slot is ours until the store below.
        let old = self.slot.with_mut(|slot| unsafe { (*slot).take() });
        // Release: the next owner of the slot sees it empty.
        self.state.store(EMPTY, Release);
        drop(old);
    }

    /// Wakes the consumer if it is registered. Call after the read-modify-write of the
    /// handshake word that made the change it should see (see the module docs).
    #[inline]
    pub(crate) fn notify(&self) {
        // Relaxed: our read-modify-write of the handshake word (Acquire) ordered us after the
        // registration it read; `notify_slow`'s CAS acquires the slot itself.
        if self.state.load(Relaxed) == WAITING {
            self.notify_slow();
        }
    }

    #[cold]
    fn notify_slow(&self) {
        // Acquire: pairs with `register`'s Release store, so the waiter in the slot is visible.
        // If the CAS fails, another notifier took the waiter, or the consumer is (un)registering
        // and its arming write afterwards will see our claim: nothing to do either way.
        if self.state.compare_exchange(WAITING, TAKING, Acquire, Relaxed).is_err() {
            return;
        }
        // SAFETY: we moved `state` to TAKING: the slot is ours until the store below.
        let waiter = self.slot.with_mut(|slot| unsafe { (*slot).take() });
        // Release: the consumer's next registration sees the slot empty.
        self.state.store(EMPTY, Release);
        if let Some(waiter) = waiter {
            waiter.wake();
        }
    }
}
