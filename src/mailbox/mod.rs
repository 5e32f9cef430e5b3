//! The mailbox: a [`Sender`] any number of threads and tasks can clone, and the single
//! [`Mailbox`] that receives, both usable from async code (`.await`) and from plain threads
//! (blocking calls) at the same time, on the same instance.
//!
//! ```
//! use std::time::Duration;
//!
//! # tokio_test::block_on(async {
//! let (tx, mut mailbox) = tidings::bounded::<String>(64);
//!
//! // A plain thread sends with a blocking call...
//! let thread_tx = tx.clone();
//! std::thread::spawn(move || thread_tx.send_blocking("from a thread".to_string()).unwrap());
//! // ...and a task with `.await`.
//! tokio::spawn(async move { tx.send("from a task".to_string()).await.unwrap() });
//!
//! let mut got = vec![mailbox.recv().await.unwrap(), mailbox.recv().await.unwrap()];
//! got.sort();
//! assert_eq!(got, ["from a task", "from a thread"]);
//! // Every sender is gone and nothing is queued: the mailbox reports Closed.
//! assert!(mailbox.recv().timeout(Duration::from_secs(5)).await.is_err());
//! # });
//! ```

mod handoff;
mod receiver;
mod sender;
mod sink;

pub use handoff::HandoffFuture;
pub use receiver::{Drain, Mailbox};
pub use sender::{SendFuture, Sender};
pub use sink::SendSink;

use crate::chan::channel;
use crate::ring::Ring;

/// Creates a mailbox with room for `capacity` messages, and its first sender.
///
/// Senders wait (`send`, `send_blocking`, `send_timeout`) or fail (`try_send`) while it is
/// full. The slots are allocated here, once: sending allocates nothing.
///
/// A receiver that waits on an empty mailbox is handed the next message as it is sent, which
/// leaves that message's slot free: until the receiver runs, the mailbox holds up to
/// `capacity + 1` messages (and [`Sender::len`] may say so), the first of them already the
/// receiver's. So at capacity 1 a sender does not have to wait for the receiver to be
/// scheduled after every message. A receive dropped after the hand loses nothing: the message
/// stays with the mailbox, and the next receive gets it first.
///
/// # Panics
///
/// If `capacity` is 0: a mailbox needs room for at least one message (there is no rendezvous
/// mode), so `bounded(0)` is a programmer error. Use `bounded(1)` for the tightest handoff.
///
/// # Examples
///
/// ```
/// let (tx, mut mailbox) = tidings::bounded(1);
/// tx.try_send(1).unwrap();
/// assert!(tx.try_send(2).unwrap_err().is_full());
/// assert_eq!(mailbox.try_recv(), Ok(1));
/// ```
#[track_caller]
pub fn bounded<T>(capacity: usize) -> (Sender<T>, Mailbox<T>) {
    assert!(
        capacity > 0,
        "tidings::bounded(0): a mailbox needs room for at least one message \
         (there is no rendezvous mode); use bounded(1) or unbounded()"
    );
    new(Ring::bounded(capacity))
}

/// Creates a mailbox without a size limit, and its first sender.
///
/// Sending never waits. Messages are stored in linked blocks that grow like a `Vec`: the first
/// block, allocated by the first send, holds up to 1 KiB of messages (31 of up to 8 bytes),
/// and every next one twice as many, up to about 16 KiB (1023 messages of up to 8 bytes, 511
/// of up to 24 bytes such as a `String` or a `Box<dyn Trait>`). A block is freed once it is
/// read; one largest block is kept as a spare for reuse, so a mailbox that has streamed many
/// messages keeps 16–32 KiB while it is idle.
///
/// # Examples
///
/// ```
/// let (tx, mut mailbox) = tidings::unbounded();
/// for i in 0..100 {
///     tx.try_send(i).unwrap();
/// }
/// assert_eq!(mailbox.drain().sum::<i32>(), 4950);
/// ```
pub fn unbounded<T>() -> (Sender<T>, Mailbox<T>) {
    new(Ring::unbounded())
}

/// [`unbounded`], in blocks of 7 messages: for actors' mailboxes (many, mostly idle).
pub(crate) fn unbounded_small<T>() -> (Sender<T>, Mailbox<T>) {
    new(Ring::unbounded_small())
}

fn new<T>(ring: Ring<T>) -> (Sender<T>, Mailbox<T>) {
    let (chan, rx) = channel(ring);
    (Sender::from_chan(chan), Mailbox::from_consumer(rx))
}

#[cfg(all(test, not(tidings_loom)))]
mod handoff_tests;
#[cfg(all(test, not(tidings_loom)))]
mod tests;
