//! The unbounded ring: a linked list of blocks that grow from small to large, lock-free for
//! producers, with no CAS on the single consumer's side, and one spare block recycled between
//! bursts.
//!
//! # Positions
//!
//! `head` and `tail` count positions in steps of `1 << SHIFT`; below them, `tail` has two
//! flags: `MARK` (bit 0), set once the ring is closed, and `ARM` (bit 1), set while the consumer
//! waits for the next claim (see "Arming"). Each block covers a lap of positions, a power of two
//! (see "Memory"), but holds one slot less: the last position of a lap is never a slot. `tail`
//! stands on it while the producer that claimed the block's last slot installs the next block,
//! which tells the other producers to wait a moment instead of writing past the end (the scheme
//! of crossbeam's list flavour). The consumer steps over it.
//!
//! Which block a position falls in, and where in it, follows from the position alone, so that
//! a producer knows whether it claims a block's last slot without reading the block (which may
//! be freed under it until its claim succeeds). Positions start at `FIRST_LAP`; the block of
//! position `p` covers `lap_at(p)` positions, aligned to that lap:
//!
//! * below `LAST_LAP`, the block of `p` is `[2^k, 2^(k+1))` for the `k` with `2^k <= p < 2^(k+1)`:
//!   every block twice the one before, the first one `FIRST_LAP` long;
//! * from `LAST_LAP` on, every block is `LAST_LAP` long.
//!
//! # Arming: who wakes a waiting consumer
//!
//! As in the bounded ring (see its module docs): a consumer about to sleep arms the ring with a
//! CAS of the producers' index from `head` to `head | ARM` (or, if `head` is claimed already,
//! waits for its message); the claim that follows sees `ARM` in the value it replaced, clears
//! it, and its push reports, so that its caller wakes the consumer. Arming needs no block, so
//! it works the same before the first push. Producers publish with a plain store.
//!
//! # Memory
//!
//! The first block is allocated by the first push (an idle, never-used ring costs no block).
//! When the consumer has taken the last message of a block, the block is freed, or, if it has
//! the largest size, reset and kept as the one `spare`, which the next install reuses (a second
//! spare is freed at once). So a burst grows the list, and memory goes back to the allocator as
//! the consumer catches up.
//!
//! How large blocks are is the ring's const parameter `SLOTS`:
//!
//! * Mailboxes (`BY_SIZE`) size blocks by the message, like a `Vec` that doubles: the first block
//!   holds as many slots as fit in `FIRST_BLOCK_BYTES` (1 KiB; 31 slots of a `usize`, at most 31
//!   and at least 3), every next one twice as many, up to as many as fit in `BLOCK_BYTES` (16 KiB;
//!   1023 slots of a `usize`, at most 1023 and at least 31). A mailbox that received a few messages
//!   holds half a KiB; one that streams messages reaches the largest blocks after about a thousand,
//!   and from then on holds one or two of them (its current block and the spare: 16–32 KiB) even
//!   when idle. Each block costs an allocation (or the spare), an install the other producers wait
//!   for, and a free once it is read. With constant 2 KiB blocks (127 slots of a `usize`, 31 of a
//!   64-byte message) those costs came every 127 messages, and glibc's thread arenas grew and
//!   shrank with the list (an `mprotect` call every 250 messages, 1 thread → 1 thread). Against
//!   those constant blocks, in one process (`.ci/ab`, both orientations, three runs of 2 × 3
//!   processes, 9 rounds each), the growing blocks measured 1.33–1.86× with 1 thread → 1
//!   thread, 1.22–1.34× with 4 threads, 2.01–2.33× with a thread sending to a task, 1.38–1.54×
//!   with 64 tasks → 1 task, 0.98–1.49× in the four 64-byte cells. 1 task → 1 thread lost
//!   3–10% (0.90–0.97×) and 4 tasks → 1 thread 2–7%: the footprint, it seems, as 8 KiB blocks
//!   won the first back (1.17× against 16 KiB) but lost 13–20% in the thread and 64-byte cells.
//! * Actors' mailboxes use `SMALL_BLOCK` (7) slots in every block: a block is the largest part
//!   of a mailbox that has received anything (about 180 bytes for a boxed message), and actors
//!   are many and mostly idle; a stream of messages to one actor pays a block install every 7
//!   messages.

use std::alloc::{self, Layout};
use std::mem::{size_of, MaybeUninit};
use std::ptr;

