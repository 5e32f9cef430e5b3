#![doc = include_str!("../README.md")]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs, missing_debug_implementations, rust_2018_idioms)]

pub mod actor;
mod backoff;
mod chan;
mod error;
mod loom;
mod mailbox;
pub mod messenger;
mod padded;
pub mod receive;
pub mod registry;
mod ring;
#[cfg(test)]
mod test_helpers;
mod wait;
pub mod worker;

pub use error::{RecvError, SendError, SendTimeoutError, TryRecvError, TrySendError};
pub use mailbox::{
    bounded, unbounded, Drain, HandoffFuture, Mailbox, SendFuture, SendSink, Sender,
};
pub use messenger::{Messenger, MessengerError, Prioritized, PriorityMessenger, RequestCounter};
pub use receive::Receive;
pub use registry::{
    drain, receive, send, set_tags, IntoTags, QueueStats, Registry, RegistryError, Tag, TagError,
};
pub use worker::{Worker, WorkerError};
