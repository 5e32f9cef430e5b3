//! [`MessengerError`]: why a messenger receive returned no message.

use std::error::Error;
use std::fmt;

use crate::error::SendError;

/// Why a messenger receive returned no message.
///
/// The first two variants are coproc's *special messages*: they come from the peer, overtake
/// any queued data and are returned by the next receive on any channel (the data stays queued
/// for the receives after it).
#[derive(Debug)]
#[non_exhaustive]
pub enum MessengerError {
    /// The peer sent an error with [`send_error`](crate::Messenger::send_error). It is the
    /// very value the peer sent: get it back with
    /// [`downcast_peer`](MessengerError::downcast_peer) or `Box::downcast`.
    Peer(Box<dyn Error + Send + Sync + 'static>),
    /// The peer asked this side to close, with
    /// [`send_close_request`](crate::Messenger::send_close_request) (coproc's
    /// `ResourceRequestedClose`).
    CloseRequested,
    /// The peer is gone (its end was dropped, or the task or thread holding it panicked or
    /// returned) and nothing more is queued on the channel: nothing can ever arrive.
    Disconnected,
    /// The timeout or deadline of the receive passed first.
    Timeout,
}

impl MessengerError {
    /// The peer's error as an `E`, if this is [`Peer`](MessengerError::Peer) and the peer sent
    /// an `E`.
    ///
    /// ```
    /// use tidings::{Messenger, MessengerError};
    ///
    /// #[derive(Debug)]
    /// struct Jammed;
    /// impl std::fmt::Display for Jammed {
    ///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    ///         f.write_str("paper jam")
    ///     }
    /// }
    /// impl std::error::Error for Jammed {}
    ///
    /// let (mut host, mut printer) = Messenger::<(), u32>::pair();
    /// printer.send_error(Jammed).unwrap();
    /// let err = host.receive_blocking().unwrap_err();
    /// assert!(err.downcast_peer::<Jammed>().is_some());
    /// assert_eq!(err.to_string(), "the peer sent an error: paper jam");
    /// ```
    pub fn downcast_peer<E: Error + 'static>(&self) -> Option<&E> {
        match self {
            MessengerError::Peer(err) => err.downcast_ref::<E>(),
            _ => None,
        }
    }

    /// True for [`Peer`](MessengerError::Peer).
    pub fn is_peer(&self) -> bool {
        matches!(self, MessengerError::Peer(_))
    }

    /// True for [`CloseRequested`](MessengerError::CloseRequested).
    pub fn is_close_requested(&self) -> bool {
        matches!(self, MessengerError::CloseRequested)
    }

    /// True for [`Disconnected`](MessengerError::Disconnected).
    pub fn is_disconnected(&self) -> bool {
        matches!(self, MessengerError::Disconnected)
    }

    /// True for [`Timeout`](MessengerError::Timeout).
    pub fn is_timeout(&self) -> bool {
        matches!(self, MessengerError::Timeout)
    }
}

impl fmt::Display for MessengerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MessengerError::Peer(err) => write!(f, "the peer sent an error: {err}"),
            MessengerError::CloseRequested => f.write_str("the peer requested a close"),
            MessengerError::Disconnected => f.write_str("the peer is gone and nothing is queued"),
            MessengerError::Timeout => f.write_str("timed out waiting for a message"),
        }
    }
}

impl Error for MessengerError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            MessengerError::Peer(err) => Some(&**err),
            _ => None,
        }
    }
}

/// A failed messenger send means the peer is gone: lets `?` turn it into
/// [`MessengerError::Disconnected`] in a worker that returns `Result<_, MessengerError>`.
/// The message is dropped by this conversion; take it back with `into_inner` first to keep it.
impl<T> From<SendError<T>> for MessengerError {
    fn from(_: SendError<T>) -> Self {
        MessengerError::Disconnected
    }
}
