//! The wait layer: who to wake, and how to wait without losing a wake-up.
//!
//! A [`Waiter`] is either a task's `Waker` or a parked `Thread` — one type, so the same mailbox
//! can be awaited in one call and blocked on in the next. Two containers hold waiters:
//!
//! * [`WaitCell`]: the single consumer of a mailbox (at most one waiter);
//! * [`WaitQueue`]: any number of waiters (senders waiting for room, registry receivers), woken
//!   one at a time in FIFO order; a waiter that was notified and then gives up passes the
//!   notification on, so a cancelled future never swallows a wake-up meant for someone else.
//!
//! # The rule: try → register → try again
//!
//! A waiter first tries its operation; if that fails it registers, and *then tries again*
//! before sleeping. A notifier first makes its change (push, pop, close), then checks for
//! waiters. In the [`WaitQueue`], both sides put a `SeqCst` fence between their write and their
//! read (inside `register` and `notify*`), so at least one of them sees the other: either the
//! waiter's second try sees the change, or the notifier sees the registration. No lost
//! wake-ups, and a notifier that finds nobody registered pays one fence and one load, never a
//! lock.
//!
//! The mailbox's consumer does without fences. Its retry after registering *arms* the ring
//! with a read-modify-write of the producers' end (a flag there), and only the push whose
//! claim clears the flag goes on to [`WaitCell::notify`]; the claim and the close are
//! read-modify-writes of the same word, whose order hands the registration over (see `cell`,
//! `chan` and `ring::bounded`'s "Arming"). A push nobody waits for looks at nothing.
//!
//! The queue's lock (it spins, then sleeps: every section under it is a few dozen
//! instructions, see `lock`) is only taken by waiters and by notifiers that found a waiter;
//! the cell is lock-free (its one `UnsafeCell` is guarded by a small state machine, see
//! `cell`).

mod block;
mod cell;
mod lock;
mod queue;

#[cfg(test)]
mod tests;

use std::task::Waker;

use crate::loom::thread::{self, Thread};

pub(crate) use block::{
    assert_blocking_allowed, block_on, block_until, blocking_allowed, park, poll_until,
};
pub(crate) use cell::WaitCell;
pub(crate) use queue::{Parcel, Registration, WaitQueue};

/// Something to wake: a task or a parked thread.
#[derive(Debug)]
pub(crate) enum Waiter {
    Task(Waker),
    Thread(Thread),
}

/// A waiter to register, borrowed: converted to a [`Waiter`] only when the registered one is
/// not already equivalent (saves a waker clone per poll).
#[derive(Clone, Copy)]
pub(crate) enum WaiterRef<'a> {
    Task(&'a Waker),
    /// The current thread.
    Thread,
}

impl WaiterRef<'_> {
    #[inline]
    fn to_waiter(self) -> Waiter {
        match self {
            WaiterRef::Task(waker) => Waiter::Task(waker.clone()),
            WaiterRef::Thread => Waiter::Thread(thread::current()),
        }
    }
}

impl Waiter {
    /// True if this waiter wakes the same task or thread as `other` would.
    fn is_same(&self, other: WaiterRef<'_>) -> bool {
        match (self, other) {
            (Waiter::Task(old), WaiterRef::Task(new)) => old.will_wake(new),
            (Waiter::Thread(old), WaiterRef::Thread) => old.id() == thread::current().id(),
            _ => false,
        }
    }

    /// Replaces this waiter with `new` unless it would wake the same task or thread.
    fn refresh(&mut self, new: WaiterRef<'_>) {
        if !self.is_same(new) {
            *self = new.to_waiter();
        }
    }

    #[inline]
    fn wake(self) {
        match self {
            Waiter::Task(waker) => waker.wake(),
            Waiter::Thread(thread) => thread.unpark(),
        }
    }
}
