//! Every message given to an actor, a process or a bridge is dropped exactly once: handled,
//! given back (a send to a stopped actor, an ask the actor could not handle), or dropped with
//! the actor's queue after a panic or a runtime shutdown — never leaked, never twice. And the
//! documented stop rule holds: messages queued before a stop are handled, not lost.

mod counted;

use std::any::Any;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use counted::{Counted, Tracker};
use tidings::actor::{
    spawn, spawn_process, Actor, Addr, AskError, Bridge, Context, Handler, Router, StopReason,
};
use tokio::sync::oneshot;

const LONG: Duration = Duration::from_secs(10);

/// Records the ids of the messages it handled.
struct Keeper {
    handled: Arc<Mutex<Vec<u32>>>,
}

/// Holds the actor until the sender fires (or is dropped).
struct Gate(oneshot::Receiver<()>);
/// Handled by returning the message: the reply owns it.
struct Echo(Counted);
/// Handled by replying the message to whoever sent it.
struct Forward(Counted);
/// Panics.
struct Boom;

impl Actor for Keeper {
    fn routes(router: Router<Self>) -> Router<Self> {
        router.route::<Counted>()
    }
}

impl Handler<Counted> for Keeper {
    type Reply = u32;
    async fn handle(&mut self, msg: Counted, _: &mut Context<Self>) -> u32 {
        self.handled.lock().unwrap().push(msg.id);
        msg.id
    }
}

impl Handler<Gate> for Keeper {
    type Reply = ();
    async fn handle(&mut self, Gate(gate): Gate, _: &mut Context<Self>) {
        let _ = gate.await;
    }
}

impl Handler<Echo> for Keeper {
    type Reply = Counted;
    async fn handle(&mut self, Echo(msg): Echo, _: &mut Context<Self>) -> Counted {
        self.handled.lock().unwrap().push(msg.id);
        msg
    }
}

impl Handler<Forward> for Keeper {
    type Reply = ();
    async fn handle(&mut self, Forward(msg): Forward, ctx: &mut Context<Self>) {
        self.handled.lock().unwrap().push(msg.id);
        // A sender that is gone gives the message back; it is dropped here then.
        let _ = ctx.reply(msg);
    }
}

impl Handler<Boom> for Keeper {
    type Reply = ();
    async fn handle(&mut self, _: Boom, _: &mut Context<Self>) {
        panic!("boom");
    }
}

fn keeper() -> (Keeper, Arc<Mutex<Vec<u32>>>) {
    let handled = Arc::new(Mutex::new(Vec::new()));
    (Keeper { handled: handled.clone() }, handled)
}

/// A spawned keeper held in a `Gate` (its first message) until `open` is sent: what is told
/// to it meanwhile stays queued.
fn gated_keeper() -> (Addr<Keeper>, Arc<Mutex<Vec<u32>>>, oneshot::Sender<()>) {
    let (actor, handled) = keeper();
    let addr = spawn(actor);
    let (open, gate) = oneshot::channel();
    addr.tell(Gate(gate)).unwrap();
    (addr, handled, open)
}

