//! The bounded ring: a preallocated array of stamped slots (Dmitry Vyukov's bounded MPMC queue,
//! <https://www.1024cores.net/home/lock-free-algorithms/queues/bounded-mpmc-queue>), specialised
//! to a single consumer.
//!
//! # Positions and stamps
//!
//! `head` and `tail` are *positions*: `lap | index`, where `index < capacity` sits in the low
//! bits and `lap` is a multiple of `one_lap`, a power of two above the index bits. Between them
//! are two flags of `tail`: `mark_bit`, set once the ring is closed, and `arm_bit`, set while
//! the consumer waits for the next claim (see "Arming"). `head` carries neither.
//!
//! ```text
//!   tail:  [ lap ........ | arm | mark | index ]   mark_bit = (capacity + 1).next_power_of_two()
//!                                                  arm_bit = 2 * mark_bit
//!                                                  one_lap = 4 * mark_bit
//! ```
//!
//! Every slot has a `stamp` that says what the slot is waiting for:
//!
//! * `stamp == position`: empty, ready for the producer that claims `position`;
//! * `stamp == position + 1`: holds the message written at `position`, ready for the consumer;
//! * after the consumer takes it, the stamp becomes `position + one_lap`: empty for the next lap.
//!
//! # Who does what
//!
//! Producers claim a position with a compare-and-swap on `tail` (lock-free: a failed CAS means
//! another producer succeeded), write the message, and publish it by writing the stamp
//! `position + 1` (`Release`). The single consumer owns `head`: it reads the slot's stamp, takes
//! the message, hands the slot to the next lap and moves `head` with plain stores — no CAS on
//! the consumer's fast path. Closing is a `fetch_or` of `mark_bit` into `tail`; since every
//! claim is a CAS that expects the bit clear, no claim can succeed after the close, and the
//! consumer sees every claim made before it.
//!
//! # Arming: who wakes a waiting consumer
//!
//! A consumer about to sleep *arms* the ring (see [`Bounded::pop`] with `Look::Arm`): if
//! nothing is claimed past `head`, a CAS of `tail` from `head` to `head | arm_bit`; if a
//! producer has claimed `head` already, it waits for that message instead (a few
//! instructions away), and never sleeps on it. Every claim is a CAS on `tail` that expects the
//! value it read, flags included, and stores the next position without `arm_bit`. The arming
//! CAS and the claims are read-modify-writes of one word, so they are totally ordered: the
//! claim that follows an arming is the claim of `head`, and it sees `arm_bit` in the value it
//! replaced, so its push reports and its producer wakes the consumer. A producer nobody waits
//! for pays the claim it always pays and publishes with a plain store: no fence, no second
//! read-modify-write, no look at the consumer's wait cell. The same order hands the consumer's
//! registration to the claim that reports, without fences (see `wait::WaitCell`): the first
//! arming after each registration is a CAS even on an armed ring (`Look::Arm { fresh }`).
//!
//! # Handing a message to the waiting consumer
//!
//! The claim that reports writes its message into `handed`, a cell beside `tail`, instead of
//! its slot, and stamps the slot free for the next lap at once (`position + one_lap`). The
//! consumer is asleep or about to be woken, and the slot is room for one more message while
//! it comes: a bounded ring whose consumer waits takes `capacity + 1` messages, the first of
//! them already the consumer's (as kanal's receiver takes a message handed to it).
//! At capacity 1 between two tasks that is the difference between a sender that waits after
//! every message and one that waits after every second one.
//!
//! The consumer tells a handed message by the stamp of the slot at `head`: `head + one_lap`
//! (free for the next lap) or `head + one_lap + 1` (the next lap's message already in it),
//! where a slot not handed shows `head` or `head + 1`. Only the claim of `head` can be handed
//! (arming needs `tail == head`), so at most one message is in `handed` and it is always the
//! consumer's next. The producer writes `handed` before its stamp store (Release) and the
//! consumer reads it after its stamp load (Acquire); the next write of `handed` follows the
//! consumer's next arming CAS (Release), which comes after its read.

use std::mem::MaybeUninit;

use super::{arm_end, ClosedFlag, Look, Pop, PushError, Source};
use crate::backoff::Backoff;
use crate::loom::{AtomicUsize, UnsafeCell};
use crate::padded::{Gap, LINE_GAP, PAIR_GAP};
use std::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed, Release, SeqCst};

