//! [`RegistryBuilder`]: a registry with bocpy's limits.

use std::fmt;
use std::marker::PhantomData;

use super::Registry;

/// Builds a [`Registry`] with limits: at most `max_tags` tags, and bounded queues of
/// `capacity` messages per tag. Made by [`Registry::builder`]; both limits are optional.
///
/// ```
/// use tidings::Registry;
///
/// // bocpy's limits: 16 tags, 16,384 messages per tag.
/// let reg = Registry::<String>::builder().max_tags(16).capacity(16_384).build();
/// assert_eq!((reg.max_tags(), reg.capacity()), (Some(16), Some(16_384)));
/// ```
pub struct RegistryBuilder<T> {
    max_tags: Option<usize>,
    capacity: Option<usize>,
    _messages: PhantomData<fn() -> T>,
}

impl<T> RegistryBuilder<T> {
    pub(super) fn new() -> Self {
        RegistryBuilder { max_tags: None, capacity: None, _messages: PhantomData }
    }

    /// At most `max` tags have queues at a time: a send on one more tag fails with
    /// [`RegistryError::TagLimit`](crate::RegistryError::TagLimit), and `set_tags` with more
    /// is [`TagError::TooMany`](crate::TagError::TooMany). Without it, tags are unlimited.
    ///
    /// # Panics
    ///
    /// If `max` is 0: such a registry could never hold a message.
    #[track_caller]
    pub fn max_tags(mut self, max: usize) -> Self {
        assert!(
            max > 0,
            "Registry::builder().max_tags(0): a registry needs room for at least one tag"
        );
        self.max_tags = Some(max);
        self
    }

    /// Every tag's queue holds at most `capacity` messages: [`Registry::send`] fails with
    /// [`RegistryError::Full`](crate::RegistryError::Full) when it is full, while
    /// [`send_async`](Registry::send_async) and [`send_blocking`](Registry::send_blocking) wait
    /// for room. The slots are allocated when the tag's queue is created. Without it, queues
    /// are unbounded.
    ///
    /// Messages a selective receive skipped (or a multi-tag receive looked at) wait in the
    /// tag's save queue and no longer count against the capacity, as in a
    /// [`Mailbox`](crate::Mailbox).
    ///
    /// # Panics
    ///
    /// If `capacity` is 0: a queue needs room for at least one message.
    #[track_caller]
    pub fn capacity(mut self, capacity: usize) -> Self {
        assert!(
            capacity > 0,
            "Registry::builder().capacity(0): a queue needs room for at least one message"
        );
        self.capacity = Some(capacity);
        self
    }

    /// The registry.
    pub fn build(self) -> Registry<T> {
        Registry::with_limits(self.max_tags, self.capacity)
    }
}

impl<T> fmt::Debug for RegistryBuilder<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegistryBuilder")
            .field("max_tags", &self.max_tags)
            .field("capacity", &self.capacity)
            .finish()
    }
}
