//! One tag's queue: a channel core (`chan`) whose single consumer sits behind a lock shared by
//! every receiver of the tag, plus the receivers' wait lists.

use std::collections::VecDeque;
use std::fmt;

use super::{QueueStats, Tag, TagFilter};
use crate::backoff::Backoff;
use crate::chan::{self, Chan, Consumer};
use crate::error::TrySendError;
use crate::loom::{fence, lock, Arc as ChanArc, AtomicUsize, Mutex, MutexGuard};
use crate::padded::CachePadded;
use crate::ring::{Pop, Ring};
use crate::wait::{Registration, WaitQueue, WaiterRef};
use std::sync::atomic::Ordering::{Relaxed, SeqCst};

/// A message with its registry-wide arrival stamp.
pub(super) type Stamped<T> = (u64, T);

/// How many messages `drain` and `clear` take per lock, so that the messages' own `Drop` runs
/// outside the lock (it may use the registry) without collecting a whole queue first.
const DROP_BATCH: usize = 64;

/// The queue of one tag.
///
/// Senders push into `chan`'s ring without any lock, then wake one plain receiver and every
/// selective one; while no receiver waits, that costs one fence and one load. Receivers take
/// `front`'s lock to pop: the ring has a single consumer, and the lock is what lets several
/// receivers (threads and tasks) share it.
pub(super) struct Queue<T> {
    /// Creation order, for `stats`.
    pub(super) id: u64,
    pub(super) tag: Tag,
    chan: ChanArc<Chan<Stamped<T>>>,
    /// On cache lines of its own: receivers write it all the time, senders never touch it.
    front: CachePadded<Mutex<Front<T>>>,
    /// Receivers without a filter: each push wakes one of them (the WaitQueue passes the
    /// wake-up on if that one leaves without taking a message from this tag).
    plain: WaitQueue,
    /// Receivers with a filter: each push wakes all of them. A filtering receiver may reject
    /// the new message, so a single wake-up could land on one that does not want it while
    /// another that would take it sleeps on.
    selective: WaitQueue,
    /// Receivers registered in `plain` or `selective`, each counted from its first
    /// registration until it unregisters: a send checks this one count (after its fence)
    /// instead of both lists (each with its own fence).
    receivers: AtomicUsize,
}

/// The consuming side of a queue, behind the queue's lock.
pub(super) struct Front<T> {
    rx: Consumer<Stamped<T>>,
    /// Messages taken from the ring but not yet received, oldest first: messages a filter
    /// skipped (the save queue) and the head a multi-tag receive looked at. They are older than
    /// anything still in the ring.
    saved: VecDeque<Stamped<T>>,
    /// Messages that left the queue: received, drained or cleared.
    popped: u64,
    /// Removals from the front of `saved`, and from anywhere else in it: a selective
    /// receiver's scan position (an index into `saved`) stays valid across the first kind
    /// (shifted), and is reset by the second.
    front_removals: u64,
    other_removals: u64,
}

/// A selective receiver's progress through one queue's `saved` messages: they are tested by
/// the filter once, unless other receivers remove messages from the middle meanwhile.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Scan {
    scanned: usize,
    front_removals: u64,
    other_removals: u64,
}

impl<T> Queue<T> {
    pub(super) fn new(id: u64, tag: Tag, capacity: Option<usize>) -> Self {
        let ring = match capacity {
            Some(cap) => Ring::bounded(cap),
            None => Ring::unbounded(),
        };
        // Receivers wait in `plain` / `selective`, never in the channel's own cell: the ring is
        // never armed, so pushes never notify that cell.
        let (chan, rx) = chan::channel(ring);
        Queue {
            id,
            tag,
            chan,
            front: CachePadded::new(Mutex::new(Front {
                rx,
                saved: VecDeque::new(),
                popped: 0,
                front_removals: 0,
                other_removals: 0,
            })),
            plain: WaitQueue::new(),
            selective: WaitQueue::new(),
            receivers: AtomicUsize::new(0),
        }
    }

    /// The channel core (for sends that wait for room).
    pub(super) fn chan(&self) -> &Chan<Stamped<T>> {
        &self.chan
    }

    /// Pushes without waiting and wakes receivers. `Closed` means the queue was retired by
    /// `set_tags`.
    #[inline]
    pub(super) fn try_push(&self, msg: Stamped<T>) -> Result<(), TrySendError<Stamped<T>>> {
        self.chan.try_send(msg)?;
        self.notify_receivers();
        Ok(())
    }

