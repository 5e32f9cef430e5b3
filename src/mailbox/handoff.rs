//! [`HandoffFuture`]: the future of [`Sender::send_handoff`](crate::Sender::send_handoff).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::chan::Chan;
use crate::error::SendError;
use crate::wait::Registration;

/// The future of [`Sender::send_handoff`](crate::Sender::send_handoff): while the mailbox is
/// full, its message waits with the mailbox, and the receive that makes room moves it in.
///
/// # Cancel safety
///
/// Dropping it while it waits withdraws the message unless a receive had already moved it
/// into the mailbox: the message was then sent, otherwise it is dropped with the future. A
/// wake-up it had received without a delivery passes on to the next waiting sender.
#[must_use = "futures do nothing unless polled"]
pub struct HandoffFuture<'a, T> {
    chan: &'a Chan<T>,
    /// The message, until the send ends or the mailbox's queue of senders holds it.
    msg: Option<T>,
    reg: Registration,
}

impl<'a, T> HandoffFuture<'a, T> {
    pub(crate) fn new(chan: &'a Chan<T>, msg: T) -> Self {
        Self { chan, msg: Some(msg), reg: Registration::new() }
    }
}

// Nothing in the future is ever pinned, so it is `Unpin` whatever `T` is.
impl<T> Unpin for HandoffFuture<'_, T> {}

impl<T> Future for HandoffFuture<'_, T> {
    type Output = Result<(), SendError<T>>;

    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        this.chan.poll_send_handoff(&mut this.msg, &mut this.reg, cx)
    }
}

impl<T> Drop for HandoffFuture<'_, T> {
    fn drop(&mut self) {
        if self.reg.is_registered() {
            drop(self.chan.withdraw_send(&mut self.reg));
        }
    }
}

impl<T> fmt::Debug for HandoffFuture<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match (&self.msg, self.reg.is_registered()) {
            (_, true) => "waiting",
            (Some(_), false) => "not started",
            (None, false) => "done",
        };
        f.debug_struct("HandoffFuture").field("state", &state).finish_non_exhaustive()
    }
}
