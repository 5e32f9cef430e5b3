//! [`Actor`] and [`Handler`]: what an actor is and which messages it handles, and the
//! [`Router`] that sends untyped messages to the right handler.

use std::any::Any;
use std::fmt;
use std::future::Future;

use super::addr::AnyAddr;
use super::context::Context;
use super::envelope::{self, Envelope};
use super::monitor::StopReason;

/// An actor: state that handles one message at a time, on its own task (or thread).
///
/// Every method has a default; an actor implements [`Handler<M>`](Handler) once per message
/// type it takes. Spawn it with [`spawn`](super::spawn) (a tokio task) or
/// [`spawn_thread`](super::spawn_thread) (an OS thread, for actors that block).
///
/// Methods are `async` (write `async fn` in the impl); their futures must be `Send`. The actor
/// loop runs each of them to completion, one at a time; none is cancelled except when the
/// actor's runtime shuts down.
///
/// # Examples
///
/// ```
/// use tidings::actor::{spawn, Actor, Context, Handler};
///
/// struct Counter(u64);
///
/// impl Actor for Counter {}
///
/// struct Add(u64);
///
/// impl Handler<Add> for Counter {
///     type Reply = u64;
///
///     async fn handle(&mut self, Add(n): Add, _ctx: &mut Context<Self>) -> u64 {
///         self.0 += n;
///         self.0
///     }
/// }
///
/// # tokio_test::block_on(async {
/// let counter = spawn(Counter(0));
/// counter.tell(Add(1)).unwrap();
/// assert_eq!(counter.ask(Add(2)).await.unwrap(), 3);
/// # });
/// ```
pub trait Actor: Sized + Send + 'static {
    /// Runs once, on the actor's task, before the first message. A panic here stops the actor
    /// with [`StopReason::Panicked`] (`stopped` is not called then).
    fn started(&mut self, ctx: &mut Context<Self>) -> impl Future<Output = ()> + Send {
        let _ = ctx;
        async {}
    }

    /// Runs once, last, after the mailbox is closed and (on a normal stop) every queued
    /// message was handled; `reason` says why the actor stops. Also runs after a handler
    /// panicked (not after `started` panicked), so it can clean up.
    fn stopped(
        &mut self,
        ctx: &mut Context<Self>,
        reason: &StopReason,
    ) -> impl Future<Output = ()> + Send {
        let _ = (ctx, reason);
        async {}
    }

    /// Which typed handlers take *untyped* messages (sent with
    /// [`tell_any`](super::AnyAddr::tell_any), [`AnyAddr::tell`](super::AnyAddr::tell) or
    /// [`Context::reply`]): list each type with [`Router::route`]. An untyped message of a
    /// listed type goes to its `Handler` (its reply is dropped); any other goes to
    /// [`handle_other`](Actor::handle_other). The default lists none.
    ///
    /// This is the post's `handles` registry, for the dynamic path; typed sends
    /// ([`Addr::tell`](super::Addr::tell)) are checked at compile time and never need it.
    ///
    /// ```
    /// # use tidings::actor::{Actor, Context, Handler, Router};
    /// # struct Ponger;
    /// # struct Ping;
    /// # impl Handler<Ping> for Ponger { type Reply = (); async fn handle(&mut self, _: Ping, _: &mut Context<Self>) {} }
    /// impl Actor for Ponger {
    ///     fn routes(router: Router<Self>) -> Router<Self> {
    ///         router.route::<Ping>()
    ///     }
    /// }
    /// ```
    fn routes(router: Router<Self>) -> Router<Self> {
        router
    }

    /// The fallback handler (the post's `OtherMessage`): every untyped message that
    /// [`routes`](Actor::routes) gives to no typed handler. Downcast it to see what it is.
    ///
    /// The default drops the message and reports it on standard error (as Erlang logs an
    /// unexpected message), so it is never lost without a trace; override it to handle or
    /// silence such messages.
    fn handle_other(
        &mut self,
        msg: Box<dyn Any + Send>,
        ctx: &mut Context<Self>,
    ) -> impl Future<Output = ()> + Send {
        eprintln!(
            "tidings: actor {} ({}) dropped an untyped message no handler takes \
             (implement Actor::routes or Actor::handle_other)",
            ctx.id(),
            std::any::type_name::<Self>()
        );
        drop(msg);
        async {}
    }
}

/// An actor handles messages of type `M`: one `impl Handler<M>` per message type (the post's
/// `@handles(Type)`).
///
/// The handler's return value is the reply to an [`ask`](super::Addr::ask); a
/// [`tell`](super::Addr::tell) drops it. [`Context::sender`] tells who sent the message.
///
/// See [`Actor`] for an example.
pub trait Handler<M: Send + 'static>: Actor {
    /// The reply to an ask (`()` if there is nothing to say).
    type Reply: Send + 'static;

    /// Handles one message. Write it as `async fn handle(&mut self, msg: M, ctx: &mut
    /// Context<Self>) -> Self::Reply`.
    ///
    /// A panic here stops the actor with [`StopReason::Panicked`]: a pending ask of this
    /// message gets [`AskError::Panicked`](super::AskError::Panicked), watchers are told.
    ///
    /// # Cancel safety
    ///
    /// The actor loop always runs this future to completion (an asker that gives up does not
    /// cancel it). It is dropped unfinished only when the actor's runtime shuts down.
    fn handle(
        &mut self,
        msg: M,
        ctx: &mut Context<Self>,
    ) -> impl Future<Output = Self::Reply> + Send;
}

/// Routes an untyped message to a typed handler; see [`Actor::routes`].
pub struct Router<A: super::Actor> {
    /// `Ok`: a handler took it; `Err`: not yet routed (the message and its sender).
    state: Result<Envelope<A>, Unrouted>,
}

type Unrouted = (Box<dyn Any + Send>, Option<AnyAddr>);

impl<A: Actor> Router<A> {
    pub(crate) fn new(msg: Box<dyn Any + Send>, sender: Option<AnyAddr>) -> Self {
        Self { state: Err((msg, sender)) }
    }

    /// If the message is an `M` (and no earlier `route` took it), it goes to
    /// `Handler<M>::handle`.
    pub fn route<M: Send + 'static>(self) -> Self
    where
        A: Handler<M>,
    {
        match self.state {
            Err((msg, sender)) => match msg.downcast::<M>() {
                Ok(msg) => Self { state: Ok(envelope::tell(*msg, sender)) },
                Err(msg) => Self { state: Err((msg, sender)) },
            },
            routed => Self { state: routed },
        }
    }

    /// The envelope for the chosen handler, or for the fallback.
    pub(crate) fn finish(self) -> Envelope<A> {
        self.state.unwrap_or_else(|(msg, sender)| envelope::other(msg, sender))
    }
}

impl<A: Actor> fmt::Debug for Router<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Router").field("routed", &self.state.is_ok()).finish()
    }
}