    /// Wakes receivers after a push: one plain receiver, and every selective one.
    #[inline]
    pub(super) fn notify_receivers(&self) {
        // SeqCst: pairs with the fence a receiver's `register` puts between its count
        // increment and its next try: either we see the count, or it sees our push (the wait
        // layer's rule).
        fence(SeqCst);
        if self.receivers.load(Relaxed) != 0 {
            self.notify_slow();
        }
    }

    #[cold]
    fn notify_slow(&self) {
        self.plain.notify_one();
        self.selective.notify_all();
    }

    /// Where a receiver with (`selective`) or without a filter waits.
    fn waiters(&self, selective: bool) -> &WaitQueue {
        if selective {
            &self.selective
        } else {
            &self.plain
        }
    }

    /// Registers (or refreshes) a receiver; it must try again before it sleeps.
    pub(super) fn register(&self, reg: &mut Registration, selective: bool, waiter: WaiterRef<'_>) {
        if !reg.is_registered() {
            // Relaxed: published by the SeqCst fence in `WaitQueue::register`, below.
            self.receivers.fetch_add(1, Relaxed);
        }
        self.waiters(selective).register(reg, waiter);
    }

    /// Withdraws a receiver's registration; a wake-up it received and did not use
    /// (`consumed` false) passes on (see `WaitQueue::unregister`). So does a plain receiver's
    /// wake-up while messages are left in the ring: it came after the receiver's own find (the
    /// message it was for is still queued), and the receiver it should have gone to may have
    /// looked too early to see that message (loom:
    /// `a_receiver_woken_after_its_own_find_passes_the_wake_up_on`). Selective receivers are
    /// all woken by every push: nothing to pass on.
    pub(super) fn unregister(&self, reg: &mut Registration, selective: bool, consumed: bool) {
        if reg.is_registered() {
            // `len` runs under the wait list's lock, after the notifier's push.
            let used = || consumed && (selective || self.chan.len() == 0);
            self.waiters(selective).unregister(reg, used);
            // Relaxed: a stale non-zero count only sends a notifier down its slow path.
            self.receivers.fetch_sub(1, Relaxed);
        }
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, Front<T>> {
        lock(&self.front)
    }

    /// Discards what is queued now, without waking receivers; returns how many. Messages sent
    /// meanwhile may stay.
    pub(super) fn drain(&self) -> usize {
        let mut left = None;
        let mut count = 0;
        let mut batch = Vec::new();
        loop {
            let more = {
                let mut front = self.lock();
                // The ring's length when the drain began: a bounded amount of work, however
                // fast new messages come in.
                let left = left.get_or_insert_with(|| front.rx.chan().len());
                front.take_batch(&mut batch, left)
            };
            count += batch.len();
            batch.clear();
            if !more {
                return count;
            }
        }
    }

    /// Retires the queue (`set_tags` replaced it): pushes fail from now on, senders waiting for
    /// room wake up (they find `Closed` and look the tag up again).
    pub(super) fn retire(&self) {
        self.chan.close();
    }

    /// After `retire`: discards every message, then wakes every receiver so that it looks its
    /// tags up again.
    pub(super) fn clear_retired(&self) {
        let mut left = usize::MAX;
        let mut batch = Vec::new();
        loop {
            let more = self.lock().take_batch(&mut batch, &mut left);
            batch.clear();
            if !more {
                break;
            }
        }
        self.plain.notify_all();
        self.selective.notify_all();
    }

    pub(super) fn stats(&self) -> QueueStats {
        let front = self.lock();
        let len = front.rx.chan().len() + front.saved.len();
        QueueStats {
            tag: self.tag.clone(),
            len,
            pushed_total: front.popped + len as u64,
            popped_total: front.popped,
        }
    }
}

impl<T> Front<T> {
    /// Takes the oldest message (for a receive without a filter). `Busy` (a producer is still
    /// writing the next slot) counts as empty: that producer wakes the receivers when done.
    #[inline]
    pub(super) fn take_first(&mut self) -> Option<Stamped<T>> {
        let msg = match self.saved.pop_front() {
            Some(msg) => {
                self.front_removals += 1;
                msg
            }
            None => match self.rx.pop() {
                Pop::Item(msg) => msg,
                Pop::Empty | Pop::Busy | Pop::Closed => return None,
            },
        };
        self.popped += 1;
        Some(msg)
    }

