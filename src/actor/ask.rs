//! Waiting for an answer: [`Ask`] (a reply from a handler) and [`WaitStopped`] (an actor's
//! end). Both are builders in the shape of the core's `Receive`: `.timeout(d)` /
//! `.deadline(at)`, then `.await` in a task (`IntoFuture`) or `.wait()` on a thread.
//!
//! Underneath, one reply slot (a tokio oneshot channel) per wait: the actor (or the end of the
//! actor) fills it, the waiter polls it in a task or parks on it on a thread.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use super::addr::{Addr, AnyAddr};
use super::block::blocking_allowed;
use super::envelope::{self, recover, ActorKind};
use super::error::{AskError, WaitError};
use super::monitor::{StopReason, Stopped};
use super::shared::{AnyCore, Core};
use super::traits::Handler;
use crate::receive::deadline_after;

/// Why a [`Pending`] ended without a value.
pub(crate) enum Missing {
    /// The deadline passed.
    Timeout,
    /// The slot's sender was dropped unfilled.
    Dropped,
}

/// A reply slot being waited on, with an optional deadline.
pub(crate) struct Pending<T> {
    rx: oneshot::Receiver<T>,
    deadline: Option<Instant>,
    /// Created the first time an async wait has to wait for its deadline.
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl<T> Pending<T> {
    pub(crate) fn new(rx: oneshot::Receiver<T>, deadline: Option<Instant>) -> Self {
        Self { rx, deadline, sleep: None }
    }

    /// The last look before reporting a timeout.
    fn last_try(&mut self) -> Result<T, Missing> {
        match self.rx.try_recv() {
            Ok(out) => Ok(out),
            Err(oneshot::error::TryRecvError::Closed) => Err(Missing::Dropped),
            Err(oneshot::error::TryRecvError::Empty) => Err(Missing::Timeout),
        }
    }

    pub(crate) fn poll_reply(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<T, Missing>> {
        if let Poll::Ready(out) = Pin::new(&mut self.rx).poll(cx) {
            return Poll::Ready(out.map_err(|_| Missing::Dropped));
        }
        let Some(deadline) = self.deadline else { return Poll::Pending };
        if Instant::now() < deadline {
            let sleep = self.sleep.get_or_insert_with(|| {
                Box::pin(tokio::time::sleep_until(tokio::time::Instant::from_std(deadline)))
            });
            if sleep.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
        }
        Poll::Ready(self.last_try())
    }

    /// Parks the thread until the slot is filled or the deadline passes. The caller has
    /// checked [`blocking_allowed`].
    pub(crate) fn wait(mut self) -> Result<T, Missing> {
        match crate::wait::poll_until(&mut self.rx, self.deadline) {
            Some(out) => out.map_err(|_| Missing::Dropped),
            None => self.last_try(),
        }
    }
}

/// The reply slot of an ask of `M` to an `A`.
pub(crate) type AskReply<A, M> = Result<<A as Handler<M>>::Reply, AskError<M>>;

/// Queues an ask and returns its reply slot.
pub(crate) fn send_ask<A: Handler<M>, M: Send + 'static>(
    core: &Core<ActorKind<A>>,
    msg: M,
    sender: Option<AnyAddr>,
    deadline: Option<Instant>,
) -> Result<Pending<AskReply<A, M>>, AskError<M>> {
    let (reply, rx) = oneshot::channel();
    match core.send(envelope::ask(msg, sender, reply)) {
        Ok(()) => Ok(Pending::new(rx, deadline)),
        Err(envelope) => Err(AskError::Closed(recover::<A, M>(envelope))),
    }
}

/// Turns the outcome of a pending ask into its result.
pub(crate) fn ask_result<R, M>(
    outcome: Result<Result<R, AskError<M>>, Missing>,
) -> Result<R, AskError<M>> {
    match outcome {
        Ok(result) => result,
        Err(Missing::Timeout) => Err(AskError::Timeout),
        Err(Missing::Dropped) => Err(AskError::NoReply),
    }
}

/// An ask being built: [`Addr::ask`] (or [`Context::ask`](super::Context::ask)) made it;
/// `.timeout(d)` bounds the wait; `.await` it in a task or [`wait`](Ask::wait) on a thread.
///
/// # Cancel safety
///
/// Awaited, it becomes an [`AskFuture`]: dropped before its first poll it sends nothing;
/// dropped later, the actor still handles the message and the reply is dropped.
#[must_use = "an ask sends nothing until it is awaited or `.wait()`ed"]
pub struct Ask<'a, A: Handler<M>, M: Send + 'static> {
    addr: &'a Addr<A>,
    msg: M,
    sender: Option<AnyAddr>,
    deadline: Option<Instant>,
}

impl<'a, A: Handler<M>, M: Send + 'static> Ask<'a, A, M> {
    pub(crate) fn new(addr: &'a Addr<A>, msg: M, sender: Option<AnyAddr>) -> Self {
        Self { addr, msg, sender, deadline: None }
    }

