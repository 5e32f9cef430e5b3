//! Waiting: `await_available` on any channel, timeouts on every waiting call,
//! `receive_remaining` as a stream and as an iterator, cancel safety of the async receives,
//! and a peer that goes away (dropped or panicked) never leaving a receiver hanging.

use std::time::{Duration, Instant};

use futures::StreamExt;
use tidings::{Messenger, MessengerError};

mod timing;
use timing::{assert_on_time, SHORT};

const LONG: Duration = Duration::from_secs(10);

#[test]
fn await_available_wakes_for_a_message_on_any_channel_and_takes_nothing() {
    let (mut host, mut worker) = Messenger::<u8, &str>::pair();
    let sender = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(30));
        worker.channel(5).send_norequest("five").unwrap();
        worker
    });
    assert_eq!(host.await_available().timeout(LONG).wait().unwrap(), 1);
    let _worker = sender.join().unwrap();
    assert_eq!(host.available(), 0);
    assert_eq!(host.channel(5).available(), 1);
    assert_eq!(host.channel(5).receive_blocking().unwrap(), "five");
}

#[tokio::test]
async fn await_available_in_a_task_counts_every_channel() {
    let (mut host, mut worker) = Messenger::<u8, u32>::pair();
    let sender = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(20)).await;
        worker.channel(1).send_norequest(1).unwrap();
        worker.channel(2).send_norequest(2).unwrap();
        worker
    });
    let n = host.await_available().timeout(LONG).await.unwrap();
    assert!(n >= 1);
    let _worker = sender.await.unwrap();
    assert_eq!(host.await_available().await.unwrap(), 2);
}

#[test]
fn every_blocking_wait_times_out() {
    let (mut host, _worker) = Messenger::<(), u32>::pair();
    host.send_request(1).unwrap();

    let started = Instant::now();
    assert!(host.receive().timeout(SHORT).wait().unwrap_err().is_timeout());
    assert_on_time(started, "the timed wait");

    let started = Instant::now();
    assert!(host.receive_message().timeout(SHORT).wait().unwrap_err().is_timeout());
    assert_on_time(started, "the timed wait");

    let started = Instant::now();
    assert!(host.await_available().timeout(SHORT).wait().unwrap_err().is_timeout());
    assert_on_time(started, "the timed wait");

    let started = Instant::now();
    let items: Vec<_> = host.receive_remaining().timeout(SHORT).into_iter().collect();
    assert_on_time(started, "the timed wait");
    assert_eq!(items.len(), 1, "a timeout ends the sequence");
    assert!(items[0].as_ref().unwrap_err().is_timeout());
    assert_eq!(host.remaining(), 1);
}

#[tokio::test]
async fn every_async_wait_times_out() {
    let (mut host, _worker) = Messenger::<(), u32>::pair();
    host.send_request(1).unwrap();

    let started = Instant::now();
    assert!(host.receive().timeout(SHORT).await.unwrap_err().is_timeout());
    assert_on_time(started, "the timed wait");

    let started = Instant::now();
    assert!(host.await_available().timeout(SHORT).await.unwrap_err().is_timeout());
    assert_on_time(started, "the timed wait");

    let started = Instant::now();
    let items: Vec<_> = host.receive_remaining().timeout(SHORT).collect().await;
    assert_on_time(started, "the timed wait");
    assert_eq!(items.len(), 1);
    assert!(items[0].as_ref().unwrap_err().is_timeout());
}

#[test]
fn a_zero_timeout_still_finds_what_is_queued() {
    let (mut a, mut b) = Messenger::<(), u32>::pair();
    a.send_norequest(4).unwrap();
    assert_eq!(b.receive().timeout(Duration::ZERO).wait().unwrap(), 4);
    assert!(b.receive().timeout(Duration::ZERO).wait().unwrap_err().is_timeout());
}

#[tokio::test]
async fn receive_remaining_streams_replies_from_a_thread() {
    let (mut host, mut worker) = Messenger::<(), u32>::pair();
    let echo = std::thread::spawn(move || {
        while let Ok(n) = worker.receive_blocking() {
            worker.send_reply(n + 100).unwrap();
        }
    });
    host.send_request_multiple(0..5).unwrap();
    let replies: Vec<u32> =
        host.receive_remaining().timeout(LONG).map(Result::unwrap).collect().await;
    assert_eq!(replies, [100, 101, 102, 103, 104]);
    assert_eq!(host.remaining(), 0);
    drop(host); // the echo thread sees Disconnected and ends
    echo.join().unwrap();
}

#[test]
fn receive_remaining_stops_at_zero_or_below() {
    let (mut host, mut worker) = Messenger::<(), u32>::pair();
    assert_eq!(host.receive_remaining().into_iter().count(), 0);
    worker.send_reply(1).unwrap();
    worker.send_reply(2).unwrap();
    host.send_request(0).unwrap();
    assert_eq!(host.receive_remaining().into_iter().map(Result::unwrap).collect::<Vec<_>>(), [1]);
    // An unrequested reply makes `remaining` negative, as in coproc.
    assert_eq!(host.receive_blocking().unwrap(), 2);
    assert_eq!(host.remaining(), -1);
    assert_eq!(host.receive_remaining().into_iter().count(), 0);
}

