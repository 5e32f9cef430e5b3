//! Misuse of the layers above the mailbox (registry, messenger, worker, actors): each gets a
//! documented error or a panic that names the call, never a hang or an overflow. The README's
//! "Bad input" table points at these tests (and at older ones that already covered a row).

use std::time::Duration;

use tidings::actor::{spawn, Actor, Address, Bridge, Context, Handler, WaitError};
use tidings::messenger::PriorityQueue;
use tidings::{Messenger, RecvError, Registry, RegistryError, Worker};

/// Long enough for a waiter to park before the other side acts.
const NAP: Duration = Duration::from_millis(20);

struct Echo;

impl Actor for Echo {}

impl Handler<u32> for Echo {
    type Reply = u32;
    async fn handle(&mut self, n: u32, _ctx: &mut Context<Self>) -> u32 {
        n
    }
}

fn current_thread_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

#[test]
#[should_panic(expected = "Registry::receive(..).wait() would block a thread that drives")]
fn registry_receive_wait_inside_a_runtime_panics_and_names_the_call() {
    let reg = Registry::<u32>::new();
    current_thread_runtime().block_on(async {
        let _ = reg.receive("empty").wait();
    });
}

#[test]
#[should_panic(expected = "Registry::send_blocking would block a thread that drives")]
fn registry_send_blocking_on_a_full_tag_inside_a_runtime_panics() {
    let reg = Registry::builder().capacity(1).build();
    reg.send("t", 1).unwrap();
    current_thread_runtime().block_on(async {
        let _ = reg.send_blocking("t", 2);
    });
}

#[test]
#[should_panic(expected = "`Worker::join(..).wait()` (or `stop`) would block")]
fn worker_join_wait_inside_a_runtime_panics_and_names_the_call() {
    let (release, gate) = std::sync::mpsc::channel::<()>();
    let mut worker = Worker::spawn_thread(move |_m: Messenger<(), ()>| {
        let _ = gate.recv();
    });
    let rt = current_thread_runtime();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(async {
            let _ = worker.join().wait();
        })
    }));
    // Let the worker finish either way, then report what the join did.
    release.send(()).unwrap();
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

/// A receive on a tag past `max_tags` creates no queue: it waits for one (here: times out).
#[test]
fn a_receive_on_a_tag_past_the_limit_waits_and_creates_no_queue() {
    let reg = Registry::builder().max_tags(1).build();
    reg.send("a", 1).unwrap();
    assert_eq!(reg.receive("b").timeout(Duration::ZERO).wait(), Err(RecvError::Timeout));
    let tags: Vec<String> = reg.stats().iter().map(|s| s.tag.as_str().to_owned()).collect();
    assert_eq!(tags, ["a"]);
    assert!(matches!(reg.send("b", 2), Err(RegistryError::TagLimit(2))));
}

/// A registry has no peer to lose: a send on a tag that `set_tags` dropped makes a new queue.
#[test]
fn a_send_on_a_tag_set_tags_dropped_makes_a_new_queue() {
    let reg = Registry::new();
    reg.send("old", 1).unwrap();
    reg.set_tags(["new"]).unwrap();
    reg.send("old", 2).unwrap();
    assert_eq!(reg.receive("old").timeout(Duration::ZERO).wait(), Ok(("old".into(), 2)));
}

#[test]
fn registry_huge_timeouts_mean_no_deadline() {
    let reg = Registry::builder().capacity(1).build();
    reg.send("t", 0).unwrap();
    std::thread::scope(|s| {
        s.spawn(|| {
            // Full: waits until the receiver below makes room.
            reg.send_timeout("t", 1, Duration::MAX).unwrap();
            std::thread::sleep(NAP);
            reg.send("u", 2).unwrap();
        });
        std::thread::sleep(NAP);
        assert_eq!(reg.receive("t").timeout(Duration::MAX).wait().unwrap().1, 0);
        assert_eq!(reg.receive("t").timeout(Duration::MAX).wait().unwrap().1, 1);
        assert_eq!(reg.receive(["t", "u"]).timeout(Duration::MAX).wait().unwrap().1, 2);
    });
}

