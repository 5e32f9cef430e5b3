//! Errors of the actor layer. Like the mailbox's, every error that is about a message that was
//! not handled owns that message and gives it back (`into_inner`), and `Debug` does not need
//! the message to be `Debug`.

use std::fmt;

/// Why an [`ask`](super::Addr::ask) (or a [`Bridge::call`](super::Bridge::call)) got no reply.
#[non_exhaustive]
pub enum AskError<M> {
    /// The actor was stopped (or stopping) before the message could be queued: it was not
    /// delivered, here it is.
    Closed(M),
    /// The message was queued, but the actor stopped abnormally (a panic, or its runtime shut
    /// down) before handling it: here it is.
    Unhandled(M),
    /// Waiting here could deadlock a tokio runtime (a `.wait()` or a [`Bridge`](super::Bridge)
    /// call on a runtime worker thread or inside `block_on`); nothing was sent, here is the
    /// message. Use `.await` in async code.
    WouldBlock(M),
    /// The handler panicked on this message (the actor stopped); the panic message.
    Panicked(String),
    /// No reply came in time. The message was delivered and may still be handled.
    Timeout,
    /// The actor went away while handling the message, without replying (its runtime shut
    /// down).
    NoReply,
}

impl<M> AskError<M> {
    /// The message, if it was never handled ([`Closed`](AskError::Closed),
    /// [`Unhandled`](AskError::Unhandled), [`WouldBlock`](AskError::WouldBlock)).
    pub fn into_inner(self) -> Option<M> {
        match self {
            AskError::Closed(msg) | AskError::Unhandled(msg) | AskError::WouldBlock(msg) => {
                Some(msg)
            }
            AskError::Panicked(_) | AskError::Timeout | AskError::NoReply => None,
        }
    }

    /// True for [`AskError::Timeout`].
    pub fn is_timeout(&self) -> bool {
        matches!(self, AskError::Timeout)
    }

    /// True for [`AskError::Closed`].
    pub fn is_closed(&self) -> bool {
        matches!(self, AskError::Closed(_))
    }

    /// True for [`AskError::Panicked`].
    pub fn is_panic(&self) -> bool {
        matches!(self, AskError::Panicked(_))
    }

    /// True for [`AskError::WouldBlock`].
    pub fn is_would_block(&self) -> bool {
        matches!(self, AskError::WouldBlock(_))
    }
}

impl<M> fmt::Debug for AskError<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AskError::Closed(_) => f.write_str("Closed(..)"),
            AskError::Unhandled(_) => f.write_str("Unhandled(..)"),
            AskError::WouldBlock(_) => f.write_str("WouldBlock(..)"),
            AskError::Panicked(message) => f.debug_tuple("Panicked").field(message).finish(),
            AskError::Timeout => f.write_str("Timeout"),
            AskError::NoReply => f.write_str("NoReply"),
        }
    }
}

impl<M> fmt::Display for AskError<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AskError::Closed(_) => f.write_str("the actor is stopped: message not delivered"),
            AskError::Unhandled(_) => {
                f.write_str("the actor stopped abnormally before handling the message")
            }
            AskError::WouldBlock(_) => f.write_str(WOULD_BLOCK),
            AskError::Panicked(message) => write!(f, "the handler panicked: {message}"),
            AskError::Timeout => f.write_str("no reply in time"),
            AskError::NoReply => f.write_str("the actor went away without replying"),
        }
    }
}

impl<M> std::error::Error for AskError<M> {}

const WOULD_BLOCK: &str = "refused to block a thread that drives a tokio runtime (it could \
                           deadlock the runtime): use `.await`, or call from a plain thread or \
                           `tokio::task::spawn_blocking`";

/// A blocking call was refused because the current thread drives a tokio runtime (a worker
/// thread, or inside `block_on`), where waiting could deadlock it. Nothing was done.
///
/// Returned by [`Bridge::stop`](super::Bridge::stop).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WouldBlock;

impl fmt::Display for WouldBlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(WOULD_BLOCK)
    }
}

impl std::error::Error for WouldBlock {}

/// Why [`wait_stopped`](super::Addr::wait_stopped) returned without a [`Stopped`](super::Stopped).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum WaitError {
    /// The actor was still running when the timeout passed.
    Timeout,
    /// `.wait()` was called on a thread that drives a tokio runtime (see [`WouldBlock`]).
    WouldBlock,
}

impl fmt::Display for WaitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitError::Timeout => f.write_str("the actor was still running at the timeout"),
            WaitError::WouldBlock => f.write_str(WOULD_BLOCK),
        }
    }
}

impl std::error::Error for WaitError {}
