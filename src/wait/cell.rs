//! [`WaitCell`]: where the single consumer of a mailbox waits.

use std::sync::atomic::Ordering::{Relaxed, SeqCst};

use super::{Waiter, WaiterRef};
use crate::loom::{fence, lock, AtomicBool, Mutex};

/// Holds at most one waiter: the mailbox's consumer, a task or a thread.
///
/// Producers call [`notify`](WaitCell::notify) after every push; while the consumer is busy
/// (not registered) that costs a fence and a load.
#[derive(Debug)]
pub(crate) struct WaitCell {
    /// True while `slot` holds a waiter that wants waking. Read without the lock by notifiers
    /// (after their fence); written under the lock.
    waiting: AtomicBool,
    slot: Mutex<Option<Waiter>>,
}

impl WaitCell {
    pub(crate) fn new() -> Self {
        Self { waiting: AtomicBool::new(false), slot: Mutex::new(None) }
    }

    /// Registers the consumer. The caller must try its operation again afterwards, before it
    /// sleeps (see the module docs).
    pub(crate) fn register(&self, waiter: WaiterRef<'_>) {
        let mut slot = lock(&self.slot);
        match &mut *slot {
            Some(old) => old.refresh(waiter),
            None => *slot = Some(waiter.to_waiter()),
        }
        // Relaxed: published by the fence below (and the unlock).
        self.waiting.store(true, Relaxed);
        drop(slot);
        // SeqCst: pairs with the fence in `notify`: either the notifier sees `waiting`, or our
        // retry sees the notifier's change.
        fence(SeqCst);
    }

    /// The consumer no longer waits (it found a message, timed out, or was dropped).
    #[inline]
    pub(crate) fn unregister(&self) {
        // Relaxed: we are the consumer, the only one who sets `waiting`; a stale `true` only
        // costs a lock, a stale `false` means a notifier already took the waiter.
        if self.waiting.load(Relaxed) {
            self.unregister_slow();
        }
    }

    #[cold]
    fn unregister_slow(&self) {
        let old = {
            let mut slot = lock(&self.slot);
            self.waiting.store(false, Relaxed);
            slot.take()
        };
        drop(old);
    }

    /// Wakes the consumer if it is registered. Call after the change it should see.
    #[inline]
    pub(crate) fn notify(&self) {
        // SeqCst: pairs with the fence in `register`.
        fence(SeqCst);
        if self.waiting.load(Relaxed) {
            self.notify_slow();
        }
    }

    #[cold]
    fn notify_slow(&self) {
        let waiter = {
            let mut slot = lock(&self.slot);
            self.waiting.store(false, Relaxed);
            slot.take()
        };
        if let Some(waiter) = waiter {
            waiter.wake();
        }
    }
}
