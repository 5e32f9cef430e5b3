//! The shared state behind every [`Registry`](super::Registry) handle: the tag table, the
//! arrival stamps, and the epoch that tells receivers their tags were reassigned.

use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::Ordering::{Relaxed, SeqCst};
use std::sync::atomic::{AtomicU64, AtomicUsize};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use super::cache;
use super::queue::{Queue, Stamped};
use super::tag::TagHash;
use super::{QueueStats, RegistryError, Tag, TagError};
use crate::error::TrySendError;
use crate::padded::CachePadded;
use crate::wait::WaitQueue;

/// State shared by the clones of one registry.
pub(super) struct Shared<T> {
    /// Tells registries apart in the per-thread caches (`cache`); never reused.
    id: u64,
    /// Copies of the tag table, one read by each thread (see [`Shard`]).
    shards: Box<[CachePadded<RwLock<Shard<T>>>]>,
    /// Arrival stamps: one per message, registry-wide, increasing. A multi-tag receive takes
    /// the message with the smallest stamp among its tags.
    stamps: CachePadded<AtomicU64>,
    /// Bumped by every `set_tags` (after the table changed, before receivers are woken): a
    /// receiver that sees a new epoch looks its tags up again.
    epoch: AtomicU64,
    /// Creation order of queues (changed under every shard's write lock).
    next_id: AtomicU64,
    /// Receivers waiting for a tag that has no queue yet; woken whenever queues are created.
    pub(super) tags_changed: WaitQueue,
    pub(super) max_tags: Option<usize>,
    pub(super) capacity: Option<usize>,
}

/// One copy of the tag table: which queue each tag has.
///
/// Every send and receive looks its tags up, so the table sits behind read-write locks, and
/// taking a read lock writes the lock's state: with one lock, every sender and receiver in
/// the process would bounce that cache line between cores. So there are several copies, each
/// with its own lock on its own cache line, and each thread reads "its" copy (threads are
/// spread over the copies in turn). Changes (a tag's first send, `set_tags`) write-lock every
/// copy, in order. The keys are allocated per copy, apart from the queues' own tags, which
/// receivers clone and drop all the time.
pub(super) struct Shard<T> {
    map: HashMap<Tag, Arc<Queue<T>>, TagHash>,
}

impl<T> Shard<T> {
    pub(super) fn get(&self, tag: &str) -> Option<&Arc<Queue<T>>> {
        self.map.get(tag)
    }
}

/// The copy of the tag table the current thread reads: threads take the copies in turn.
/// `shards` is a power of two.
#[inline]
fn my_shard(shards: usize) -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static MINE: Cell<usize> = const { Cell::new(usize::MAX) };
    }
    let mine = MINE.with(|mine| {
        if mine.get() == usize::MAX {
            // Relaxed: any distinct-enough number will do.
            mine.set(NEXT.fetch_add(1, Relaxed));
        }
        mine.get()
    });
    mine & (shards - 1)
}

impl<T> Shared<T> {
    pub(super) fn new(max_tags: Option<usize>, capacity: Option<usize>) -> Self {
        // A few copies per core: threads that share a copy still share a cache line.
        let cores = std::thread::available_parallelism().map_or(4, |n| n.get());
        let shards = (cores * 4).clamp(4, 32).next_power_of_two();
        static NEXT_ID: AtomicU64 = AtomicU64::new(0);
        Shared {
            // Relaxed: only uniqueness matters.
            id: NEXT_ID.fetch_add(1, Relaxed),
            shards: (0..shards)
                .map(|_| CachePadded::new(RwLock::new(Shard { map: HashMap::default() })))
                .collect(),
            stamps: CachePadded::new(AtomicU64::new(0)),
            epoch: AtomicU64::new(0),
            next_id: AtomicU64::new(0),
            tags_changed: WaitQueue::new(),
            max_tags,
            capacity,
        }
    }

