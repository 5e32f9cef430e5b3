//! [`SendSink`]: a [`Sender`] as a `futures::Sink`.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_sink::Sink;

use super::Sender;
use crate::error::{SendError, TrySendError};
use crate::wait::Registration;

/// A [`Sender`] that implements [`Sink`], for `StreamExt::forward`, `SinkExt::send_all` and
/// friends. Make one with [`Sender::into_sink`] or [`Sender::sink`].
///
/// `start_send` sends at once when there is room; otherwise it keeps the one message and
/// `poll_ready` / `poll_flush` wait for room to send it. `poll_close` flushes, then drops this
/// sink's sender (the mailbox closes when the last sender is gone).
///
/// # Cancel safety
///
/// A message accepted by `start_send` but not yet flushed is dropped if the sink is dropped.
/// The error of every poll gives the message back.
///
/// ```
/// use futures::{SinkExt, StreamExt};
///
/// # tokio_test::block_on(async {
/// let (tx, mailbox) = tidings::bounded(2);
/// let mut sink = tx.into_sink();
/// tokio::spawn(async move {
///     sink.send_all(&mut futures::stream::iter(0..10).map(Ok)).await.unwrap();
/// });
/// assert_eq!(mailbox.collect::<Vec<i32>>().await, (0..10).collect::<Vec<_>>());
/// # });
/// ```
pub struct SendSink<T> {
    /// `None` once closed.
    sender: Option<Sender<T>>,
    /// A message accepted while the mailbox was full.
    pending: Option<T>,
    reg: Registration,
}

impl<T> Sender<T> {
    /// Turns this sender into a [`SendSink`].
    pub fn into_sink(self) -> SendSink<T> {
        SendSink { sender: Some(self), pending: None, reg: Registration::new() }
    }

    /// A [`SendSink`] on a clone of this sender.
    pub fn sink(&self) -> SendSink<T> {
        self.clone().into_sink()
    }
}

impl<T> From<Sender<T>> for SendSink<T> {
    fn from(sender: Sender<T>) -> Self {
        sender.into_sink()
    }
}

impl<T> SendSink<T> {
    /// The sender inside, `None` after `poll_close`.
    pub fn get_ref(&self) -> Option<&Sender<T>> {
        self.sender.as_ref()
    }

    /// Sends the pending message, if any.
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), SendError<T>>> {
        if self.pending.is_none() {
            return Poll::Ready(Ok(()));
        }
        match &self.sender {
            // `&mut true`: a sink's send never steps aside (see `Sender::send`); only the
            // plain `send` was measured with it.
            Some(sender) => {
                sender.chan().poll_send(&mut self.pending, &mut self.reg, &mut true, cx)
            }
            None => Poll::Ready(Err(SendError(self.pending.take().expect("checked above")))),
        }
    }
}

// Nothing in the sink is ever pinned.
impl<T> Unpin for SendSink<T> {}

impl<T> Sink<T> for SendSink<T> {
    type Error = SendError<T>;

    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.get_mut().poll_pending(cx)
    }

    /// # Panics
    ///
    /// If called while a message is still pending, i.e. without `poll_ready` returning
    /// `Ready(Ok(()))` first (the `Sink` contract).
    fn start_send(self: Pin<&mut Self>, msg: T) -> Result<(), Self::Error> {
        let this = self.get_mut();
        assert!(this.pending.is_none(), "SendSink::start_send called before poll_ready was Ready");
        let Some(sender) = &this.sender else { return Err(SendError(msg)) };
        match sender.try_send(msg) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(msg)) => {
                this.pending = Some(msg);
                Ok(())
            }
            Err(TrySendError::Closed(msg)) => Err(SendError(msg)),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.get_mut().poll_pending(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        let this = self.get_mut();
        match this.poll_pending(cx) {
            Poll::Ready(Ok(())) => {
                this.sender = None;
                Poll::Ready(Ok(()))
            }
            other => other,
        }
    }
}

impl<T> Drop for SendSink<T> {
    fn drop(&mut self) {
        if let (Some(sender), true) = (&self.sender, self.reg.is_registered()) {
            sender.chan().cancel_send(&mut self.reg);
        }
    }
}

impl<T> fmt::Debug for SendSink<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendSink")
            .field("sender", &self.sender)
            .field("pending", &self.pending.is_some())
            .finish()
    }
}
