//! Addresses: [`Addr<A>`] (typed, for one actor type), [`Recipient<M>`] (anything that takes
//! an `M`: "where to send results"), [`AnyAddr`] (anything at all: the sender of a message, a
//! bridge), and the traits over them: [`Address`] (stop, monitor, compare) and [`Target<M>`]
//! (send an `M` with [`Context::tell`](super::Context::tell)).
//!
//! Every address is a cheap `Clone` (one `Arc` and a counter) and counts as a reference to its
//! actor: when the last address is dropped, the actor's mailbox closes, and the actor stops
//! once it has handled what was queued ([`StopReason::Dropped`](super::StopReason::Dropped)).

use std::any::Any;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use super::ask::{Ask, WaitStopped};
use super::envelope::{self, recover, ActorKind};
use super::shared::{ActorId, AnyCore, Core};
use super::traits::{Actor, Handler};
use crate::SendError;

pub(crate) mod sealed {
    use std::sync::Arc;

    use super::AnyAddr;
    use crate::actor::shared::AnyCore;
    use crate::SendError;

    /// Keeps [`Address`](super::Address) implemented by this crate's types only.
    pub trait Sealed {
        /// The actor's core (an internal reference: not counted as an address).
        fn any_core(&self) -> Arc<dyn AnyCore>;
    }

    /// Keeps [`Target`](super::Target) implemented by this crate's types only.
    pub trait SendFrom<M> {
        /// Sends `msg`, naming `sender` as its sender.
        fn send_from(&self, msg: M, sender: Option<AnyAddr>) -> Result<(), SendError<M>>;
    }
}

/// Anything that addresses an actor, a process or a bridge: [`Addr`], [`Pid`](super::Pid),
/// [`Recipient`], [`AnyAddr`]. Lets code stop, monitor and compare them without knowing their
/// types, e.g. [`Bridge::stop(&[&worker, &warehouse], ..)`](super::Bridge::stop).
pub trait Address: sealed::Sealed + Send + Sync {
    /// The actor's id.
    fn id(&self) -> ActorId;

    /// An untyped address of the same actor.
    fn any_addr(&self) -> AnyAddr {
        AnyAddr::from_core(self.any_core())
    }
}

/// Something an `M` can be sent to with [`Context::tell`](super::Context::tell), which names
/// the sending actor as the sender: [`Addr<A>`] (if `A: Handler<M>`), [`Recipient<M>`],
/// [`Pid<M>`](super::Pid), [`AnyAddr`] (any `M`, routed by the receiver).
pub trait Target<M>: sealed::SendFrom<M> {}

impl<M, T: sealed::SendFrom<M> + ?Sized> Target<M> for T {}

/// The typed address of an actor of type `A`: [`tell`](Addr::tell) and [`ask`](Addr::ask) it
/// any message it has a [`Handler`] for, [`stop`](Addr::stop) it, wait for it to stop.
///
/// Returned by [`spawn`](super::spawn) and [`spawn_thread`](super::spawn_thread). Cheap to
/// clone; the actor stops when the last address to it is dropped (after handling what is
/// queued).
pub struct Addr<A: Actor> {
    core: Arc<Core<ActorKind<A>>>,
}

impl<A: Actor> Addr<A> {
    /// A new address of `core`'s actor (counted).
    pub(crate) fn new(core: Arc<Core<ActorKind<A>>>) -> Self {
        core.acquire();
        Self { core }
    }

    pub(crate) fn core(&self) -> &Arc<Core<ActorKind<A>>> {
        &self.core
    }

    /// The actor's id.
    pub fn id(&self) -> ActorId {
        self.core.id()
    }

    /// Queues `msg` for the actor, without a sender and without waiting (mailboxes are
    /// unbounded). The handler's reply, if any, is dropped.
    ///
    /// Inside a handler, use [`Context::tell`](super::Context::tell) instead, so that the
    /// receiver knows who sent the message.
    ///
    /// # Errors
    ///
    /// [`SendError`] with the message if the actor is stopped or stopping.
    ///
    /// # Examples
    ///
    /// ```
    /// # use tidings::actor::{spawn, Actor, Context, Handler};
    /// # struct Log(Vec<String>);
    /// # impl Actor for Log {}
    /// # impl Handler<String> for Log { type Reply = usize; async fn handle(&mut self, s: String, _: &mut Context<Self>) -> usize { self.0.push(s); self.0.len() } }
    /// # tokio_test::block_on(async {
    /// let log = spawn(Log(Vec::new()));
    /// log.tell("hello".to_string()).unwrap();
    /// log.stop();
    /// assert_eq!(log.tell("late".to_string()).unwrap_err().into_inner(), "late");
    /// # });
    /// ```
    pub fn tell<M: Send + 'static>(&self, msg: M) -> Result<(), SendError<M>>
    where
        A: Handler<M>,
    {
        sealed::SendFrom::send_from(self, msg, None)
    }

