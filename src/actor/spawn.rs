//! Starting actors: [`spawn`] on a tokio task, [`spawn_thread`] on an OS thread; and the
//! actor loop both run.
//!
//! The loop: `started`; then one message at a time until the mailbox reports `Closed` (it was
//! closed by a stop, or by the last address going, *and* everything queued was handled);
//! `stopped`; then the actor is dropped and the outcome recorded, which tells every watcher.
//!
//! A panic in a handler or hook is caught around that one future: the actor stops at once
//! with [`StopReason::Panicked`]. What is still queued then is *rejected*, not handled — an
//! actor whose handler panicked may be in a broken state — each pending ask gets its message
//! back ([`AskError::Unhandled`](super::AskError::Unhandled)), tells are dropped, and
//! [`Stopped::unhandled`] counts both. The same happens if the task is dropped before the loop
//! ends (its runtime shut down): a guard that owns the mailbox rejects what is queued and
//! records [`StopReason::Aborted`], so no watcher waits forever.

use std::future::{poll_fn, Future};
use std::pin::{pin, Pin};
use std::sync::Arc;

use futures_core::Stream;

use super::addr::Addr;
use super::block::CatchUnwind;
use super::context::Context;
use super::envelope::{ActorKind, Envelope, Lent, Slot};
use super::monitor::{StopReason, Stopped};
use super::shared::{AnyCore, Core};
use super::traits::Actor;
use crate::wait::block_on;
use crate::Mailbox;

/// Spawns `actor` on a tokio task and returns its address.
///
/// The actor is a task, not a thread: an idle actor costs its task, an empty mailbox and its
/// address — about 0.8 KB, no thread, no message buffer (the `many_actors` example measures
/// it) — so hundreds of thousands are fine. Its handlers must not block the thread; use
/// [`spawn_thread`] for an actor that does.
///
/// # Panics
///
/// If called outside a tokio runtime (as `tokio::spawn` does).
///
/// # Examples
///
/// ```
/// use tidings::actor::{spawn, Actor, Context, Handler};
///
/// struct Greeter;
/// impl Actor for Greeter {}
/// impl Handler<&'static str> for Greeter {
///     type Reply = String;
///     async fn handle(&mut self, name: &'static str, _: &mut Context<Self>) -> String {
///         format!("hello, {name}")
///     }
/// }
///
/// # tokio_test::block_on(async {
/// let greeter = spawn(Greeter);
/// assert_eq!(greeter.ask("world").await.unwrap(), "hello, world");
/// # });
/// ```
#[track_caller]
pub fn spawn<A: Actor>(actor: A) -> Addr<A> {
    let (addr, slot, finisher) = prepare(actor);
    if start_in_place::<A>() {
        tokio::spawn(run::<A, InPlace>(slot, finisher));
    } else {
        tokio::spawn(run::<A, Boxed>(slot, finisher));
    }
    addr
}

/// Spawns `actor` on its own OS thread and returns its address: for actors whose handlers
/// block (file I/O, a blocking library, long computations), as the post's actors did.
///
/// Handlers are still `async fn`s, driven on that thread (it parks while the mailbox is
/// empty). If this is called inside a tokio runtime, the thread enters that runtime's context,
/// so handlers can also use tokio's timers and `tokio::spawn`. Blocking calls of this crate
/// (`.wait()`, a [`Bridge`](super::Bridge)) work in its handlers.
///
/// # Panics
///
/// If the OS refuses to create a thread.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use tidings::actor::{spawn_thread, Actor, Context, Handler};
///
/// struct Sleeper;
/// impl Actor for Sleeper {}
/// impl Handler<Duration> for Sleeper {
///     type Reply = &'static str;
///     async fn handle(&mut self, d: Duration, _: &mut Context<Self>) -> &'static str {
///         std::thread::sleep(d); // blocking is fine here
///         "rested"
///     }
/// }
///
/// let sleeper = spawn_thread(Sleeper);
/// assert_eq!(sleeper.ask(Duration::from_millis(1)).wait().unwrap(), "rested");
/// ```
#[track_caller]
pub fn spawn_thread<A: Actor>(actor: A) -> Addr<A> {
    let (addr, slot, finisher) = prepare(actor);
    let runtime = tokio::runtime::Handle::try_current().ok();
    std::thread::Builder::new()
        .name(format!("tidings-actor-{}", addr.id().as_u64()))
        .spawn(move || {
            let _entered = runtime.as_ref().map(tokio::runtime::Handle::enter);
            if start_in_place::<A>() {
                block_on(run::<A, InPlace>(slot, finisher));
            } else {
                block_on(run::<A, Boxed>(slot, finisher));
            }
        })
        .expect("tidings: could not spawn a thread for the actor");
    addr
}

