//! Envelopes: what an actor's mailbox holds.
//!
//! An actor takes many message types through one mailbox, so the mailbox holds
//! [`Envelope<A>`]: a boxed, type-erased "handle me" object that knows its message type and
//! calls the matching `Handler<M>` impl. Three payloads exist: [`Tell`] (no reply), [`Ask`]
//! (the reply goes back through a oneshot slot) and [`Other`] (an untyped message for the
//! fallback handler). Each carries the sender's address, which the actor's
//! [`Context`](super::Context) shows to the handler.
//!
//! # One allocation per message
//!
//! The handler's future borrows the actor and its context, so it cannot be made before the
//! actor takes the message, and its type is different for every message type. Boxing it
//! separately would cost a second allocation per message. Instead the envelope is sized for
//! both stages and changes from one to the other in place: it is made `Queued` (the payload),
//! and when the actor takes it, the payload and the actor's [`Slot`] (the actor and its
//! context, boxed once per actor) go into the handler's future, which *owns* the slot while it
//! runs and gives it back when it is done. The type of that future is named by inference: an
//! envelope is made from the function that will start it (`run_tell::<A, M>` and so on).

use std::any::Any;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::{pin, Pin};
use std::task::{ready, Context as TaskContext, Poll};

use pin_project_lite::pin_project;
use tokio::sync::oneshot;

use super::addr::AnyAddr;
use super::block::CatchUnwind;
use super::context::Context;
use super::error::AskError;
use super::shared::Kind;
use super::traits::{Actor, Handler, Router};

/// The actor and its context: what a handler borrows. Boxed once per actor, so that the
/// future of the message being handled can own it (and hand it back) whatever the actor's
/// size, at the cost of moving one pointer.
pub(crate) struct Slot<A: Actor> {
    pub(crate) actor: A,
    pub(crate) ctx: Context<A>,
}

/// The actor's slot, lent to the message being handled.
pub(crate) type Lent<A> = Box<Slot<A>>;

/// What a message's future gives back: the slot, and `Err(panic message)` if the handler
/// panicked.
pub(crate) type Ran<A> = (Lent<A>, Result<(), String>);

/// What an actor's mailbox holds.
pub(crate) type Envelope<A> = Pin<Box<dyn Dispatch<A>>>;

/// A message for actor `A`, with everything needed to handle it.
pub(crate) trait Dispatch<A: Actor>: Send + 'static {
    /// Handles the message: on the first poll, takes the slot out of `home` (where it must
    /// be); once ready, has put it back, and must not be polled again. `Err(panic message)` if
    /// the handler panicked (the panic is caught inside, so the actor survives it for its
    /// `stopped` hook).
    fn poll_handle(
        self: Pin<&mut Self>,
        home: &mut Option<Lent<A>>,
        cx: &mut TaskContext<'_>,
    ) -> Poll<Result<(), String>>;

    /// The actor stopped abnormally before handling the message: an ask gets it back with
    /// `AskError::Unhandled`, a tell drops it.
    fn reject(self: Pin<Box<Self>>);

    /// The message itself, boxed, for a send that failed.
    fn into_message(self: Pin<Box<Self>>) -> Box<dyn Any + Send>;
}

/// What a queued envelope holds, before the actor takes it.
pub(crate) trait Payload: Send + 'static {
    /// See [`Dispatch::reject`].
    fn reject(self);
    /// See [`Dispatch::into_message`].
    fn into_message(self) -> Box<dyn Any + Send>;
}

pin_project! {
    /// An envelope's stages: the payload, then the handler's future, which `start` (a function
    /// item: no space) makes from the payload and the actor's slot.
    #[project = StageProj]
    #[project_replace = StageOwned]
    enum Stage<Q, G, F> {
        Queued { payload: Q, start: G },
        Running { #[pin] run: F },
        Done,
    }
}

/// Makes an envelope: `payload`, to be handled by the future `start(payload, slot)`.
fn envelope<A, Q, G, F>(payload: Q, start: G) -> Envelope<A>
where
    A: Actor,
    Q: Payload,
    G: FnOnce(Q, Lent<A>) -> F + Send + 'static,
    F: Future<Output = Ran<A>> + Send + 'static,
{
    Box::pin(Stage::<Q, G, F>::Queued { payload, start })
}

impl<A, Q, G, F> Dispatch<A> for Stage<Q, G, F>
where
    A: Actor,
    Q: Payload,
    G: FnOnce(Q, Lent<A>) -> F + Send + 'static,
    F: Future<Output = Ran<A>> + Send + 'static,
{
    fn poll_handle(
        mut self: Pin<&mut Self>,
        home: &mut Option<Lent<A>>,
        cx: &mut TaskContext<'_>,
    ) -> Poll<Result<(), String>> {
        if let StageProj::Queued { .. } = self.as_mut().project() {
            let StageOwned::Queued { payload, start } = self.as_mut().project_replace(Stage::Done)
            else {
                unreachable!("the stage was just seen to be Queued")
            };
            let slot = home.take().expect("the actor's slot is home between messages");
            self.as_mut().set(Stage::Running { run: start(payload, slot) });
        }
        let StageProj::Running { run } = self.as_mut().project() else {
            panic!("envelope polled after it was handled")
        };
        // Once ready, the envelope is dropped: it is not polled again (it would panic).
        let (slot, handled) = ready!(run.poll(cx));
        *home = Some(slot);
        Poll::Ready(handled)
    }

    fn reject(mut self: Pin<Box<Self>>) {
        if let StageOwned::Queued { payload, .. } = self.as_mut().project_replace(Stage::Done) {
            payload.reject();
        }
    }

    fn into_message(mut self: Pin<Box<Self>>) -> Box<dyn Any + Send> {
        match self.as_mut().project_replace(Stage::Done) {
            StageOwned::Queued { payload, .. } => payload.into_message(),
            _ => unreachable!("only a queued envelope is given back"),
        }
    }
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
    msg: M,
    sender: Option<AnyAddr>,
}

impl<M: Send + 'static> Payload for Tell<M> {
    fn reject(self) {}

    fn into_message(self) -> Box<dyn Any + Send> {
        Box::new(self.msg)
    }
}