use super::{arm_end, ClosedFlag, Look, Pop, PushError, Source};
use crate::backoff::Backoff;
use crate::loom::{AtomicPtr, AtomicUsize, UnsafeCell};
use crate::padded::{Gap, LINE_GAP, PAIR_GAP};
use std::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed, Release, SeqCst};

/// Bit 0 of `tail`: the ring is closed.
const MARK: usize = 1;
/// Bit 1 of `tail`: the consumer waits for the next claim (see "Arming").
const ARM: usize = 2;
/// Positions are counted above the two flags.
const SHIFT: usize = 2;
/// The ring's const parameter for "block sizes by the message's size" (see "Memory"): what
/// mailboxes use.
pub(crate) const BY_SIZE: usize = 0;
/// A mailbox ring's first block takes at most this many bytes of slots (see "Memory").
#[cfg(not(all(test, tidings_loom)))]
const FIRST_BLOCK_BYTES: usize = 1024;
/// A mailbox ring's largest blocks take about this many bytes of slots (see "Memory").
#[cfg(not(all(test, tidings_loom)))]
const BLOCK_BYTES: usize = 16 * 1024;
/// Slots per block of an actor's ring.
#[cfg(not(all(test, tidings_loom)))]
pub(crate) const SMALL_BLOCK: usize = 7;
/// Under loom, small blocks so that models cross block boundaries in few steps.
#[cfg(all(test, tidings_loom))]
pub(crate) const SMALL_BLOCK: usize = 3;

/// The longest lap of at most `most` and at least `least` positions (powers of two) whose
/// slots of `slot_size` bytes fit in `bytes`.
#[cfg(not(all(test, tidings_loom)))]
const fn lap_fitting(slot_size: usize, bytes: usize, least: usize, most: usize) -> usize {
    let mut lap = most;
    while lap > least && lap * slot_size > bytes {
        lap /= 2;
    }
    lap
}

/// A mailbox ring's first lap, for slots of `slot_size` bytes (see "Memory").
#[cfg(not(all(test, tidings_loom)))]
const fn first_lap_by_size(slot_size: usize) -> usize {
    lap_fitting(slot_size, FIRST_BLOCK_BYTES, 4, 32)
}

/// A mailbox ring's largest lap, for slots of `slot_size` bytes (see "Memory").
#[cfg(not(all(test, tidings_loom)))]
const fn last_lap_by_size(slot_size: usize) -> usize {
    lap_fitting(slot_size, BLOCK_BYTES, 32, 1024)
}

/// Under loom, a first block of three slots and then blocks of seven, so that models cross
/// block boundaries and the growth in few steps. (A first block of one slot made every model
/// with two producers cross a boundary, and loom's exploration of the producers that wait for
/// an install ran past its branch limit.)
#[cfg(all(test, tidings_loom))]
const fn first_lap_by_size(_: usize) -> usize {
    4
}

#[cfg(all(test, tidings_loom))]
const fn last_lap_by_size(_: usize) -> usize {
    8
}

/// `Slot::state`: the producer has written the message.
const WRITTEN: usize = 1;

struct Slot<T> {
    /// 0, then `WRITTEN` once the message is in `value`.
    state: AtomicUsize,
    /// Written once by the producer that claimed this slot's position, before it sets
    /// `WRITTEN` (Release); read once by the consumer after it saw `WRITTEN` (Acquire).
    value: UnsafeCell<MaybeUninit<T>>,
}

/// A block's header; its slots follow it in the same allocation (one less than the lap of the
/// positions it covers, a number that depends on the position and the message type, see
/// "Positions" and "Memory").
#[repr(C)]
struct Block<T> {
    /// The following block; set (Release) by the producer that claimed this block's last slot,
    /// before that producer publishes the slot.
    next: AtomicPtr<Block<T>>,
    /// Where the slots start (`repr(C)`: after `next`, aligned for `Slot<T>`).
    slots: [Slot<T>; 0],
}

impl<T> Block<T> {
    /// The allocation of a block with `cap` slots.
    fn layout(cap: usize) -> Layout {
        Layout::new::<Block<T>>()
            .extend(Layout::array::<Slot<T>>(cap).expect("a block's slots fit in memory"))
            .expect("a block fits in memory")
            .0
            .pad_to_align()
    }

