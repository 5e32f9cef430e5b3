//! The tag registry: bocpy's messaging, on the crate's channel core.
//!
//! A [`Registry<T>`] maps tags (names, [`Tag`]) to queues. Anyone holding the registry sends
//! on a tag, and anyone receives from one tag or from several at once, with Erlang's
//! selective receive, timeouts and `after`, from tasks (`.await`) and threads (`.wait()`).
//! Tags get their queue on first use; [`set_tags`](Registry::set_tags) resets the registry
//! to a given set of tags. The process-wide [`global`] registry (messages of any type, boxed)
//! is what the free functions [`tidings::send`](crate::send),
//! [`tidings::receive`](crate::receive()), [`tidings::drain`](crate::drain) and
//! [`tidings::set_tags`](crate::set_tags) use, as bocpy's module-level functions do.
//!
//! ```
//! use std::time::Duration;
//! use tidings::Registry;
//!
//! let reg = Registry::new();
//! let server = {
//!     let reg = reg.clone();
//!     std::thread::spawn(move || {
//!         let mut total = 0;
//!         // Until the clients go quiet for a second.
//!         while let Ok((_, n)) = reg.receive("calculator").timeout(Duration::from_secs(1)).wait() {
//!             total += n;
//!         }
//!         total
//!     })
//! };
//! for n in 1..=10 {
//!     reg.send("calculator", n).unwrap();
//! }
//! assert_eq!(server.join().unwrap(), 55);
//! ```
//!
//! # Design
//!
//! The registry sits on the channel core (`chan`), not on [`Mailbox`](crate::Mailbox): a
//! mailbox has one consumer, but a tag may have many receivers, and a receive may wait on many
//! tags. Each tag's queue is one channel (a bounded or unbounded MPSC ring): senders push
//! lock-free, and the ring's single consumer sits behind a per-tag lock that receivers take in
//! turn, together with the tag's save queue (messages a selective receive skipped). Every
//! message carries a registry-wide arrival stamp, so a receive over several tags can take the
//! one that arrived first: it looks at each listed tag's first acceptable message (one tag
//! lock at a time) and takes the one with the smallest stamp.
//!
//! Waiting follows the crate's rule, try → register → try again, on all listed tags at once:
//! the receive puts the same waker (or thread) in the wait list of each of its tags. A receive
//! without a filter waits in the tag's *plain* list, where a send wakes one receiver; one that
//! was woken but then took a message from another tag, timed out or was dropped passes the
//! wake-up on, so none is lost. A receive with a filter waits in the tag's *selective* list,
//! where a send wakes everyone (a single wake-up could reach a receiver whose filter rejects
//! the message while another that wants it sleeps on). A tag without a queue is waited for in
//! a registry-wide list that is woken whenever queues are created. While nobody waits on a
//! tag, a send costs a lock-free push, one fence and one load.
//!
//! The tag table is behind read-write locks: a lookup takes one shared (no allocation); only
//! the first send on a tag and `set_tags` take them exclusively. There are several copies of
//! the table, each thread reading its own, so that threads do not bounce one lock's cache line
//! between cores on every message. Most sends and single-tag receives skip the table
//! altogether: each thread remembers the queues of the last few tags it used (per registry),
//! valid until the next `set_tags`. That is why [`send`](Registry::send) and
//! [`receive`](Registry::receive) need `T: 'static`. `set_tags` closes and clears the old
//! queues and bumps an epoch; receivers and waiting senders that see it look their tags up
//! again.
//!
//! # Differences from bocpy, and why
//!
//! * **Several tags: oldest first.** bocpy's documentation says a receive over several tags
//!   waits "for whichever arrives first", but its code checks the tags in the order listed,
//!   so a busy first tag starves the others. Here the message that arrived first among the
//!   listed tags wins (Erlang's rule: oldest matching message first).
//! * **No message is missed at the deadline.** bocpy can report a timeout (notably at timeout
//!   0) while a later-listed tag holds a message; here every tag is checked before a timeout is
//!   reported.
//! * **Waiting costs nothing.** bocpy sleep-polls receives over several tags; here a receive
//!   parks (a thread) or stays pending (a task) on all its tags at once until a send wakes it.
//! * **Typed, and no sentinel.** `Registry<T>` carries messages of one type; the process-wide
//!   registry carries `Box<dyn Any + Send>` with a checked [`Downcast`]. A timeout is
//!   `Err(RecvError::Timeout)` instead of bocpy's `TIMEOUT` tag, and `.after(d, f)` returns
//!   `f()`'s value as bocpy's `after` callback does. Errors give the message back.
//! * **Limits are opt-in.** bocpy has 16 queues of fixed size; [`Registry::new`] has no tag
//!   limit and unbounded queues, [`Registry::builder`] sets bocpy's limits when wanted. A full
//!   queue is an error for [`send`](Registry::send) (which never waits), and
//!   [`send_async`](Registry::send_async) / [`send_blocking`](Registry::send_blocking) wait for
//!   room.
//! * **A receive does not claim a tag.** In bocpy a receive assigns a queue to its tags, and
//!   fails when all queues are taken. Here only sends (and `set_tags`) create queues; a receive
//!   on a tag without one simply waits until a send creates it, so a receive never fails
//!   because of the tag limit.
//! * **`set_tags` is all or nothing.** Too many tags is an error that changes nothing; a
//!   successful call clears every queue, and receivers waiting at that moment look their tags
//!   up again and go on waiting (in bocpy they would keep polling queue slots that now belong
//!   to other tags). [`drain`](Registry::drain) returns how many messages it discarded.

