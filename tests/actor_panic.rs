//! A panicking handler never vanishes silently: the pending ask gets the panic, the actor
//! stops with the reason, queued asks get their message back, watchers are told.
//!
//! (The panics print their message through the panic hook: that is expected output.)

use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::Arc;

use tidings::actor::{spawn, Actor, AskError, Context, Handler, StopReason};

struct Fragile {
    stopped_ran: Arc<AtomicBool>,
}

struct Boom;
struct Echo(u32);

impl Actor for Fragile {
    async fn stopped(&mut self, _ctx: &mut Context<Self>, reason: &StopReason) {
        assert!(reason.is_panic());
        self.stopped_ran.store(true, SeqCst);
    }
}

impl Handler<Boom> for Fragile {
    type Reply = ();
    async fn handle(&mut self, _: Boom, _ctx: &mut Context<Self>) {
        panic!("boom");
    }
}

impl Handler<Echo> for Fragile {
    type Reply = u32;
    async fn handle(&mut self, Echo(n): Echo, _ctx: &mut Context<Self>) -> u32 {
        n
    }
}

fn fragile() -> (Fragile, Arc<AtomicBool>) {
    let ran = Arc::new(AtomicBool::new(false));
    (Fragile { stopped_ran: ran.clone() }, ran)
}

#[tokio::test]
async fn panicking_handler_fails_the_pending_ask_and_stops_the_actor_with_the_reason() {
    let (actor, stopped_ran) = fragile();
    let addr = spawn(actor);
    assert_eq!(addr.ask(Echo(1)).await.unwrap(), 1);
    match addr.ask(Boom).await {
        Err(AskError::Panicked(message)) => assert_eq!(message, "boom"),
        other => panic!("expected Panicked, got {other:?}"),
    }
    let stopped = addr.wait_stopped().await.unwrap();
    assert_eq!(stopped.reason, StopReason::Panicked("boom".into()));
    assert!(stopped_ran.load(SeqCst), "stopped ran after the panic");
    assert!(addr.tell(Echo(2)).is_err(), "a panicked actor takes no more messages");
}

#[tokio::test]
async fn messages_queued_behind_a_panic_are_counted_and_asks_get_their_message_back() {
    let (actor, _) = fragile();
    let addr = spawn(actor);
    // The test's current-thread runtime has not run the actor yet: all three are queued.
    addr.tell(Boom).unwrap();
    addr.tell(Echo(1)).unwrap();
    match addr.ask(Echo(7)).await {
        Err(AskError::Unhandled(Echo(n))) => assert_eq!(n, 7),
        other => panic!("expected Unhandled with the message, got {other:?}"),
    }
    let stopped = addr.wait_stopped().await.unwrap();
    assert!(stopped.reason.is_panic());
    assert_eq!(stopped.unhandled, 2, "the tell and the ask behind the panic");
}

struct BadStart;

impl Actor for BadStart {
    async fn started(&mut self, _ctx: &mut Context<Self>) {
        panic!("cannot start");
    }

    async fn stopped(&mut self, _ctx: &mut Context<Self>, _reason: &StopReason) {
        unreachable!("stopped does not run after started panicked");
    }
}

impl Handler<Echo> for BadStart {
    type Reply = u32;
    async fn handle(&mut self, Echo(n): Echo, _ctx: &mut Context<Self>) -> u32 {
        n
    }
}

#[tokio::test]
async fn panic_in_started_stops_the_actor_and_returns_queued_asks() {
    let addr = spawn(BadStart);
    match addr.ask(Echo(3)).await {
        Err(AskError::Unhandled(Echo(3))) => {}
        Err(AskError::Closed(Echo(3))) => {} // if the actor stopped before the ask was queued
        other => panic!("expected the message back, got {other:?}"),
    }
    let stopped = addr.wait_stopped().await.unwrap();
    assert_eq!(stopped.reason, StopReason::Panicked("cannot start".into()));
}

struct BadStop;

impl Actor for BadStop {
    async fn stopped(&mut self, _ctx: &mut Context<Self>, _reason: &StopReason) {
        panic!("cannot stop cleanly");
    }
}

#[tokio::test]
async fn panic_in_stopped_turns_a_normal_stop_into_a_panic() {
    let addr = spawn(BadStop);
    addr.stop();
    let stopped = addr.wait_stopped().await.unwrap();
    assert_eq!(stopped.reason, StopReason::Panicked("cannot stop cleanly".into()));
}
