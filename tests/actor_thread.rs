//! Thread actors: `spawn_thread` runs an actor on its own OS thread, so its handlers may block
//! without stalling the runtime, and may use this crate's blocking calls.

use std::time::Duration;

use tidings::actor::{spawn, spawn_thread, Actor, Addr, Bridge, Context, Handler, StopReason};

struct Blocker;

/// Says it has begun blocking, then blocks the thread until the other end sends (or is
/// dropped).
struct BlockUntil(tokio::sync::oneshot::Sender<()>, std::sync::mpsc::Receiver<()>);
/// Which thread runs the handler.
struct WhereAmI;

impl Actor for Blocker {}

impl Handler<BlockUntil> for Blocker {
    type Reply = ();
    async fn handle(&mut self, BlockUntil(entered, release): BlockUntil, _ctx: &mut Context<Self>) {
        let _ = entered.send(());
        let _ = release.recv();
    }
}

impl Handler<WhereAmI> for Blocker {
    type Reply = Option<String>;
    async fn handle(&mut self, _: WhereAmI, _ctx: &mut Context<Self>) -> Option<String> {
        std::thread::current().name().map(str::to_owned)
    }
}

struct Quick;

impl Actor for Quick {}

impl Handler<u32> for Quick {
    type Reply = u32;
    async fn handle(&mut self, n: u32, _ctx: &mut Context<Self>) -> u32 {
        n
    }
}

#[test]
fn thread_actor_runs_on_its_own_named_thread_and_confirms_its_stop() {
    let blocker = spawn_thread(Blocker);
    let name = blocker.ask(WhereAmI).wait().unwrap();
    assert_eq!(name, Some(format!("tidings-actor-{}", blocker.id().as_u64())));
    blocker.stop();
    let stopped = blocker.wait_stopped().timeout(Duration::from_secs(5)).wait().unwrap();
    assert_eq!(stopped.reason, StopReason::Normal);
}

#[tokio::test]
async fn blocking_thread_actor_does_not_stall_a_current_thread_runtime() {
    let blocker = spawn_thread(Blocker);
    let quick = spawn(Quick);
    let (entered, blocked) = tokio::sync::oneshot::channel();
    let (release, held) = std::sync::mpsc::channel();
    blocker.tell(BlockUntil(entered, held)).unwrap();
    blocked.await.unwrap();
    // The only runtime thread stays free: the task actor answers while the thread actor is
    // blocked (it stays blocked until `release` below; a stalled runtime would never answer,
    // and the timeout turns that hang into a failure).
    let answer = quick.ask(7).timeout(Duration::from_secs(10)).await;
    assert_eq!(answer.unwrap(), 7, "answered while the other blocked");
    release.send(()).unwrap();
    // And the thread actor, asked from a task, answers once released.
    assert!(blocker.ask(WhereAmI).await.unwrap().is_some());
}

/// A thread actor whose handler makes a blocking bridge call to a task actor.
struct Caller;
struct CallQuick(Addr<Quick>, u32);

impl Actor for Caller {}

impl Handler<CallQuick> for Caller {
    type Reply = u32;
    async fn handle(&mut self, CallQuick(quick, n): CallQuick, _ctx: &mut Context<Self>) -> u32 {
        Bridge::new().call(&quick, n, Duration::from_secs(5), 0).expect("blocking is allowed here")
    }
}

#[test]
fn thread_actor_handlers_may_use_blocking_calls() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let _context = runtime.enter();
    let quick = spawn(Quick);
    let caller = spawn_thread(Caller);
    assert_eq!(caller.ask(CallQuick(quick, 11)).wait().unwrap(), 11);
}

struct Breaks;

impl Actor for Breaks {}

impl Handler<()> for Breaks {
    type Reply = ();
    async fn handle(&mut self, _: (), _ctx: &mut Context<Self>) {
        panic!("thread actor broke");
    }
}

#[test]
fn thread_actor_panic_fails_the_ask_and_is_reported() {
    let breaks = spawn_thread(Breaks);
    let err = breaks.ask(()).wait().unwrap_err();
    assert!(err.is_panic(), "got {err:?}");
    let stopped = breaks.wait_stopped().timeout(Duration::from_secs(5)).wait().unwrap();
    assert_eq!(stopped.reason, StopReason::Panicked("thread actor broke".into()));
}