    /// Gives up with [`AskError::Timeout`] if no reply came within `d`. The timer starts now,
    /// when the ask is built; `Duration::MAX` means no timeout.
    pub fn timeout(mut self, d: Duration) -> Self {
        self.deadline = deadline_after(d);
        self
    }

    /// Gives up with [`AskError::Timeout`] if no reply came by `at`.
    pub fn deadline(mut self, at: Instant) -> Self {
        self.deadline = Some(at);
        self
    }

    /// Sends the message and parks the current thread until the reply comes.
    ///
    /// # Errors
    ///
    /// As for `.await` (see [`AskError`]), and [`AskError::WouldBlock`] with the message, sent
    /// nowhere, if this thread drives a tokio runtime (a worker thread, or inside `block_on`),
    /// where parking could deadlock it. Checking that prints tokio's own panic message about
    /// blocking (see the [module docs](super#blocking-and-the-runtime)).
    pub fn wait(self) -> Result<A::Reply, AskError<M>> {
        if !blocking_allowed() {
            return Err(AskError::WouldBlock(self.msg));
        }
        let pending = send_ask(self.addr.core(), self.msg, self.sender, self.deadline)?;
        ask_result(pending.wait())
    }
}

impl<A: Handler<M>, M: Send + 'static> fmt::Debug for Ask<'_, A, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ask")
            .field("to", &self.addr.id())
            .field("deadline", &self.deadline)
            .finish_non_exhaustive()
    }
}

impl<'a, A: Handler<M>, M: Send + 'static> IntoFuture for Ask<'a, A, M> {
    type Output = Result<A::Reply, AskError<M>>;
    type IntoFuture = AskFuture<'a, A, M>;

    fn into_future(self) -> Self::IntoFuture {
        AskFuture { state: AskState::Start(self) }
    }
}

enum AskState<'a, A: Handler<M>, M: Send + 'static> {
    Start(Ask<'a, A, M>),
    Waiting(Pending<AskReply<A, M>>),
    Done,
}

/// The future of an awaited [`Ask`]: sends the message on its first poll, then waits for the
/// reply.
///
/// # Cancel safety
///
/// Dropped before its first poll, it sends nothing (the message is dropped with it). Dropped
/// later, the actor still handles the message and its reply is dropped.
///
/// # Panics
///
/// An ask with a timeout needs a tokio runtime with the time driver when it has to wait.
#[must_use = "futures do nothing unless polled"]
pub struct AskFuture<'a, A: Handler<M>, M: Send + 'static> {
    state: AskState<'a, A, M>,
}

// Nothing in the future is pinned (the timer is boxed).
impl<A: Handler<M>, M: Send + 'static> Unpin for AskFuture<'_, A, M> {}

impl<A: Handler<M>, M: Send + 'static> Future for AskFuture<'_, A, M> {
    type Output = Result<A::Reply, AskError<M>>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if let AskState::Start(_) = this.state {
            let AskState::Start(ask) = std::mem::replace(&mut this.state, AskState::Done) else {
                unreachable!()
            };
            match send_ask(ask.addr.core(), ask.msg, ask.sender, ask.deadline) {
                Ok(pending) => this.state = AskState::Waiting(pending),
                Err(err) => return Poll::Ready(Err(err)),
            }
        }
        match &mut this.state {
            AskState::Waiting(pending) => {
                let out = std::task::ready!(pending.poll_reply(cx));
                this.state = AskState::Done;
                Poll::Ready(ask_result(out))
            }
            _ => panic!("ask future polled after completion"),
        }
    }
}

