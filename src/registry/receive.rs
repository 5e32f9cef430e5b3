//! Receiving from a registry: [`TagSource`], the source behind `Registry::receive`, and
//! [`TagFilter`], what `.matching(..)` accepts.
//!
//! # How a receive takes a message
//!
//! A receive resolves its tags to queues once and again whenever `set_tags` has reassigned tags
//! since (an epoch counter says so). A receive on several tags resolves them when it is built.
//! One on a single tag (of up to `ShortTag::MAX` bytes) keeps a copy of the name and resolves it
//! in its first attempt, borrowing the queue from this thread's cache (see `cache`): a receive
//! that finds a message at once then costs no reference count; one that finds none keeps the
//! queue (an `Arc`) to wait on it. One attempt then looks at every listed tag, each under that
//! tag's lock in turn, notes the arrival stamp of the tag's first acceptable message, and takes
//! the one with the smallest stamp: the message that arrived first, whichever tag it is on. If
//! another receiver took that message in between, the attempt looks again. With a single tag
//! there is nothing to compare: one lock, one pop.
//!
//! # How it waits
//!
//! Try → register → try again (the wait layer's rule), on every tag at once: the receive puts
//! the same waker (or thread) in each of its tags' wait lists, so a push on any of them wakes it.
//! A receive without a filter waits in the tag's "plain" list, where each push wakes one
//! receiver; one that was woken but then took a message from another tag, timed out or was
//! dropped passes the wake-up on. A receive with a filter waits in the "selective" list, where
//! each push wakes everyone (a single wake-up could go to a receiver whose filter rejects the
//! message, while one that wants it sleeps on). A tag without a queue yet is waited for in the
//! registry's list of receivers that wait for new queues.

use std::fmt;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use super::cache;
use super::queue::{Queue, Scan};
use super::table::{Shard, Shared};
use super::tag::ShortTag;
use super::{IntoTags, Tag};
use crate::backoff::Backoff;
use crate::error::RecvError;
use crate::receive::sealed::Source;
use crate::receive::{AnyMessage, Receive};
use crate::wait::{self, Registration, WaiterRef};

/// What a registry receive accepts: [`AnyMessage`], or a predicate over the tag and the
/// message given to `matching` (see [`Registry::receive`](crate::Registry::receive)).
pub trait TagFilter<T> {
    /// True if every message is accepted (lets the plain receive skip the filter).
    const ACCEPTS_ALL: bool = false;

    /// True if `msg`, queued on `tag`, is accepted.
    fn accept(&mut self, tag: &Tag, msg: &T) -> bool;
}

impl<T> TagFilter<T> for AnyMessage {
    const ACCEPTS_ALL: bool = true;

    fn accept(&mut self, _: &Tag, _: &T) -> bool {
        true
    }
}

impl<T, F: FnMut(&Tag, &T) -> bool> TagFilter<T> for F {
    fn accept(&mut self, tag: &Tag, msg: &T) -> bool {
        self(tag, msg)
    }
}

/// Where a registry receive takes messages from: the queues of its tags.
///
/// Made by [`Registry::receive`](crate::Registry::receive) inside a [`Receive`] builder; you
/// do not use it directly.
pub struct TagSource<'a, T> {
    shared: &'a Shared<T>,
    entries: Entries<T>,
    /// The epoch the entries were resolved in.
    epoch: u64,
    /// How many entries have no queue yet.
    missing: usize,
    /// Our place among the receivers that wait for new queues (while `missing > 0`).
    changed: Registration,
    /// Registered as a waiter: entries resolved anew are registered at once.
    registered: bool,
    /// Registered in the queues' selective wait lists (the receive has a filter).
    selective: bool,
}

/// The listed tags; one tag (the common case) without an allocation.
enum Entries<T> {
    /// One tag, not looked up yet (a copy of its name). The first attempt borrows its queue
    /// from this thread's cache, so a receive that finds a message at once holds no `Arc`;
    /// if it finds none, the tag becomes an `Entries::One`.
    Lazy(ShortTag),
    One(Entry<T>),
    Many(Vec<Entry<T>>),
}