#[test]
fn messenger_and_worker_huge_timeouts_mean_no_deadline() {
    let mut worker = Worker::spawn_thread(|mut m: Messenger<(), u32>| {
        std::thread::sleep(NAP);
        m.send_request(7).unwrap();
        m.receive().timeout(Duration::MAX).wait()
    });
    assert_eq!(worker.messenger().receive().timeout(Duration::MAX).wait().unwrap(), 7);
    std::thread::sleep(NAP);
    worker.messenger().send_reply(8).unwrap();
    assert_eq!(worker.join().timeout(Duration::MAX).wait().unwrap().unwrap(), 8);
}

#[test]
fn actor_huge_timeouts_mean_no_deadline() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build();
    let rt = rt.unwrap();
    let addr = rt.block_on(async { spawn(Echo) });
    // From a plain thread: `Ask::wait`, a `Bridge` call and `wait_stopped`.
    assert_eq!(addr.ask(1).timeout(Duration::MAX).wait().unwrap(), 1);
    assert_eq!(Bridge::new().call(&addr, 2, Duration::MAX, 0).unwrap(), 2);
    // From a task.
    let reply = rt.block_on(async { addr.ask(3).timeout(Duration::MAX).await });
    assert_eq!(reply.unwrap(), 3);
    addr.stop();
    assert!(addr.wait_stopped().timeout(Duration::MAX).wait().is_ok());
}

#[tokio::test]
async fn wait_stopped_wait_inside_a_runtime_is_would_block() {
    let addr = spawn(Echo);
    assert_eq!(addr.wait_stopped().wait().unwrap_err(), WaitError::WouldBlock);
    // An actor that has stopped needs no waiting: no refusal then.
    addr.stop();
    addr.wait_stopped().await.unwrap();
    assert!(addr.wait_stopped().wait().is_ok());
}

#[tokio::test]
async fn every_actor_address_gives_the_message_back_once_the_actor_is_stopped() {
    let addr = spawn(Echo);
    let recipient = addr.recipient::<u32>();
    let any = addr.any_addr();
    addr.stop();
    addr.wait_stopped().await.unwrap();
    assert_eq!(addr.tell(1u32).unwrap_err().into_inner(), 1);
    assert_eq!(recipient.tell(2).unwrap_err().into_inner(), 2);
    assert_eq!(any.tell(3u32).unwrap_err().into_inner(), 3);
    let boxed = any.tell_any(Box::new(5u32)).unwrap_err().into_inner();
    assert_eq!(boxed.downcast::<u32>().ok(), Some(Box::new(5)));
    assert_eq!(addr.ask(4).await.unwrap_err().into_inner(), Some(4));
}

#[test]
#[should_panic(expected = "must be called from the context of a Tokio 1.x runtime")]
fn spawning_an_actor_outside_a_runtime_panics() {
    let _ = spawn(Echo);
}

#[test]
#[should_panic(expected = "must be called from the context of a Tokio 1.x runtime")]
fn spawning_a_task_worker_outside_a_runtime_panics() {
    let _ = Worker::spawn(|_m: Messenger<(), ()>| async {});
}

#[test]
#[should_panic(expected = "timers are disabled")]
fn an_ask_with_a_timeout_in_a_runtime_without_timers_panics_when_it_waits() {
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    rt.block_on(async {
        let addr = spawn(Echo);
        let _ = addr.ask(1).timeout(Duration::from_secs(5)).await;
    });
}

/// A messenger has no capacity to get wrong (its links are unbounded); its priority queue's
/// `with_capacity(0)` is only a size hint.
#[test]
fn a_priority_queue_with_capacity_zero_still_grows() {
    let mut queue = PriorityQueue::with_capacity(0);
    for n in [3, 1, 2] {
        queue.push(Some(n), n);
    }
    queue.push(None, 0);
    assert_eq!([queue.pop(), queue.pop(), queue.pop(), queue.pop()], [1, 2, 3, 0].map(Some));
    assert_eq!(queue.pop(), None);
}
