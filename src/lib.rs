#![doc = include_str!("../README.md")]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs, missing_debug_implementations, rust_2018_idioms)]

mod backoff;
mod chan;
mod error;
mod loom;
mod mailbox;
mod padded;
pub mod receive;
pub mod registry;
mod ring;
mod wait;

pub use error::{RecvError, SendError, SendTimeoutError, TryRecvError, TrySendError};
pub use mailbox::{bounded, unbounded, Drain, Mailbox, SendFuture, SendSink, Sender};
pub use receive::Receive;
pub use registry::{
    drain, receive, send, set_tags, IntoTags, QueueStats, Registry, RegistryError, Tag, TagError,
};