/// A new actor's mailbox, core and first address, and its loop's finisher. The actor goes
/// into its [`Slot`] here, so that the loop's future holds a pointer to it, not the actor.
fn prepare<A: Actor>(actor: A) -> (Addr<A>, Lent<A>, Finisher<A>) {
    // Small blocks: the first message allocates a block of 7 envelopes, not 63.
    let (tx, mailbox) = crate::mailbox::unbounded_small();
    let core = Arc::new(Core::new(tx));
    let slot = Box::new(Slot { actor, ctx: Context::new(core.clone()) });
    (Addr::new(core.clone()), slot, Finisher { core, mailbox, done: false })
}

/// Owns the actor's mailbox and records the actor's end. Dropped without
/// [`finish`](Finisher::finish) (the task was dropped: its runtime shut down), it rejects what
/// is queued and records [`StopReason::Aborted`].
struct Finisher<A: Actor> {
    core: Arc<Core<ActorKind<A>>>,
    mailbox: Mailbox<Envelope<A>>,
    done: bool,
}

impl<A: Actor> Finisher<A> {
    /// Closes the mailbox and rejects every queued message; returns how many there were.
    fn reject_queued(&mut self) -> usize {
        self.mailbox.close();
        let mut rejected = 0;
        while let Ok(envelope) = self.mailbox.try_recv() {
            envelope.reject();
            rejected += 1;
        }
        rejected
    }

    fn finish(&mut self, reason: StopReason, unhandled: usize) {
        self.done = true;
        self.core.finish(Stopped::new(self.core.id(), reason, unhandled));
    }
}

impl<A: Actor> Drop for Finisher<A> {
    fn drop(&mut self) {
        if !self.done {
            let unhandled = self.reject_queued();
            self.finish(StopReason::Aborted, unhandled);
        }
    }
}

/// The actor loop.
///
/// This future is most of an idle actor's memory (tokio rounds a task up to a multiple of
/// 128 bytes), so it holds the actor through a pointer (its [`Slot`], which each message's
/// future borrows in turn), and the phases that run once, `started` (unless its future is
/// tiny, see [`Starting`]) and the end (`stopped`, the outcome), are boxed: while the actor
/// serves messages, its future holds only what serving needs.
///
/// Not an `async fn`: one of those keeps its arguments twice in its state (as arguments, and
/// as the locals they are moved to); an `async move` block captures them once.
// The lint would bring the duplicated arguments back.
#[allow(clippy::manual_async_fn)]
fn run<A: Actor, S: Starting>(
    slot: Lent<A>,
    mut finisher: Finisher<A>,
) -> impl Future<Output = ()> {
    async move {
        let mut home = Some(slot);
        let (panic, started_ok) = serve::<A, S>(&mut home, &mut finisher.mailbox).await;
        let slot = home.expect("the actor's slot is home after its last message");
        Box::pin(end(slot, finisher, panic, started_ok)).await;
    }
}

/// Runs `started`; `Some(panic message)` if it panicked.
async fn start<A: Actor>(actor: &mut A, ctx: &mut Context<A>) -> Option<String> {
    CatchUnwind(pin!(actor.started(ctx))).await.err()
}

/// Where the actor loop keeps the future of `started` while it runs: [`InPlace`] in the
/// loop's own future, or [`Boxed`], so that a large one does not make the loop's future (the
/// actor's task, for the actor's whole life) larger. [`start_in_place`] picks one per actor
/// type.
trait Starting: 'static {
    fn start<A: Actor>(slot: &mut Slot<A>) -> impl Future<Output = Option<String>> + Send + '_;
}

/// `started` runs inside the loop's future.
struct InPlace;

impl Starting for InPlace {
    fn start<A: Actor>(slot: &mut Slot<A>) -> impl Future<Output = Option<String>> + Send + '_ {
        start(&mut slot.actor, &mut slot.ctx)
    }
}

/// `started` runs boxed.
struct Boxed;

impl Starting for Boxed {
    fn start<A: Actor>(slot: &mut Slot<A>) -> impl Future<Output = Option<String>> + Send + '_ {
        Box::pin(start(&mut slot.actor, &mut slot.ctx))
    }
}

/// The largest `started` future kept in place: the default hook's takes no space, and a
/// boxed one would cost an allocation per spawn (and a pointer in the loop's future anyway).
const IN_PLACE_START: usize = 16;

