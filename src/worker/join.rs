//! [`Join`]: waiting for a worker's result, with a timeout, in a task or on a thread.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use super::error::WorkerError;
use crate::receive::{deadline_after, AnyMessage, NoAfter, ReceiveFuture};
use crate::{Mailbox, RecvError};

/// What a worker's task or thread sends when its function returns: the result, or the panic
/// message.
pub(crate) type Outcome<R> = Result<R, String>;

/// Where a worker runs.
pub(crate) enum Handle {
    Task(tokio::task::JoinHandle<()>),
    /// `None` once the thread was joined.
    Thread(Option<std::thread::JoinHandle<()>>),
}

/// Where a worker is in its life, as its handle sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    Running,
    Joined,
    Terminated,
}

/// The part of a worker that `join` needs (everything but the messenger, which `join` leaves
/// alone: the data it holds stays receivable).
pub(crate) struct Run<R> {
    pub(crate) done: Mailbox<Outcome<R>>,
    pub(crate) handle: Handle,
    pub(crate) state: State,
}

impl<R> Run<R> {
    /// The error a join returns without waiting, if the worker is no longer joinable.
    fn not_joinable(&self) -> Option<WorkerError> {
        match self.state {
            State::Running => None,
            State::Joined => Some(WorkerError::AlreadyJoined),
            State::Terminated => Some(WorkerError::Terminated),
        }
    }
}

/// Turns what the join received into its result and moves the worker to its next state.
/// `blocking`: on a thread, so an OS thread that delivered its result may be joined (it only
/// has to return); in a task it is detached instead, never blocked on.
fn finish<R>(
    state: &mut State,
    handle: &mut Handle,
    received: Result<Outcome<R>, RecvError>,
    blocking: bool,
) -> Result<R, WorkerError> {
    let outcome = match received {
        Ok(outcome) => outcome,
        Err(RecvError::Timeout | RecvError::NoTags) => return Err(WorkerError::Timeout),
        // The sender went away without a result: the task was cancelled (runtime shutdown).
        Err(RecvError::Closed) => {
            *state = State::Terminated;
            return Err(WorkerError::Terminated);
        }
    };
    *state = State::Joined;
    if let Handle::Thread(thread) = handle {
        if let Some(thread) = thread.take() {
            if blocking {
                // It has sent its result: all that is left is returning. Its panic, if any,
                // was caught and is in `outcome`.
                let _ = thread.join();
            }
        }
    }
    outcome.map_err(WorkerError::Panicked)
}

/// Waiting for a worker to finish, made by [`Worker::join`](crate::Worker::join) and
/// [`Worker::stop`](crate::Worker::stop): `.await` it in a task or [`wait`](Join::wait) on a
/// thread, optionally after [`timeout`](Join::timeout).
///
/// The result is the value the worker's function returned, or a [`WorkerError`]:
/// `Panicked(message)`, `Timeout` (the worker keeps running and can be joined again),
/// `Terminated`, or `AlreadyJoined`. Joining never touches the worker's messenger: whatever
/// the worker sent before it finished stays receivable through
/// [`Worker::messenger`](crate::Worker::messenger).
#[must_use = "a join does nothing until it is awaited or `.wait()`ed"]
pub struct Join<'a, R> {
    run: &'a mut Run<R>,
    deadline: Option<Instant>,
}

impl<'a, R> Join<'a, R> {
    pub(crate) fn new(run: &'a mut Run<R>) -> Self {
        Self { run, deadline: None }
    }

    /// Gives up with [`WorkerError::Timeout`] if the worker has not finished within `d`
    /// (the timer starts now; `Duration::MAX` waits forever).
    pub fn timeout(mut self, d: Duration) -> Self {
        self.deadline = deadline_after(d);
        self
    }

    /// Gives up with [`WorkerError::Timeout`] if the worker has not finished by `at`.
    pub fn deadline(mut self, at: Instant) -> Self {
        self.deadline = Some(at);
        self
    }

    /// Waits on the current thread for the worker to finish, and returns its result.
    ///
    /// # Errors
    ///
    /// [`WorkerError::Panicked`] with the panic message, [`WorkerError::Timeout`] (the worker
    /// keeps running), [`WorkerError::Terminated`], [`WorkerError::AlreadyJoined`].
    ///
    /// # Panics
    ///
    /// If it has to wait on a thread that drives a tokio runtime (use `.await` there); see
    /// [`Receive::wait`](crate::Receive::wait).
    #[track_caller]
    pub fn wait(self) -> Result<R, WorkerError> {
        if let Some(err) = self.run.not_joinable() {
            return Err(err);
        }
        let Run { done, handle, state } = self.run;
        if done.is_empty() {
            // About to wait: name the worker call in the panic, rather than the mailbox's.
            crate::wait::assert_blocking_allowed("`Worker::join(..).wait()` (or `stop`)");
        }
        let receive = done.recv();
        let receive = match self.deadline {
            Some(at) => receive.deadline(at),
            None => receive,
        };
        finish(state, handle, receive.wait(), true)
    }
}

impl<'a, R> IntoFuture for Join<'a, R> {
    type Output = Result<R, WorkerError>;
    type IntoFuture = JoinFuture<'a, R>;

    /// # Cancel safety
    ///
    /// Cancel-safe: see [`JoinFuture`].
    fn into_future(self) -> Self::IntoFuture {
        if let Some(err) = self.run.not_joinable() {
            return JoinFuture { inner: Err(Some(err)) };
        }
        let Run { done, handle, state } = self.run;
        let receive = done.recv();
        let receive = match self.deadline {
            Some(at) => receive.deadline(at),
            None => receive,
        };
        JoinFuture { inner: Ok((receive.into_future(), state, handle)) }
    }
}

impl<R> fmt::Debug for Join<'_, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Join").field("deadline", &self.deadline).finish_non_exhaustive()
    }
}

/// The waiting part of an awaited join: the receive of the worker's outcome, and where to
/// record it.
type Waiting<'a, R> = (
    ReceiveFuture<&'a mut Mailbox<Outcome<R>>, AnyMessage, NoAfter>,
    &'a mut State,
    &'a mut Handle,
);

/// The future of an awaited [`Join`].
///
/// # Cancel safety
///
/// Cancel-safe: the worker's result is only taken when the future returns it; a join that is
/// dropped (or times out) leaves the worker running and joinable.
///
/// # Panics
///
/// A join with a timeout or deadline needs a tokio runtime with the time driver when it has
/// to wait (tokio's timer rule).
#[must_use = "futures do nothing unless polled"]
pub struct JoinFuture<'a, R> {
    /// `Err`: the worker was not joinable; the error, until it is returned.
    inner: Result<Waiting<'a, R>, Option<WorkerError>>,
}

impl<R> Future for JoinFuture<'_, R> {
    type Output = Result<R, WorkerError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.get_mut().inner {
            Err(err) => Poll::Ready(Err(err.take().expect("JoinFuture polled after completion"))),
            Ok((receive, state, handle)) => match Pin::new(receive).poll(cx) {
                Poll::Ready(received) => Poll::Ready(finish(state, handle, received, false)),
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

impl<R> fmt::Debug for JoinFuture<'_, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinFuture").finish_non_exhaustive()
    }
}
