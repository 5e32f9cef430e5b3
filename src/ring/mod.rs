//! The MPSC ring at the bottom of every mailbox: lock-free multi-producer push, single-consumer
//! pop without a CAS, closing, and nothing else — no wakers, no errors that talk to users.
//!
//! Two storages share one small interface ([`Ring`]): [`bounded`] (a preallocated array of
//! stamped slots, no allocation per message) and [`unbounded`] (linked fixed-size blocks,
//! recycled; in two block sizes, the small one for actors' mailboxes).

mod bounded;
mod unbounded;

use crate::loom::AtomicUsize;
use std::sync::atomic::Ordering::{AcqRel, Acquire, Release};

#[cfg(test)]
mod tests;

pub(crate) use bounded::Bounded;
pub(crate) use unbounded::{Unbounded, SMALL_BLOCK};

/// Why a push gave its message back.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum PushError<T> {
    /// A bounded ring has no free slot.
    Full(T),
    /// The ring was closed.
    Closed(T),
}

impl<T> PushError<T> {
    /// The message that was not pushed.
    pub(crate) fn into_inner(self) -> T {
        match self {
            PushError::Full(msg) | PushError::Closed(msg) => msg,
        }
    }
}

/// Where a push takes its message from, once it has claimed a slot for it: a push that fails
/// gives the source back untouched.
pub(crate) trait Source<T> {
    /// The message; called once, by the push that claimed a slot for it, between the claim
    /// and the publish (so it must not panic: see [`InPlace`]).
    fn take(self) -> T;
}

/// A message in hand.
pub(crate) struct Own<T>(pub(crate) T);

impl<T> Source<T> for Own<T> {
    #[inline(always)]
    fn take(self) -> T {
        self.0
    }
}

/// The message an async send keeps in its future: a push moves it straight from there into
/// its slot, and a full ring leaves it where it is. (Taking it out first, and putting it back
/// on a full ring, copied a large message two or three times more: callgrind, 64-byte
/// messages.)
pub(crate) struct InPlace<'a, T>(&'a mut Option<T>);

impl<'a, T> InPlace<'a, T> {
    /// A source for the message in `msg`, or `None` if it holds none.
    #[inline(always)]
    pub(crate) fn new(msg: &'a mut Option<T>) -> Option<Self> {
        if msg.is_some() {
            Some(InPlace(msg))
        } else {
            None
        }
    }
}

impl<T> Source<T> for InPlace<'_, T> {
    #[inline(always)]
    fn take(self) -> T {
        // `new` saw a message, and only this exclusive borrow can reach it.
        self.0.take().unwrap_or_else(|| unreachable!("InPlace::new saw a message"))
    }
}

/// What a pop that finds no message at the head goes on to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Look {
    /// Tell `Empty` from `Busy` (a load of the producers' end): for pops that do not wait
    /// (`try_recv`, drains, the registry's queues).
    Settle,
    /// For a receiver that waits (or spins) on `Empty` and `Busy` alike: report `Empty` for
    /// both, and look at the producers' end only once the ring is closed. A consumer spinning
    /// on an empty ring then stays off the cache line its producers fight over.
    Wait,
    /// For a registered consumer about to sleep: arm the ring, so that the push of the next
    /// message reports (see `bounded`'s "Arming"), and report `Empty`; or, if that message is
    /// claimed already, wait for it and take it. Never reports `Busy`.
    ///
    /// `fresh`: the first arming since the consumer registered. It is a read-modify-write of
    /// the producers' end even if the ring is armed already, because that write is what
    /// carries the registration to the producer whose claim reports (see `wait::WaitCell`);
    /// later pops of the same registration (a consumer spinning before it sleeps) only look.
    Arm {
        /// First arming since the consumer registered.
        fresh: bool,
    },
}

/// Set once its ring is closed, right after the mark goes into the producers' end. Kept with
/// the ring's read-only fields, so that a waiting consumer checks for a close there instead of
/// loading the line its producers fight over (see `Look::Wait`).
pub(crate) struct ClosedFlag(AtomicUsize);

impl ClosedFlag {
    pub(crate) fn new() -> Self {
        Self(AtomicUsize::new(0))
    }