    /// A fresh block of `cap` slots: every slot unwritten, no `next`.
    ///
    /// Only the header and the slots' states are written: the messages' bytes stay
    /// uninitialised until a producer writes its message. (Zeroing the whole block, as
    /// `alloc_zeroed` did, wrote every message's bytes twice.)
    fn alloc(cap: usize) -> *mut Block<T> {
        let layout = Self::layout(cap);
        // SAFETY: the layout is not zero-sized (a block holds an atomic pointer).
        let block = unsafe { alloc::alloc(layout) }.cast::<Block<T>>();
        if block.is_null() {
            alloc::handle_alloc_error(layout);
        }
        // SAFETY: `block` is a fresh allocation with room for the header and `cap` slots, and
        // nobody else can reach it: every field is written in place, through raw pointers,
        // before anyone reads it; a slot's value is a `MaybeUninit`, valid uninitialised.
        unsafe {
            ptr::addr_of_mut!((*block).next).write(AtomicPtr::new(ptr::null_mut()));
            for i in 0..cap {
                let slot = Self::slot_ptr(block, i).cast_mut();
                // Loom's cells must be constructed; std's `UnsafeCell<MaybeUninit<T>>` needs
                // nothing.
                #[cfg(all(test, tidings_loom))]
                slot.write(Slot {
                    state: AtomicUsize::new(0),
                    value: UnsafeCell::new(MaybeUninit::uninit()),
                });
                #[cfg(not(all(test, tidings_loom)))]
                ptr::addr_of_mut!((*slot).state).write(AtomicUsize::new(0));
            }
        }
        block
    }

    /// Slot `i` of `block`, as a raw pointer.
    ///
    /// # Safety
    ///
    /// `block` is a live block of more than `i` slots.
    #[inline(always)]
    unsafe fn slot_ptr(block: *const Block<T>, i: usize) -> *const Slot<T> {
        // SAFETY: the slots follow the header in the block's allocation, and `i` is within
        // them; `addr_of!` makes no reference, so the pointer keeps the allocation's provenance.
        unsafe { ptr::addr_of!((*block).slots).cast::<Slot<T>>().add(i) }
    }

    /// Slot `i` of `block`.
    ///
    /// # Safety
    ///
    /// As for [`slot_ptr`](Self::slot_ptr), and the block outlives the reference.
    #[inline(always)]
    unsafe fn slot<'a>(block: *const Block<T>, i: usize) -> &'a Slot<T> {
        // SAFETY: forwarded contract; a slot's state is always initialised (`alloc` writes it)
        // and its value is a `MaybeUninit`.
        unsafe { &*Self::slot_ptr(block, i) }
    }

    /// Frees a block of `cap` slots without dropping any message in it.
    ///
    /// # Safety
    ///
    /// `block` came from [`Block::alloc`] with this `cap`, nobody else can reach it any more,
    /// and every message it held has been taken or dropped.
    unsafe fn free(block: *mut Block<T>, cap: usize) {
        #[cfg(all(test, tidings_loom))]
        // SAFETY: we own the block; its header and slots were written in place by `alloc`, and
        // dropping a slot drops no message (it holds a `MaybeUninit`).
        unsafe {
            ptr::addr_of_mut!((*block).next).drop_in_place();
            for i in 0..cap {
                Self::slot_ptr(block, i).cast_mut().drop_in_place();
            }
        }
        // SAFETY: per the contract, `block` is a live allocation with this layout that we own.
        // (Without loom, nothing in a block needs dropping: std's atomics have no drop glue.)
        unsafe { alloc::dealloc(block.cast(), Self::layout(cap)) };
    }
}

/// One end of the list: a position and the block it falls in.
struct End<T> {
    index: AtomicUsize,
    block: AtomicPtr<Block<T>>,
}

/// An unbounded multi-producer, single-consumer ring.
///
/// Laid out in order (`repr(C)`, see `padded`): the spare, a line gap, the consumer's end, a
/// pair gap, the producers' end. The ends never share a cache line or a prefetch pair, and the
/// spare (touched once per block) shares neither's line.
#[repr(C)]
pub(crate) struct Unbounded<T, const SLOTS: usize = BY_SIZE> {
    /// A reset block kept for the next install, or null.
    spare: AtomicPtr<Block<T>>,
    /// Set right after `MARK` goes into the producers' index.
    closed: ClosedFlag,
    _line: Gap<LINE_GAP>,
    /// The consumer's end. Only the consumer stores `index`; `block` is also set once by the
    /// producer that installs the very first block (before the producers' end gets it).
    head: End<T>,
    _pair: Gap<PAIR_GAP>,
    /// The producers' end; its index carries the flags `MARK` and `ARM`.
    tail: End<T>,
}

// SAFETY: messages move between threads, hence `T: Send`; every cell is accessed under the
// WRITTEN protocol described on `Slot::value`, and blocks are freed only by their last user.
unsafe impl<T: Send, const SLOTS: usize> Send for Unbounded<T, SLOTS> {}
// SAFETY: as above; `&Unbounded<T>` never hands out `&T`.
unsafe impl<T: Send, const SLOTS: usize> Sync for Unbounded<T, SLOTS> {}

