//! The receive builders of a messenger end: [`Receiving`] (`.timeout`, `.deadline`, `.wait()`
//! or `.await`) and the [`Remaining`] stream / iterator.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::hash::Hash;
use std::iter::FusedIterator;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures_core::{FusedStream, Stream};
use tokio::time::Sleep;

use super::discipline::Discipline;
use super::error::MessengerError;
use super::inner::{next_payload, Core, Take};
use crate::receive::deadline_after;

/// A messenger receive being built: how long to wait, then `.await` in a task or
/// [`wait`](Receiving::wait) on a thread.
///
/// Made by [`Messenger::receive`](crate::Messenger::receive) (`O` = the message),
/// [`receive_message`](crate::Messenger::receive_message) (`O` =
/// [`Message`](super::Message), with its kind) and
/// [`await_available`](crate::Messenger::await_available) (`O` = how many messages are
/// queued), and by the same methods of a [`Channel`](super::Channel). Nothing happens until it
/// is awaited or waited on.
///
/// Every receive returns, in this order: a pending special message from the peer
/// ([`MessengerError::Peer`], [`MessengerError::CloseRequested`]) — they overtake data and are
/// returned on any channel; else what it asked for; else [`MessengerError::Disconnected`] if
/// the peer is gone; else it waits (until the timeout: [`MessengerError::Timeout`]).
#[must_use = "a receive does nothing until it is awaited or `.wait()`ed"]
pub struct Receiving<'a, C, T, Q: Discipline<T>, O> {
    core: &'a mut Core<C, T, Q>,
    // `&mut` (used read-only) rather than `&`: keeps the future `Send` for any `C: Send`.
    channel: &'a mut C,
    take: Take<C, T, Q, O>,
    deadline: Option<Instant>,
}

impl<'a, C, T, Q: Discipline<T>, O> Receiving<'a, C, T, Q, O> {
    pub(crate) fn new(
        core: &'a mut Core<C, T, Q>,
        channel: &'a mut C,
        take: Take<C, T, Q, O>,
    ) -> Self {
        Self { core, channel, take, deadline: None }
    }

    /// Gives up with [`MessengerError::Timeout`] if nothing is received within `d`.
    ///
    /// The timer starts now. `Duration::ZERO` checks once and never waits; `Duration::MAX`
    /// means no timeout. (coproc's receives have no timeout.)
    pub fn timeout(mut self, d: Duration) -> Self {
        self.deadline = deadline_after(d);
        self
    }

    /// Gives up with [`MessengerError::Timeout`] if nothing is received by `at`.
    pub fn deadline(mut self, at: Instant) -> Self {
        self.deadline = Some(at);
        self
    }
}

impl<C: Hash + Eq + Clone, T, Q: Discipline<T>, O> Receiving<'_, C, T, Q, O> {
    /// Receives on the current thread, parking it until something arrives.
    ///
    /// # Errors
    ///
    /// [`MessengerError::Peer`] or [`MessengerError::CloseRequested`] if the peer sent one
    /// (queued data stays for the next receive), [`MessengerError::Disconnected`] if nothing
    /// is queued and the peer is gone, [`MessengerError::Timeout`] after a timeout.
    ///
    /// # Panics
    ///
    /// If it has to wait on a thread that drives a tokio runtime (use `.await` there); see
    /// [`Receive::wait`](crate::Receive::wait).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use tidings::{Messenger, MessengerError};
    ///
    /// let (mut host, mut worker) = Messenger::<(), u32>::pair();
    /// std::thread::spawn(move || worker.send_norequest(7));
    /// assert_eq!(host.receive().timeout(Duration::from_secs(5)).wait().unwrap(), 7);
    /// // The worker thread is done and its end dropped: nothing more can come.
    /// assert!(matches!(host.receive().wait(), Err(MessengerError::Disconnected)));
    /// ```
    #[track_caller]
    pub fn wait(self) -> Result<O, MessengerError> {
        self.core.wait(self.channel, self.take, self.deadline)
    }
}

impl<'a, C: Hash + Eq + Clone, T, Q: Discipline<T>, O> IntoFuture for Receiving<'a, C, T, Q, O> {
    type Output = Result<O, MessengerError>;
    type IntoFuture = ReceivingFuture<'a, C, T, Q, O>;