struct Entry<T> {
    target: Target<T>,
    /// Our place in the queue's wait list.
    reg: Registration,
    /// What our filter already rejected in the queue's save queue.
    scan: Scan,
}

enum Target<T> {
    Queue(Arc<Queue<T>>),
    /// No queue has this tag (yet).
    Missing(Tag),
}

impl<T> Target<T> {
    fn tag(&self) -> &Tag {
        match self {
            Target::Queue(queue) => &queue.tag,
            Target::Missing(tag) => tag,
        }
    }

    fn same_tag(&self, other: &Self) -> bool {
        match (self, other) {
            (Target::Queue(a), Target::Queue(b)) => Arc::ptr_eq(a, b),
            (Target::Missing(a), Target::Missing(b)) => a == b,
            _ => false,
        }
    }

    /// A single tag's target and the epoch it was resolved in: from this thread's cache if it
    /// is current there, else from the table (and then cached).
    fn resolve_one(shared: &Shared<T>, tag: &str) -> (Self, u64)
    where
        T: 'static,
    {
        let cached = cache::with_queue(shared, tag.as_bytes(), |cached| {
            cached.map(|(queue, epoch)| (Target::Queue(queue.clone()), epoch))
        });
        cached.unwrap_or_else(|| Target::resolve_in_table(shared, tag))
    }

    /// A single tag's target and epoch from the table (for a tag this thread's cache does not
    /// have), remembered in the cache.
    fn resolve_in_table(shared: &Shared<T>, tag: &str) -> (Self, u64)
    where
        T: 'static,
    {
        let (target, epoch) = {
            let table = shared.read();
            // Read under a table lock: `set_tags` changes both under every copy's write lock.
            (Target::resolve(&table, tag), shared.epoch())
        };
        if let Target::Queue(queue) = &target {
            cache::remember(shared, epoch, queue.clone());
        }
        (target, epoch)
    }

    fn resolve(table: &Shard<T>, tag: &str) -> Self {
        match table.get(tag) {
            Some(queue) => Target::Queue(queue.clone()),
            None => Target::Missing(Tag::new(tag)),
        }
    }
}

impl<T> Entry<T> {
    fn new(target: Target<T>) -> Self {
        Entry { target, reg: Registration::new(), scan: Scan::default() }
    }
}

/// Removes entries for a tag listed before (the first one stays): by comparing queues (a
/// pointer) and, for tags without one, names; by hashing only for long lists.
fn dedup<T>(entries: &mut Vec<Entry<T>>) {
    if entries.len() > 32 {
        let mut seen = std::collections::HashSet::new();
        entries.retain(|entry| seen.insert(entry.target.tag().clone()));
        return;
    }
    let mut i = 1;
    while i < entries.len() {
        let (before, rest) = entries.split_at(i);
        if before.iter().any(|known| known.target.same_tag(&rest[0].target)) {
            entries.remove(i);
        } else {
            i += 1;
        }
    }
}

impl<T> Entries<T> {
    fn as_slice(&self) -> &[Entry<T>] {
        match self {
            Entries::Lazy(_) => &[],
            Entries::One(entry) => std::slice::from_ref(entry),
            Entries::Many(entries) => entries,
        }
    }

    fn as_mut_slice(&mut self) -> &mut [Entry<T>] {
        match self {
            Entries::Lazy(_) => &mut [],
            Entries::One(entry) => std::slice::from_mut(entry),
            Entries::Many(entries) => entries,
        }
    }
}

