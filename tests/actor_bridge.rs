//! The Bridge, from plain threads: `call` with a timeout and a default, `multi_call` sends every
//! request before waiting, `stop` collects confirmations; inside a runtime it refuses.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tidings::actor::{
    spawn, Actor, Addr, AskError, Bridge, Context, Handler, StopReason, WouldBlock,
};
use tokio::sync::Barrier;

struct Server {
    /// Every `Meet` waits here until as many have arrived (across servers).
    barrier: Arc<Barrier>,
}

struct Echo(u32);
struct Nap(Duration);
struct Meet(u32);

impl Actor for Server {}

impl Handler<Echo> for Server {
    type Reply = u32;
    async fn handle(&mut self, Echo(n): Echo, _ctx: &mut Context<Self>) -> u32 {
        n
    }
}

impl Handler<Nap> for Server {
    type Reply = u32;
    async fn handle(&mut self, Nap(d): Nap, _ctx: &mut Context<Self>) -> u32 {
        tokio::time::sleep(d).await;
        1
    }
}

impl Handler<Meet> for Server {
    type Reply = u32;
    async fn handle(&mut self, Meet(n): Meet, _ctx: &mut Context<Self>) -> u32 {
        self.barrier.wait().await;
        n
    }
}

fn servers(runtime: &tokio::runtime::Runtime, n: usize) -> Vec<Addr<Server>> {
    let _context = runtime.enter();
    let barrier = Arc::new(Barrier::new(n));
    (0..n).map(|_| spawn(Server { barrier: barrier.clone() })).collect()
}

#[test]
fn call_returns_the_reply() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = &servers(&runtime, 1)[0];
    let bridge = Bridge::new();
    assert_eq!(bridge.call(server, Echo(5), Duration::from_secs(5), 0).unwrap(), 5);
}

#[test]
fn call_returns_the_default_when_the_timeout_passes() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = &servers(&runtime, 1)[0];
    let bridge = Bridge::new();
    let began = Instant::now();
    let reply = bridge.call(server, Nap(Duration::from_secs(30)), Duration::from_millis(50), 99);
    let waited = began.elapsed();
    assert_eq!(reply.unwrap(), 99);
    assert!(waited >= Duration::from_millis(50), "returned early: {waited:?}");
    assert!(waited < Duration::from_secs(3), "returned late: {waited:?}");
}

#[test]
fn call_to_a_stopped_actor_gives_the_message_back() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = &servers(&runtime, 1)[0];
    server.stop();
    let bridge = Bridge::new();
    match bridge.call(server, Echo(8), Duration::from_secs(1), 0) {
        Err(AskError::Closed(Echo(8))) => {}
        other => panic!("expected Closed(Echo(8)), got {other:?}"),
    }
}

#[test]
fn multi_call_sends_every_request_before_waiting_for_a_reply() {
    // Each server answers only once all three have their request: a bridge that waited for
    // the first reply before sending the second would get only defaults.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let servers = servers(&runtime, 3);
    let bridge = Bridge::new();
    let requests = servers.iter().zip(1..).map(|(server, n)| (server, Meet(n)));
    let replies: Vec<u32> = bridge
        .multi_call(requests, Duration::from_secs(5), 0)
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(replies, [1, 2, 3]);
}

#[test]
fn multi_call_gives_the_default_for_each_late_reply_under_one_deadline() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let servers = servers(&runtime, 2);
    let bridge = Bridge::new();
    let began = Instant::now();
    let replies: Vec<u32> = bridge
        .multi_call(
            [(&servers[0], Nap(Duration::from_secs(30))), (&servers[1], Nap(Duration::ZERO))],
            Duration::from_millis(50),
            0,
        )
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(replies, [0, 1]);
    assert!(began.elapsed() < Duration::from_secs(3), "one deadline, not one per reply");
}

#[test]
fn stop_returns_a_confirmation_per_actor_in_order_and_none_for_one_still_running() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let servers = servers(&runtime, 3);
    // The middle one is busy for 30 s: it cannot confirm within the timeout.
    servers[1].tell(Nap(Duration::from_secs(30))).unwrap();
    let bridge = Bridge::new();
    let stopped =
        bridge.stop(&[&servers[0], &servers[1], &servers[2]], Duration::from_secs(3)).unwrap();
    assert_eq!(stopped.len(), 3);
    let first = stopped[0].as_ref().expect("the first one confirmed");
    assert_eq!((first.id, &first.reason), (servers[0].id(), &StopReason::Normal));
    assert!(stopped[1].is_none(), "the busy one had not stopped yet");
    assert_eq!(stopped[2].as_ref().map(|s| s.id), Some(servers[2].id()));
}

#[test]
fn stop_of_an_already_stopped_actor_confirms_with_its_original_reason() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = &servers(&runtime, 1)[0];
    let bridge = Bridge::new();
    let first = bridge.stop(&[server], Duration::from_secs(5)).unwrap();
    let again = bridge.stop(&[server], Duration::from_secs(5)).unwrap();
    assert_eq!(first, again);
}

#[test]
fn bridge_works_inside_spawn_blocking() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = servers(&runtime, 1).remove(0);
    let reply = runtime.block_on(async move {
        tokio::task::spawn_blocking(move || {
            Bridge::new().call(&server, Echo(6), Duration::from_secs(5), 0)
        })
        .await
        .unwrap()
    });
    assert_eq!(reply.unwrap(), 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bridge_on_a_runtime_worker_thread_refuses_instead_of_deadlocking() {
    // (Tokio prints its panic message about blocking for each refusal: see the module docs.)
    let server = spawn(Server { barrier: Arc::new(Barrier::new(1)) });
    let bridge = Bridge::new();
    match bridge.call(&server, Echo(1), Duration::from_secs(5), 0) {
        Err(AskError::WouldBlock(Echo(1))) => {}
        other => panic!("expected WouldBlock(Echo(1)), got {other:?}"),
    }
    let replies = bridge.multi_call([(&server, Echo(2))], Duration::from_secs(5), 0);
    assert!(matches!(replies[..], [Err(AskError::WouldBlock(Echo(2)))]));
    assert_eq!(bridge.stop(&[&server], Duration::from_secs(5)), Err(WouldBlock));
    // Nothing happened: the server still runs and answers.
    assert_eq!(server.ask(Echo(3)).await.unwrap(), 3);
}