    /// # Cancel safety
    ///
    /// Cancel-safe: see [`ReceivingFuture`].
    fn into_future(self) -> Self::IntoFuture {
        ReceivingFuture {
            core: self.core,
            channel: self.channel,
            take: self.take,
            deadline: self.deadline,
            sleep: None,
        }
    }
}

impl<C, T, Q: Discipline<T>, O> fmt::Debug for Receiving<'_, C, T, Q, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiving").field("deadline", &self.deadline).finish_non_exhaustive()
    }
}

/// The future of an awaited [`Receiving`].
///
/// # Cancel safety
///
/// Cancel-safe: a message (or special message) is only taken when the future returns it.
/// Whatever arrived while it waited was sorted into the end's local queues, where the next
/// receive finds it; dropping the future (in `select!`, under a timeout) loses nothing.
///
/// # Panics
///
/// A receive with a timeout or deadline needs a tokio runtime with the time driver when it has
/// to wait (tokio's timer rule).
#[must_use = "futures do nothing unless polled"]
pub struct ReceivingFuture<'a, C, T, Q: Discipline<T>, O> {
    core: &'a mut Core<C, T, Q>,
    channel: &'a mut C,
    take: Take<C, T, Q, O>,
    deadline: Option<Instant>,
    /// Created the first time the receive has to wait for its deadline.
    sleep: Option<Pin<Box<Sleep>>>,
}

impl<C: Hash + Eq + Clone, T, Q: Discipline<T>, O> Future for ReceivingFuture<'_, C, T, Q, O> {
    type Output = Result<O, MessengerError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if let Poll::Ready(result) = this.core.poll(this.channel, this.take, cx) {
            return Poll::Ready(result);
        }
        // `poll` just checked one last time, so a passed deadline is a real timeout.
        if deadline_passed(this.deadline, &mut this.sleep, cx) {
            return Poll::Ready(Err(MessengerError::Timeout));
        }
        Poll::Pending
    }
}

impl<C, T, Q: Discipline<T>, O> fmt::Debug for ReceivingFuture<'_, C, T, Q, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReceivingFuture").field("deadline", &self.deadline).finish_non_exhaustive()
    }
}

/// True once `deadline` has passed; otherwise arms `sleep` to wake the task at the deadline.
fn deadline_passed(
    deadline: Option<Instant>,
    sleep: &mut Option<Pin<Box<Sleep>>>,
    cx: &mut Context<'_>,
) -> bool {
    let Some(deadline) = deadline else { return false };
    if Instant::now() >= deadline {
        return true;
    }
    let sleep = sleep.get_or_insert_with(|| {
        Box::pin(tokio::time::sleep_until(tokio::time::Instant::from_std(deadline)))
    });
    sleep.as_mut().poll(cx).is_ready()
}

/// The replies still expected on a channel, made by
/// [`Messenger::receive_remaining`](crate::Messenger::receive_remaining): a [`Stream`] for
/// tasks, and [`IntoIterator`] into a blocking iterator ([`RemainingIter`]) for threads — so
/// `for reply in host.receive_remaining()` blocks, and `StreamExt` methods stay unambiguous.
///
/// Each item is one receive on the channel — the next message there, whatever its kind, as in
/// coproc — and the sequence ends once [`remaining`](crate::Messenger::remaining) is 0 or
/// less (it is checked before every receive). A special message from the peer is yielded as
/// an `Err` and the sequence goes on; `Disconnected` and `Timeout` end it.
///
/// ```
/// use tidings::Messenger;
///
/// let (mut host, mut worker) = Messenger::<(), u32>::pair();
/// host.send_request_multiple([1, 2, 3]).unwrap();
/// let echo = std::thread::spawn(move || {
///     for _ in 0..3 {
///         let n = worker.receive_blocking().unwrap();
///         worker.send_reply(n * 10).unwrap();
///     }
/// });
/// let replies: Result<Vec<u32>, _> = host.receive_remaining().into_iter().collect();
/// assert_eq!(replies.unwrap(), [10, 20, 30]);
/// assert_eq!(host.remaining(), 0);
/// echo.join().unwrap();
/// ```
#[must_use = "iterators and streams are lazy and do nothing unless consumed"]
pub struct Remaining<'a, C, T, Q: Discipline<T>> {
    core: &'a mut Core<C, T, Q>,
    channel: &'a mut C,
    /// One deadline for the whole sequence.
    deadline: Option<Instant>,
    sleep: Option<Pin<Box<Sleep>>>,
    /// Set after `Disconnected` or `Timeout`: nothing more will be yielded.
    done: bool,
}

