//! Envelopes: what an actor's mailbox holds.
//!
//! An actor takes many message types through one mailbox, so the mailbox holds
//! `Box<dyn Dispatch<A>>`: a type-erased "handle me" object that knows its message type and
//! calls the matching `Handler<M>` impl. Three kinds exist: [`Tell`] (no reply), [`AskEnvelope`]
//! (the reply goes back through a oneshot slot) and [`Other`] (an untyped message for the
//! fallback handler). Each carries the sender's address, which the actor's
//! [`Context`](super::Context) shows to the handler.

use std::any::Any;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::{pin, Pin};

use tokio::sync::oneshot;

use super::addr::AnyAddr;
use super::block::CatchUnwind;
use super::context::Context;
use super::error::AskError;
use super::shared::Kind;
use super::traits::{Actor, Handler, Router};

/// A boxed, `Send` future borrowing the actor for `'a`.
pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What an actor's mailbox holds.
pub(crate) type Envelope<A> = Box<dyn Dispatch<A>>;

/// A message for actor `A`, with everything needed to handle it.
pub(crate) trait Dispatch<A: Actor>: Send + 'static {
    /// Handles the message. A panic in the handler either propagates out of the future's
    /// `poll` (the actor loop catches it, once per message, around every envelope), or — for an
    /// ask, which must answer `AskError::Panicked` first — is caught here and returned as
    /// `Err(panic message)`.
    fn handle<'a>(
        self: Box<Self>,
        actor: &'a mut A,
        ctx: &'a mut Context<A>,
    ) -> BoxFuture<'a, Result<(), String>>;

    /// The actor stopped abnormally before handling the message: an ask gets it back with
    /// `AskError::Unhandled`, a tell drops it.
    fn reject(self: Box<Self>);

    /// The message itself, boxed, for a send that failed.
    fn into_message(self: Box<Self>) -> Box<dyn Any + Send>;
}

/// Takes the message of type `M` out of an envelope that could not be sent.
pub(crate) fn recover<A: Actor, M: 'static>(envelope: Envelope<A>) -> M {
    *envelope
        .into_message()
        .downcast::<M>()
        .unwrap_or_else(|_| unreachable!("an envelope gives back the message it was made from"))
}

/// A message without a reply.
pub(crate) struct Tell<M> {
    pub(crate) msg: M,
    pub(crate) sender: Option<AnyAddr>,
}

impl<A: Handler<M>, M: Send + 'static> Dispatch<A> for Tell<M> {
    fn handle<'a>(
        self: Box<Self>,
        actor: &'a mut A,
        ctx: &'a mut Context<A>,
    ) -> BoxFuture<'a, Result<(), String>> {
        let Tell { msg, sender } = *self;
        ctx.set_sender(sender);
        // No catch here: the actor loop's catch around this future reports a panic.
        Box::pin(async move {
            actor.handle(msg, ctx).await;
            Ok(())
        })
    }

    fn reject(self: Box<Self>) {}

    fn into_message(self: Box<Self>) -> Box<dyn Any + Send> {
        Box::new(self.msg)
    }
}

/// The reply slot of an ask.
pub(crate) type ReplySlot<R, M> = oneshot::Sender<Result<R, AskError<M>>>;

/// A message whose handler's return value goes back to the asker.
pub(crate) struct AskEnvelope<M, R> {
    pub(crate) msg: M,
    pub(crate) sender: Option<AnyAddr>,
    pub(crate) reply: ReplySlot<R, M>,
}

impl<A: Handler<M>, M: Send + 'static> Dispatch<A> for AskEnvelope<M, A::Reply> {
    fn handle<'a>(
        self: Box<Self>,
        actor: &'a mut A,
        ctx: &'a mut Context<A>,
    ) -> BoxFuture<'a, Result<(), String>> {
        let AskEnvelope { msg, sender, reply } = *self;
        ctx.set_sender(sender);
        Box::pin(async move {
            // A reply nobody waits for any more (the asker timed out or went away) is dropped.
            match CatchUnwind(pin!(actor.handle(msg, ctx))).await {
                Ok(out) => {
                    let _ = reply.send(Ok(out));
                    Ok(())
                }
                Err(panic) => {
                    let _ = reply.send(Err(AskError::Panicked(panic.clone())));
                    Err(panic)
                }
            }
        })
    }

    fn reject(self: Box<Self>) {
        let AskEnvelope { msg, reply, .. } = *self;
        let _ = reply.send(Err(AskError::Unhandled(msg)));
    }

    fn into_message(self: Box<Self>) -> Box<dyn Any + Send> {
        Box::new(self.msg)
    }
}

/// An untyped message no typed handler takes: for [`Actor::handle_other`].
pub(crate) struct Other {
    pub(crate) msg: Box<dyn Any + Send>,
    pub(crate) sender: Option<AnyAddr>,
}

impl<A: Actor> Dispatch<A> for Other {
    fn handle<'a>(
        self: Box<Self>,
        actor: &'a mut A,
        ctx: &'a mut Context<A>,
    ) -> BoxFuture<'a, Result<(), String>> {
        let Other { msg, sender } = *self;
        ctx.set_sender(sender);
        // No catch here: the actor loop's catch around this future reports a panic.
        Box::pin(async move {
            actor.handle_other(msg, ctx).await;
            Ok(())
        })
    }

    fn reject(self: Box<Self>) {}

    fn into_message(self: Box<Self>) -> Box<dyn Any + Send> {
        self.msg
    }
}

/// The [`Kind`] of an actor's mailbox: envelopes; untyped messages are routed by
/// [`Actor::routes`] when they are sent.
pub(crate) struct ActorKind<A>(PhantomData<fn() -> A>);

impl<A: Actor> Kind for ActorKind<A> {
    type Item = Envelope<A>;

    fn from_any(
        msg: Box<dyn Any + Send>,
        sender: Option<AnyAddr>,
    ) -> Result<Envelope<A>, Box<dyn Any + Send>> {
        Ok(A::routes(Router::new(msg, sender)).finish())
    }

    fn into_any(item: Envelope<A>) -> Box<dyn Any + Send> {
        item.into_message()
    }
}