    /// Called by every closer after it put the mark into the producers' end. Release: a
    /// consumer that sees the flag (Acquire) then sees the mark. Every closer stores it, so the
    /// one that notifies the consumer next has set it.
    pub(crate) fn set(&self) {
        self.0.store(1, Release);
    }

    /// True if a pop that found no message may report `Empty` without looking at the
    /// producers' end: `look` waits on Empty and Busy alike and the ring is not closed (a close
    /// from now on sets the flag before it notifies the consumer).
    #[inline]
    pub(crate) fn quiet(&self, look: Look) -> bool {
        look != Look::Settle && self.0.load(Acquire) == 0
    }
}

/// Arms a ring for the claim of `head` (see `bounded`'s "Arming"): a CAS of the producers' end
/// `tail` from `head` to `head | arm`. `Ok` if the ring is armed, by this call or an earlier
/// one; otherwise `Err` with the producers' end as found, which is then past `head` (a producer
/// claimed it first) or carries the closed mark. Shared by both rings, whose ends differ only
/// in where their `arm` flag sits.
///
/// `fresh` (see `Look::Arm`): a ring armed already is armed again with a CAS, which publishes
/// the consumer's new registration to the claim that reports. Otherwise an armed ring is left
/// alone: a registered consumer that spins comes here again and again, and a CAS, even a
/// failing one, would take the line away from the producers.
#[inline]
pub(crate) fn arm_end(
    tail: &AtomicUsize,
    head: usize,
    arm: usize,
    fresh: bool,
) -> Result<(), usize> {
    // Acquire: pairs with the Release half of `close`.
    let mut current = tail.load(Acquire);
    loop {
        if current == head | arm && !fresh {
            return Ok(());
        }
        if current != head && current != head | arm {
            return Err(current);
        }
        // Release: a producer whose claim reads `arm` (Acquire) (or that closes after us)
        // sees our registration: its read-modify-write comes after ours in the order of
        // `tail`'s writes. Acquire on failure: as the load above.
        match tail.compare_exchange(current, head | arm, AcqRel, Acquire) {
            Ok(_) => return Ok(()),
            Err(now) => current = now,
        }
    }
}

/// What a pop found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Pop<T> {
    /// The oldest message.
    Item(T),
    /// Nothing queued.
    Empty,
    /// A producer has claimed the next slot but not finished writing it (a few instructions).
    /// Only `Look::Settle` pops (and `Look::Wait` pops of a closed ring) report it.
    Busy,
    /// Nothing queued and the ring is closed: nothing will ever come.
    Closed,
}

/// A ring of either storage. Its tag comes first, with the storage's read-only fields (both
/// storages start with them and end with the producers' end; see `padded`).
pub(crate) enum Ring<T> {
    Bounded(Bounded<T>),
    Unbounded(Unbounded<T>),
    /// Unbounded, in small blocks: for the many mostly idle mailboxes of actors.
    Small(Unbounded<T, SMALL_BLOCK>),
}

impl<T> Ring<T> {
    pub(crate) fn bounded(cap: usize) -> Self {
        Ring::Bounded(Bounded::new(cap))
    }

    pub(crate) fn unbounded() -> Self {
        Ring::Unbounded(Unbounded::new())
    }

    /// Unbounded, in small blocks (see `unbounded`'s "Memory").
    pub(crate) fn unbounded_small() -> Self {
        Ring::Small(Unbounded::new())
    }

    /// Pushes `value`, or gives it back (full or closed).
    ///
    /// `Ok(true)` means the consumer armed the ring for this message (see `bounded`'s
    /// "Arming"): it waits for it, and the caller must wake it. A ring whose consumer never
    /// pops with `Look::Arm` never reports.
    #[inline(always)]
    pub(crate) fn push(&self, value: T) -> Result<bool, PushError<T>> {
        self.push_from(Own(value)).map_err(|e| match e {
            PushError::Full(Own(msg)) => PushError::Full(msg),
            PushError::Closed(Own(msg)) => PushError::Closed(msg),
        })
    }