    /// Sends `msg` and waits for the handler's return value: a builder, awaited in a task or
    /// [`wait`](Ask::wait)ed on a thread, with an optional [`timeout`](Ask::timeout).
    ///
    /// # Errors
    ///
    /// See [`AskError`](super::AskError): the message comes back if it was never handled.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future before its first poll sends nothing; dropping it later leaves the
    /// message with the actor, which still handles it (the reply is dropped).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// # use tidings::actor::{spawn, Actor, Context, Handler};
    /// # struct Doubler;
    /// # impl Actor for Doubler {}
    /// # impl Handler<i64> for Doubler { type Reply = i64; async fn handle(&mut self, n: i64, _: &mut Context<Self>) -> i64 { n * 2 } }
    ///
    /// # tokio_test::block_on(async {
    /// let doubler = spawn(Doubler);
    /// assert_eq!(doubler.ask(21).await.unwrap(), 42);
    /// assert_eq!(doubler.ask(4).timeout(Duration::from_secs(5)).await.unwrap(), 8);
    ///
    /// // From a thread that may block:
    /// let addr = doubler.clone();
    /// let on_thread = tokio::task::spawn_blocking(move || addr.ask(5).wait().unwrap());
    /// assert_eq!(on_thread.await.unwrap(), 10);
    /// # });
    /// ```
    pub fn ask<M: Send + 'static>(&self, msg: M) -> Ask<'_, A, M>
    where
        A: Handler<M>,
    {
        Ask::new(self, msg, None)
    }

    /// Queues an untyped message: [`Actor::routes`] picks its handler, or the fallback
    /// [`Actor::handle_other`] takes it.
    ///
    /// # Errors
    ///
    /// [`SendError`] with the message if the actor is stopped or stopping.
    pub fn tell_any(&self, msg: Box<dyn Any + Send>) -> Result<(), SendError<Box<dyn Any + Send>>> {
        self.core.deliver_any(msg, None).map_err(SendError)
    }

    /// Asks the actor to stop: its mailbox closes now (later sends fail and give their message
    /// back), it handles every message already queued, runs
    /// [`Actor::stopped`], and stops with [`StopReason::Normal`](super::StopReason::Normal).
    /// Returns at once; [`wait_stopped`](Addr::wait_stopped) waits for the end. Stopping a
    /// stopped actor does nothing.
    pub fn stop(&self) {
        self.core.stop();
    }

    /// True while the actor accepts messages (it is not stopped or stopping).
    pub fn is_alive(&self) -> bool {
        self.core.is_alive()
    }

    /// How many messages are queued for the actor and not yet taken by it (the one being
    /// handled is not counted). A snapshot: other senders and the actor change it at once.
    pub fn queued(&self) -> usize {
        self.core.queued()
    }

    /// Waits until the actor has stopped and returns how it ended: a builder, awaited in a
    /// task or [`wait`](WaitStopped::wait)ed on a thread, with an optional timeout.
    ///
    /// # Examples
    ///
    /// ```
    /// use tidings::actor::{spawn, Actor, StopReason};
    ///
    /// struct Idle;
    /// impl Actor for Idle {}
    ///
    /// # tokio_test::block_on(async {
    /// let idle = spawn(Idle);
    /// idle.stop();
    /// let stopped = idle.wait_stopped().await.unwrap();
    /// assert_eq!(stopped.reason, StopReason::Normal);
    /// # });
    /// ```
    pub fn wait_stopped(&self) -> WaitStopped {
        WaitStopped::new(self.core.clone())
    }

    /// A [`Recipient<M>`] for this actor: an address that only sends `M`s, whatever the
    /// actor's type (the post's `Task.destination`).
    pub fn recipient<M: Send + 'static>(&self) -> Recipient<M>
    where
        A: Handler<M>,
    {
        Recipient::from_core(self.core.clone())
    }
}