impl<T, const SLOTS: usize> Unbounded<T, SLOTS> {
    /// Positions in the first block: `SLOTS + 1`, or by the message's size for `BY_SIZE` (see
    /// "Memory").
    const FIRST_LAP: usize =
        if SLOTS == BY_SIZE { first_lap_by_size(size_of::<Slot<T>>()) } else { SLOTS + 1 };

    /// Positions in the largest blocks (see "Memory").
    const LAST_LAP: usize = {
        let last =
            if SLOTS == BY_SIZE { last_lap_by_size(size_of::<Slot<T>>()) } else { SLOTS + 1 };
        assert!(
            Self::FIRST_LAP.is_power_of_two()
                && last.is_power_of_two()
                && Self::FIRST_LAP >= 2
                && Self::FIRST_LAP <= last,
            "a block's lap must be a power of two"
        );
        last
    };

    /// Slots in the first block.
    #[cfg(all(test, not(tidings_loom)))]
    pub(super) const FIRST_CAP: usize = Self::FIRST_LAP - 1;
    /// Slots in the largest blocks.
    pub(super) const LAST_CAP: usize = Self::LAST_LAP - 1;

    /// How many positions the block of position `pos` covers (see "Positions"); the block
    /// holds one slot less, and `pos & (lap - 1)` is where in it `pos` falls (laps are powers
    /// of two).
    #[inline(always)]
    fn lap_at(pos: usize) -> usize {
        if Self::FIRST_LAP == Self::LAST_LAP || pos >= Self::LAST_LAP {
            Self::LAST_LAP
        } else {
            // The highest power of two at most `pos` (`pos >= FIRST_LAP >= 2`).
            1 << (usize::BITS - 1 - pos.leading_zeros())
        }
    }

    /// How many slot positions come before position `pos`: the positions since `FIRST_LAP`
    /// less the marker positions of the blocks before `pos`'s.
    fn slots_before(pos: usize) -> usize {
        let log = |lap: usize| lap.trailing_zeros() as usize;
        let blocks_before = if pos < Self::LAST_LAP {
            log(Self::lap_at(pos)) - log(Self::FIRST_LAP)
        } else {
            log(Self::LAST_LAP) - log(Self::FIRST_LAP) + pos / Self::LAST_LAP - 1
        };
        pos - Self::FIRST_LAP - blocks_before
    }

    pub(crate) fn new() -> Self {
        // Evaluates the check in `LAST_LAP` for this message type.
        let _ = Self::LAST_LAP;
        let first = Self::FIRST_LAP << SHIFT;
        Self {
            spare: AtomicPtr::new(ptr::null_mut()),
            closed: ClosedFlag::new(),
            _line: Gap::new(),
            head: End { index: AtomicUsize::new(first), block: AtomicPtr::new(ptr::null_mut()) },
            _pair: Gap::new(),
            tail: End { index: AtomicUsize::new(first), block: AtomicPtr::new(ptr::null_mut()) },
        }
    }

    /// A block of `cap` slots for an install: the spare if it fits, else a new allocation.
    fn take_block(&self, cap: usize) -> *mut Block<T> {
        if cap == Self::LAST_CAP {
            // Acquire: pairs with the Release swap in `recycle`, so the reset of the block is
            // visible.
            let spare = self.spare.swap(ptr::null_mut(), Acquire);
            if !spare.is_null() {
                return spare;
            }
        }
        Block::alloc(cap)
    }

    /// Keeps `block`, of `cap` slots, as the spare (freeing a previous spare) if it has the
    /// largest size; frees it otherwise (installs after it need larger blocks).
    ///
    /// # Safety
    ///
    /// We own `block` exclusively, it holds no message, and it is reset (states 0, null `next`).
    unsafe fn recycle(&self, block: *mut Block<T>, cap: usize) {
        if cap != Self::LAST_CAP {
            // SAFETY: per the contract, we own the empty block; it came from `alloc(cap)`.
            unsafe { Block::free(block, cap) };
            return;
        }
        // Release: publishes the reset to the producer that takes the spare (Acquire).
        // Acquire: we may free the displaced spare, whose reset was published the same way.
        let old = self.spare.swap(block, AcqRel);
        if !old.is_null() {
            // SAFETY: the displaced spare was owned by the `spare` field alone, reset and empty;
            // only largest blocks become the spare.
            unsafe { Block::free(old, Self::LAST_CAP) };
        }
    }