/// One slot of the ring.
struct Slot<T> {
    /// What the slot waits for (see the module docs).
    stamp: AtomicUsize,
    /// The message. Written only by the producer that claimed the slot's current position
    /// (between its winning CAS and its stamp store); read only by the consumer after it saw the
    /// stamp `position + 1` with `Acquire`.
    value: UnsafeCell<MaybeUninit<T>>,
}

/// A bounded multi-producer, single-consumer ring.
///
/// Laid out in order (`repr(C)`, see `padded`): the fields both sides only read, a line gap,
/// the consumer's position, a pair gap, the producers' position. The positions never share a
/// cache line or a prefetch pair, and neither shares a line with the read-only fields.
#[repr(C)]
pub(crate) struct Bounded<T> {
    /// The slots; its length is the capacity.
    buffer: Box<[Slot<T>]>,
    one_lap: usize,
    mark_bit: usize,
    /// Set right after `mark_bit` goes into `tail`.
    closed: ClosedFlag,
    _line: Gap<LINE_GAP>,
    /// The consumer's position. Only the consumer stores it; producers never read it (they
    /// tell a full ring from the slot at `tail`), only `len` does.
    head: AtomicUsize,
    _pair: Gap<PAIR_GAP>,
    /// The next position to claim, with `mark_bit` set once closed and `arm_bit` while the
    /// consumer waits for it.
    tail: AtomicUsize,
    /// The message of the claim that reported, handed to the waiting consumer (see "Handing a
    /// message to the waiting consumer"). Written by that claim's producer before it stamps
    /// the slot of its position free; read by the consumer after it saw that stamp. Next to
    /// `tail`, whose line the producer holds after its claim.
    handed: UnsafeCell<MaybeUninit<T>>,
}

// SAFETY: messages move between threads through the ring, hence `T: Send`. The slots' cells are
// only touched under the stamp protocol described on `Slot::value`, which gives every access
// exclusive ownership of its slot, so sharing `&Bounded<T>` is sound for `T: Send`.
unsafe impl<T: Send> Send for Bounded<T> {}
// SAFETY: see above; `&Bounded<T>` never hands out `&T`.
unsafe impl<T: Send> Sync for Bounded<T> {}

impl<T> Bounded<T> {
    /// A ring with room for `cap` messages; `cap` must be at least 1.
    pub(crate) fn new(cap: usize) -> Self {
        assert!(cap > 0, "a bounded ring needs room for at least one message");
        let mark_bit = (cap + 1).next_power_of_two();
        let one_lap = mark_bit.checked_mul(4).expect("capacity too large");
        let buffer = (0..cap)
            .map(|i| Slot {
                stamp: AtomicUsize::new(i),
                value: UnsafeCell::new(MaybeUninit::uninit()),
            })
            .collect();
        Self {
            buffer,
            one_lap,
            mark_bit,
            closed: ClosedFlag::new(),
            _line: Gap::new(),
            head: AtomicUsize::new(0),
            _pair: Gap::new(),
            tail: AtomicUsize::new(0),
            handed: UnsafeCell::new(MaybeUninit::uninit()),
        }
    }

    #[inline]
    pub(crate) fn capacity(&self) -> usize {
        self.buffer.len()
    }

    /// Set in `tail` while the consumer waits for the claim of `head` (see "Arming"). Not a
    /// field: the ring's header stays within 256 bytes.
    #[inline(always)]
    fn arm_bit(&self) -> usize {
        self.mark_bit << 1
    }

    /// The position in a value of `tail`, without the closed mark and the arming flag.
    #[inline(always)]
    fn position(&self, tail: usize) -> usize {
        tail & !(self.mark_bit | self.arm_bit())
    }

    /// The slot of `pos`, a position without flags.
    #[inline(always)]
    fn slot(&self, pos: usize) -> &Slot<T> {
        let index = pos & (self.mark_bit - 1);
        debug_assert!(index < self.capacity(), "position {pos:#x} has no slot");
        // SAFETY: the index part of every position is below the capacity: positions start at
        // 0 and `next_position` goes from index `capacity - 1` to index 0 of the next lap; the
        // flags and the lap sit above `mark_bit - 1`, so the mask keeps exactly the index.
        unsafe { self.buffer.get_unchecked(index) }
    }

