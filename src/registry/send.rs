//! Sends that wait for room on a bounded tag: [`SendAsync`] and the blocking variant.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use super::queue::{Queue, Stamped};
use super::table::Shared;
use super::RegistryError;
use crate::error::{SendError, SendTimeoutError};
use crate::wait::Registration;

/// The future of [`Registry::send_async`](crate::Registry::send_async).
///
/// # Cancel safety
///
/// If it is dropped before it completes, the message was not sent (it is dropped with the
/// future), and a wake-up it had received passes on to the next sender waiting on the tag.
#[must_use = "futures do nothing unless polled"]
pub struct SendAsync<'a, T> {
    shared: &'a Shared<T>,
    /// `None` if the tag has no queue and the registry is at its tag limit.
    queue: Option<Arc<Queue<T>>>,
    /// The message while the send waits; `None` once done.
    msg: Option<Stamped<T>>,
    reg: Registration,
}

impl<'a, T> SendAsync<'a, T> {
    pub(super) fn new(shared: &'a Shared<T>, tag: &str, msg: T) -> Self {
        SendAsync {
            shared,
            queue: shared.queue(tag),
            msg: Some((0, msg)),
            reg: Registration::new(),
        }
    }
}

// The future never pins its fields.
impl<T> Unpin for SendAsync<'_, T> {}

impl<T> Future for SendAsync<'_, T> {
    type Output = Result<(), RegistryError<T>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        loop {
            let Some(queue) = &this.queue else {
                let (_, msg) = this.msg.take().expect("SendAsync polled after completion");
                return Poll::Ready(Err(RegistryError::TagLimit(msg)));
            };
            if let Some((stamp, _)) = &mut this.msg {
                *stamp = this.shared.stamp();
            }
            // `&mut true`: a registry send never steps aside (see `Sender::send`); only the
            // mailbox's plain `send` was measured with it.
            match queue.chan().poll_send(&mut this.msg, &mut this.reg, &mut true, cx) {
                Poll::Ready(Ok(())) => {
                    queue.notify_receivers();
                    return Poll::Ready(Ok(()));
                }
                // `set_tags` retired the queue: look the tag up again.
                Poll::Ready(Err(SendError(back))) => {
                    this.msg = Some(back);
                    let tag = queue.tag.clone();
                    this.queue = this.shared.queue(&tag);
                }
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

impl<T> Drop for SendAsync<'_, T> {
    fn drop(&mut self) {
        if let Some(queue) = &self.queue {
            queue.chan().cancel_send(&mut self.reg);
        }
    }
}

impl<T> fmt::Debug for SendAsync<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendAsync")
            .field("tag", &self.queue.as_ref().map(|queue| &queue.tag))
            .field("done", &self.msg.is_none())
            .finish_non_exhaustive()
    }
}

/// Sends from a thread, parking it while the tag's queue is full, for at most `timeout`
/// (`None`: no limit).
#[track_caller]
pub(super) fn send_blocking<T>(
    shared: &Shared<T>,
    tag: &str,
    mut msg: T,
    timeout: Option<Duration>,
    what: &'static str,
) -> Result<(), RegistryError<T>> {
    let Some(mut queue) = shared.queue(tag) else {
        return Err(RegistryError::TagLimit(msg));
    };
    // Only a send moved to a new queue by `set_tags` needs to know how long it has waited.
    let start = timeout.map(|_| Instant::now());
    let mut left = timeout;
    loop {
        match queue.chan().send_blocking(shared.stamped(msg), left, what) {
            Ok(()) => {
                queue.notify_receivers();
                return Ok(());
            }
            Err(SendTimeoutError::Timeout((_, back))) => return Err(RegistryError::Timeout(back)),
            // `set_tags` retired the queue: look the tag up again.
            Err(SendTimeoutError::Closed((_, back))) => {
                msg = back;
                let tag = queue.tag.clone();
                queue = match shared.queue(&tag) {
                    Some(queue) => queue,
                    None => return Err(RegistryError::TagLimit(msg)),
                };
                if let (Some(timeout), Some(start)) = (timeout, start) {
                    left = Some(timeout.saturating_sub(start.elapsed()));
                }
            }
        }
    }
}