    /// Installs the very first block: into the consumer's end first, then the producers' end,
    /// whichever producers get there; returns the producers' block. In that order, a consumer
    /// that sees position 0 claimed finds the block in its own end.
    #[cold]
    fn install_first(&self) -> *mut Block<T> {
        // Acquire: pairs with the Release CAS below, so the block's initialisation is visible.
        let mut first = self.head.block.load(Acquire);
        if first.is_null() {
            let fresh = self.take_block(Self::FIRST_LAP - 1);
            // Release: the block's initialisation happens before anyone reads the pointer.
            match self.head.block.compare_exchange(ptr::null_mut(), fresh, AcqRel, Acquire) {
                Ok(_) => first = fresh,
                Err(current) => {
                    // SAFETY: `fresh` never became reachable by anyone else; it is fresh.
                    unsafe { self.recycle(fresh, Self::FIRST_LAP - 1) };
                    first = current;
                }
            }
        }
        // Only succeeds while the producers' end has no block at all; if the consumer's end
        // already moved on (`first` is a later block), the producers' end has long had one and
        // the CAS fails.
        match self.tail.block.compare_exchange(ptr::null_mut(), first, AcqRel, Acquire) {
            Ok(_) => first,
            Err(current) => current,
        }
    }

    /// Pushes `value`, or gives it back if the ring is closed. Lock-free; never full.
    ///
    /// `Ok(true)`: the consumer had armed the ring for this message (see "Arming"), so the
    /// caller must wake it.
    #[inline]
    pub(crate) fn push<S: Source<T>>(&self, value: S) -> Result<bool, PushError<S>> {
        // The common case inline: an open ring, a slot that is not its block's last, and an
        // uncontended claim. Anything else (closed, an install to do or to wait for, the first
        // block, a lost CAS) goes to the full loop, which starts over from fresh loads.
        // Acquire on both: as in `push_slow`.
        let tail = self.tail.index.load(Acquire);
        let block = self.tail.block.load(Acquire);
        let lap = Self::lap_at(tail >> SHIFT);
        let offset = (tail >> SHIFT) & (lap - 1);
        // The block's last slot is at `lap - 2`, its marker position at `lap - 1`.
        if tail & MARK == 0 && offset + 2 < lap && !block.is_null() {
            let new_tail = (tail & !ARM) + (1 << SHIFT);
            // AcqRel: as in `push_slow`.
            if self.tail.index.compare_exchange_weak(tail, new_tail, AcqRel, Relaxed).is_ok() {
                // SAFETY: our CAS claimed this slot (not the marker), and `block` (read
                // after `tail`, Acquire) is the block of our claim: a block pointer installed
                // for a later lap would have moved `tail` past `tail`, and our CAS would have
                // failed.
                unsafe { publish(block, offset, value) };
                return Ok(tail & ARM != 0);
            }
        }
        self.push_slow(value)
    }