#[test]
fn receive_message_tells_requests_replies_and_norequests_apart() {
    use tidings::messenger::MessageKind;
    let (mut a, mut b) = Messenger::<(), u32>::pair();
    a.send_request(1).unwrap();
    a.send_reply(2).unwrap();
    a.send_norequest(3).unwrap();
    let kinds: Vec<MessageKind> =
        (0..3).map(|_| b.receive_message().wait().unwrap().kind).collect();
    assert_eq!(kinds, [MessageKind::Request, MessageKind::Reply, MessageKind::NoRequest]);
    assert_eq!(b.counters().replies, 1);
    assert_eq!(b.counters().received, 3);
}

#[tokio::test]
async fn a_dropped_receive_future_loses_nothing() {
    let (mut host, mut worker) = Messenger::<u8, u32>::pair();
    // Cancel a receive on channel 0 while messages for channels 0 and 1 arrive around it.
    worker.channel(1).send_norequest(10).unwrap();
    tokio::select! {
        biased;
        got = host.receive() => panic!("nothing was sent on channel 0: {got:?}"),
        _ = tokio::time::sleep(Duration::from_millis(20)) => {}
    }
    worker.send_norequest(1).unwrap();
    worker.send_close_request().unwrap();
    {
        // Polled once (it sorts what arrived, returns the close request)...
        let result = host.channel(1).receive().await;
        assert!(result.unwrap_err().is_close_requested());
    }
    // ...and the data is all still there.
    assert_eq!(host.channel(1).receive().await.unwrap(), 10);
    assert_eq!(host.receive().await.unwrap(), 1);

    // A future dropped after it registered does not lose a later message either.
    let pending = tokio::time::timeout(Duration::from_millis(20), host.receive()).await;
    assert!(pending.is_err());
    worker.send_norequest(2).unwrap();
    assert_eq!(host.receive().timeout(LONG).await.unwrap(), 2);
}

#[test]
fn a_dropped_peer_gives_queued_data_then_disconnected() {
    let (mut host, mut worker) = Messenger::<(), u32>::pair();
    worker.send_reply(1).unwrap();
    worker.send_reply(2).unwrap();
    drop(worker);
    assert!(host.is_disconnected());
    assert_eq!(host.receive_blocking().unwrap(), 1);
    assert_eq!(host.receive_available().unwrap(), [2]);
    assert!(matches!(host.receive_blocking(), Err(MessengerError::Disconnected)));
    assert!(matches!(host.await_available().wait(), Err(MessengerError::Disconnected)));
    assert!(matches!(host.receive_available(), Err(MessengerError::Disconnected)));
}

#[test]
fn a_send_to_a_dropped_peer_returns_the_message_uncounted() {
    let (mut host, worker) = Messenger::<(), String>::pair();
    drop(worker);
    let err = host.send_request("lost?".to_string()).unwrap_err();
    assert_eq!(err.into_inner(), "lost?");
    assert_eq!(host.remaining(), 0);
    assert_eq!(host.counters().sent, 0);
    let err = host.send_request_multiple(["a".to_string(), "b".to_string()]).unwrap_err();
    assert_eq!(err.into_inner(), "a");
}

#[test]
fn a_receiver_blocked_on_a_thread_wakes_when_the_peer_drops() {
    let (mut host, worker) = Messenger::<(), u32>::pair();
    let blocked = std::thread::spawn(move || {
        let started = Instant::now();
        (host.receive().timeout(LONG).wait(), started.elapsed())
    });
    std::thread::sleep(Duration::from_millis(30));
    drop(worker);
    let (result, took) = blocked.join().unwrap();
    assert!(matches!(result, Err(MessengerError::Disconnected)), "{result:?}");
    assert!(took < LONG / 2, "woke by the drop, not the timeout: {took:?}");
}

#[tokio::test]
async fn a_task_awaiting_a_peer_that_panics_gets_disconnected() {
    let (mut host, mut worker) = Messenger::<(), u32>::pair();
    let doomed = std::thread::spawn(move || {
        worker.send_norequest(1).unwrap();
        std::thread::sleep(Duration::from_millis(20));
        panic!("the peer panics (expected by this test)");
    });
    assert_eq!(host.receive().timeout(LONG).await.unwrap(), 1);
    let result = host.receive().timeout(LONG).await;
    assert!(matches!(result, Err(MessengerError::Disconnected)), "{result:?}");
    assert!(doomed.join().is_err());
}

#[tokio::test]
async fn a_thread_end_and_a_task_end_talk_both_ways() {
    let (mut host, mut worker) = Messenger::<(), u64>::pair();
    let thread = std::thread::spawn(move || {
        for _ in 0..1_000 {
            let n = worker.receive_blocking().unwrap();
            worker.send_reply(n * 2).unwrap();
        }
    });
    for i in 0..1_000 {
        host.send_request(i).unwrap();
        assert_eq!(host.receive().timeout(LONG).await.unwrap(), i * 2);
    }
    assert_eq!(host.remaining(), 0);
    thread.join().unwrap();
}

#[tokio::test]
#[should_panic(expected = "a blocking messenger receive")]
async fn a_blocking_receive_inside_a_runtime_panics_instead_of_deadlocking() {
    let (mut host, _worker) = Messenger::<(), u32>::pair();
    let _ = host.receive_blocking();
}

#[tokio::test]
async fn a_blocking_receive_inside_a_runtime_that_finds_a_message_does_not_panic() {
    let (mut host, mut worker) = Messenger::<(), u32>::pair();
    worker.send_norequest(3).unwrap();
    assert_eq!(host.receive_blocking().unwrap(), 3);
}
