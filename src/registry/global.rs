//! The process-wide registry behind [`tidings::send`](crate::send),
//! [`tidings::receive`](crate::receive()), [`tidings::drain`](crate::drain) and
//! [`tidings::set_tags`](crate::set_tags): bocpy's free functions, for any message type.

use std::any::{self, Any};
use std::sync::OnceLock;

use super::{IntoTags, Registry, RegistryError, Tag, TagError, TagSource, WrongType};
use crate::receive::Receive;

/// A message of the process-wide registry: any `Send` value, boxed. Receivers get it back
/// with [`Downcast::downcast`].
pub type Message = Box<dyn Any + Send>;

static GLOBAL: OnceLock<Registry<Message>> = OnceLock::new();

/// The process-wide registry (no tag limit, unbounded queues), created on first use.
///
/// The free functions [`send`], [`receive`], [`drain`] and [`set_tags`] use it; this gives
/// access to the rest of its API (`stats`, `send_async`, ...).
///
/// ```
/// tidings::send("registry-global-doc", 1u8).unwrap();
/// let stats = tidings::registry::global().stats();
/// assert!(stats.iter().any(|s| s.tag == "registry-global-doc" && s.len == 1));
/// # tidings::drain("registry-global-doc");
/// ```
pub fn global() -> &'static Registry<Message> {
    GLOBAL.get_or_init(Registry::new)
}

/// Boxes `msg`, unless it is a [`Message`] already (no box in a box).
fn into_message<M: Any + Send>(msg: M) -> Message {
    let boxed: Message = Box::new(msg);
    match boxed.downcast::<Message>() {
        Ok(inner) => *inner,
        Err(boxed) => boxed,
    }
}

/// Sends `msg` on `tag` of the process-wide registry; never waits (bocpy's `send`).
///
/// `msg` can be any `Send + 'static` value; it is boxed into a [`Message`] (a `Message` is
/// sent as it is). The receiver gets it back with [`Downcast::downcast`].
///
/// # Errors
///
/// None with the default process-wide registry (no tag limit, unbounded queues); the type
/// is that of [`Registry::send`], and the boxed message comes back in it.
///
/// # Examples
///
/// ```
/// use tidings::registry::Downcast;
///
/// tidings::send("doc-send", ("+", 2.5)).unwrap();
/// let (tag, (op, x)) = tidings::receive("doc-send").wait().unwrap().downcast::<(&str, f64)>().unwrap();
/// assert_eq!((tag.as_str(), op, x), ("doc-send", "+", 2.5));
/// ```
pub fn send<M: Any + Send>(tag: impl AsRef<str>, msg: M) -> Result<(), RegistryError<Message>> {
    global().send(tag, into_message(msg))
}

/// Receives from the process-wide registry (bocpy's `receive`): see [`Registry::receive`].
///
/// The result is a `(Tag, Message)`; [`Downcast::downcast`] turns it into the typed message.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use tidings::registry::{Downcast, Message};
/// use tidings::Tag;
///
/// // bocpy's `receive("heartbeat", 0.01, after)`:
/// let (tag, tick) = tidings::receive("doc-heartbeat")
///     .after(Duration::from_millis(10), || (Tag::from("doc-heartbeat"), Box::new("self-tick") as Message))
///     .wait()
///     .unwrap()
///     .downcast::<&str>()
///     .unwrap();
/// assert_eq!((tag.as_str(), tick), ("doc-heartbeat", "self-tick"));
/// ```
pub fn receive(tags: impl IntoTags) -> Receive<TagSource<'static, Message>> {
    global().receive(tags)
}

/// Discards what is queued on `tags` in the process-wide registry; see [`Registry::drain`].
pub fn drain(tags: impl IntoTags) -> usize {
    global().drain(tags)
}

/// Reassigns the tags of the process-wide registry; see [`Registry::set_tags`].
///
/// # Errors
///
/// None with the default process-wide registry (it has no tag limit).
pub fn set_tags(tags: impl IntoTags) -> Result<(), TagError> {
    global().set_tags(tags)
}

/// Turns a received `(Tag, Message)` into `(Tag, M)`.
///
/// ```
/// use tidings::registry::Downcast;
///
/// tidings::send("doc-downcast", 7u32).unwrap();
/// let received = tidings::receive("doc-downcast").wait().unwrap();
/// let err = received.downcast::<String>().unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "the message on tag \"doc-downcast\" is not a `alloc::string::String` (it was sent as another type)"
/// );
/// // Nothing is lost: try the right type.
/// let (_, n) = err.into_inner().downcast::<u32>().unwrap();
/// assert_eq!(n, 7);
/// ```
pub trait Downcast {
    /// The tag and the message as an `M`.
    ///
    /// # Errors
    ///
    /// [`WrongType`] if the message is not an `M`; it holds the tag and the message.
    fn downcast<M: Any>(self) -> Result<(Tag, M), WrongType>;
}

impl Downcast for (Tag, Message) {
    fn downcast<M: Any>(self) -> Result<(Tag, M), WrongType> {
        let (tag, msg) = self;
        match msg.downcast::<M>() {
            Ok(msg) => Ok((tag, *msg)),
            Err(msg) => Err(WrongType { tag, expected: any::type_name::<M>(), msg }),
        }
    }
}
