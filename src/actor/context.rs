//! [`Context`]: what a handler knows besides its message — who sent it, who the actor is — and
//! how it sends on, replies, monitors and stops.

use std::fmt;
use std::sync::{Arc, Weak};

use super::addr::sealed::SendFrom;
use super::addr::{Addr, Address, AnyAddr, Target};
use super::ask::Ask;
use super::envelope::{self, ActorKind};
use super::monitor::Down;
use super::shared::{ActorId, AnyCore, Core};
use super::traits::{Actor, Handler};
use crate::SendError;

/// The actor's side of its messages, handed to every handler and hook.
///
/// * [`sender`](Context::sender): who sent the message being handled (the post's `sender`
///   argument): an actor that sent it with [`Context::tell`] / [`Context::ask`], a
///   [`Bridge`](super::Bridge), or `None` for a plain [`Addr::tell`](super::Addr::tell).
/// * [`reply`](Context::reply) sends something back to it; [`tell`](Context::tell) sends to
///   anyone, naming this actor as the sender.
/// * [`addr`](Context::addr), [`id`](Context::id): the actor itself.
/// * [`stop`](Context::stop), [`monitor`](Context::monitor).
pub struct Context<A: Actor> {
    core: Arc<Core<ActorKind<A>>>,
    sender: Option<AnyAddr>,
}

impl<A: Actor> Context<A> {
    pub(crate) fn new(core: Arc<Core<ActorKind<A>>>) -> Self {
        Self { core, sender: None }
    }

    pub(crate) fn set_sender(&mut self, sender: Option<AnyAddr>) {
        self.sender = sender;
    }

    /// This actor's id.
    pub fn id(&self) -> ActorId {
        self.core.id()
    }

    /// A new address of this actor. Like every address, it keeps the actor running while it
    /// exists: an actor that stores its own address stops only when asked to.
    pub fn addr(&self) -> Addr<A> {
        Addr::new(self.core.clone())
    }

    /// This actor's address, untyped: what a receiver of [`Context::tell`] sees as the sender.
    pub fn any_addr(&self) -> AnyAddr {
        AnyAddr::from_core(self.core.clone())
    }

    /// Who sent the message being handled, if anyone: the actor or bridge that sent it with
    /// [`Context::tell`], [`Context::ask`] or a [`Bridge`](super::Bridge) call; `None` for
    /// [`Addr::tell`](super::Addr::tell) / [`Addr::ask`](super::Addr::ask) from outside any
    /// actor, in `started`, and in `stopped`. Clone it to keep it past this message.
    pub fn sender(&self) -> Option<&AnyAddr> {
        self.sender.as_ref()
    }

    /// Sends `msg` to the sender of the message being handled, naming this actor as the
    /// sender (the post's `sender.send(msg, self)`). The message travels untyped: the sender
    /// routes it with [`Actor::routes`] (or a bridge keeps it in its mailbox).
    ///
    /// To answer an *ask*, return the reply from the handler instead; `reply` is for
    /// conversations (ping-pong) and for extra messages.
    ///
    /// # Errors
    ///
    /// [`SendError`] with the message if there is no sender, or it is stopped.
    pub fn reply<M: Send + 'static>(&self, msg: M) -> Result<(), SendError<M>> {
        match &self.sender {
            Some(sender) => sender.send_from(msg, Some(self.any_addr())),
            None => Err(SendError(msg)),
        }
    }

    /// Sends `msg` to `to` (an [`Addr`], [`Recipient`](super::Recipient),
    /// [`Pid`](super::Pid) or [`AnyAddr`]), naming this actor as the sender.
    ///
    /// # Errors
    ///
    /// [`SendError`] with the message if `to` is stopped (or, for an [`AnyAddr`] of a process,
    /// takes another message type).
    pub fn tell<M, T>(&self, to: &T, msg: M) -> Result<(), SendError<M>>
    where
        T: Target<M> + ?Sized,
    {
        to.send_from(msg, Some(self.any_addr()))
    }

    /// Asks `to`, naming this actor as the sender; see [`Addr::ask`](super::Addr::ask).
    /// Awaiting the reply inside a handler holds this actor's mailbox until it comes (as
    /// Erlang's `gen_server:call`); two actors asking each other this way deadlock until the
    /// timeout.
    pub fn ask<'a, B, M>(&self, to: &'a Addr<B>, msg: M) -> Ask<'a, B, M>
    where
        B: Handler<M>,
        M: Send + 'static,
    {
        Ask::new(to, msg, Some(self.any_addr()))
    }

    /// Asks this actor to stop once the current message is handled: the mailbox closes now,
    /// the messages already queued are still handled, then `stopped` runs; see
    /// [`Addr::stop`](super::Addr::stop).
    pub fn stop(&self) {
        self.core.stop();
    }

    /// Monitors `target`: when it stops (or at once, if it already has), this actor receives a
    /// [`Down`] message with the reason, through its `Handler<Down>`. Monitoring does not keep
    /// either actor alive; a `Down` for an actor that stopped after this one is dropped.
    pub fn monitor<T>(&self, target: &T)
    where
        T: Address + ?Sized,
        A: Handler<Down>,
    {
        let me: Weak<Core<ActorKind<A>>> = Arc::downgrade(&self.core);
        target.any_core().watch(Box::new(move |stopped| {
            if let Some(me) = me.upgrade() {
                let _ = me.send(envelope::tell(Down::from(stopped), None));
            }
        }));
    }
}

impl<A: Actor> fmt::Debug for Context<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("id", &self.id())
            .field("sender", &self.sender.as_ref().map(AnyAddr::id))
            .finish()
    }
}
