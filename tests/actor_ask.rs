//! Asks: the reply is the handler's return value; timeouts, stopped actors and blocking on a
//! runtime thread are reported, with the message back whenever it was not handled.

use std::time::{Duration, Instant};

use tidings::actor::{spawn, Actor, AskError, Context, Handler};

struct Slow;

/// Sleeps this long (on the task: a timer, not a blocked thread), then echoes.
struct Nap(Duration, u32);

impl Actor for Slow {}

impl Handler<Nap> for Slow {
    type Reply = u32;
    async fn handle(&mut self, Nap(d, n): Nap, _ctx: &mut Context<Self>) -> u32 {
        tokio::time::sleep(d).await;
        n
    }
}

#[tokio::test]
async fn ask_returns_the_handlers_return_value() {
    let slow = spawn(Slow);
    assert_eq!(slow.ask(Nap(Duration::ZERO, 7)).await.unwrap(), 7);
}

#[tokio::test]
async fn ask_times_out_when_no_reply_comes_in_time() {
    let slow = spawn(Slow);
    let began = Instant::now();
    let result = slow.ask(Nap(Duration::from_secs(30), 1)).timeout(Duration::from_millis(50)).await;
    let waited = began.elapsed();
    assert!(result.unwrap_err().is_timeout());
    assert!(waited >= Duration::from_millis(50), "returned early: {waited:?}");
    assert!(waited < Duration::from_secs(3), "returned late: {waited:?}");
}

#[test]
fn ask_wait_times_out_on_a_plain_thread() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let slow = runtime.block_on(async { spawn(Slow) });
    let began = Instant::now();
    let result =
        slow.ask(Nap(Duration::from_secs(30), 1)).timeout(Duration::from_millis(50)).wait();
    let waited = began.elapsed();
    assert!(result.unwrap_err().is_timeout());
    assert!(waited >= Duration::from_millis(50), "returned early: {waited:?}");
    assert!(waited < Duration::from_secs(3), "returned late: {waited:?}");
}

#[tokio::test]
async fn ask_to_a_stopped_actor_gives_the_message_back() {
    let slow = spawn(Slow);
    slow.stop();
    match slow.ask(Nap(Duration::ZERO, 9)).await {
        Err(AskError::Closed(Nap(_, n))) => assert_eq!(n, 9),
        other => panic!("expected Closed with the message, got {other:?}"),
    }
}

#[test]
fn ask_wait_from_a_plain_thread_gets_the_reply() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let slow = runtime.block_on(async { spawn(Slow) });
    let replies: Vec<u32> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|n| {
                let slow = &slow;
                s.spawn(move || slow.ask(Nap(Duration::from_millis(1), n)).wait().unwrap())
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(replies, [0, 1, 2, 3]);
}

#[tokio::test]
async fn ask_wait_on_a_runtime_thread_is_refused_with_the_message() {
    let slow = spawn(Slow);
    // Tokio prints its own panic message about blocking here (see the actor module docs).
    match slow.ask(Nap(Duration::ZERO, 3)).wait() {
        Err(AskError::WouldBlock(Nap(_, n))) => assert_eq!(n, 3),
        other => panic!("expected WouldBlock with the message, got {other:?}"),
    }
    // Nothing was sent: the actor is idle and answers the next ask at once.
    assert_eq!(slow.ask(Nap(Duration::ZERO, 4)).await.unwrap(), 4);
}

#[tokio::test]
async fn dropped_ask_future_still_lets_the_actor_handle_the_message() {
    let slow = spawn(Slow);
    // Cancel the ask after it was sent: the actor still handles it (and the next ask waits
    // behind it, in order). Only a lower bound is checked: had the first message been lost,
    // the second ask would return about 90 ms early; a busy machine can only make it later.
    let began = Instant::now();
    let cancelled = tokio::time::timeout(
        Duration::from_millis(10),
        slow.ask(Nap(Duration::from_millis(100), 1)),
    )
    .await;
    assert!(cancelled.is_err());
    assert_eq!(slow.ask(Nap(Duration::ZERO, 2)).await.unwrap(), 2);
    assert!(began.elapsed() >= Duration::from_millis(100), "the first message was handled first");
}