    /// [`push`](Self::push) in full: waits out installs, installs the next block after
    /// claiming a block's last slot, and the first block.
    #[inline(never)]
    fn push_slow<S: Source<T>>(&self, value: S) -> Result<bool, PushError<S>> {
        let mut backoff = Backoff::new();
        // Acquire on both: pairs with the installer's Release stores, so a block pointer we read
        // is fully initialised (and matches the index, or our CAS below fails).
        let mut tail = self.tail.index.load(Acquire);
        let mut block = self.tail.block.load(Acquire);
        // Allocated ahead of claiming a block's last slot, so the install itself cannot fail;
        // `next_cap` slots (the next block's size depends on where it starts).
        let mut next_block: *mut Block<T> = ptr::null_mut();
        let mut next_cap = 0;

        let result = loop {
            if tail & MARK != 0 {
                break Err(PushError::Closed(value));
            }
            let pos = tail >> SHIFT;
            let cap = Self::lap_at(pos) - 1;
            let offset = pos & cap;
            if offset == cap {
                // Another producer is installing the next block: wait for it.
                backoff.snooze();
                tail = self.tail.index.load(Acquire);
                block = self.tail.block.load(Acquire);
                continue;
            }
            if offset + 1 == cap {
                // The next block starts after our slot and the marker position.
                let cap = Self::lap_at(pos + 2) - 1;
                if next_cap != cap {
                    if !next_block.is_null() {
                        // SAFETY: taken for another block boundary; it never became reachable.
                        unsafe { self.recycle(next_block, next_cap) };
                    }
                    next_block = self.take_block(cap);
                    next_cap = cap;
                }
            }
            if block.is_null() {
                // The very first push: install the first block. If `tail` moved meanwhile, the
                // claim below fails and reloads both.
                block = self.install_first();
            }

            // Without `ARM`: an arming is for this one claim (see "Arming").
            let new_tail = (tail & !ARM) + (1 << SHIFT);
            // Not needed for data (the WRITTEN bit publishes it), but: Acquire, so that an
            // arming consumer's registration is visible to our wake-up, and the failure value is
            // at least as fresh as the block pointer we reload after it; Release, so that a
            // consumer that sees our claim sees the first block in its end (`install_first`).
            match self.tail.index.compare_exchange_weak(tail, new_tail, AcqRel, Acquire) {
                Ok(_) => {
                    if offset + 1 == cap {
                        // We claimed the block's last slot: install the next block. The order
                        // matters: pointer first (Release), then the index steps over the
                        // marker position (Release), then the link the consumer follows.
                        let next = std::mem::replace(&mut next_block, ptr::null_mut());
                        self.tail.block.store(next, Release);
                        self.tail.index.fetch_add(1 << SHIFT, Release);
                        // SAFETY: `block` is the block our claim falls in; it cannot be recycled
                        // before the consumer has read our slot, which we have not written yet.
                        unsafe { (*block).next.store(next, Release) };
                    }
                    // SAFETY: our CAS claimed this slot (`offset < cap`) in `block`.
                    unsafe { publish(block, offset, value) };
                    break Ok(tail & ARM != 0);
                }
                Err(current) => {
                    tail = current;
                    block = self.tail.block.load(Acquire);
                    backoff.spin();
                }
            }
        };
        if !next_block.is_null() {
            // SAFETY: we took it for an install we did not do; it never became reachable.
            unsafe { self.recycle(next_block, next_cap) };
        }
        result
    }

    /// Takes the oldest message. With `Look::Arm`, a pop that finds nothing arms the ring (see
    /// "Arming"), and never returns `Busy` (it waits for a claimed message instead); arm only
    /// when registered to be woken.
    ///
    /// # Safety
    ///
    /// Only one thread at a time may call `pop` (the single consumer); calls must be ordered by
    /// happens-before (the same thread, or handed over through a lock or channel).
    #[inline(always)]
    pub(crate) unsafe fn pop(&self, look: Look) -> Pop<T> {
        // SAFETY: forwarded contract (we are the single consumer).
        match unsafe { self.pop_written() } {
            Ok(value) => Pop::Item(value),
            // SAFETY: forwarded contract.
            Err(head) => unsafe { self.pop_unwritten(head, look) },
        }
    }

    /// Takes the message at `head` if it is written; otherwise gives back `head` (the
    /// consumer's position, for the caller's slow path). The consumer's whole fast path.
    ///
    /// # Safety
    ///
    /// As for [`pop`](Self::pop).
    #[inline(always)]
    pub(crate) unsafe fn pop_written(&self) -> Result<T, usize> {
        // Relaxed: only the consumer stores `head.index`.
        let head = self.head.index.load(Relaxed);
        // Acquire: pairs with the first install's Release CAS.
        let block = self.head.block.load(Acquire);
        if block.is_null() {
            // No block yet: nothing was claimed, or the first claim is being installed.
            return Err(head);
        }
        let lap = Self::lap_at(head >> SHIFT);
        let offset = (head >> SHIFT) & (lap - 1);
        // SAFETY: `block` is the consumer's current block, which only the consumer frees, and
        // `head` is never on a marker position (`offset < lap - 1`, the block's slots).
        let slot = unsafe { Block::slot(block, offset) };
        // Acquire: pairs with the producer's Release store of WRITTEN.
        if slot.state.load(Acquire) != WRITTEN {
            return Err(head);
        }
        // SAFETY: WRITTEN seen with Acquire, in the consumer's current block.
        Ok(unsafe { self.take(head, block, offset, slot) })
    }

    /// The slot at `head` held no message yet: arm if asked, else tell empty, busy and closed
    /// apart. Out of line, so that the consumer's fast path stays small.
    ///
    /// # Safety
    ///
    /// As for [`pop`](Self::pop); `head` is the consumer's current position.
    #[inline(never)]
    unsafe fn pop_unwritten(&self, head: usize, look: Look) -> Pop<T> {
        if let Look::Arm { fresh } = look {
            // SAFETY: forwarded contract.
            return unsafe { self.arm(head, fresh) };
        }
        if self.closed.quiet(look) {
            return Pop::Empty;
        }
        self.empty_or_busy(head)
    }