    /// [`push`](Self::push) that takes the message from `source` only once it has a slot for
    /// it, and gives the source back otherwise.
    #[inline(always)]
    pub(crate) fn push_from<S: Source<T>>(&self, source: S) -> Result<bool, PushError<S>> {
        match self {
            Ring::Bounded(ring) => ring.push(source),
            Ring::Unbounded(ring) => ring.push(source),
            Ring::Small(ring) => ring.push(source),
        }
    }

    /// Takes the oldest message; if there is none, `look` says what else to do (with
    /// `Look::Arm`, arm the ring so that the push of the next message reports: only for a
    /// registered consumer).
    ///
    /// # Safety
    ///
    /// Single consumer: calls must not overlap and must be ordered by happens-before.
    #[inline(always)]
    pub(crate) unsafe fn pop(&self, look: Look) -> Pop<T> {
        match self {
            // SAFETY: forwarded contract.
            Ring::Bounded(ring) => unsafe { ring.pop(look) },
            // SAFETY: forwarded contract.
            Ring::Unbounded(ring) => unsafe { ring.pop(look) },
            // SAFETY: forwarded contract.
            Ring::Small(ring) => unsafe { ring.pop(look) },
        }
    }

    /// Takes the oldest message if it is there to take (published, or handed to the waiting
    /// consumer: see `bounded`'s "Handing a message to the waiting consumer"), without looking
    /// any further: the consumer's fast path, for a caller with its own slow path. `Err` carries
    /// the consumer's position, for [`arm`](Self::arm).
    ///
    /// # Safety
    ///
    /// As for [`pop`](Self::pop).
    #[inline(always)]
    pub(crate) unsafe fn pop_published(&self) -> Result<T, usize> {
        match self {
            // SAFETY: forwarded contract.
            Ring::Bounded(ring) => unsafe { ring.pop_published() },
            // SAFETY: forwarded contract.
            Ring::Unbounded(ring) => unsafe { ring.pop_written() },
            // SAFETY: forwarded contract.
            Ring::Small(ring) => unsafe { ring.pop_written() },
        }
    }

    /// The slow half of a `Look::Arm` pop, after [`pop_published`](Self::pop_published) found
    /// nothing at `head`: arms the ring and reports `Empty`, or takes the message claimed at
    /// `head` once it is written, or reports `Closed`.
    ///
    /// # Safety
    ///
    /// As for [`pop`](Self::pop); `head` is what `pop_published` returned, with no pop since.
    #[inline(always)]
    pub(crate) unsafe fn arm(&self, head: usize, fresh: bool) -> Pop<T> {
        match self {
            // SAFETY: forwarded contract.
            Ring::Bounded(ring) => unsafe { ring.arm(head, fresh) },
            // SAFETY: forwarded contract.
            Ring::Unbounded(ring) => unsafe { ring.arm(head, fresh) },
            // SAFETY: forwarded contract.
            Ring::Small(ring) => unsafe { ring.arm(head, fresh) },
        }
    }

    /// Closes the ring; true if this call did.
    pub(crate) fn close(&self) -> bool {
        match self {
            Ring::Bounded(ring) => ring.close(),
            Ring::Unbounded(ring) => ring.close(),
            Ring::Small(ring) => ring.close(),
        }
    }

    /// False only if a push would find the ring full now (see `Bounded::may_have_room`);
    /// unbounded rings always have room.
    #[inline]
    pub(crate) fn may_have_room(&self) -> bool {
        match self {
            Ring::Bounded(ring) => ring.may_have_room(),
            Ring::Unbounded(_) | Ring::Small(_) => true,
        }
    }

    pub(crate) fn is_closed(&self) -> bool {
        match self {
            Ring::Bounded(ring) => ring.is_closed(),
            Ring::Unbounded(ring) => ring.is_closed(),
            Ring::Small(ring) => ring.is_closed(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            Ring::Bounded(ring) => ring.len(),
            Ring::Unbounded(ring) => ring.len(),
            Ring::Small(ring) => ring.len(),
        }
    }

    /// `Some(capacity)` for a bounded ring.
    pub(crate) fn capacity(&self) -> Option<usize> {
        match self {
            Ring::Bounded(ring) => Some(ring.capacity()),
            Ring::Unbounded(_) | Ring::Small(_) => None,
        }
    }
}
