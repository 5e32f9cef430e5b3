//! How an end orders the messages of one channel: [`Fifo`] or [`ByPriority`].

use std::collections::VecDeque;
use std::fmt;
use std::sync::Arc;

use super::message::Message;
use super::queue::{Prioritized, PriorityQueue};

/// The order in which an end hands out the queued messages of a channel: [`Fifo`] for a
/// [`Messenger`](crate::Messenger), [`ByPriority`] for a
/// [`PriorityMessenger`](crate::PriorityMessenger). Sealed: these two are the only ones.
pub trait Discipline<T>: sealed::Discipline<T> {}

pub(crate) mod sealed {
    use super::Message;

    /// The per-channel queue operations of a [`Discipline`](super::Discipline).
    pub trait Discipline<T> {
        /// One channel's queue.
        type Queue: Default;
        /// Queues `msg` on `queue`.
        fn push(&self, queue: &mut Self::Queue, msg: Message<T>);
        /// Takes the next message of `queue`.
        fn pop(queue: &mut Self::Queue) -> Option<Message<T>>;
        /// How many messages `queue` holds.
        fn len(queue: &Self::Queue) -> usize;
    }
}

/// First in, first out on each channel: the order of a [`Messenger`](crate::Messenger)
/// (coproc's `MultiMessenger`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fifo;

impl<T> Discipline<T> for Fifo {}

impl<T> sealed::Discipline<T> for Fifo {
    type Queue = VecDeque<Message<T>>;

    fn push(&self, queue: &mut Self::Queue, msg: Message<T>) {
        queue.push_back(msg);
    }

    fn pop(queue: &mut Self::Queue) -> Option<Message<T>> {
        queue.pop_front()
    }

    fn len(queue: &Self::Queue) -> usize {
        queue.len()
    }
}

/// Lowest priority value first on each channel, first in first out among equals, messages
/// without a priority last: the order of a [`PriorityMessenger`](crate::PriorityMessenger).
///
/// Holds the key that gives a message its priority: [`Prioritized::priority`] (made by
/// [`PriorityMessenger::pair`](crate::Messenger::pair)) or a function given to
/// [`PriorityMessenger::pair_with_key`](crate::Messenger::pair_with_key). Both ends of a pair
/// share it.
pub struct ByPriority<T> {
    key: Key<T>,
}

/// A priority key, shared by both ends of a pair.
type Key<T> = Arc<dyn Fn(&T) -> Option<i64> + Send + Sync>;

impl<T> ByPriority<T> {
    /// Orders messages by `key` (lower first; `None` behind every prioritized message).
    pub fn with_key<F>(key: F) -> Self
    where
        F: Fn(&T) -> Option<i64> + Send + Sync + 'static,
    {
        Self { key: Arc::new(key) }
    }

    /// The priority `key` gives `msg`.
    pub fn priority_of(&self, msg: &T) -> Option<i64> {
        (self.key)(msg)
    }
}

impl<T: Prioritized + 'static> ByPriority<T> {
    /// Orders messages by their [`Prioritized::priority`].
    pub fn by_trait() -> Self {
        Self::with_key(T::priority)
    }
}

impl<T> Clone for ByPriority<T> {
    fn clone(&self) -> Self {
        Self { key: Arc::clone(&self.key) }
    }
}

impl<T> fmt::Debug for ByPriority<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ByPriority(..)")
    }
}

impl<T> Discipline<T> for ByPriority<T> {}

impl<T> sealed::Discipline<T> for ByPriority<T> {
    type Queue = PriorityQueue<Message<T>>;

    fn push(&self, queue: &mut Self::Queue, msg: Message<T>) {
        queue.push((self.key)(&msg.payload), msg);
    }

    fn pop(queue: &mut Self::Queue) -> Option<Message<T>> {
        queue.pop()
    }

    fn len(queue: &Self::Queue) -> usize {
        queue.len()
    }
}