/// The envelope of a tell of `msg` to an `A`.
pub(crate) fn tell<A: Handler<M>, M: Send + 'static>(
    msg: M,
    sender: Option<AnyAddr>,
) -> Envelope<A> {
    envelope(Tell { msg, sender }, run_tell::<A, M>)
}

/// Handles a tell. Not an `async fn`: one of those keeps its arguments twice in its state
/// (as arguments, and as the locals they are moved to); an `async move` block captures them
/// once.
#[allow(clippy::manual_async_fn)]
fn run_tell<A: Handler<M>, M: Send + 'static>(
    Tell { msg, sender }: Tell<M>,
    mut slot: Lent<A>,
) -> impl Future<Output = Ran<A>> + Send {
    async move {
        slot.ctx.set_sender(sender);
        let Slot { actor, ctx } = &mut *slot;
        let handled = CatchUnwind(pin!(actor.handle(msg, ctx))).await;
        // Forget the sender: an idle actor must not keep another one alive.
        slot.ctx.set_sender(None);
        (slot, handled.map(drop))
    }
}

/// The reply slot of an ask.
pub(crate) type ReplySlot<R, M> = oneshot::Sender<Result<R, AskError<M>>>;

/// A message whose handler's return value goes back to the asker.
pub(crate) struct Ask<M, R> {
    msg: M,
    sender: Option<AnyAddr>,
    reply: ReplySlot<R, M>,
}

impl<M: Send + 'static, R: Send + 'static> Payload for Ask<M, R> {
    fn reject(self) {
        let _ = self.reply.send(Err(AskError::Unhandled(self.msg)));
    }

    fn into_message(self) -> Box<dyn Any + Send> {
        Box::new(self.msg)
    }
}

/// The envelope of an ask of `msg` to an `A`, answered through `reply`.
pub(crate) fn ask<A: Handler<M>, M: Send + 'static>(
    msg: M,
    sender: Option<AnyAddr>,
    reply: ReplySlot<A::Reply, M>,
) -> Envelope<A> {
    envelope(Ask { msg, sender, reply }, run_ask::<A, M>)
}

/// Handles an ask; see [`run_tell`].
#[allow(clippy::manual_async_fn)]
fn run_ask<A: Handler<M>, M: Send + 'static>(
    Ask { msg, sender, reply }: Ask<M, A::Reply>,
    mut slot: Lent<A>,
) -> impl Future<Output = Ran<A>> + Send {
    async move {
        slot.ctx.set_sender(sender);
        let Slot { actor, ctx } = &mut *slot;
        // A reply nobody waits for any more (the asker timed out or went away) is dropped.
        let handled = match CatchUnwind(pin!(actor.handle(msg, ctx))).await {
            Ok(out) => {
                let _ = reply.send(Ok(out));
                Ok(())
            }
            Err(panic) => {
                let _ = reply.send(Err(AskError::Panicked(panic.clone())));
                Err(panic)
            }
        };
        slot.ctx.set_sender(None);
        (slot, handled)
    }
}

/// An untyped message no typed handler takes: for [`Actor::handle_other`].
pub(crate) struct Other {
    msg: Box<dyn Any + Send>,
    sender: Option<AnyAddr>,
}

impl Payload for Other {
    fn reject(self) {}

    fn into_message(self) -> Box<dyn Any + Send> {
        self.msg
    }
}

/// The envelope of an untyped message for `A`'s fallback handler.
pub(crate) fn other<A: Actor>(msg: Box<dyn Any + Send>, sender: Option<AnyAddr>) -> Envelope<A> {
    envelope(Other { msg, sender }, run_other::<A>)
}

/// Handles an untyped message; see [`run_tell`].
#[allow(clippy::manual_async_fn)]
fn run_other<A: Actor>(
    Other { msg, sender }: Other,
    mut slot: Lent<A>,
) -> impl Future<Output = Ran<A>> + Send {
    async move {
        slot.ctx.set_sender(sender);
        let Slot { actor, ctx } = &mut *slot;
        let handled = CatchUnwind(pin!(actor.handle_other(msg, ctx))).await;
        slot.ctx.set_sender(None);
        (slot, handled)
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