impl<'a, T> TagSource<'a, T> {
    pub(super) fn new(shared: &'a Shared<T>, tags: impl IntoTags) -> Self
    where
        T: 'static,
    {
        let mut tags = tags.into_tags();
        let (entries, epoch) = match (tags.next(), tags.next()) {
            (None, _) => (Entries::Many(Vec::new()), shared.epoch()),
            (Some(one), None) => match ShortTag::new(one.as_ref()) {
                // The epoch is read when the first attempt resolves the tag.
                Some(short) => (Entries::Lazy(short), 0),
                None => {
                    let (target, epoch) = Target::resolve_one(shared, one.as_ref());
                    (Entries::One(Entry::new(target)), epoch)
                }
            },
            (Some(first), Some(second)) => {
                let table = shared.read();
                // Read under a table lock: `set_tags` changes both under every copy's write
                // lock.
                let epoch = shared.epoch();
                let mut entries: Vec<Entry<T>> = [first, second]
                    .into_iter()
                    .chain(tags)
                    .map(|tag| Entry::new(Target::resolve(&table, tag.as_ref())))
                    .collect();
                drop(table);
                dedup(&mut entries);
                (Entries::Many(entries), epoch)
            }
        };
        let missing = entries
            .as_slice()
            .iter()
            .filter(|entry| matches!(entry.target, Target::Missing(_)))
            .count();
        TagSource {
            shared,
            entries,
            epoch,
            missing,
            changed: Registration::new(),
            registered: false,
            selective: false,
        }
    }

    /// Looks the tags up again if `set_tags` reassigned them, or if some had no queue; entries
    /// that change are registered at once if the receive is registered.
    ///
    /// Only the entries that change: registering the others again would re-arm a wake-up one
    /// of them received and has not used yet, which must pass on (in `finish`) if this receive
    /// then takes its message from another tag.
    fn refresh(&mut self, waiter: WaiterRef<'_>) {
        let epoch = self.shared.epoch();
        if epoch == self.epoch && self.missing == 0 {
            return;
        }
        let (selective, registered) = (self.selective, self.registered);
        let table = self.shared.read();
        let epoch = self.shared.epoch();
        let mut changed = false;
        for entry in self.entries.as_mut_slice() {
            let stale = match &entry.target {
                Target::Queue(_) => epoch != self.epoch,
                Target::Missing(_) => true,
            };
            if !stale {
                continue;
            }
            if let Target::Queue(queue) = &entry.target {
                queue.unregister(&mut entry.reg, selective, selective);
            }
            entry.target = match (table.get(entry.target.tag()), &entry.target) {
                (Some(queue), _) => Target::Queue(queue.clone()),
                (None, Target::Missing(_)) => continue,
                (None, Target::Queue(old)) => Target::Missing(old.tag.clone()),
            };
            entry.scan = Scan::default();
            if let (true, Target::Queue(queue)) = (registered, &entry.target) {
                queue.register(&mut entry.reg, selective, waiter);
            }
            changed = true;
        }
        drop(table);
        self.epoch = epoch;
        self.missing = self
            .entries
            .as_slice()
            .iter()
            .filter(|entry| matches!(entry.target, Target::Missing(_)))
            .count();
        if changed && registered {
            self.wait_for_new_queues(waiter);
        }
    }

    /// Registers `waiter` on every tag (and for new queues, while a tag has none).
    fn register(&mut self, waiter: WaiterRef<'_>) {
        let selective = self.selective;
        for entry in self.entries.as_mut_slice() {
            if let Target::Queue(queue) = &entry.target {
                queue.register(&mut entry.reg, selective, waiter);
            }
        }
        self.wait_for_new_queues(waiter);
        self.registered = true;
    }

    /// Registers `waiter` for new queues while a tag has none; withdraws it once all have.
    fn wait_for_new_queues(&mut self, waiter: WaiterRef<'_>) {
        if self.missing > 0 {
            self.shared.tags_changed.register(&mut self.changed, waiter);
        } else {
            self.shared.tags_changed.unregister(&mut self.changed, || true);
        }
    }

    /// The receive is over: withdraws every registration. A wake-up received on a tag other
    /// than `taken` (the entry the message came from) passes on to another receiver of that
    /// tag; selective lists wake everyone, so there is nothing to pass on.
    fn finish(&mut self, taken: Option<usize>) {
        let selective = self.selective;
        for (i, entry) in self.entries.as_mut_slice().iter_mut().enumerate() {
            if let Target::Queue(queue) = &entry.target {
                queue.unregister(&mut entry.reg, selective, selective || taken == Some(i));
            }
        }
        self.shared.tags_changed.unregister(&mut self.changed, || true);
        self.registered = false;
    }

    /// One attempt: an accepted message, if any tag has one.
    fn attempt<M: TagFilter<T>>(
        &mut self,
        filter: &mut M,
        waiter: WaiterRef<'_>,
    ) -> Option<Result<(Tag, T), RecvError>>
    where
        T: 'static,
    {
        self.selective = !M::ACCEPTS_ALL;
        // Borrowed, not copied out: `new` has just written the name, and reading it back in
        // wider pieces than it was written stalls the CPU's store forwarding (measured: a tenth
        // of a round trip).
        if let Entries::Lazy(tag) = &self.entries {
            let (target, epoch, scan, tried) = match first_attempt(self.shared, tag, filter) {
                Ok(taken) => return Some(Ok(taken)),
                Err(resolved) => resolved,
            };
            self.missing = usize::from(matches!(target, Target::Missing(_)));
            self.epoch = epoch;
            self.entries = Entries::One(Entry { target, reg: Registration::new(), scan });
            if tried {
                return None;
            }
            // The cache did not have the tag: it was looked up in the table, and is tried as
            // usual below.
        }
        if self.entries.as_slice().is_empty() {
            return Some(Err(RecvError::NoTags));
        }
        self.refresh(waiter);
        let (index, tag, msg) = self.take(filter)?;
        self.finish(Some(index));
        Some(Ok((tag, msg)))
    }

    /// Takes the accepted message that arrived first among the tags, without waiting.
    fn take<M: TagFilter<T>>(&mut self, filter: &mut M) -> Option<(usize, Tag, T)> {
        if let Entries::One(entry) = &mut self.entries {
            let Target::Queue(queue) = &entry.target else { return None };
            let (tag, msg) = take_from(queue, filter, &mut entry.scan)?;
            return Some((0, tag, msg));
        }
        let entries = self.entries.as_mut_slice();
        loop {
            // (stamp, entry, index in the entry's save queue) of the oldest candidate.
            let mut oldest: Option<(u64, usize, usize)> = None;
            for (i, entry) in entries.iter_mut().enumerate() {
                let Target::Queue(queue) = &entry.target else { continue };
                let found = {
                    let mut front = queue.lock();
                    if M::ACCEPTS_ALL {
                        front.peek_first().map(|stamp| (0, stamp))
                    } else {
                        front.find(&queue.tag, filter, &mut entry.scan)
                    }
                };
                if let Some((index, stamp)) = found {
                    if oldest.map_or(true, |(oldest, ..)| stamp < oldest) {
                        oldest = Some((stamp, i, index));
                    }
                }
            }
            let (stamp, i, index) = oldest?;
            let Target::Queue(queue) = &entries[i].target else { unreachable!() };
            let taken = queue.lock().take_stamped(stamp, index);
            if let Some((_, msg)) = taken {
                return Some((i, queue.tag.clone(), msg));
            }
            // Another receiver took it meanwhile: look again.
        }
    }
}

/// A receive on one tag that is not resolved yet: its tag's queue, the epoch it was resolved in,
/// the filter's progress in it, and whether it was tried.
type Resolved<T> = (Target<T>, u64, Scan, bool);

/// The first attempt of a receive on one (short) tag, which is not looked up yet: with the
/// queue this thread's cache lends, if it has the tag. Unless a message is taken at once, the
/// tag's resolution comes back, for the receive to keep; nothing is registered yet, so there is
/// nothing to withdraw either way.
#[inline]
fn first_attempt<T: 'static, M: TagFilter<T>>(
    shared: &Shared<T>,
    tag: &ShortTag,
    filter: &mut M,
) -> Result<(Tag, T), Resolved<T>> {
    let mut scan = Scan::default();
    let cached = cache::with_queue(shared, tag.as_bytes(), |cached| {
        let (queue, epoch) = cached?;
        Some(match take_from(queue, filter, &mut scan) {
            Some(taken) => Ok(taken),
            None => Err((queue.clone(), epoch)),
        })
    });
    match cached {
        Some(Ok(taken)) => Ok(taken),
        Some(Err((queue, epoch))) => Err((Target::Queue(queue), epoch, scan, true)),
        None => {
            // The cache was just asked: go to the table directly.
            let (target, epoch) = Target::resolve_in_table(shared, tag.as_str());
            Err((target, epoch, scan, false))
        }
    }
}