    /// The position after `pos`: the next index in this lap, or index 0 of the next lap.
    #[inline]
    fn next_position(&self, pos: usize) -> usize {
        let index = pos & (self.mark_bit - 1);
        if index + 1 < self.capacity() {
            pos + 1
        } else {
            (pos & !(self.one_lap - 1)).wrapping_add(self.one_lap)
        }
    }

    /// Pushes `value`, or gives it back if the ring is full or closed. Lock-free.
    ///
    /// `Ok(true)`: the consumer had armed the ring for this message (see the module docs), so
    /// the caller must wake it.
    #[inline]
    pub(crate) fn push<S: Source<T>>(&self, value: S) -> Result<bool, PushError<S>> {
        // The common case inline: an open ring, a free slot at `tail` and an uncontended
        // claim. Anything else (full, closed, a lost CAS) goes to the full loop, which goes on
        // from the `tail` seen here or from the one the lost CAS found. Orderings: as in
        // `push_slow`.
        let tail = self.tail.load(Relaxed);
        if tail & self.mark_bit == 0 {
            let pos = tail & !self.arm_bit();
            let slot = self.slot(pos);
            if slot.stamp.load(Acquire) == pos {
                let new_tail = self.next_position(pos);
                match self.tail.compare_exchange_weak(tail, new_tail, Acquire, Relaxed) {
                    Ok(_) => {
                        // SAFETY: our CAS claimed `pos`, whose slot the stamp showed empty.
                        return Ok(unsafe { self.fill(tail, slot, pos, value) });
                    }
                    // Lost to another producer: back off, then go on from what we found.
                    Err(current) => return self.push_slow(value, current, true),
                }
            }
        }
        self.push_slow(value, tail, false)
    }

    /// Delivers `value` for the claim of `pos` (in `slot`), which replaced `tail`: into the
    /// slot, or, if the consumer armed the ring for it, into `handed`. Returns whether it did
    /// the latter (the push reports, and its producer wakes the consumer).
    ///
    /// # Safety
    ///
    /// As for [`publish`](Self::publish); `tail` is the value the claim CAS replaced.
    #[inline(always)]
    unsafe fn fill(&self, tail: usize, slot: &Slot<T>, pos: usize, value: impl Source<T>) -> bool {
        if tail & self.arm_bit() == 0 {
            // SAFETY: forwarded contract.
            unsafe { Self::publish(slot, pos, value) };
            false
        } else {
            // SAFETY: forwarded contract.
            unsafe { self.hand(slot, pos, value) };
            true
        }
    }

    /// Writes `value` into `handed` for the consumer that armed the ring for `pos`, and stamps
    /// `slot` free for the next lap (see "Handing a message to the waiting consumer").
    ///
    /// # Safety
    ///
    /// As for [`publish`](Self::publish), and the claim of `pos` found `arm_bit` set.
    #[inline(never)]
    unsafe fn hand(&self, slot: &Slot<T>, pos: usize, value: impl Source<T>) {
        // SAFETY: the consumer armed the ring for `pos`, after it read the last message handed
        // to it (it had moved `head` to `pos`); our claim (Acquire) read that arming (Release),
        // and the consumer reads `handed` again only after it sees the stamp we store below.
        self.handed.with_mut(|ptr| unsafe { ptr.write(MaybeUninit::new(value.take())) });
        // Release: the consumer that sees this stamp (Acquire) sees `handed` written; the next
        // lap's producer may claim the slot right away, as nothing of ours is in it.
        slot.stamp.store(pos.wrapping_add(self.one_lap), Release);
    }

    /// Writes `value` into `slot`, claimed for `pos`, and publishes it to the consumer.
    ///
    /// # Safety
    ///
    /// The caller's claim CAS won `pos`, and `slot`'s stamp was seen (Acquire) as `pos`.
    #[inline(always)]
    unsafe fn publish(slot: &Slot<T>, pos: usize, value: impl Source<T>) {
        // SAFETY: per the contract, nobody else touches the slot until we publish it.
        slot.value.with_mut(|ptr| unsafe { ptr.write(MaybeUninit::new(value.take())) });
        // Release: makes the write above visible to the consumer's Acquire load.
        slot.stamp.store(pos + 1, Release);
    }