/// Waits until exactly `n` messages are queued for the actor (not yet taken by it): after a
/// `Gate`, 0 says the actor is held in it; then the count says which sends arrived.
async fn until_queued<A: Actor>(addr: &Addr<A>, n: usize) {
    tokio::time::timeout(LONG, async {
        while addr.queued() != n {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await
    .expect("the messages were queued in time");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_queued_before_a_stop_are_handled_and_later_ones_come_back() {
    let t = Tracker::new();
    let (addr, handled, open) = gated_keeper();
    until_queued(&addr, 0).await;
    for _ in 0..10 {
        addr.tell(t.make()).unwrap(); // 0..10
    }
    // Two asks waiting in other tasks, queued behind the tells.
    let asks: Vec<_> = (0..2)
        .map(|_| {
            let (addr, msg) = (addr.clone(), t.make()); // 10, 11
            tokio::spawn(async move { addr.ask(Echo(msg)).await.map(|m| m.id) })
        })
        .collect();
    until_queued(&addr, 12).await;
    addr.stop();
    // After the stop every send fails and gives its message back.
    let late = addr.tell(t.make()).unwrap_err().into_inner(); // 12
    assert_eq!(late.id, 12);
    let closed = addr.ask(Echo(t.make())).await.unwrap_err(); // 13
    assert!(matches!(closed, AskError::Closed(Echo(ref m)) if m.id == 13));
    let any = addr.tell_any(Box::new(t.make())).unwrap_err().into_inner(); // 14
    assert_eq!(any.downcast::<Counted>().unwrap().id, 14);
    let recipient = addr.recipient::<Counted>();
    assert_eq!(recipient.tell(t.make()).unwrap_err().into_inner().id, 15);
    drop((late, closed));
    assert_eq!(t.dropped(), 4, "only the refused messages are gone yet");
    open.send(()).unwrap();
    let stopped = addr.wait_stopped().timeout(LONG).await.unwrap();
    assert_eq!((stopped.reason, stopped.unhandled), (StopReason::Normal, 0));
    let mut replies = Vec::new();
    for ask in asks {
        replies.push(ask.await.unwrap().unwrap());
    }
    replies.sort_unstable();
    assert_eq!(replies, [10, 11], "queued asks were answered");
    let mut ids = handled.lock().unwrap().clone();
    ids[10..].sort_unstable(); // the two asks raced each other into the queue
    assert_eq!(ids, (0..12).collect::<Vec<u32>>(), "every queued message handled, in order");
    t.assert_all_dropped_once();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_queued_when_the_last_address_goes_are_handled() {
    let t = Tracker::new();
    let (addr, handled, open) = gated_keeper();
    for _ in 0..20 {
        addr.tell(t.make()).unwrap();
    }
    let stopped = addr.wait_stopped();
    drop(addr);
    open.send(()).unwrap();
    let stopped = stopped.timeout(LONG).await.unwrap();
    assert_eq!((stopped.reason, stopped.unhandled), (StopReason::Dropped, 0));
    assert_eq!(handled.lock().unwrap().len(), 20);
    t.assert_all_dropped_once();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_panic_queued_asks_get_their_message_back_and_tells_are_dropped_once() {
    let t = Tracker::new();
    let (addr, handled, open) = gated_keeper();
    until_queued(&addr, 0).await;
    addr.tell(Boom).unwrap();
    for _ in 0..3 {
        addr.tell(t.make()).unwrap(); // 0..3
    }
    let asks: Vec<_> = (0..2)
        .map(|_| {
            let (addr, msg) = (addr.clone(), t.make()); // 3, 4
            tokio::spawn(async move {
                match addr.ask(Echo(msg)).await {
                    Err(AskError::Unhandled(Echo(msg))) => msg.id,
                    other => panic!("expected Unhandled, got {other:?}"),
                }
            })
        })
        .collect();
    until_queued(&addr, 6).await;
    let stopped = addr.wait_stopped();
    open.send(()).unwrap();
    let stopped = stopped.timeout(LONG).await.unwrap();
    assert!(stopped.reason.is_panic());
    assert_eq!(stopped.unhandled, 5);
    let mut back = Vec::new();
    for ask in asks {
        back.push(ask.await.unwrap());
    }
    back.sort_unstable();
    assert_eq!(back, [3, 4], "each ask got its own message back");
    assert!(handled.lock().unwrap().is_empty(), "nothing after the panic was handled");
    t.assert_all_dropped_once();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timed_out_ask_is_still_handled_and_its_reply_dropped_once() {
    let t = Tracker::new();
    let (addr, handled, open) = gated_keeper();
    let late = addr.ask(Echo(t.make())).timeout(Duration::from_millis(10)).await;
    assert!(late.unwrap_err().is_timeout());
    assert_eq!(t.dropped(), 0, "the message is with the actor");
    // An ask future dropped before its first poll sends nothing.
    drop(std::future::IntoFuture::into_future(addr.ask(Echo(t.make()))));
    assert_eq!(t.dropped(), 1);
    open.send(()).unwrap();
    addr.stop();
    addr.wait_stopped().timeout(LONG).await.unwrap();
    assert_eq!(*handled.lock().unwrap(), [0], "handled; its reply, the message, had no taker");
    t.assert_all_dropped_once();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn untyped_messages_are_dropped_once_routed_or_not() {
    let t = Tracker::new();
    let (actor, handled) = keeper();
    let addr = spawn(actor);
    let any = tidings::actor::Address::any_addr(&addr);
    any.tell(t.make()).unwrap(); // routed to Handler<Counted>
    addr.tell_any(Box::new(t.make())).unwrap(); // routed too
                                                // Not routed: the default fallback drops it (and says so on standard error).
    addr.tell_any(Box::new(Echo(t.make())) as Box<dyn Any + Send>).unwrap();
    addr.stop();
    addr.wait_stopped().timeout(LONG).await.unwrap();
    assert_eq!(*handled.lock().unwrap(), [0, 1]);
    t.assert_all_dropped_once();
}

/// Waits on a plain thread until exactly `n` messages are queued for the actor.
fn until_queued_blocking<A: Actor>(addr: &tidings::actor::Addr<A>, n: usize) {
    let deadline = std::time::Instant::now() + LONG;
    while addr.queued() != n && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(addr.queued(), n);
}

#[test]
fn a_runtime_shutdown_drops_queued_tells_and_gives_asks_their_message_back() {
    let t = Tracker::new();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (actor, _) = keeper();
    let addr = runtime.block_on(async { spawn(actor) });
    // Kept closed until after the shutdown: the actor waits in the gate until then.
    let (open, gate) = oneshot::channel::<()>();
    addr.tell(Gate(gate)).unwrap();
    until_queued_blocking(&addr, 0);
    for _ in 0..3 {
        addr.tell(t.make()).unwrap(); // 0..3
    }
    let asker = {
        let (addr, msg) = (addr.clone(), t.make()); // 3
        std::thread::spawn(move || addr.ask(Echo(msg)).timeout(LONG).wait())
    };
    until_queued_blocking(&addr, 4);
    drop(runtime);
    match asker.join().unwrap() {
        Err(AskError::Unhandled(Echo(msg))) => assert_eq!(msg.id, 3),
        other => panic!("expected Unhandled, got {other:?}"),
    }
    let stopped = addr.wait_stopped().timeout(LONG).wait().unwrap();
    assert_eq!((stopped.reason, stopped.unhandled), (StopReason::Aborted, 4));
    drop(open);
    t.assert_all_dropped_once();
}

#[test]
fn bridge_calls_lose_and_duplicate_nothing() {
    let t = Tracker::new();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let _context = runtime.enter();
    let (actor, handled) = keeper();
    let (a, b) = (spawn(actor), spawn(keeper().0));
    let mut bridge = Bridge::new();

    // A call that times out returns the default; the message is still handled.
    let (open, gate) = oneshot::channel();
    a.tell(Gate(gate)).unwrap();
    assert_eq!(bridge.call(&a, t.make(), Duration::from_millis(10), u32::MAX).unwrap(), u32::MAX);
    open.send(()).unwrap();
    assert_eq!(bridge.call(&a, t.make(), LONG, u32::MAX).unwrap(), 1);

    // Replies sent to the bridge wait in its mailbox.
    bridge.call(&a, Forward(t.make()), LONG, ()).unwrap(); // 2
    bridge.call(&b, Forward(t.make()), LONG, ()).unwrap(); // 3
    let letter = bridge.recv().timeout(LONG).wait().unwrap();
    assert_eq!(letter.downcast::<Counted>().unwrap().id, 2);
    assert_eq!(bridge.mailbox().len(), 1);

    let replies = bridge.multi_call([(&a, t.make()), (&b, t.make()), (&a, t.make())], LONG, 0);
    let replies: Vec<u32> = replies.into_iter().map(Result::unwrap).collect();
    assert_eq!(replies, [4, 5, 6]);

    // Stop both with messages still queued: they are handled first.
    let (open, gate) = oneshot::channel();
    a.tell(Gate(gate)).unwrap();
    for _ in 0..5 {
        a.tell(t.make()).unwrap(); // 7..12
    }
    let opener = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(10));
        open.send(()).unwrap();
    });
    let stopped = bridge.stop(&[&a, &b], LONG).unwrap();
    opener.join().unwrap();
    assert!(stopped.iter().all(|s| s.as_ref().is_some_and(|s| s.unhandled == 0)));
    assert_eq!(*handled.lock().unwrap(), [0, 1, 2, 4, 6, 7, 8, 9, 10, 11]);

    // A call to a stopped actor gives the message back.
    match bridge.call(&a, t.make(), LONG, 0) {
        Err(AskError::Closed(msg)) => assert_eq!(msg.id, 12),
        other => panic!("expected Closed, got {other:?}"),
    }
    assert_eq!(t.dropped(), 12, "all but the letter in the bridge's mailbox");
    drop(bridge);
    t.assert_all_dropped_once();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_drops_its_queue_once_when_its_body_returns() {
    let t = Tracker::new();
    let (took, took_rx) = oneshot::channel();
    let (open, gate) = oneshot::channel::<()>();
    let pid = spawn_process(|mut mailbox: tidings::Mailbox<Counted>, _| async move {
        let first = mailbox.recv().await.unwrap();
        let id = first.id;
        drop(first);
        let _ = took.send(id);
        let _ = gate.await;
        // Returns with the rest still queued: they go with the mailbox.
    });
    for _ in 0..10 {
        pid.tell(t.make()).unwrap();
    }
    assert_eq!(took_rx.await.unwrap(), 0);
    assert!(t.was_dropped(0));
    let stopped = pid.wait_stopped();
    open.send(()).unwrap();
    assert_eq!(stopped.timeout(LONG).await.unwrap().reason, StopReason::Normal);
    let back = pid.tell(t.make()).unwrap_err().into_inner();
    assert_eq!(back.id, 10);
    drop(back);
    t.assert_all_dropped_once();
}