/// Takes the first message of `queue` that `filter` accepts (see `Front::find` for `scan`).
///
/// Always inlined: returned through the stack, the tag and message were written in words and
/// read back in wider pieces by the caller, which stalls store forwarding (measured: a quarter
/// of a single-tag round trip).
#[inline(always)]
fn take_from<T, M: TagFilter<T>>(
    queue: &Queue<T>,
    filter: &mut M,
    scan: &mut Scan,
) -> Option<(Tag, T)> {
    let (_, msg) = {
        let mut front = queue.lock();
        if M::ACCEPTS_ALL {
            front.take_first()?
        } else {
            let (index, _) = front.find(&queue.tag, filter, scan)?;
            front.take_saved(index)
        }
    };
    Some((queue.tag.clone(), msg))
}

impl<'a, T, A> Receive<TagSource<'a, T>, AnyMessage, A> {
    /// Erlang's selective receive on a registry: the first queued message (among the listed
    /// tags, oldest first) for which `pred(tag, msg)` is true.
    ///
    /// Messages it passes over stay queued, in order, for other receives. If none matches,
    /// the receive waits for one (or times out). `pred` runs while the tag's queue is locked:
    /// keep it a quick test, and do not use the registry from inside it (that deadlocks).
    /// It normally sees each message once per receive, but may see one again when other
    /// receivers take messages from the same tags meanwhile.
    ///
    /// ```
    /// use tidings::Registry;
    ///
    /// let reg = Registry::new();
    /// reg.send("jobs", 1).unwrap();
    /// reg.send("jobs", 20).unwrap();
    /// let (tag, big) = reg.receive("jobs").matching(|_, n| *n > 10).wait().unwrap();
    /// assert_eq!((tag.as_str(), big), ("jobs", 20));
    /// assert_eq!(reg.receive("jobs").wait().unwrap().1, 1); // still queued
    /// ```
    pub fn matching<P>(self, pred: P) -> Receive<TagSource<'a, T>, P, A>
    where
        P: FnMut(&Tag, &T) -> bool,
    {
        Receive { source: self.source, matcher: pred, deadline: self.deadline, after: self.after }
    }
}