    /// [`push`](Self::push) in full: retries lost claims and tells a full ring from a stale
    /// `tail`.
    ///
    /// It goes on from `tail`, the producers' end as the fast path saw it (Relaxed: only a
    /// guess that a CAS checks; the slot's stamp, read with Acquire, is what orders our write
    /// after the consumer's read of the last lap). `lost`: the fast path's claim lost its CAS.
    #[inline(never)]
    fn push_slow<S: Source<T>>(
        &self,
        value: S,
        mut tail: usize,
        lost: bool,
    ) -> Result<bool, PushError<S>> {
        let mut backoff = Backoff::new();
        if lost {
            backoff.spin();
        }
        loop {
            if tail & self.mark_bit != 0 {
                return Err(PushError::Closed(value));
            }
            let pos = tail & !self.arm_bit();
            let slot = self.slot(pos);
            // Acquire: pairs with the consumer's Release store of this stamp, so its read of the
            // previous lap's message happens before our write below.
            let stamp = slot.stamp.load(Acquire);
            if stamp == pos {
                // The slot is free for this lap: try to claim it. The new `tail` has no
                // `arm_bit`: an arming is for this one claim. Expecting `tail` with its flags
                // makes the claim fail once the ring is closed or armed since we read it.
                let new_tail = self.next_position(pos);
                // Acquire: if the consumer armed the ring (a Release CAS), its registration is
                // visible to our wake-up. Nothing else needs ordering here: the claim only
                // decides which producer owns the slot, and the stamp publishes the data.
                match self.tail.compare_exchange_weak(tail, new_tail, Acquire, Relaxed) {
                    Ok(_) => {
                        // SAFETY: our CAS claimed position `pos`, and the stamp said the slot
                        // is empty for it.
                        return Ok(unsafe { self.fill(tail, slot, pos, value) });
                    }
                    Err(current) => {
                        tail = current;
                        backoff.spin();
                    }
                }
            } else if stamp.wrapping_add(self.one_lap) == pos + 1 {
                // The slot still holds the previous lap's message: full, unless our `tail` is
                // stale. If `tail` has not moved since we read it (positions only grow), it
                // stood at `pos` when we read the stamp, and the ring was full then. Checking
                // `tail` rather than the consumer's `head` keeps producers that wait for room
                // off the consumer's line.
                let current = self.tail.load(Relaxed);
                if current == tail {
                    return Err(PushError::Full(value));
                }
                backoff.spin();
                tail = current;
            } else {
                // Another producer claimed this position and `tail` has moved on: reload.
                backoff.snooze();
                tail = self.tail.load(Relaxed);
            }
        }
    }

    /// Takes the oldest message. With `Look::Arm`, a pop that finds nothing arms the ring (see
    /// the module docs): the push that fills `head` then reports, so that its producer wakes
    /// the consumer; and it never returns `Busy` (it waits for a claimed message instead). Arm
    /// only when registered to be woken.
    ///
    /// # Safety
    ///
    /// Only one thread at a time may call `pop` (the single consumer); calls must be ordered by
    /// happens-before (the same thread, or handed over through a lock or channel).
    #[inline(always)]
    pub(crate) unsafe fn pop(&self, look: Look) -> Pop<T> {
        // SAFETY: forwarded contract (we are the single consumer).
        match unsafe { self.pop_published() } {
            Ok(value) => Pop::Item(value),
            // SAFETY: forwarded contract.
            Err(head) => unsafe { self.pop_unpublished(head, look) },
        }
    }

    /// Takes the message at `head` if it is there to take: published in its slot, or handed
    /// to the consumer (see "Handing a message to the waiting consumer"); otherwise gives back
    /// `head` (the consumer's position, for the caller's slow path). The consumer's whole fast
    /// path, and the whole wake-up of a consumer that was handed its message: the one stamp
    /// load tells both, and the handed message costs a compare more only when the slot holds
    /// no published one.
    ///
    /// # Safety
    ///
    /// As for [`pop`](Self::pop).
    #[inline(always)]
    pub(crate) unsafe fn pop_published(&self) -> Result<T, usize> {
        // Relaxed: only the consumer stores `head`, and the caller guarantees we are it.
        let head = self.head.load(Relaxed);
        let slot = self.slot(head);
        // Acquire: pairs with the producer's Release stamp store, so its write is visible (and
        // with `hand`'s, or with that of the next lap's producer, which read it with Acquire,
        // so `handed` is written).
        let stamp = slot.stamp.load(Acquire);
        if stamp == head + 1 {
            // SAFETY: the stamp says the message at `head` is published; we are the consumer.
            Ok(unsafe { self.take(head, slot) })
        } else if self.is_handed(head, stamp) {
            // SAFETY: the stamp says the claim of `head` was handed; we are the consumer.
            Ok(unsafe { self.take_from_handed(head) })
        } else {
            Err(head)
        }
    }

