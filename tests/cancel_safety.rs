//! A `recv` raced in `select!` or under `tokio::time::timeout` and dropped loses nothing; a
//! dropped `send` passes its wake-up on, and an aborted `send_handoff` withdraws its message.

use std::collections::HashSet;
use std::time::Duration;

use tidings::{bounded, unbounded};

const COUNT: u32 = 5_000;

/// The receive loses the race against a fast timer most of the time; every message still
/// arrives exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recv_in_select_loses_nothing() {
    let (tx, mut mailbox) = bounded(8);
    let producer = tokio::spawn(async move {
        for i in 0..COUNT {
            tx.send(i).await.unwrap();
            if i % 64 == 0 {
                tokio::time::sleep(Duration::from_micros(200)).await;
            }
        }
    });
    let mut seen = HashSet::new();
    let mut cancelled = 0;
    loop {
        tokio::select! {
            got = mailbox.recv() => match got {
                Ok(n) => assert!(seen.insert(n), "{n} delivered twice"),
                Err(_) => break,
            },
            _ = tokio::task::yield_now() => cancelled += 1,
        }
    }
    producer.await.unwrap();
    assert_eq!(seen.len(), COUNT as usize);
    assert!(cancelled > 0, "the race was run: {cancelled} receives were cancelled");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recv_under_timeout_loses_nothing() {
    let (tx, mut mailbox) = unbounded();
    let producer = std::thread::spawn(move || {
        for i in 0..200u32 {
            tx.send_blocking(i).unwrap();
            if i % 10 == 0 {
                std::thread::sleep(Duration::from_millis(3));
            }
        }
    });
    let mut next = 0;
    let mut timeouts = 0;
    while next < 200 {
        match tokio::time::timeout(Duration::from_micros(500), mailbox.recv()).await {
            Ok(Ok(n)) => {
                assert_eq!(n, next, "in order, none lost");
                next += 1;
            }
            Ok(Err(e)) => panic!("closed early: {e}"),
            Err(_elapsed) => timeouts += 1,
        }
    }
    producer.join().unwrap();
    assert!(timeouts > 0, "some receives were cut off by the timeout");
}

/// A selective receive that is cancelled keeps the messages it had skipped, in order.
#[tokio::test]
async fn cancelled_selective_receive_keeps_skipped_messages() {
    let (tx, mut mailbox) = unbounded();
    for i in 0..3 {
        tx.send(i).await.unwrap();
    }
    let cut =
        tokio::time::timeout(Duration::from_millis(10), mailbox.recv().matching(|n| *n > 100))
            .await;
    assert!(cut.is_err());
    assert_eq!(mailbox.drain().collect::<Vec<_>>(), [0, 1, 2]);
}

/// Two async senders wait on a full mailbox; the first in line is aborted while waiting. It
/// leaves the queue, so the slot freed next goes to the second instead of to nobody, and its
/// message never arrives. The same for `send` and for `send_handoff`, whose aborted future
/// withdraws the message it had left with the mailbox.
#[tokio::test]
async fn aborted_waiting_sender_leaves_the_queue() {
    for handoff in [false, true] {
        let (tx, mut mailbox) = bounded(1);
        tx.send(0).await.unwrap();
        let spawn_sender = |msg| {
            let tx = tx.clone();
            tokio::spawn(async move {
                if handoff {
                    tx.send_handoff(msg).await
                } else {
                    tx.send(msg).await
                }
            })
        };
        let first = spawn_sender(1);
        tokio::time::sleep(Duration::from_millis(10)).await; // first registers before second
        let second = spawn_sender(2);
        tokio::time::sleep(Duration::from_millis(10)).await;
        first.abort(); // cancel the first waiter while it waits...
        assert!(first.await.unwrap_err().is_cancelled());
        assert_eq!(mailbox.recv().await, Ok(0)); // ...and free the slot: someone must be woken
        tokio::time::timeout(Duration::from_secs(5), second)
            .await
            .expect("the second sender was woken")
            .unwrap()
            .unwrap();
        assert_eq!(mailbox.recv().await, Ok(2));
        drop(tx);
        assert!(mailbox.recv().await.is_err(), "1 was withdrawn, never sent (handoff: {handoff})");
    }
}

/// A notified sender whose future is dropped after the notification (not before) passes it on.
#[tokio::test]
async fn sender_notified_then_dropped_passes_the_wake_up_on() {
    use std::future::Future;
    use std::pin::pin;
    use std::task::Context;

    let (tx, mut mailbox) = bounded(1);
    tx.send(0).await.unwrap();
    let waker = futures::task::noop_waker();
    let mut cx = Context::from_waker(&waker);
    let mut first = Box::pin(tx.send(1));
    assert!(first.as_mut().poll(&mut cx).is_pending(), "registered first");
    let second = tokio::spawn({
        let tx = tx.clone();
        async move { tx.send(2).await }
    });
    tokio::time::sleep(Duration::from_millis(10)).await; // the second is registered too
    assert_eq!(mailbox.recv().await, Ok(0)); // notifies the first (a no-op waker)...
    drop(first); // ...which gives up: the wake-up must move to the second
    let mut second = pin!(second);
    let done = tokio::time::timeout(Duration::from_secs(5), &mut second).await;
    assert!(matches!(done, Ok(Ok(Ok(())))), "second sender completed");
    assert_eq!(mailbox.recv().await, Ok(2));
}