    /// Arms the ring for the claim of `head` (see "Arming") and reports `Empty`; or, if `head`
    /// is claimed already, waits for its message and takes it; or reports `Closed`.
    ///
    /// # Safety
    ///
    /// As for [`pop`](Self::pop); `head` is the consumer's current position.
    #[inline]
    pub(crate) unsafe fn arm(&self, head: usize, fresh: bool) -> Pop<T> {
        match arm_end(&self.tail.index, head, ARM, fresh) {
            Ok(()) => Pop::Empty,
            // Not `head` nor `head | ARM`, at the same position: closed, nothing will come.
            Err(tail) if tail >> SHIFT == head >> SHIFT => Pop::Closed,
            // A producer claimed `head` and is writing its message (and maybe installing the
            // first block): it will not report, so wait for it here rather than sleep.
            // SAFETY: forwarded contract; `tail` is past `head`.
            Err(_) => unsafe { self.take_claimed(head) },
        }
    }

    /// Waits for the message claimed at `head` to be written, and takes it.
    ///
    /// # Safety
    ///
    /// As for [`pop`](Self::pop); `head` is the consumer's current position, and a producer
    /// has claimed it.
    #[inline(never)]
    unsafe fn take_claimed(&self, head: usize) -> Pop<T> {
        let offset = (head >> SHIFT) & (Self::lap_at(head >> SHIFT) - 1);
        let mut backoff = Backoff::new();
        loop {
            // Acquire: pairs with the first install's Release CAS.
            let block = self.head.block.load(Acquire);
            if !block.is_null() {
                // SAFETY: the consumer's current block, which only the consumer frees;
                // `offset` is a slot's as in `pop`.
                let slot = unsafe { Block::slot(block, offset) };
                // Acquire: pairs with the producer's Release store of WRITTEN.
                if slot.state.load(Acquire) == WRITTEN {
                    // SAFETY: WRITTEN seen with Acquire, in the consumer's current block.
                    return Pop::Item(unsafe { self.take(head, block, offset, slot) });
                }
            }
            backoff.snooze();
        }
    }

    /// Takes the written message at `head` and moves on (to the next block after a block's
    /// last slot, recycling the finished one).
    ///
    /// # Safety
    ///
    /// We are the single consumer, `head` its position, `block` its current block, `slot` the
    /// slot at `offset` in it for `head`, and the slot's state was seen (Acquire) as `WRITTEN`.
    #[inline(always)]
    unsafe fn take(&self, head: usize, block: *mut Block<T>, offset: usize, slot: &Slot<T>) -> T {
        // SAFETY: WRITTEN says the message is there, and we are the only reader.
        let value = slot.value.with(|ptr| unsafe { ptr.read().assume_init() });
        if offset + 2 == Self::lap_at(head >> SHIFT) {
            // SAFETY: we just read the block's last message, as its single consumer.
            unsafe { self.leave_block(head, block) };
        } else {
            // Release: pairs with `len`.
            self.head.index.store(head + (1 << SHIFT), Release);
        }
        value
    }

    /// After the consumer read a block's last message: moves its end to the next block and
    /// recycles the finished one. Out of line (once a block), so that `take` stays small.
    ///
    /// # Safety
    ///
    /// As for [`take`](Self::take), and the message at `head` (the block's last) has been read.
    #[inline(never)]
    unsafe fn leave_block(&self, head: usize, block: *mut Block<T>) {
        // The installer stored `next` before publishing the last slot, and our Acquire load of
        // its state made that store visible.
        // SAFETY: `block` is still ours.
        let next = unsafe { (*block).next.load(Acquire) };
        debug_assert!(!next.is_null());
        self.head.block.store(next, Release);
        // Step over the marker position as well.
        self.head.index.store(head + (2 << SHIFT), Release);
        let cap = Self::lap_at(head >> SHIFT) - 1;
        // SAFETY: every slot of `block` (`cap` of them) has been written and read, so no
        // producer (they stop touching a block once their slot is written) and no consumer can
        // reach it.
        unsafe {
            reset(block, cap);
            self.recycle(block, cap);
        }
    }

    /// The slot at `head` holds nothing yet: is the ring empty, closed, or is a producer still
    /// writing (or installing the first block)?
    #[inline(never)]
    fn empty_or_busy(&self, head: usize) -> Pop<T> {
        // Acquire: pairs with the Release half of `close`.
        let tail = self.tail.index.load(Acquire);
        if tail >> SHIFT == head >> SHIFT {
            if tail & MARK != 0 {
                Pop::Closed
            } else {
                Pop::Empty
            }
        } else {
            Pop::Busy
        }
    }