/// Whether `A`'s `started` future is small enough to run in place (a constant per type).
fn start_in_place<A: Actor>() -> bool {
    fn output_size<'a, A: Actor, F>(_: fn(&'a mut A, &'a mut Context<A>) -> F) -> usize {
        std::mem::size_of::<F>()
    }
    output_size(A::started) <= IN_PLACE_START
}

/// After the last message (or a panic): runs `stopped` (unless `started` panicked: `stopped`
/// runs after a handler panicked, not after `started` did), drops the actor and records the
/// outcome.
async fn end<A: Actor>(
    slot: Lent<A>,
    mut finisher: Finisher<A>,
    panic: Option<String>,
    started_ok: bool,
) {
    let Slot { mut actor, mut ctx } = *slot;
    let (mut reason, unhandled) = match panic {
        Some(message) => (StopReason::Panicked(message), finisher.reject_queued()),
        None if finisher.core.stop_was_requested() => (StopReason::Normal, 0),
        None => (StopReason::Dropped, 0),
    };
    if started_ok {
        let hook = CatchUnwind(pin!(actor.stopped(&mut ctx, &reason))).await;
        if let (Err(message), false) = (hook, reason.is_panic()) {
            reason = StopReason::Panicked(message);
        }
    }
    drop(ctx);
    drop(actor);
    finisher.finish(reason, unhandled);
}

/// Runs `started`, then handles every message: `(Some(panic message), started_ok)` if the
/// hook or a handler panicked, `(None, true)` once the mailbox is closed and empty. The
/// actor's slot is in `home` whenever this returns.
///
/// The mailbox is polled directly (as a stream: no receive builder, no timer to drop per
/// message); each envelope catches a panic of its handler itself, and hands the slot back.
///
/// Not an `async fn`, for the reason given at [`run`].
#[allow(clippy::manual_async_fn)]
fn serve<'a, A: Actor, S: Starting>(
    home: &'a mut Option<Lent<A>>,
    mailbox: &'a mut Mailbox<Envelope<A>>,
) -> impl Future<Output = (Option<String>, bool)> + 'a {
    async move {
        let slot = home.as_mut().expect("the actor's slot is home before it starts");
        if let Some(message) = S::start(slot).await {
            return (Some(message), false);
        }
        loop {
            let mut envelope = match poll_fn(|cx| Pin::new(&mut *mailbox).poll_next(cx)).await {
                Some(envelope) => envelope,
                None => break,
            };
            let handled = poll_fn(|cx| envelope.as_mut().poll_handle(home, cx)).await;
            if let Err(message) = handled {
                return (Some(message), true);
            }
        }
        (None, true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Small;
    impl Actor for Small {}

    struct LargeStart;
    impl Actor for LargeStart {
        async fn started(&mut self, _: &mut Context<Self>) {
            let buffer = [0u8; 256];
            tokio::task::yield_now().await;
            std::hint::black_box(&buffer);
        }
    }

    /// An actor's mailbox keeps its envelopes in small blocks: the first message allocates a
    /// block of 7, not 63 (about 180 bytes instead of 1.5 KiB per actor that has received
    /// anything).
    #[test]
    fn an_actors_mailbox_uses_small_blocks() {
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let _context = runtime.enter();
        let (_addr, _slot, finisher) = prepare(Small);
        assert!(matches!(finisher.mailbox.ring(), crate::ring::Ring::Small(_)));
        let (_tx, plain) = crate::unbounded::<u8>();
        assert!(matches!(plain.ring(), crate::ring::Ring::Unbounded(_)));
    }

    #[test]
    fn the_default_started_runs_in_place_and_a_large_one_boxed() {
        assert!(start_in_place::<Small>());
        assert!(!start_in_place::<LargeStart>());
    }

    /// tokio rounds a task's allocation up to a multiple of 128 bytes, and its own header,
    /// scheduler handle, id and trailer take about 100 of them: a loop future of up to ~150
    /// bytes keeps an idle actor's task at 256 (the `many_actors` example and a counting
    /// allocator show it). 128 leaves a margin for tokio's own changes.
    #[test]
    fn the_actor_loop_future_keeps_the_task_in_256_bytes() {
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let _context = runtime.enter();
        let (_addr, slot, finisher) = prepare(Small);
        let size = std::mem::size_of_val(&run::<Small, InPlace>(slot, finisher));
        assert!(size <= 128, "the actor loop's future takes {size} bytes");
    }
}