    /// The slot at `head` held no message to take (none published, none handed): arm if asked,
    /// else tell empty, busy and closed apart. Out of line, so that the consumer's fast path
    /// stays small.
    ///
    /// # Safety
    ///
    /// As for [`pop`](Self::pop); `head` is the consumer's current position.
    #[inline(never)]
    unsafe fn pop_unpublished(&self, head: usize, look: Look) -> Pop<T> {
        if let Look::Arm { fresh } = look {
            // SAFETY: forwarded contract.
            return unsafe { self.arm(head, fresh) };
        }
        if self.closed.quiet(look) {
            return Pop::Empty;
        }
        self.empty_or_busy(head)
    }

    /// Arms the ring for the claim of `head` (see the module docs) and reports `Empty`; or, if
    /// `head` is claimed already, waits for its message and takes it; or reports `Closed`.
    ///
    /// # Safety
    ///
    /// As for [`pop`](Self::pop); `head` is the consumer's current position.
    #[inline]
    pub(crate) unsafe fn arm(&self, head: usize, fresh: bool) -> Pop<T> {
        match arm_end(&self.tail, head, self.arm_bit(), fresh) {
            Ok(()) => Pop::Empty,
            // Closed with nothing claimed past `head`: nothing will come.
            Err(tail) if self.position(tail) == head => Pop::Closed,
            // A producer claimed `head` (`tail` is past it) and is writing its message: it
            // will not report, so wait for it here rather than sleep.
            // SAFETY: forwarded contract; `tail` is past `head`.
            Err(_) => unsafe { self.take_claimed(head) },
        }
    }

    /// Waits for the message claimed at `head` to be published, and takes it.
    ///
    /// # Safety
    ///
    /// As for [`pop`](Self::pop); `head` is the consumer's current position, and a producer
    /// has claimed it.
    #[inline(never)]
    unsafe fn take_claimed(&self, head: usize) -> Pop<T> {
        let slot = self.slot(head);
        let mut backoff = Backoff::new();
        loop {
            // Acquire: as in `pop`.
            let stamp = slot.stamp.load(Acquire);
            if stamp == head + 1 {
                // SAFETY: the stamp says the message at `head` is published.
                return Pop::Item(unsafe { self.take(head, slot) });
            }
            if self.is_handed(head, stamp) {
                // SAFETY: the stamp says the claim of `head` was handed; we are the consumer.
                return Pop::Item(unsafe { self.take_from_handed(head) });
            }
            backoff.snooze();
        }
    }

    /// Whether `stamp`, of the slot at `head`, says that the claim of `head` was handed to the
    /// consumer (see "Handing a message to the waiting consumer").
    #[inline(always)]
    fn is_handed(&self, head: usize, stamp: usize) -> bool {
        stamp.wrapping_sub(head.wrapping_add(self.one_lap)) <= 1
    }

    /// Reads the message in `handed` and moves on past `head`. The slot of `head` is the next
    /// lap's already.
    ///
    /// # Safety
    ///
    /// We are the single consumer, `head` is its position, and the stamp of its slot was seen
    /// (Acquire) to say that the claim of `head` was handed.
    #[inline]
    unsafe fn take_from_handed(&self, head: usize) -> T {
        // SAFETY: the producer of `head` wrote `handed` before the stamp we saw; it is not
        // written again until we arm the ring at a later `head`.
        let value = self.handed.with(|ptr| unsafe { ptr.read().assume_init() });
        // Release: pairs with `len`'s loads.
        self.head.store(self.next_position(head), Release);
        value
    }

    /// Takes the published message at `head` (in `slot`) and moves on.
    ///
    /// # Safety
    ///
    /// We are the single consumer, `head` is its position, `slot` is the slot of `head`, and
    /// its stamp was seen (Acquire) as `head + 1`.
    #[inline(always)]
    unsafe fn take(&self, head: usize, slot: &Slot<T>) -> T {
        // SAFETY: the stamp says the producer of `head` published its message, and as the only
        // consumer we are the only reader; the slot is not reused until the store below.
        let value = slot.value.with(|ptr| unsafe { ptr.read().assume_init() });
        // Release: the next lap's producer (Acquire on the stamp) writes only after our read.
        slot.stamp.store(head.wrapping_add(self.one_lap), Release);
        // Release: pairs with `len`'s loads.
        self.head.store(self.next_position(head), Release);
        value
    }