impl<A: Handler<M>, M: Send + 'static> fmt::Debug for AskFuture<'_, A, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            AskState::Start(_) => "start",
            AskState::Waiting(_) => "waiting",
            AskState::Done => "done",
        };
        f.debug_struct("AskFuture").field("state", &state).finish()
    }
}

/// Waiting for an actor to stop: made by [`Addr::wait_stopped`] (and the other addresses');
/// `.timeout(d)` bounds the wait; `.await` it in a task or [`wait`](WaitStopped::wait) on a
/// thread. Waiting does not keep the actor alive.
///
/// # Cancel safety
///
/// Cancel-safe: dropping the wait (or its future) changes nothing.
#[must_use = "a wait does nothing until it is awaited or `.wait()`ed"]
pub struct WaitStopped {
    core: Arc<dyn AnyCore>,
    deadline: Option<Instant>,
}

impl WaitStopped {
    pub(crate) fn new(core: Arc<dyn AnyCore>) -> Self {
        Self { core, deadline: None }
    }

    /// Gives up with [`WaitError::Timeout`] if the actor is still running after `d` (the timer
    /// starts now).
    pub fn timeout(mut self, d: Duration) -> Self {
        self.deadline = deadline_after(d);
        self
    }

    /// Gives up with [`WaitError::Timeout`] if the actor is still running at `at`.
    pub fn deadline(mut self, at: Instant) -> Self {
        self.deadline = Some(at);
        self
    }

    fn register(&self) -> Pending<Stopped> {
        let (tx, rx) = oneshot::channel();
        self.core.watch(Box::new(move |stopped: &Stopped| {
            let _ = tx.send(stopped.clone());
        }));
        Pending::new(rx, self.deadline)
    }

    /// Parks the current thread until the actor has stopped.
    ///
    /// # Errors
    ///
    /// [`WaitError::Timeout`] at the deadline; [`WaitError::WouldBlock`] if the actor is still
    /// running and this thread drives a tokio runtime (see [`Ask::wait`]).
    pub fn wait(self) -> Result<Stopped, WaitError> {
        if let Some(stopped) = self.core.outcome() {
            return Ok(stopped);
        }
        if !blocking_allowed() {
            return Err(WaitError::WouldBlock);
        }
        let id = self.core.id();
        stopped_result(id, self.register().wait())
    }
}

/// A watcher is dropped uncalled only if its actor's core vanished without finishing, which
/// the actor loop never lets happen; report it as an abort rather than panic.
fn stopped_result(
    id: super::shared::ActorId,
    outcome: Result<Stopped, Missing>,
) -> Result<Stopped, WaitError> {
    match outcome {
        Ok(stopped) => Ok(stopped),
        Err(Missing::Timeout) => Err(WaitError::Timeout),
        Err(Missing::Dropped) => Ok(Stopped::new(id, StopReason::Aborted, 0)),
    }
}

impl fmt::Debug for WaitStopped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitStopped")
            .field("id", &self.core.id())
            .field("deadline", &self.deadline)
            .finish()
    }
}

impl IntoFuture for WaitStopped {
    type Output = Result<Stopped, WaitError>;
    type IntoFuture = WaitStoppedFuture;

    fn into_future(self) -> WaitStoppedFuture {
        WaitStoppedFuture { id: self.core.id(), pending: self.register() }
    }
}

/// The future of an awaited [`WaitStopped`].
///
/// # Cancel safety
///
/// Cancel-safe: dropping it changes nothing.
///
/// # Panics
///
/// A wait with a timeout needs a tokio runtime with the time driver when it has to wait.
#[must_use = "futures do nothing unless polled"]
pub struct WaitStoppedFuture {
    id: super::shared::ActorId,
    pending: Pending<Stopped>,
}

impl Future for WaitStoppedFuture {
    type Output = Result<Stopped, WaitError>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let out = std::task::ready!(this.pending.poll_reply(cx));
        Poll::Ready(stopped_result(this.id, out))
    }
}

impl fmt::Debug for WaitStoppedFuture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitStoppedFuture").field("id", &self.id).finish_non_exhaustive()
    }
}
