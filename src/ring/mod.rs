//! The MPSC ring at the bottom of every mailbox: lock-free multi-producer push, single-consumer
//! pop without a CAS, closing, and nothing else — no wakers, no errors that talk to users.
//!
//! Two storages share one small interface ([`Ring`]): [`bounded`] (a preallocated array of
//! stamped slots, no allocation per message) and [`unbounded`] (linked fixed-size blocks,
//! recycled).
//!
//! # Sleeping: who wakes the consumer
//!
//! The ring does not wake anybody, but it decides who must. The producers' `tail` word carries
//! a *sleep flag* next to the closed mark:
//!
//! 1. The consumer that found the ring empty registers its waiter (in the channel's
//!    `WaitCell`), then calls [`Ring::sleep`]: a CAS of `tail` from exactly its own `head`
//!    (empty, open, flag clear) to `head` with the flag set. If the CAS fails, something was
//!    claimed (maybe not written yet: [`Pop::Busy`]) or the ring closed: it pops again and does
//!    not sleep.
//! 2. Every claim is a CAS that writes `tail` with the flag clear. The one claim that read the
//!    flag set returns `Ok(true)` from `push`: its producer wakes the consumer once its message
//!    is written. A close (`fetch_or` of the mark) reports a sleeping consumer the same way.
//!
//! Both sides are read-modify-writes of one location, so their order is the modification
//! order of `tail`: either the consumer's CAS comes first (and the next claim or close sees
//! the flag), or a claim or close comes first (and the consumer's CAS fails). No fence on
//! either side, and a producer that finds nobody asleep pays nothing beyond its claim. The
//! price: a consumer may not sleep on `Busy` (the producer writing that slot claimed before
//! the flag was set and will not wake it); it waits the few instructions out instead.
//!
//! A flag left set by a consumer that stopped waiting for another reason (a timeout) costs
//! the next producer one look at the empty `WaitCell`.

use std::sync::atomic::Ordering::{Relaxed, Release};

use crate::loom::AtomicUsize;

mod bounded;
mod unbounded;

#[cfg(test)]
mod tests;

pub(crate) use bounded::Bounded;
pub(crate) use unbounded::Unbounded;

/// Why a push gave its message back.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum PushError<T> {
    /// A bounded ring has no free slot.
    Full(T),
    /// The ring was closed.
    Closed(T),
}

/// What a pop found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Pop<T> {
    /// The oldest message.
    Item(T),
    /// Nothing queued.
    Empty,
    /// A producer has claimed the next slot but not finished writing it (a few instructions).
    /// The consumer must not sleep on it: that producer will not wake it (see the module docs);
    /// it pops again.
    Busy,
    /// Nothing queued and the ring is closed: nothing will ever come.
    Closed,
}

/// The consumer's half of the sleep handshake (see the module docs), on a ring's `tail`:
/// moves it from `head` (empty, open, awake) to `asleep` (`head` with the sleep flag). True if
/// `tail` now says asleep; false if a claim or a close changed it first.
///
/// Already asleep (a flag left by an earlier wait, or a second poll of the same one) still
/// takes a write: the CAS of `asleep` onto itself. The producer that clears the flag then
/// reads from *this* write, so the waiter registered just before it is visible to the wake-up;
/// a mere load would leave that registration unordered with the producer.
#[inline]
fn mark_asleep(tail: &AtomicUsize, head: usize, asleep: usize) -> bool {
    let mut expected = head;
    loop {
        // Release: the waiter registered before this write is visible to the producer whose
        // claim (Acquire) clears the flag, or to the closer (AcqRel).
        match tail.compare_exchange(expected, asleep, Release, Relaxed) {
            Ok(_) => return true,
            Err(current) if current == asleep && expected == head => expected = asleep,
            Err(_) => return false,
        }
    }
}

/// What [`Ring::close`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Closing {
    /// This call closed the ring (it was open).
    pub(crate) first: bool,
    /// The consumer was asleep on the empty ring: the closer must wake it.
    pub(crate) consumer_asleep: bool,
}

/// A ring of either storage. Its tag comes first, with the storage's read-only fields (both
/// storages start with them and end with the producers' end; see `padded`).
pub(crate) enum Ring<T> {
    Bounded(Bounded<T>),
    Unbounded(Unbounded<T>),
}

impl<T> Ring<T> {
    pub(crate) fn bounded(cap: usize) -> Self {
        Ring::Bounded(Bounded::new(cap))
    }

    pub(crate) fn unbounded() -> Self {
        Ring::Unbounded(Unbounded::new())
    }

    /// Pushes `value`. `Ok(true)`: the consumer was asleep and this push must wake it (see the
    /// module docs).
    #[inline]
    pub(crate) fn push(&self, value: T) -> Result<bool, PushError<T>> {
        match self {
            Ring::Bounded(ring) => ring.push(value),
            Ring::Unbounded(ring) => ring.push(value),
        }
    }

    /// Takes the oldest message.
    ///
    /// # Safety
    ///
    /// Single consumer: calls must not overlap and must be ordered by happens-before.
    #[inline]
    pub(crate) unsafe fn pop(&self) -> Pop<T> {
        match self {
            // SAFETY: forwarded contract.
            Ring::Bounded(ring) => unsafe { ring.pop() },
            // SAFETY: forwarded contract.
            Ring::Unbounded(ring) => unsafe { ring.pop() },
        }
    }

    /// Marks the consumer asleep if the ring is empty and open (see the module docs): true if
    /// it is (or already was); false if something was claimed or the ring closed since the
    /// consumer's last pop, which must then pop again instead of sleeping.
    ///
    /// # Safety
    ///
    /// Only the consumer may call it, ordered with its pops as [`pop`](Ring::pop) requires.
    #[inline]
    pub(crate) unsafe fn sleep(&self) -> bool {
        match self {
            // SAFETY: forwarded contract.
            Ring::Bounded(ring) => unsafe { ring.sleep() },
            // SAFETY: forwarded contract.
            Ring::Unbounded(ring) => unsafe { ring.sleep() },
        }
    }

    /// Closes the ring.
    pub(crate) fn close(&self) -> Closing {
        match self {
            Ring::Bounded(ring) => ring.close(),
            Ring::Unbounded(ring) => ring.close(),
        }
    }

    pub(crate) fn is_closed(&self) -> bool {
        match self {
            Ring::Bounded(ring) => ring.is_closed(),
            Ring::Unbounded(ring) => ring.is_closed(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            Ring::Bounded(ring) => ring.len(),
            Ring::Unbounded(ring) => ring.len(),
        }
    }

    /// `Some(capacity)` for a bounded ring.
    pub(crate) fn capacity(&self) -> Option<usize> {
        match self {
            Ring::Bounded(ring) => Some(ring.capacity()),
            Ring::Unbounded(_) => None,
        }
    }
}