impl<T: 'static, M: TagFilter<T>> Source<M> for TagSource<'_, T> {
    type Output = (Tag, T);
    type State = ();

    fn poll_take(
        &mut self,
        filter: &mut M,
        _: &mut (),
        cx: &mut Context<'_>,
    ) -> Poll<Result<(Tag, T), RecvError>> {
        let waiter = WaiterRef::Task(cx.waker());
        if let Some(result) = self.attempt(filter, waiter) {
            return Poll::Ready(result);
        }
        self.register(waiter);
        match self.attempt(filter, waiter) {
            Some(result) => Poll::Ready(result),
            None => Poll::Pending,
        }
    }

    #[track_caller]
    fn wait_take(
        &mut self,
        filter: &mut M,
        _: &mut (),
        deadline: Option<Instant>,
    ) -> Option<Result<(Tag, T), RecvError>> {
        let result = wait::block_until(
            Backoff::patient(),
            "Registry::receive(..).wait()",
            deadline,
            self,
            |source| source.attempt(filter, WaiterRef::Thread),
            |source| source.register(WaiterRef::Thread),
        );
        if result.is_none() {
            self.finish(None);
        }
        result
    }

    fn cancel(&mut self, _: &mut ()) {
        self.finish(None);
    }
}

impl<T> Drop for TagSource<'_, T> {
    /// Withdraws registrations a receive still holds (it panicked while waiting).
    fn drop(&mut self) {
        if self.registered || self.changed.is_registered() {
            self.finish(None);
        }
    }
}

impl<T> fmt::Debug for TagSource<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tags: Vec<&str> = match &self.entries {
            Entries::Lazy(tag) => vec![tag.as_str()],
            entries => entries.as_slice().iter().map(|e| e.target.tag().as_str()).collect(),
        };
        f.debug_struct("TagSource").field("tags", &tags).finish_non_exhaustive()
    }
}
