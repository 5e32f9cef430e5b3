//! The [`Receive`] builder, shared by every layer that receives: `.matching(..)` for Erlang's
//! selective receive, `.timeout(d)` / `.deadline(at)`, `.after(d, f)` for a fallback value,
//! then `.await` in a task or `.wait()` on a thread.
//!
//! ```
//! use std::time::Duration;
//!
//! # tokio_test::block_on(async {
//! let (tx, mut mailbox) = tidings::unbounded::<u32>();
//! tx.try_send(1).unwrap();
//! tx.try_send(42).unwrap();
//!
//! // Selective receive: the first message the predicate accepts; 1 stays queued.
//! assert_eq!(mailbox.recv().matching(|n| *n > 10).await, Ok(42));
//! assert_eq!(mailbox.recv().await, Ok(1));
//!
//! // Erlang's `receive ... after`: a value instead of a timeout error.
//! let n = mailbox.recv().after(Duration::from_millis(5), || 0).await;
//! assert_eq!(n, Ok(0));
//! # });
//! ```

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use crate::error::RecvError;

/// A receive being built: what to accept, how long to wait, what to return on timeout.
///
/// Made by [`Mailbox::recv`](crate::Mailbox::recv) (and the receive methods of the layers
/// above). Nothing happens until it is awaited (`IntoFuture`) or [`wait`](Receive::wait)ed.
///
/// The type parameters record the builder steps: `S` is where messages come from, `M` the
/// filter given to `matching` ([`AnyMessage`] if none), `A` the timeout fallback given to
/// `after` ([`NoAfter`] if none).
#[must_use = "a receive does nothing until it is awaited or `.wait()`ed"]
pub struct Receive<S, M = AnyMessage, A = NoAfter> {
    pub(crate) source: S,
    pub(crate) matcher: M,
    pub(crate) deadline: Option<Instant>,
    pub(crate) after: A,
}

/// The filter of a receive without `matching`: every message is accepted.
#[derive(Debug, Clone, Copy, Default)]
pub struct AnyMessage;

/// What a mailbox receive accepts: [`AnyMessage`], or a predicate given to
/// [`Receive::matching`].
pub trait MessageFilter<T> {
    /// True if every message is accepted (lets the plain receive skip the filter).
    const ACCEPTS_ALL: bool = false;

    /// True if `msg` is accepted.
    fn accept(&mut self, msg: &T) -> bool;
}

impl<T> MessageFilter<T> for AnyMessage {
    const ACCEPTS_ALL: bool = true;

    fn accept(&mut self, _: &T) -> bool {
        true
    }
}

impl<T, F: FnMut(&T) -> bool> MessageFilter<T> for F {
    fn accept(&mut self, msg: &T) -> bool {
        self(msg)
    }
}

/// The fallback of a receive without `after`: a timeout is `Err(RecvError::Timeout)`.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoAfter;

/// The fallback given to [`Receive::after`]: on timeout, its value is the receive's result.
#[derive(Clone, Copy)]
pub struct After<F>(F);

impl<F> fmt::Debug for After<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("After(..)")
    }
}

impl<S, M, A> fmt::Debug for Receive<S, M, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receive").field("deadline", &self.deadline).finish_non_exhaustive()
    }
}

pub(crate) mod sealed {
    use super::*;

    /// Where a [`Receive`] takes messages from, filtered by `M`.
    ///
    /// An implementation must follow the crate's waiting rule (try → register → try again)
    /// and withdraw its registration whenever it returns a result, and in `cancel`.
    pub trait Source<M> {
        /// What a successful receive yields.
        type Output;
        /// Per-receive progress kept across polls (e.g. how much of a save queue was scanned).
        type State: Default;

        /// Takes an accepted message, or registers the task and returns `Pending`.
        fn poll_take(
            &mut self,
            matcher: &mut M,
            state: &mut Self::State,
            cx: &mut Context<'_>,
        ) -> Poll<Result<Self::Output, RecvError>>;

        /// Takes an accepted message, blocking the thread until one comes, the source closes
        /// or `deadline` passes (`None`).
        #[track_caller]
        fn wait_take(
            &mut self,
            matcher: &mut M,
            state: &mut Self::State,
            deadline: Option<Instant>,
        ) -> Option<Result<Self::Output, RecvError>>;

        /// The receive is over without a result (timed out or dropped): withdraw any
        /// registration.
        fn cancel(&mut self, state: &mut Self::State);
    }

    /// What a receive returns when its deadline passes.
    pub trait OnTimeout<T> {
        /// The result for a timed-out receive.
        fn on_timeout(self) -> Result<T, RecvError>;
    }
}

use sealed::{OnTimeout, Source};

impl<T> OnTimeout<T> for NoAfter {
    fn on_timeout(self) -> Result<T, RecvError> {
        Err(RecvError::Timeout)
    }
}

impl<T, F: FnOnce() -> T> OnTimeout<T> for After<F> {
    fn on_timeout(self) -> Result<T, RecvError> {
        Ok((self.0)())
    }
}

/// The deadline `d` from now; `None` (no deadline) if it is too far to represent, so that
/// `Duration::MAX` means "forever" instead of an overflow panic.
#[inline]
pub(crate) fn deadline_after(d: Duration) -> Option<Instant> {
    Instant::now().checked_add(d)
}

impl<S, M, A> Receive<S, M, A> {
    #[inline]
    pub(crate) fn new(source: S, matcher: M, after: A) -> Self {
        Self { source, matcher, deadline: None, after }
    }

    /// Gives up with `Err(RecvError::Timeout)` if no message is accepted within `d`.
    ///
    /// The timer starts now, when the receive is built. `Duration::ZERO` checks once and never
    /// waits; `Duration::MAX` (or anything too far to represent) means no deadline.
    pub fn timeout(mut self, d: Duration) -> Self {
        self.deadline = deadline_after(d);
        self
    }

