//! Stopping: what is queued before a stop is handled, later sends fail with their message,
//! confirmations carry the reason; dropping every address and shutting the runtime down stop
//! actors too, and watchers always hear about it.

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tidings::actor::{spawn, Actor, Context, Handler, StopReason, WaitError};

/// Counts handled messages, each after a short await (so messages pile up behind it).
struct Counter {
    handled: Arc<AtomicUsize>,
    stop_after: Option<usize>,
}

struct Work;

impl Actor for Counter {}

impl Handler<Work> for Counter {
    type Reply = ();
    async fn handle(&mut self, _: Work, ctx: &mut Context<Self>) {
        tokio::task::yield_now().await;
        let n = self.handled.fetch_add(1, SeqCst) + 1;
        if Some(n) == self.stop_after {
            ctx.stop();
        }
    }
}

fn counter(stop_after: Option<usize>) -> (Counter, Arc<AtomicUsize>) {
    let handled = Arc::new(AtomicUsize::new(0));
    (Counter { handled: handled.clone(), stop_after }, handled)
}

#[tokio::test]
async fn stop_while_messages_are_queued_handles_every_one_of_them() {
    let (actor, handled) = counter(None);
    let addr = spawn(actor);
    for _ in 0..100 {
        addr.tell(Work).unwrap();
    }
    addr.stop();
    assert!(!addr.is_alive());
    let stopped = addr.wait_stopped().await.unwrap();
    assert_eq!((stopped.reason, stopped.unhandled), (StopReason::Normal, 0));
    assert_eq!(handled.load(SeqCst), 100);
}

#[tokio::test]
async fn sends_after_a_stop_fail_and_give_the_message_back() {
    let (actor, handled) = counter(None);
    let addr = spawn(actor);
    addr.stop();
    let err = addr.tell(Work).unwrap_err();
    let Work = err.into_inner();
    addr.wait_stopped().await.unwrap();
    assert_eq!(handled.load(SeqCst), 0);
}

#[tokio::test]
async fn ctx_stop_still_handles_what_was_queued() {
    let (actor, handled) = counter(Some(2));
    let addr = spawn(actor);
    for _ in 0..5 {
        addr.tell(Work).unwrap();
    }
    let stopped = addr.wait_stopped().await.unwrap();
    assert_eq!(stopped.reason, StopReason::Normal);
    assert_eq!(handled.load(SeqCst), 5, "queued before the close: handled");
}

#[tokio::test]
async fn dropping_the_last_address_stops_the_actor_after_its_queue() {
    let (actor, handled) = counter(None);
    let addr = spawn(actor);
    let wait = addr.wait_stopped(); // does not count as an address
    for _ in 0..3 {
        addr.tell(Work).unwrap();
    }
    let copy = addr.clone();
    drop(addr);
    assert!(copy.is_alive(), "a clone keeps it running");
    drop(copy);
    let stopped = wait.await.unwrap();
    assert_eq!(stopped.reason, StopReason::Dropped);
    assert_eq!(handled.load(SeqCst), 3);
}

#[tokio::test]
async fn stopping_twice_and_waiting_twice_give_the_same_confirmation() {
    let (actor, _) = counter(None);
    let addr = spawn(actor);
    addr.stop();
    addr.stop();
    let first = addr.wait_stopped().await.unwrap();
    let again = addr.wait_stopped().await.unwrap();
    assert_eq!(first, again);
    assert_eq!(first.id, addr.id());
}

#[tokio::test]
async fn wait_stopped_times_out_while_the_actor_runs() {
    let (actor, _) = counter(None);
    let addr = spawn(actor);
    let began = Instant::now();
    let result = addr.wait_stopped().timeout(Duration::from_millis(30)).await;
    assert_eq!(result, Err(WaitError::Timeout));
    assert!(began.elapsed() >= Duration::from_millis(30));
}

/// Never finishes its first message, so the test can shut the runtime down with an ask queued.
struct Stuck {
    entered: Arc<AtomicUsize>,
}

impl Actor for Stuck {}

impl Handler<u32> for Stuck {
    type Reply = u32;
    async fn handle(&mut self, n: u32, _ctx: &mut Context<Self>) -> u32 {
        self.entered.fetch_add(1, SeqCst);
        std::future::pending::<()>().await;
        n
    }
}

#[test]
fn runtime_shutdown_reports_aborted_and_returns_queued_asks() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let entered = Arc::new(AtomicUsize::new(0));
    let stuck = runtime.block_on(async { spawn(Stuck { entered: entered.clone() }) });
    stuck.tell(1).unwrap(); // the handler that never ends
    while entered.load(SeqCst) == 0 {
        std::thread::sleep(Duration::from_millis(1));
    }
    // An ask from another thread, queued behind the stuck handler.
    let asker = {
        let stuck = stuck.clone();
        std::thread::spawn(move || stuck.ask(2).wait())
    };
    while stuck.queued() == 0 {
        std::thread::sleep(Duration::from_millis(1));
    }
    drop(runtime);
    let stopped = stuck.wait_stopped().wait().unwrap();
    assert_eq!(stopped.reason, StopReason::Aborted);
    assert_eq!(stopped.unhandled, 1, "the queued ask");
    match asker.join().unwrap() {
        Err(tidings::actor::AskError::Unhandled(n)) => assert_eq!(n, 2),
        other => panic!("expected Unhandled(2), got {other:?}"),
    }
}
