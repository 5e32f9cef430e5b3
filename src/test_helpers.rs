//! Helpers shared by the unit tests and loom models of several modules.

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;

use crate::{bounded, unbounded, Mailbox, Sender};

/// A message carrying `.0` that counts its drops into the shared counter `.1`.
pub(crate) struct Counted<V>(pub(crate) V, pub(crate) Arc<AtomicUsize>);

impl<V> Drop for Counted<V> {
    fn drop(&mut self) {
        self.1.fetch_add(1, SeqCst);
    }
}

/// A mailbox of `cap` (unbounded for `None`), for tests that run on both kinds of ring.
pub(crate) fn mailbox<T>(cap: Option<usize>) -> (Sender<T>, Mailbox<T>) {
    match cap {
        Some(cap) => bounded(cap),
        None => unbounded(),
    }
}

#[cfg(not(tidings_loom))]
pub(crate) use wakers::{counting_waker, poll_with};

#[cfg(not(tidings_loom))]
mod wakers {
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    use std::sync::Arc;
    use std::task::{Context, Poll, Wake, Waker};

    /// A waker that counts its wake-ups (in `.0`).
    #[derive(Default)]
    pub(crate) struct Count(pub(crate) AtomicUsize);

    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, SeqCst);
        }
    }

    /// A waker and the count of its wake-ups.
    pub(crate) fn counting_waker() -> (Arc<Count>, Waker) {
        let count = Arc::new(Count::default());
        (count.clone(), Waker::from(count))
    }

    /// Polls `fut` once with `waker`.
    pub(crate) fn poll_with<F: Future + Unpin>(fut: &mut F, waker: &Waker) -> Poll<F::Output> {
        Pin::new(fut).poll(&mut Context::from_waker(waker))
    }
}