mod builder;
mod cache;
mod error;
mod global;
mod queue;
mod receive;
mod send;
mod table;
mod tag;
#[cfg(test)]
mod tests;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

pub use builder::RegistryBuilder;
pub use error::{RegistryError, TagError, WrongType};
pub use global::{drain, global, receive, send, set_tags, Downcast, Message};
pub use receive::{TagFilter, TagSource};
pub use send::SendAsync;
pub use tag::{IntoTags, Tag};

use crate::receive::{AnyMessage, NoAfter, Receive};
use table::Shared;

/// A tag registry: queues of `T` messages, named by tags. Clone it to share it: every clone
/// is a handle to the same queues.
///
/// Send with [`send`](Registry::send) (never waits), or [`send_async`](Registry::send_async)
/// / [`send_blocking`](Registry::send_blocking) to wait for room on a bounded tag. Receive
/// with [`receive`](Registry::receive), which returns the crate's [`Receive`] builder:
/// `.matching(|tag, msg| ..)`, `.timeout(d)`, `.deadline(at)`, `.after(d, f)`, then `.await`
/// in a task or `.wait()` on a thread.
///
/// `send` and `receive` need `T: 'static` (messages that borrow nothing, as messages sent
/// between threads and tasks are anyway): each thread caches the queues of the tags it uses.
///
/// See the [module docs](crate::registry) for the design and how it differs from bocpy.
pub struct Registry<T> {
    shared: Arc<Shared<T>>,
}

/// One tag's queue, as reported by [`Registry::stats`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct QueueStats {
    /// The tag.
    pub tag: Tag,
    /// Messages queued now (including those a selective receive skipped).
    pub len: usize,
    /// Messages sent on the tag since its queue was created (by first use or `set_tags`).
    pub pushed_total: u64,
    /// Messages that left the queue since then: received, drained or cleared.
    pub popped_total: u64,
}

impl<T> Registry<T> {
    /// A registry without a tag limit, whose queues are unbounded.
    ///
    /// ```
    /// let reg = tidings::Registry::new();
    /// reg.send("greeting", "hello").unwrap();
    /// assert_eq!(reg.receive("greeting").wait().unwrap().1, "hello");
    /// ```
    pub fn new() -> Self {
        Self::with_limits(None, None)
    }

    /// A builder for a registry with limits (a maximum number of tags, bounded queues).
    ///
    /// ```
    /// let reg = tidings::Registry::<u64>::builder().max_tags(16).capacity(16_384).build();
    /// ```
    pub fn builder() -> RegistryBuilder<T> {
        RegistryBuilder::new()
    }

    fn with_limits(max_tags: Option<usize>, capacity: Option<usize>) -> Self {
        Registry { shared: Arc::new(Shared::new(max_tags, capacity)) }
    }

    /// The maximum number of tags, if limited.
    pub fn max_tags(&self) -> Option<usize> {
        self.shared.max_tags
    }

    /// The capacity of every tag's queue, if bounded.
    pub fn capacity(&self) -> Option<usize> {
        self.shared.capacity
    }

    /// Sends `msg` on `tag`; never waits. A tag's first message creates its queue, which
    /// stays until [`set_tags`](Registry::set_tags) (the one way to remove queues).
    ///
    /// Messages from one sender on one tag are received in the order sent.
    ///
    /// # Errors
    ///
    /// Both give the message back:
    /// [`RegistryError::Full`] if the tag's queue is bounded and full;
    /// [`RegistryError::TagLimit`] if the tag has no queue and the registry already has
    /// `max_tags` of them.
    ///
    /// # Examples
    ///
    /// ```
    /// use tidings::{Registry, RegistryError};
    ///
    /// let reg = Registry::builder().capacity(1).build();
    /// reg.send("orders", 1).unwrap();
    /// match reg.send("orders", 2) {
    ///     Err(RegistryError::Full(msg)) => assert_eq!(msg, 2),
    ///     other => panic!("expected Full, got {other:?}"),
    /// }
    /// ```
    #[inline]
    pub fn send(&self, tag: impl AsRef<str>, msg: T) -> Result<(), RegistryError<T>>
    where
        T: 'static,
    {
        self.shared.try_send(tag.as_ref(), msg)
    }

