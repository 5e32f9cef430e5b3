//! Errors of the registry: [`RegistryError`] (sending), [`TagError`] (`set_tags`) and
//! [`WrongType`] (downcasting a message of the process-wide registry).

use std::fmt;

use super::{Message, Tag};

/// Why a registry send gave the message back.
///
/// Every variant owns the message; [`into_inner`](RegistryError::into_inner) returns it, so a
/// failed send never loses anything. `Debug` does not require `T: Debug`.
///
/// ```
/// use tidings::{Registry, RegistryError};
///
/// let reg = Registry::<&str>::builder().max_tags(1).capacity(1).build();
/// reg.send("a", "first").unwrap();
/// let full = reg.send("a", "second").unwrap_err();
/// assert!(matches!(full, RegistryError::Full("second")));
/// let over = reg.send("b", "third").unwrap_err();
/// assert!(over.is_tag_limit());
/// assert_eq!(over.into_inner(), "third");
/// ```
#[derive(PartialEq, Eq, Clone, Copy)]
#[non_exhaustive]
pub enum RegistryError<T> {
    /// The tag's queue is bounded and has no room right now (only from sends that do not wait).
    Full(T),
    /// The tag has no queue yet and the registry already has `max_tags` of them.
    TagLimit(T),
    /// A [`send_timeout`](crate::Registry::send_timeout) found no room in time.
    Timeout(T),
}

impl<T> RegistryError<T> {
    /// The message that was not sent.
    pub fn into_inner(self) -> T {
        match self {
            RegistryError::Full(msg)
            | RegistryError::TagLimit(msg)
            | RegistryError::Timeout(msg) => msg,
        }
    }

    /// True for [`RegistryError::Full`].
    pub fn is_full(&self) -> bool {
        matches!(self, RegistryError::Full(_))
    }

    /// True for [`RegistryError::TagLimit`].
    pub fn is_tag_limit(&self) -> bool {
        matches!(self, RegistryError::TagLimit(_))
    }

    /// True for [`RegistryError::Timeout`].
    pub fn is_timeout(&self) -> bool {
        matches!(self, RegistryError::Timeout(_))
    }
}

impl<T> fmt::Debug for RegistryError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegistryError::Full(_) => f.write_str("Full(..)"),
            RegistryError::TagLimit(_) => f.write_str("TagLimit(..)"),
            RegistryError::Timeout(_) => f.write_str("Timeout(..)"),
        }
    }
}

impl<T> fmt::Display for RegistryError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegistryError::Full(_) => f.write_str("sending on a tag whose queue is full"),
            RegistryError::TagLimit(_) => {
                f.write_str("sending on a new tag, but the registry already has max_tags tags")
            }
            RegistryError::Timeout(_) => f.write_str("timed out waiting for room on a tag"),
        }
    }
}

impl<T> std::error::Error for RegistryError<T> {}

/// Why [`Registry::set_tags`](crate::Registry::set_tags) changed nothing.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
#[non_exhaustive]
pub enum TagError {
    /// More distinct tags than the registry's `max_tags`.
    TooMany {
        /// The registry's `max_tags`.
        max: usize,
    },
}

impl fmt::Display for TagError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TagError::TooMany { max } => {
                write!(f, "too many tags: this registry allows at most {max}")
            }
        }
    }
}

impl std::error::Error for TagError {}

/// A message of the process-wide registry is not of the type it was downcast to.
///
/// Returned by [`Downcast::downcast`](crate::registry::Downcast::downcast); the tag and the
/// message come back with [`into_inner`](WrongType::into_inner), so nothing is lost.
pub struct WrongType {
    pub(super) tag: Tag,
    pub(super) expected: &'static str,
    pub(super) msg: Message,
}

impl WrongType {
    /// The tag the message came on.
    pub fn tag(&self) -> &Tag {
        &self.tag
    }

    /// The name of the type the message was expected to have.
    pub fn expected(&self) -> &'static str {
        self.expected
    }

    /// The tag and the message, still boxed.
    pub fn into_inner(self) -> (Tag, Message) {
        (self.tag, self.msg)
    }
}

impl fmt::Debug for WrongType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WrongType")
            .field("tag", &self.tag)
            .field("expected", &self.expected)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for WrongType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the message on tag {:?} is not a `{}` (it was sent as another type)",
            self.tag.as_str(),
            self.expected
        )
    }
}

impl std::error::Error for WrongType {}