impl<A: Actor> Clone for Addr<A> {
    fn clone(&self) -> Self {
        Self::new(self.core.clone())
    }
}

impl<A: Actor> Drop for Addr<A> {
    fn drop(&mut self) {
        self.core.release();
    }
}

impl<A: Actor> fmt::Debug for Addr<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Addr")
            .field("id", &self.id())
            .field("actor", &std::any::type_name::<A>())
            .field("alive", &self.is_alive())
            .finish()
    }
}

impl<A: Actor> sealed::Sealed for Addr<A> {
    fn any_core(&self) -> Arc<dyn AnyCore> {
        self.core.clone()
    }
}

impl<A: Actor> Address for Addr<A> {
    fn id(&self) -> ActorId {
        self.core.id()
    }
}

impl<A: Handler<M>, M: Send + 'static> sealed::SendFrom<M> for Addr<A> {
    fn send_from(&self, msg: M, sender: Option<AnyAddr>) -> Result<(), SendError<M>> {
        self.core.deliver(msg, sender).map_err(SendError)
    }
}

/// Sending a typed message to a core (an actor's or a process's).
pub(crate) trait Deliver<M>: AnyCore {
    fn deliver(&self, msg: M, sender: Option<AnyAddr>) -> Result<(), M>;

    /// The same core as an untyped one.
    fn into_any_core(self: Arc<Self>) -> Arc<dyn AnyCore>;
}

impl<A: Handler<M>, M: Send + 'static> Deliver<M> for Core<ActorKind<A>> {
    fn deliver(&self, msg: M, sender: Option<AnyAddr>) -> Result<(), M> {
        self.send(envelope::tell(msg, sender)).map_err(recover::<A, M>)
    }

    fn into_any_core(self: Arc<Self>) -> Arc<dyn AnyCore> {
        self
    }
}

/// An address that takes messages of type `M`, whatever the actor (or process) behind it:
/// hand it out as "where to send results".
///
/// Made by [`Addr::recipient`] and [`Pid::recipient`](super::Pid::recipient). Tell-only: the
/// handler's reply is dropped.
///
/// # Examples
///
/// ```
/// use tidings::actor::{spawn, Actor, Context, Handler, Recipient};
///
/// struct Task { input: i64, destination: Recipient<i64> }
/// struct Worker;
/// impl Actor for Worker {}
/// impl Handler<Task> for Worker {
///     type Reply = ();
///     async fn handle(&mut self, task: Task, ctx: &mut Context<Self>) {
///         let _ = ctx.tell(&task.destination, task.input * 2);
///     }
/// }
///
/// struct Sum(i64);
/// impl Actor for Sum {}
/// impl Handler<i64> for Sum {
///     type Reply = i64;
///     async fn handle(&mut self, n: i64, _: &mut Context<Self>) -> i64 { self.0 += n; self.0 }
/// }
///
/// # tokio_test::block_on(async {
/// let (worker, sum) = (spawn(Worker), spawn(Sum(0)));
/// worker.ask(Task { input: 21, destination: sum.recipient() }).await.unwrap();
/// assert_eq!(sum.ask(0).await.unwrap(), 42);
/// # });
/// ```
pub struct Recipient<M: Send + 'static> {
    core: Arc<dyn Deliver<M>>,
}

impl<M: Send + 'static> Recipient<M> {
    pub(crate) fn from_core(core: Arc<dyn Deliver<M>>) -> Self {
        core.acquire();
        Self { core }
    }

    /// The id of the actor behind it.
    pub fn id(&self) -> ActorId {
        self.core.id()
    }

    /// Queues `msg`, without a sender; see [`Addr::tell`].
    ///
    /// # Errors
    ///
    /// [`SendError`] with the message if the actor is stopped or stopping.
    pub fn tell(&self, msg: M) -> Result<(), SendError<M>> {
        self.core.deliver(msg, None).map_err(SendError)
    }

    /// True while the actor accepts messages.
    pub fn is_alive(&self) -> bool {
        self.core.is_alive()
    }
}

impl<M: Send + 'static> Clone for Recipient<M> {
    fn clone(&self) -> Self {
        Self::from_core(self.core.clone())
    }
}