    /// Reads the current thread's copy of the tag table. Poisoning is ignored: no user code
    /// runs under these locks, so no copy is ever left half-updated.
    pub(super) fn read(&self) -> RwLockReadGuard<'_, Shard<T>> {
        let shard = &self.shards[my_shard(self.shards.len())];
        shard.read().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Write-locks every copy of the table, always in the same order.
    fn write(&self) -> Tables<'_, T> {
        Tables(
            self.shards
                .iter()
                .map(|shard| shard.write().unwrap_or_else(|poisoned| poisoned.into_inner()))
                .collect(),
        )
    }

    /// This registry's id (see `cache`).
    #[inline]
    pub(super) fn id(&self) -> u64 {
        self.id
    }

    /// The current epoch. SeqCst: a receiver reads it after registering as a waiter, and
    /// `set_tags` bumps it before waking waiters (the two sides of the wait layer's rule).
    pub(super) fn epoch(&self) -> u64 {
        self.epoch.load(SeqCst)
    }

    /// A new arrival stamp. Relaxed: stamps only need to be unique and increasing; the
    /// message itself is published by the ring.
    #[inline]
    pub(super) fn stamp(&self) -> u64 {
        self.stamps.fetch_add(1, Relaxed)
    }

    /// Sends without waiting. The common case is this thread's cached resolution of the tag
    /// (see `cache`) and a lock-free push; otherwise a shared lock on the table, and the first
    /// message on a new tag takes the table's write lock to create the queue.
    #[inline]
    pub(super) fn try_send(&self, tag: &str, msg: T) -> Result<(), RegistryError<T>>
    where
        T: 'static,
    {
        let cached = cache::with_queue(self, tag.as_bytes(), |cached| {
            let Some((queue, _)) = cached else { return Err(msg) };
            match queue.try_push((self.stamp(), msg)) {
                Ok(()) => Ok(Ok(())),
                Err(TrySendError::Full((_, msg))) => Ok(Err(RegistryError::Full(msg))),
                // `set_tags` retired the queue since the cache check: look the tag up.
                Err(TrySendError::Closed((_, msg))) => Err(msg),
            }
        });
        match cached {
            Ok(result) => result,
            Err(msg) => self.send_uncached(tag, msg),
        }
    }

    #[cold]
    fn send_uncached(&self, tag: &str, msg: T) -> Result<(), RegistryError<T>>
    where
        T: 'static,
    {
        let (result, resolved) = {
            let table = self.read();
            let Some(queue) = table.get(tag) else {
                drop(table);
                return self.send_new(tag, msg);
            };
            // Under a table lock: `set_tags` (which write-locks every copy) cannot retire
            // the queue meanwhile, nor bump the epoch.
            (self.push(queue, msg), (self.epoch(), queue.clone()))
        };
        cache::remember(self, resolved.0, resolved.1);
        result
    }

    fn push(&self, queue: &Queue<T>, msg: T) -> Result<(), RegistryError<T>> {
        match queue.try_push((self.stamp(), msg)) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full((_, msg))) => Err(RegistryError::Full(msg)),
            Err(_) => unreachable!("a queue in the tag table is never retired"),
        }
    }

    #[cold]
    fn send_new(&self, tag: &str, msg: T) -> Result<(), RegistryError<T>> {
        let result = {
            let mut table = self.write();
            if let Some(queue) = table.get(tag) {
                // Another sender created it meanwhile.
                return self.push(queue, msg);
            }
            if self.max_tags.is_some_and(|max| table.len() >= max) {
                return Err(RegistryError::TagLimit(msg));
            }
            let queue = table.insert(self.new_queue(tag));
            self.push(&queue, msg)
        };
        self.tags_changed.notify_all();
        result
    }

    /// The queue of `tag`, created if needed (for sends that wait for room).
    pub(super) fn queue(&self, tag: &str) -> Option<Arc<Queue<T>>> {
        if let Some(queue) = self.read().get(tag) {
            return Some(queue.clone());
        }
        let queue = {
            let mut table = self.write();
            if let Some(queue) = table.get(tag) {
                return Some(queue.clone());
            }
            if self.max_tags.is_some_and(|max| table.len() >= max) {
                return None;
            }
            table.insert(self.new_queue(tag))
        };
        self.tags_changed.notify_all();
        Some(queue)
    }

    /// `msg` with a new arrival stamp (for sends that wait for room: they push through the
    /// channel core, outside the table's lock).
    pub(super) fn stamped(&self, msg: T) -> Stamped<T> {
        (self.stamp(), msg)
    }

    /// The queues of `tags` that exist, each once.
    pub(super) fn existing(
        &self,
        tags: impl Iterator<Item = impl AsRef<str>>,
    ) -> Vec<Arc<Queue<T>>> {
        let table = self.read();
        let mut seen = HashSet::new();
        tags.filter_map(|tag| table.get(tag.as_ref()))
            .filter(|queue| seen.insert(queue.id))
            .cloned()
            .collect()
    }

    pub(super) fn set_tags(
        &self,
        tags: impl Iterator<Item = impl AsRef<str>>,
    ) -> Result<(), TagError> {
        let mut seen = HashSet::new();
        let unique: Vec<Tag> =
            tags.map(|tag| Tag::new(tag.as_ref())).filter(|tag| seen.insert(tag.clone())).collect();
        if let Some(max) = self.max_tags {
            if unique.len() > max {
                return Err(TagError::TooMany { max });
            }
        }
        let retired: Vec<Arc<Queue<T>>> = {
            let mut table = self.write();
            let retired = table.clear();
            for tag in &unique {
                table.insert(self.new_queue(tag));
            }
            // Under the write lock no push through the table is in flight, and none can reach
            // a retired queue after this: pushes that go around the table (waiting sends)
            // find it closed.
            for queue in &retired {
                queue.retire();
            }
            // SeqCst: before the wake-ups below (see `epoch`).
            self.epoch.fetch_add(1, SeqCst);
            retired
        };
        for queue in &retired {
            queue.clear_retired();
        }
        self.tags_changed.notify_all();
        Ok(())
    }

    fn new_queue(&self, tag: &str) -> Arc<Queue<T>> {
        let id = self.next_id.fetch_add(1, Relaxed);
        Arc::new(Queue::new(id, Tag::new(tag), self.capacity))
    }

    pub(super) fn stats(&self) -> Vec<QueueStats> {
        let mut queues: Vec<Arc<Queue<T>>> = self.read().map.values().cloned().collect();
        queues.sort_by_key(|queue| queue.id);
        queues.iter().map(|queue| queue.stats()).collect()
    }
}

impl<T> Drop for Shared<T> {
    /// Clears every queue: a thread's cache (`cache`) may keep a queue itself alive for a
    /// while, but not its messages.
    fn drop(&mut self) {
        let queues = self.write().clear();
        for queue in &queues {
            queue.retire();
            queue.clear_retired();
        }
    }
}

/// Every copy of the tag table, write-locked.
struct Tables<'a, T>(Vec<RwLockWriteGuard<'a, Shard<T>>>);

impl<T> Tables<'_, T> {
    fn get(&self, tag: &str) -> Option<&Arc<Queue<T>>> {
        self.0[0].get(tag)
    }

    fn len(&self) -> usize {
        self.0[0].map.len()
    }

    /// Adds `queue` to every copy, each under a key of its own.
    fn insert(&mut self, queue: Arc<Queue<T>>) -> Arc<Queue<T>> {
        for shard in &mut self.0 {
            shard.map.insert(Tag::new(&queue.tag), queue.clone());
        }
        queue
    }

    /// Empties every copy; returns the queues.
    fn clear(&mut self) -> Vec<Arc<Queue<T>>> {
        let queues = self.0[0].map.values().cloned().collect();
        for shard in &mut self.0 {
            shard.map.clear();
        }
        queues
    }
}