    /// Sends `msg` on `tag`, waiting in the task for room while the tag's queue is full.
    ///
    /// # Errors
    ///
    /// [`RegistryError::TagLimit`] with the message if the tag has no queue and the registry
    /// already has `max_tags` of them (it does not wait for a tag to become free).
    ///
    /// # Cancel safety
    ///
    /// If the future is dropped before it completes, the message was not sent (it is dropped
    /// with the future), and a wake-up it had received passes on to the next waiting sender.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio_test::block_on(async {
    /// let reg = tidings::Registry::builder().capacity(1).build();
    /// reg.send("jobs", 1).unwrap();
    /// let receiver = reg.clone();
    /// std::thread::spawn(move || receiver.receive("jobs").wait());
    /// reg.send_async("jobs", 2).await.unwrap(); // waits until the thread took 1
    /// # });
    /// ```
    pub fn send_async(&self, tag: impl AsRef<str>, msg: T) -> SendAsync<'_, T> {
        SendAsync::new(&self.shared, tag.as_ref(), msg)
    }

    /// Sends `msg` on `tag` from a thread, parking it while the tag's queue is full.
    ///
    /// # Errors
    ///
    /// [`RegistryError::TagLimit`] with the message, as [`send_async`](Registry::send_async).
    ///
    /// # Panics
    ///
    /// If it has to wait on a thread that drives a tokio runtime (use
    /// [`send_async`](Registry::send_async) there). A send that finds room never panics.
    ///
    /// # Examples
    ///
    /// ```
    /// let reg = tidings::Registry::builder().capacity(4).build();
    /// let producer = {
    ///     let reg = reg.clone();
    ///     std::thread::spawn(move || (0..100).for_each(|i| reg.send_blocking("n", i).unwrap()))
    /// };
    /// let sum: i32 = (0..100).map(|_| reg.receive("n").wait().unwrap().1).sum();
    /// producer.join().unwrap();
    /// assert_eq!(sum, 4950);
    /// ```
    #[track_caller]
    pub fn send_blocking(&self, tag: impl AsRef<str>, msg: T) -> Result<(), RegistryError<T>> {
        send::send_blocking(&self.shared, tag.as_ref(), msg, None, "Registry::send_blocking")
    }

    /// Sends `msg` on `tag` from a thread, parking it for at most `timeout` while the tag's
    /// queue is full. `Duration::MAX` waits forever.
    ///
    /// # Errors
    ///
    /// Both give the message back: [`RegistryError::Timeout`] if no room came in time,
    /// [`RegistryError::TagLimit`] as for [`send_async`](Registry::send_async).
    ///
    /// # Panics
    ///
    /// As [`send_blocking`](Registry::send_blocking): when it has to wait on a runtime thread.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let reg = tidings::Registry::builder().capacity(1).build();
    /// reg.send("t", 1).unwrap();
    /// let err = reg.send_timeout("t", 2, Duration::from_millis(10)).unwrap_err();
    /// assert!(err.is_timeout());
    /// assert_eq!(err.into_inner(), 2);
    /// ```
    #[track_caller]
    pub fn send_timeout(
        &self,
        tag: impl AsRef<str>,
        msg: T,
        timeout: Duration,
    ) -> Result<(), RegistryError<T>> {
        send::send_blocking(
            &self.shared,
            tag.as_ref(),
            msg,
            Some(timeout),
            "Registry::send_timeout",
        )
    }

    /// Starts a receive on `tags` (one tag, or a list: see [`IntoTags`]); the result is the
    /// tag and the message.
    ///
    /// Build it further with [`matching`](Receive::matching) (selective receive over the tag
    /// and the message), [`timeout`](Receive::timeout), [`deadline`](Receive::deadline) or
    /// [`after`](Receive::after), then `.await` it in a task or [`wait`](Receive::wait) on a
    /// thread. Semantics:
    ///
    /// * over several tags, the (accepted) message that arrived first wins, whichever tag it
    ///   is on; within a tag, messages from one sender come in the order sent;
    /// * every tag is checked before a timeout is reported, also with a zero timeout;
    /// * several receivers may wait on one tag: each message goes to exactly one of them;
    /// * a receive waits on all its tags at once, costing no CPU; a tag without a queue yet is
    ///   waited for until a send creates it;
    /// * `set_tags` does not end a waiting receive: it looks its tags up again and goes on
    ///   waiting; nor does `drain`.
    ///
    /// The result is `Ok((tag, msg))`, `Err(RecvError::Timeout)` after a timeout without
    /// `after`, or `Err(RecvError::NoTags)` if `tags` is empty. (A registry never closes:
    /// there is no `Closed`.)
    ///
    /// # Cancel safety
    ///
    /// The awaited receive is cancel-safe: dropping it (in `select!`, under a timeout) takes
    /// no message, and a wake-up it had received passes on to another receiver of the tag.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use tidings::{RecvError, Registry};
    ///
    /// # tokio_test::block_on(async {
    /// let reg = Registry::new();
    /// reg.send("order-cancelled", 2).unwrap();
    /// reg.send("order-ready", 1).unwrap();
    /// // The message that arrived first wins, not the first tag listed.
    /// let (tag, n) = reg.receive(["order-ready", "order-cancelled"]).await.unwrap();
    /// assert_eq!((tag.as_str(), n), ("order-cancelled", 2));
    ///
    /// let none = reg.receive("heartbeat").timeout(Duration::from_millis(5)).await;
    /// assert_eq!(none, Err(RecvError::Timeout));
    /// let empty: [&str; 0] = [];
    /// assert_eq!(reg.receive(empty).await, Err(RecvError::NoTags));
    /// # });
    /// ```
    pub fn receive(&self, tags: impl IntoTags) -> Receive<TagSource<'_, T>>
    where
        T: 'static,
    {
        Receive::new(TagSource::new(&self.shared, tags), AnyMessage, NoAfter)
    }

    /// Discards the messages queued now on `tags` and returns how many. Waiting receivers keep
    /// waiting; senders waiting for room get it. Tags without a queue count 0.
    ///
    /// ```
    /// let reg = tidings::Registry::new();
    /// reg.send("a", 1).unwrap();
    /// reg.send("a", 2).unwrap();
    /// reg.send("b", 3).unwrap();
    /// assert_eq!(reg.drain(["a", "unknown"]), 2);
    /// assert_eq!(reg.receive("b").wait().unwrap().1, 3);
    /// ```
    pub fn drain(&self, tags: impl IntoTags) -> usize {
        let queues = self.shared.existing(tags.into_tags());
        queues.iter().map(|queue| queue.drain()).sum()
    }

    /// Resets the registry to `tags`: every queue is cleared (its messages dropped), exactly
    /// the given tags have (new, empty) queues, and other tags get a queue again on their next
    /// send, within `max_tags`. Receivers waiting at that moment look their tags up again and
    /// go on waiting; senders waiting for room move to the new queue of their tag. An empty
    /// list just clears everything.
    ///
    /// # Errors
    ///
    /// [`TagError::TooMany`] if `tags` has more distinct tags than `max_tags`; then nothing
    /// changed.
    ///
    /// # Examples
    ///
    /// ```
    /// use tidings::{Registry, TagError};
    ///
    /// let reg = Registry::builder().max_tags(2).build();
    /// reg.send("stale", 0).unwrap();
    /// reg.set_tags(["alpha", "bravo"]).unwrap();
    /// assert!(reg.send("charlie", 1).unwrap_err().is_tag_limit());
    /// assert_eq!(reg.set_tags(["a", "b", "c"]), Err(TagError::TooMany { max: 2 }));
    /// let tags: Vec<_> = reg.stats().into_iter().map(|s| s.tag).collect();
    /// assert_eq!(tags, ["alpha", "bravo"]);
    /// ```
    pub fn set_tags(&self, tags: impl IntoTags) -> Result<(), TagError> {
        self.shared.set_tags(tags.into_tags())
    }

    /// Every tag's queue, in the order they were created, with its length and totals.
    ///
    /// ```
    /// let reg = tidings::Registry::new();
    /// reg.send("x", 1).unwrap();
    /// reg.send("x", 2).unwrap();
    /// reg.receive("x").wait().unwrap();
    /// let stats = &reg.stats()[0];
    /// assert_eq!((stats.tag.as_str(), stats.len, stats.pushed_total, stats.popped_total), ("x", 1, 2, 1));
    /// ```
    pub fn stats(&self) -> Vec<QueueStats> {
        self.shared.stats()
    }
}

impl<T> Clone for Registry<T> {
    fn clone(&self) -> Self {
        Registry { shared: self.shared.clone() }
    }
}

impl<T> Default for Registry<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> fmt::Debug for Registry<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry")
            .field("max_tags", &self.shared.max_tags)
            .field("capacity", &self.shared.capacity)
            .finish_non_exhaustive()
    }
}