impl<M: Send + 'static> Drop for Recipient<M> {
    fn drop(&mut self) {
        self.core.release();
    }
}

impl<M: Send + 'static> fmt::Debug for Recipient<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recipient")
            .field("id", &self.id())
            .field("message", &std::any::type_name::<M>())
            .finish()
    }
}

impl<M: Send + 'static> sealed::Sealed for Recipient<M> {
    fn any_core(&self) -> Arc<dyn AnyCore> {
        self.core.clone().into_any_core()
    }
}

impl<M: Send + 'static> Address for Recipient<M> {
    fn id(&self) -> ActorId {
        self.core.id()
    }
}

impl<M: Send + 'static> sealed::SendFrom<M> for Recipient<M> {
    fn send_from(&self, msg: M, sender: Option<AnyAddr>) -> Result<(), SendError<M>> {
        self.core.deliver(msg, sender).map_err(SendError)
    }
}

/// The address of any actor, process or bridge, without its type: what
/// [`Context::sender`](super::Context::sender) returns.
///
/// Messages sent through it are untyped: the receiving actor routes them with
/// [`Actor::routes`] (or its fallback [`Actor::handle_other`] takes them), a process takes them
/// if they are of its message type, a bridge keeps them in its mailbox. Two `AnyAddr`s are
/// equal when they address the same actor.
pub struct AnyAddr {
    core: Arc<dyn AnyCore>,
}

impl AnyAddr {
    /// A new address of `core`'s actor (counted).
    pub(crate) fn from_core(core: Arc<dyn AnyCore>) -> Self {
        core.acquire();
        Self { core }
    }

    /// The actor's id.
    pub fn id(&self) -> ActorId {
        self.core.id()
    }

    /// Queues `msg` (boxed, untyped), without a sender. To pass a message that is already a
    /// `Box<dyn Any + Send>`, use [`tell_any`](AnyAddr::tell_any) (this would box the box).
    ///
    /// # Errors
    ///
    /// [`SendError`] with the message if the actor is stopped or stopping, or is a process
    /// whose message type is not `M`.
    pub fn tell<M: Send + 'static>(&self, msg: M) -> Result<(), SendError<M>> {
        sealed::SendFrom::send_from(self, msg, None)
    }

    /// Queues an untyped message, without a sender.
    ///
    /// # Errors
    ///
    /// As [`tell`](AnyAddr::tell), with the box.
    pub fn tell_any(&self, msg: Box<dyn Any + Send>) -> Result<(), SendError<Box<dyn Any + Send>>> {
        self.core.deliver_any(msg, None).map_err(SendError)
    }

    /// Asks the actor to stop; see [`Addr::stop`]. (For a bridge: closes its mailbox.)
    pub fn stop(&self) {
        self.core.stop();
    }

    /// True while the actor accepts messages.
    pub fn is_alive(&self) -> bool {
        self.core.is_alive()
    }

    /// Waits until the actor has stopped; see [`Addr::wait_stopped`].
    pub fn wait_stopped(&self) -> WaitStopped {
        WaitStopped::new(self.core.clone())
    }
}

impl Clone for AnyAddr {
    fn clone(&self) -> Self {
        Self::from_core(self.core.clone())
    }
}

impl Drop for AnyAddr {
    fn drop(&mut self) {
        self.core.release();
    }
}

impl PartialEq for AnyAddr {
    fn eq(&self, other: &Self) -> bool {
        self.id() == other.id()
    }
}

impl Eq for AnyAddr {}

impl Hash for AnyAddr {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id().hash(state);
    }
}

impl fmt::Debug for AnyAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AnyAddr").field("id", &self.id()).finish()
    }
}

impl sealed::Sealed for AnyAddr {
    fn any_core(&self) -> Arc<dyn AnyCore> {
        self.core.clone()
    }
}

impl Address for AnyAddr {
    fn id(&self) -> ActorId {
        self.core.id()
    }
}

impl<M: Send + 'static> sealed::SendFrom<M> for AnyAddr {
    fn send_from(&self, msg: M, sender: Option<AnyAddr>) -> Result<(), SendError<M>> {
        self.core.deliver_any(Box::new(msg), sender).map_err(|back| {
            SendError(*back.downcast::<M>().unwrap_or_else(|_| {
                unreachable!("a failed send gives back the message it was given")
            }))
        })
    }
}
