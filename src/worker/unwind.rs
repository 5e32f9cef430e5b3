//! Catching a worker's panic, in a thread or in a task, as a message.

use std::any::Any;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

/// The text of a panic payload: the `&str` or `String` given to `panic!`, else a note.
pub(crate) fn panic_message(payload: Box<dyn Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(msg) => *msg,
        Err(payload) => match payload.downcast::<&'static str>() {
            Ok(msg) => (*msg).to_owned(),
            Err(_) => "a panic whose payload is not a string".to_owned(),
        },
    }
}

/// Runs `f`, turning a panic into `Err(message)`.
pub(crate) fn catch<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    // AssertUnwindSafe: after a panic nothing of `f`'s state is used again; it is dropped.
    catch_unwind(AssertUnwindSafe(f)).map_err(panic_message)
}

/// A future that resolves to `Err(message)` instead of unwinding if the inner future panics,
/// and drops the inner future at once then (so the worker's messenger end goes away before
/// the host is told).
pub(crate) struct CatchUnwind<F> {
    inner: Option<Pin<Box<F>>>,
}

impl<F> CatchUnwind<F> {
    pub(crate) fn new(inner: F) -> Self {
        Self { inner: Some(Box::pin(inner)) }
    }
}

impl<F: Future> Future for CatchUnwind<F> {
    type Output = Result<F::Output, String>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // `CatchUnwind` is `Unpin`: the inner future is pinned in its own box.
        let this = self.get_mut();
        let inner = this.inner.as_mut().expect("CatchUnwind polled after completion");
        let result = match catch(|| inner.as_mut().poll(cx)) {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(output)) => Ok(output),
            Err(msg) => Err(msg),
        };
        // A destructor that panics too must not hide the first panic's message.
        let inner = this.inner.take();
        let _ = catch(move || drop(inner));
        Poll::Ready(result)
    }
}
