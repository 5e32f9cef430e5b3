//! A per-thread cache of resolved tags: which queue a tag of a registry had the last time this
//! thread looked.
//!
//! Looking a tag up in the table costs a shared lock (two atomic read-modify-writes on the
//! table copy's cache line) and a hash probe, on every send and every receive. Most threads
//! use a handful of tags over and over (a server its service tag, a client the server's), so
//! each thread remembers its last few resolutions and checks them first: a registry id and a
//! string comparison, and one load of the registry's epoch.
//!
//! # Why a stale entry is harmless
//!
//! An entry is only used while the registry's epoch is the one it was resolved in: `set_tags`,
//! the only thing that takes a queue out of the table, bumps the epoch. A `set_tags` that runs
//! between that check and the use behaves as if it ran just after: a push into a queue it
//! retired fails (the queue is closed) and the send looks the tag up in the table, and a
//! message taken from it just before it is cleared was received before the reset. Registry
//! ids are never reused, so an entry of a dropped registry never matches a new one.
//!
//! # What an entry keeps alive
//!
//! An entry holds its queue (an `Arc`), so a queue can outlive its registry in a thread's cache
//! until the entry is replaced or the thread ends. Its messages do not: dropping a registry
//! clears every queue first (see `Shared`'s `Drop`), and `set_tags` clears the ones it retires.

use std::any::Any;
use std::cell::RefCell;
use std::sync::Arc;

use super::queue::Queue;
use super::table::Shared;

/// Entries per thread: enough for the tags a thread typically uses at once, few enough that a
/// miss (a linear scan) stays cheap.
const SLOTS: usize = 8;

struct Entry {
    /// The registry's id (never reused).
    registry: u64,
    /// The registry's epoch when the tag was resolved.
    epoch: u64,
    /// An `Arc<Queue<T>>`, type-erased (boxed, so that it comes back as the `Arc` it is): one
    /// cache serves registries of every message type.
    queue: Box<dyn Any>,
}

struct Cache {
    entries: [Option<Entry>; SLOTS],
    /// The entry the next new resolution replaces (round robin).
    next: usize,
}

thread_local! {
    static CACHE: RefCell<Cache> = const {
        RefCell::new(Cache { entries: [const { None }; SLOTS], next: 0 })
    };
}

/// Calls `f` with the queue this thread last resolved `tag` (the name's bytes) to in `shared`
/// and the epoch it was resolved in, if that is still the registry's epoch, or with `None`.
///
/// `f` borrows the queue: a caller that only uses it for a moment (a send, a receive that finds
/// a message at once) clones no `Arc`. It runs while this thread's cache is borrowed, so the
/// cache misses (and remembers nothing) for whatever `f` sends or receives meanwhile.
#[inline]
pub(super) fn with_queue<T: 'static, R>(
    shared: &Shared<T>,
    tag: &[u8],
    f: impl FnOnce(Option<(&Arc<Queue<T>>, u64)>) -> R,
) -> R {
    let mut f = Some(f);
    let hit = CACHE.try_with(|cache| {
        // `try_borrow`: nothing that runs while the cache is borrowed uses it, and if that ever
        // changed, a miss would still be a correct answer.
        let cache = cache.try_borrow().ok()?;
        let queue = find(&cache, shared, tag)?;
        let f = f.take().expect("called once");
        Some(f(Some(queue)))
    });
    match hit {
        Ok(Some(result)) => result,
        _ => (f.take().expect("not called yet"))(None),
    }
}

fn find<'c, T: 'static>(
    cache: &'c Cache,
    shared: &Shared<T>,
    tag: &[u8],
) -> Option<(&'c Arc<Queue<T>>, u64)> {
    let registry = shared.id();
    let (epoch, queue) = cache.entries.iter().flatten().find_map(|entry| {
        if entry.registry != registry {
            return None;
        }
        let queue = entry.queue.downcast_ref::<Arc<Queue<T>>>()?;
        (queue.tag.as_bytes() == tag).then_some((entry.epoch, queue))
    })?;
    (epoch == shared.epoch()).then_some((queue, epoch))
}

/// Remembers that `queue` is `queue.tag`'s queue in `shared` in `epoch` (read under the
/// table lock that the lookup was made under). Call it without holding a table lock: it may
/// drop a queue.
pub(super) fn remember<T: 'static>(shared: &Shared<T>, epoch: u64, queue: Arc<Queue<T>>) {
    let _ = CACHE.try_with(|cache| {
        let Ok(mut cache) = cache.try_borrow_mut() else { return };
        let registry = shared.id();
        // Replace the entry of the same tag if there is one (it went stale), else the next.
        let same = cache.entries.iter().position(|entry| {
            entry.as_ref().is_some_and(|entry| {
                entry.registry == registry
                    && entry
                        .queue
                        .downcast_ref::<Arc<Queue<T>>>()
                        .is_some_and(|old| old.tag == queue.tag)
            })
        });
        let slot = same.unwrap_or_else(|| {
            let slot = cache.next;
            cache.next = (slot + 1) % SLOTS;
            slot
        });
        // What this evicts is dropped after the cache is released: it may be the last
        // reference to a queue (of a dropped registry).
        let (mut old_queue, mut old_entry) = (None, None);
        match &mut cache.entries[slot] {
            // An entry of the same message type (the common case): its box is reused, so a
            // thread that uses more tags than the cache holds allocates nothing per miss.
            Some(entry) if entry.queue.is::<Arc<Queue<T>>>() => {
                entry.registry = registry;
                entry.epoch = epoch;
                let held = entry.queue.downcast_mut::<Arc<Queue<T>>>().expect("checked above");
                old_queue = Some(std::mem::replace(held, queue));
            }
            other => old_entry = other.replace(Entry { registry, epoch, queue: Box::new(queue) }),
        }
        drop(cache);
        drop((old_queue, old_entry));
    });
}