    /// The slot at `head` holds nothing yet: is the ring empty, closed, or is a producer still
    /// writing there?
    #[inline(never)]
    fn empty_or_busy(&self, head: usize) -> Pop<T> {
        // Acquire: pairs with the Release half of `close`; the claim CASes are ordered with this
        // load by the modification order of `tail` alone (a claim of `head` moves `tail` past it).
        let tail = self.tail.load(Acquire);
        if self.position(tail) == head {
            if tail & self.mark_bit != 0 {
                Pop::Closed
            } else {
                Pop::Empty
            }
        } else {
            Pop::Busy
        }
    }

    /// Closes the ring: every later push fails with `Closed`. Returns true if this call closed
    /// it (false if it was closed already).
    pub(crate) fn close(&self) -> bool {
        // AcqRel: the release half lets the consumer that sees the mark see what we did before;
        // the mark cannot get lost because every claim is a CAS that expects it clear.
        let closed_now = self.tail.fetch_or(self.mark_bit, AcqRel) & self.mark_bit == 0;
        self.closed.set();
        closed_now
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.tail.load(Acquire) & self.mark_bit != 0
    }

    /// False if the slot at `tail` still holds the previous lap's message (the ring is full),
    /// true otherwise (room, a close, or a `tail` that moved on: a push is worth trying). A
    /// look, no claim: for a sender that has registered to wait for room and, after its
    /// fence, checks whether a pop made room meanwhile (and for the consumer, which wakes a
    /// waiting sender only into room). Reads the same two words as `push`, so a pop whose
    /// stamp store came before the caller's fence (in the fences' order) is seen.
    #[inline]
    pub(crate) fn may_have_room(&self) -> bool {
        // Relaxed: the caller's SeqCst fence orders this look after its registration.
        let tail = self.tail.load(Relaxed);
        if tail & self.mark_bit != 0 {
            return true;
        }
        let pos = tail & !self.arm_bit();
        // Acquire: as in `push`.
        let stamp = self.slot(pos).stamp.load(Acquire);
        stamp.wrapping_add(self.one_lap) != pos + 1
    }

    /// How many messages are queued (claimed positions count, even while still being written).
    pub(crate) fn len(&self) -> usize {
        loop {
            // SeqCst on all three loads: we need one consistent snapshot of two variables, so
            // re-read `tail` and retry if it moved while we read `head`.
            let tail = self.tail.load(SeqCst);
            let head = self.head.load(SeqCst);
            if self.tail.load(SeqCst) == tail {
                return self.distance(head, self.position(tail));
            }
        }
    }

    /// The number of messages between the positions `head` and `tail` (`tail` without flags):
    /// at most `capacity + 1` (one of them handed to the consumer).
    fn distance(&self, head: usize, tail: usize) -> usize {
        let index = |pos: usize| pos & (self.mark_bit - 1);
        let laps = (tail - index(tail)).wrapping_sub(head - index(head)) / self.one_lap;
        (laps * self.capacity() + index(tail)).wrapping_sub(index(head))
    }
}

#[cfg(all(test, not(tidings_loom)))]
impl<T> Bounded<T> {
    /// Byte ranges of the read-only fields, the consumer's position and the producers'
    /// position (for the layout test).
    pub(super) fn hot_ranges() -> [std::ops::Range<usize>; 3] {
        use std::mem::{offset_of, size_of};
        let at = |offset: usize, size: usize| offset..offset + size;
        [
            0..offset_of!(Self, _line),
            at(offset_of!(Self, head), size_of::<AtomicUsize>()),
            at(offset_of!(Self, tail), size_of::<AtomicUsize>()),
        ]
    }
}

impl<T> Drop for Bounded<T> {
    fn drop(&mut self) {
        // SAFETY: `&mut self`: no producer or consumer is left, so we may pop as the consumer.
        // Every position from `head` to `tail` was claimed and, with no producer left,
        // written (in its slot, or handed if it is the first), so each pop takes one, until
        // the slot at `tail`, which waits for a claim.
        while let Ok(value) = unsafe { self.pop_published() } {
            drop(value);
        }
    }
}