    /// Gives up with `Err(RecvError::Timeout)` if no message is accepted by `at`.
    pub fn deadline(mut self, at: Instant) -> Self {
        self.deadline = Some(at);
        self
    }

    /// Erlang's `receive ... after`: if no message is accepted within `d`, the receive returns
    /// `Ok(fallback())` instead of an error. Replaces any earlier timeout or deadline; the timer
    /// starts now.
    ///
    /// ```
    /// # fn main() {
    /// use std::time::Duration;
    ///
    /// let (_tx, mut mailbox) = tidings::unbounded::<&str>();
    /// let msg = mailbox.recv().after(Duration::from_millis(1), || "tick").wait();
    /// assert_eq!(msg, Ok("tick"));
    /// # }
    /// ```
    pub fn after<F>(self, d: Duration, fallback: F) -> Receive<S, M, After<F>> {
        Receive {
            source: self.source,
            matcher: self.matcher,
            deadline: deadline_after(d),
            after: After(fallback),
        }
    }
}

impl<S, M, A> Receive<S, M, A>
where
    S: Source<M>,
    A: OnTimeout<S::Output>,
{
    /// Receives on the current thread, parking it while nothing acceptable is queued.
    ///
    /// # Errors
    ///
    /// [`RecvError::Timeout`] if a timeout or deadline passed (and no `after` fallback was
    /// given), [`RecvError::Closed`] if nothing acceptable is queued and nothing more can
    /// arrive (every sender gone, or the mailbox closed).
    ///
    /// # Panics
    ///
    /// If it has to wait on a thread that drives a tokio runtime (a worker thread, or inside
    /// `block_on`): blocking there can deadlock the runtime, so use `.await` instead (waiting
    /// inside `tokio::task::spawn_blocking` is fine). Tokio's own message about blocking is
    /// printed first, then ours. A receive that finds a message at once never panics.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, mut mailbox) = tidings::bounded(8);
    /// std::thread::spawn(move || tx.send_blocking("hello").unwrap());
    /// assert_eq!(mailbox.recv().wait(), Ok("hello"));
    /// assert_eq!(mailbox.recv().wait(), Err(tidings::RecvError::Closed));
    /// ```
    #[track_caller]
    #[inline]
    pub fn wait(mut self) -> Result<S::Output, RecvError> {
        let mut state = S::State::default();
        match self.source.wait_take(&mut self.matcher, &mut state, self.deadline) {
            Some(result) => result,
            None => self.after.on_timeout(),
        }
    }
}

impl<S, M, A> IntoFuture for Receive<S, M, A>
where
    S: Source<M>,
    A: OnTimeout<S::Output>,
{
    type Output = Result<S::Output, RecvError>;
    type IntoFuture = ReceiveFuture<S, M, A>;

    /// # Cancel safety
    ///
    /// Cancel-safe: a message is only taken from the queue when the future returns it, so
    /// dropping the future (in `select!`, under a timeout) loses nothing; messages a
    /// `matching` receive skipped stay queued in order.
    #[inline]
    fn into_future(self) -> Self::IntoFuture {
        ReceiveFuture {
            source: self.source,
            matcher: self.matcher,
            deadline: self.deadline,
            after: Some(self.after),
            state: S::State::default(),
            sleep: None,
        }
    }
}

/// The future of an awaited [`Receive`].
///
/// # Cancel safety
///
/// Cancel-safe: dropping it loses no message and withdraws its registration.
///
/// # Panics
///
/// A receive with a timeout, deadline or `after` needs a tokio runtime with the time driver
/// enabled when it has to wait; polling it elsewhere panics (tokio's timer rule).
#[must_use = "futures do nothing unless polled"]
pub struct ReceiveFuture<S: Source<M>, M, A> {
    source: S,
    matcher: M,
    deadline: Option<Instant>,
    /// Taken when the deadline passes.
    after: Option<A>,
    state: S::State,
    /// Created the first time the receive has to wait for its deadline.
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
}

// The future never pins any of its fields (the timer is boxed), so it is `Unpin` whatever
// the message, filter and fallback types are.
impl<S: Source<M>, M, A> Unpin for ReceiveFuture<S, M, A> {}

impl<S: Source<M>, M, A> fmt::Debug for ReceiveFuture<S, M, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReceiveFuture").field("deadline", &self.deadline).finish_non_exhaustive()
    }
}

impl<S, M, A> Future for ReceiveFuture<S, M, A>
where
    S: Source<M>,
    A: OnTimeout<S::Output>,
{
    type Output = Result<S::Output, RecvError>;

    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if let Poll::Ready(result) = this.source.poll_take(&mut this.matcher, &mut this.state, cx) {
            return Poll::Ready(result);
        }
        let Some(deadline) = this.deadline else { return Poll::Pending };
        if Instant::now() < deadline {
            let sleep = this.sleep.get_or_insert_with(|| {
                Box::pin(tokio::time::sleep_until(tokio::time::Instant::from_std(deadline)))
            });
            if sleep.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
        }
        // The deadline passed, and `poll_take` above just checked one last time.
        this.source.cancel(&mut this.state);
        let after = this.after.take().expect("receive future polled after completion");
        Poll::Ready(after.on_timeout())
    }
}

impl<S: Source<M>, M, A> Drop for ReceiveFuture<S, M, A> {
    #[inline]
    fn drop(&mut self) {
        self.source.cancel(&mut self.state);
        // Only a receive that waited for its deadline has a timer; the others skip the call
        // to its drop glue.
        if let Some(sleep) = self.sleep.take() {
            drop(sleep);
        }
    }
}
