//! Erlang-style monitors: an actor, a process or a bridge that monitors another receives a
//! `Down` with the reason when it stops — after everything the stopped actor sent it.

use std::time::Duration;

use tidings::actor::{spawn, Actor, Addr, Bridge, Context, Down, Handler, StopReason};

/// Records notes and downs, in arrival order.
#[derive(Default)]
struct Watcher {
    seen: Vec<String>,
}

struct Watch<T>(Addr<T>)
where
    T: Actor;
struct Seen;

impl Actor for Watcher {}

impl<T: Actor> Handler<Watch<T>> for Watcher {
    type Reply = ();
    async fn handle(&mut self, Watch(target): Watch<T>, ctx: &mut Context<Self>) {
        ctx.monitor(&target);
    }
}

impl Handler<Down> for Watcher {
    type Reply = ();
    async fn handle(&mut self, down: Down, _ctx: &mut Context<Self>) {
        self.seen.push(format!("down {}: {}", down.id, down.reason));
    }
}

impl Handler<String> for Watcher {
    type Reply = ();
    async fn handle(&mut self, note: String, _ctx: &mut Context<Self>) {
        self.seen.push(note);
    }
}

impl Handler<Seen> for Watcher {
    type Reply = Vec<String>;
    async fn handle(&mut self, _: Seen, _ctx: &mut Context<Self>) -> Vec<String> {
        self.seen.clone()
    }
}

/// Sends its watcher notes, then panics or stops when told.
struct Target {
    watcher: Addr<Watcher>,
}

enum Order {
    Note(&'static str),
    Panic,
}

impl Actor for Target {}

impl Handler<Order> for Target {
    type Reply = ();
    async fn handle(&mut self, order: Order, ctx: &mut Context<Self>) {
        match order {
            Order::Note(text) => ctx.tell(&self.watcher, text.to_string()).unwrap(),
            Order::Panic => panic!("target failed"),
        }
    }
}

/// Waits until the watcher has seen `n` entries.
async fn seen(watcher: &Addr<Watcher>, n: usize) -> Vec<String> {
    tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            let seen = watcher.ask(Seen).await.unwrap();
            if seen.len() >= n {
                return seen;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await
    .expect("the watcher saw everything in time")
}

#[tokio::test]
async fn monitor_receives_down_with_the_panic_after_the_messages_the_target_sent() {
    let watcher = spawn(Watcher::default());
    let target = spawn(Target { watcher: watcher.clone() });
    watcher.ask(Watch(target.clone())).await.unwrap();
    target.tell(Order::Note("one")).unwrap();
    target.tell(Order::Note("two")).unwrap();
    target.tell(Order::Panic).unwrap();
    let seen = seen(&watcher, 3).await;
    assert_eq!(seen, ["one", "two", &format!("down {}: panicked: target failed", target.id())]);
}

#[tokio::test]
async fn monitoring_an_actor_that_already_stopped_delivers_down_at_once() {
    let watcher = spawn(Watcher::default());
    let target = spawn(Target { watcher: watcher.clone() });
    target.stop();
    target.wait_stopped().await.unwrap();
    watcher.ask(Watch(target.clone())).await.unwrap();
    assert_eq!(seen(&watcher, 1).await, [format!("down {}: normal", target.id())]);
}

#[tokio::test]
async fn monitoring_does_not_keep_the_watcher_alive() {
    let watcher = spawn(Watcher::default());
    let target = spawn(Target { watcher: watcher.clone() });
    watcher.ask(Watch(target.clone())).await.unwrap();
    let watcher_stopped = watcher.wait_stopped();
    drop(target); // the target held the last other address of the watcher
    drop(watcher);
    let stopped = watcher_stopped.await.unwrap();
    assert_eq!(stopped.reason, StopReason::Dropped);
}

#[test]
fn bridge_monitor_receives_down_letters() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let _context = runtime.enter();
    let watcher = spawn(Watcher::default());
    let a = spawn(Target { watcher: watcher.clone() });
    let b = spawn(Target { watcher: watcher.clone() });
    let mut bridge = Bridge::new();
    bridge.monitor(&a);
    bridge.monitor(&b);
    b.tell(Order::Panic).unwrap();
    a.stop();
    let mut downs = Vec::new();
    for _ in 0..2 {
        let letter = bridge.recv().timeout(Duration::from_secs(5)).wait().unwrap();
        downs.push(letter.downcast::<Down>().unwrap());
    }
    downs.sort_by_key(|down| down.id);
    assert_eq!((downs[0].id, &downs[0].reason), (a.id(), &StopReason::Normal));
    assert_eq!(
        (downs[1].id, &downs[1].reason),
        (b.id(), &StopReason::Panicked("target failed".into()))
    );
}