    /// Closes the ring; returns true if this call closed it.
    pub(crate) fn close(&self) -> bool {
        // AcqRel: see `Bounded::close`; every claim is a CAS expecting MARK clear.
        let closed_now = self.tail.index.fetch_or(MARK, AcqRel) & MARK == 0;
        self.closed.set();
        closed_now
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.tail.index.load(Acquire) & MARK != 0
    }

    /// How many messages are queued (claimed slots count, even while still being written).
    pub(crate) fn len(&self) -> usize {
        loop {
            // SeqCst: one consistent snapshot of two variables (retry if `tail` moved).
            let tail = self.tail.index.load(SeqCst);
            let head = self.head.index.load(SeqCst);
            if self.tail.index.load(SeqCst) == tail {
                return Self::slots_before(tail >> SHIFT) - Self::slots_before(head >> SHIFT);
            }
        }
    }
}

#[cfg(all(test, not(tidings_loom)))]
impl<T, const SLOTS: usize> Unbounded<T, SLOTS> {
    /// Byte ranges of the read-mostly fields, the consumer's end and the producers' end (for
    /// the layout test).
    pub(super) fn hot_ranges() -> [std::ops::Range<usize>; 3] {
        use std::mem::{offset_of, size_of};
        let at = |offset: usize, size: usize| offset..offset + size;
        [
            0..offset_of!(Self, _line),
            at(offset_of!(Self, head), size_of::<End<T>>()),
            at(offset_of!(Self, tail), size_of::<End<T>>()),
        ]
    }
}

/// Writes `value` into slot `offset` of `block` and publishes it to the consumer.
///
/// # Safety
///
/// The caller's claim owns that slot (a slot position of a live block). The block stays alive
/// until the consumer has read the slot, which waits for the WRITTEN store below.
#[inline(always)]
unsafe fn publish<T>(block: *mut Block<T>, offset: usize, value: impl Source<T>) {
    // SAFETY: per the contract.
    let slot = unsafe { Block::slot(block, offset) };
    // SAFETY: nobody else writes or reads this slot before WRITTEN is set.
    slot.value.with_mut(|ptr| unsafe { ptr.write(MaybeUninit::new(value.take())) });
    // Release: publishes the message to the consumer's Acquire load.
    slot.state.store(WRITTEN, Release);
}

/// Makes a used block fresh again.
///
/// # Safety
///
/// The caller owns `block`, a block of `cap` slots, exclusively, and every message in it has
/// been taken.
unsafe fn reset<T>(block: *mut Block<T>, cap: usize) {
    // Relaxed: the Release swap into `spare` publishes these stores.
    // SAFETY: exclusive ownership of a live block per the contract.
    unsafe { (*block).next.store(ptr::null_mut(), Relaxed) };
    for i in 0..cap {
        // SAFETY: as above; `i < cap`.
        unsafe { Block::slot(block, i) }.state.store(0, Relaxed);
    }
}

impl<T, const SLOTS: usize> Drop for Unbounded<T, SLOTS> {
    fn drop(&mut self) {
        // `&mut self`: no producer or consumer is left; every claimed slot was written.
        let mut head = self.head.index.load(Relaxed) >> SHIFT;
        let tail = self.tail.index.load(Relaxed) >> SHIFT;
        let mut block = self.head.block.load(Relaxed);
        while head != tail {
            let cap = Self::lap_at(head) - 1;
            let offset = head & cap;
            if offset < cap {
                // SAFETY: a claimed, written, unread slot of a live block: drop its message once.
                unsafe {
                    Block::slot(block, offset).value.with_mut(|ptr| (*ptr).assume_init_drop());
                }
            } else {
                // The marker position: the list goes on in the next block.
                // SAFETY: `block` is live, has `cap` slots, and every message in it has been
                // dropped above.
                unsafe {
                    let next = (*block).next.load(Relaxed);
                    Block::free(block, cap);
                    block = next;
                }
            }
            head += 1;
        }
        if !block.is_null() {
            // SAFETY: the last block of the list, the one `tail` falls in (never on a marker
            // position once every push has returned); its messages were dropped above.
            unsafe { Block::free(block, Self::lap_at(tail) - 1) };
        }
        let spare = self.spare.load(Relaxed);
        if !spare.is_null() {
            // SAFETY: the spare is reset, owned by this ring alone, and of the largest size.
            unsafe { Block::free(spare, Self::LAST_CAP) };
        }
    }
}