    /// The stamp of the oldest message, which stays queued (moved to the front of `saved`).
    pub(super) fn peek_first(&mut self) -> Option<u64> {
        if self.saved.is_empty() {
            match self.rx.pop() {
                Pop::Item(msg) => self.saved.push_back(msg),
                Pop::Empty | Pop::Busy | Pop::Closed => return None,
            }
        }
        self.saved.front().map(|&(stamp, _)| stamp)
    }

    /// The first message `filter` accepts: its index in `saved` (where it now is) and its
    /// stamp. Messages before it stay queued, in order. `scan` carries what this receiver's
    /// filter already rejected, so each message is tested once (unless other receivers took
    /// messages from the middle of `saved` meanwhile: then the scan starts over).
    pub(super) fn find<M: TagFilter<T>>(
        &mut self,
        tag: &Tag,
        filter: &mut M,
        scan: &mut Scan,
    ) -> Option<(usize, u64)> {
        if scan.other_removals != self.other_removals {
            scan.scanned = 0;
        } else {
            let shifted = (self.front_removals - scan.front_removals) as usize;
            scan.scanned = scan.scanned.saturating_sub(shifted);
        }
        scan.front_removals = self.front_removals;
        scan.other_removals = self.other_removals;
        // The save queue first (an iterator over its two slices: no index arithmetic per
        // message), then the ring.
        let skipped = self.saved.range(scan.scanned..).position(|(_, msg)| filter.accept(tag, msg));
        if let Some(skipped) = skipped {
            scan.scanned += skipped;
            return Some((scan.scanned, self.saved[scan.scanned].0));
        }
        scan.scanned = self.saved.len();
        loop {
            // Move the next message aside first, then test it: a panicking filter then loses
            // nothing.
            match self.rx.pop() {
                Pop::Item(msg) => self.saved.push_back(msg),
                Pop::Empty | Pop::Busy | Pop::Closed => return None,
            }
            let (stamp, msg) = self.saved.back().expect("just pushed");
            if filter.accept(tag, msg) {
                return Some((scan.scanned, *stamp));
            }
            scan.scanned += 1;
        }
    }

    /// Takes the message at `index` of `saved` (found by [`find`](Front::find) under this
    /// same lock).
    pub(super) fn take_saved(&mut self, index: usize) -> Stamped<T> {
        let msg = if index == 0 {
            self.front_removals += 1;
            self.saved.pop_front()
        } else {
            self.other_removals += 1;
            self.saved.remove(index)
        };
        self.popped += 1;
        msg.expect("a found message is in the save queue")
    }

    /// Takes the message with `stamp`, found by `peek_first` or `find` under an earlier lock,
    /// probably at `index`; `None` if another receiver took it meanwhile.
    pub(super) fn take_stamped(&mut self, stamp: u64, index: usize) -> Option<Stamped<T>> {
        let index = match self.saved.get(index) {
            Some(&(s, _)) if s == stamp => index,
            // Messages before it were taken meanwhile: it moved towards the front.
            _ => self.saved.iter().take(index).position(|&(s, _)| s == stamp)?,
        };
        Some(self.take_saved(index))
    }

    /// Moves up to `DROP_BATCH` messages into `batch` (saved ones first, then up to `left`
    /// from the ring); true if there may be more.
    fn take_batch(&mut self, batch: &mut Vec<Stamped<T>>, left: &mut usize) -> bool {
        if !self.saved.is_empty() {
            self.other_removals += 1;
        }
        while batch.len() < DROP_BATCH {
            if let Some(msg) = self.saved.pop_front() {
                batch.push(msg);
                continue;
            }
            if *left == 0 {
                break;
            }
            match pop_settled(&mut self.rx) {
                Some(msg) => {
                    *left -= 1;
                    batch.push(msg);
                }
                None => {
                    *left = 0;
                    break;
                }
            }
        }
        self.popped += batch.len() as u64;
        batch.len() == DROP_BATCH
    }
}

/// Pops, waiting out a producer that is still writing the next slot (a few instructions).
fn pop_settled<T>(rx: &mut Consumer<T>) -> Option<T> {
    let mut backoff = Backoff::new();
    loop {
        match rx.pop() {
            Pop::Item(msg) => return Some(msg),
            Pop::Busy => backoff.snooze(),
            Pop::Empty | Pop::Closed => return None,
        }
    }
}

impl<T> fmt::Debug for Queue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Queue").field("tag", &self.tag).finish_non_exhaustive()
    }
}