impl<'a, C, T, Q: Discipline<T>> Remaining<'a, C, T, Q> {
    pub(crate) fn new(core: &'a mut Core<C, T, Q>, channel: &'a mut C) -> Self {
        Self { core, channel, deadline: None, sleep: None, done: false }
    }

    /// Gives the whole sequence `d` from now: once it passes, the next item is
    /// `Err(MessengerError::Timeout)` and the sequence ends.
    pub fn timeout(mut self, d: Duration) -> Self {
        self.deadline = deadline_after(d);
        self
    }

    /// Ends the sequence with `Err(MessengerError::Timeout)` once `at` passes.
    pub fn deadline(mut self, at: Instant) -> Self {
        self.deadline = Some(at);
        self
    }
}

impl<C: Hash + Eq + Clone, T, Q: Discipline<T>> Remaining<'_, C, T, Q> {
    fn finished(&self) -> bool {
        self.done || self.core.counters(self.channel).remaining() <= 0
    }

    fn yielded(&mut self, result: Result<T, MessengerError>) -> Option<Result<T, MessengerError>> {
        if matches!(result, Err(MessengerError::Disconnected | MessengerError::Timeout)) {
            self.done = true;
        }
        Some(result)
    }
}

/// The stream of replies, for tasks.
///
/// # Cancel safety
///
/// Cancel-safe: a `next()` future that is dropped has taken nothing (what arrived is kept in
/// the end's local queues).
impl<C: Hash + Eq + Clone, T, Q: Discipline<T>> Stream for Remaining<'_, C, T, Q> {
    type Item = Result<T, MessengerError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.finished() {
            return Poll::Ready(None);
        }
        if let Poll::Ready(result) = this.core.poll(this.channel, next_payload, cx) {
            return Poll::Ready(this.yielded(result));
        }
        if deadline_passed(this.deadline, &mut this.sleep, cx) {
            return Poll::Ready(this.yielded(Err(MessengerError::Timeout)));
        }
        Poll::Pending
    }
}

impl<C: Hash + Eq + Clone, T, Q: Discipline<T>> FusedStream for Remaining<'_, C, T, Q> {
    /// True once the sequence has ended: nothing is outstanding, or it was cut short.
    fn is_terminated(&self) -> bool {
        self.finished()
    }
}

impl<'a, C: Hash + Eq + Clone, T, Q: Discipline<T>> IntoIterator for Remaining<'a, C, T, Q> {
    type Item = Result<T, MessengerError>;
    type IntoIter = RemainingIter<'a, C, T, Q>;

    /// The blocking iterator of replies, for threads.
    fn into_iter(self) -> Self::IntoIter {
        RemainingIter(self)
    }
}

/// The blocking iterator of a [`Remaining`], for threads: each `next` is one blocking
/// receive, with the same items and end as the stream.
///
/// # Panics
///
/// `next` panics if it has to wait on a thread that drives a tokio runtime (use the
/// [`Stream`] there); see [`Receive::wait`](crate::Receive::wait).
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct RemainingIter<'a, C, T, Q: Discipline<T>>(Remaining<'a, C, T, Q>);

impl<C: Hash + Eq + Clone, T, Q: Discipline<T>> Iterator for RemainingIter<'_, C, T, Q> {
    type Item = Result<T, MessengerError>;

    #[track_caller]
    fn next(&mut self) -> Option<Self::Item> {
        let remaining = &mut self.0;
        if remaining.finished() {
            return None;
        }
        let result = remaining.core.wait(remaining.channel, next_payload, remaining.deadline);
        remaining.yielded(result)
    }
}

impl<C: Hash + Eq + Clone, T, Q: Discipline<T>> FusedIterator for RemainingIter<'_, C, T, Q> {}

impl<C, T, Q: Discipline<T>> fmt::Debug for RemainingIter<'_, C, T, Q> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RemainingIter").field(&self.0).finish()
    }
}

impl<C, T, Q: Discipline<T>> fmt::Debug for Remaining<'_, C, T, Q> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Remaining")
            .field("deadline", &self.deadline)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}
