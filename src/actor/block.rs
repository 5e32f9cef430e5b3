//! Small tools the actor layer shares: catching a panic inside a future, and the check that a
//! thread may block at all. (Driving a future on a plain thread is the wait layer's
//! [`block_on`](crate::wait::block_on) and [`poll_until`](crate::wait::poll_until).)

use std::any::Any;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

/// False when blocking this thread could deadlock a tokio runtime (a worker thread, or inside
/// `block_on`); true on plain threads, in `spawn_blocking`, and under a mere `Handle::enter`.
///
/// The core's check ([`crate::wait::blocking_allowed`]) asks tokio itself, through a blocking
/// call that panics where blocking is not allowed; tokio's panic message is printed by the
/// panic hook when the answer is "no". It only runs on a thread with a runtime context.
pub(crate) fn blocking_allowed() -> bool {
    crate::wait::blocking_allowed()
}

/// A future that turns a panic in `F::poll` into `Err(panic message)`.
pub(crate) struct CatchUnwind<F>(pub(crate) F);

impl<F: Future + Unpin> Future for CatchUnwind<F> {
    type Output = Result<F::Output, String>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let fut = &mut self.get_mut().0;
        // AssertUnwindSafe: after a panic the future is never polled again (the caller stops
        // the actor), so no broken state is observed through it.
        match catch_unwind(AssertUnwindSafe(|| Pin::new(fut).poll(cx))) {
            Ok(Poll::Ready(out)) => Poll::Ready(Ok(out)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(payload) => Poll::Ready(Err(panic_message(payload.as_ref()))),
        }
    }
}

/// The text of a panic payload (`panic!` with a message gives a `&str` or a `String`).
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&str>() {
        (*message).to_owned()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "panic with a non-string payload".to_owned()
    }
}
