//! Cancel safety of registry receives: a receive future dropped before it completes (in
//! `select!`, under `tokio::time::timeout`) takes no message, and a wake-up it had received
//! passes on to another receiver of the same tag. The deterministic tests poll futures by
//! hand (tokio-test's mock tasks); the stress test cancels receives at random.

use std::future::IntoFuture;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio_test::task;
use tokio_test::{assert_pending, assert_ready_eq};

use tidings::{Registry, Tag};

#[test]
fn a_dropped_receive_takes_nothing() {
    let reg = Registry::new();
    let mut pending = task::spawn(reg.receive("t").into_future());
    assert_pending!(pending.poll());
    drop(pending);
    reg.send("t", 1).unwrap();
    assert_eq!(reg.receive("t").timeout(Duration::ZERO).wait(), Ok((Tag::from("t"), 1)));
}

#[test]
fn a_wake_up_for_a_dropped_receive_passes_to_the_next_receiver() {
    let reg = Registry::new();
    reg.set_tags(["t"]).unwrap(); // the tag has a queue (else a send creating it wakes everyone)
    let mut first = task::spawn(reg.receive("t").into_future());
    let mut second = task::spawn(reg.receive("t").into_future());
    assert_pending!(first.poll());
    assert_pending!(second.poll());
    reg.send("t", 7).unwrap();
    // One push wakes one plain receiver: the one that waited longest.
    assert!(first.is_woken());
    assert!(!second.is_woken());
    drop(first); // cancelled before it could take the message
    assert!(second.is_woken(), "the wake-up was swallowed by the dropped receive");
    assert_ready_eq!(second.poll(), Ok((Tag::from("t"), 7)));
}

#[test]
fn a_receive_that_took_from_another_tag_passes_the_wake_up_on() {
    let reg = Registry::new();
    reg.set_tags(["x", "y"]).unwrap();
    let mut both = task::spawn(reg.receive(["x", "y"]).into_future());
    let mut only_x = task::spawn(reg.receive("x").into_future());
    assert_pending!(both.poll());
    assert_pending!(only_x.poll());
    reg.send("y", "older").unwrap();
    reg.send("x", "newer").unwrap();
    assert!(both.is_woken());
    assert!(!only_x.is_woken(), "`both` was first in line on x");
    // `both` takes the older message (on y) and hands x's wake-up to `only_x`.
    assert_ready_eq!(both.poll(), Ok((Tag::from("y"), "older")));
    assert!(only_x.is_woken(), "the wake-up for x was swallowed");
    assert_ready_eq!(only_x.poll(), Ok((Tag::from("x"), "newer")));
}

#[test]
fn a_selective_receive_does_not_keep_a_message_from_a_plain_one() {
    let reg = Registry::new();
    reg.set_tags(["t"]).unwrap();
    let mut picky = task::spawn(reg.receive("t").matching(|_, n| *n > 100).into_future());
    let mut plain = task::spawn(reg.receive("t").into_future());
    assert_pending!(picky.poll());
    assert_pending!(plain.poll());
    reg.send("t", 1).unwrap();
    assert!(plain.is_woken(), "the plain receiver must be woken even if a picky one waits first");
    assert_pending!(picky.poll());
    assert_ready_eq!(plain.poll(), Ok((Tag::from("t"), 1)));
}

#[test]
fn a_dropped_selective_receive_leaves_skipped_messages_in_order() {
    let reg = Registry::new();
    for i in 0..5 {
        reg.send("t", i).unwrap();
    }
    let mut picky = task::spawn(reg.receive("t").matching(|_, n| *n > 100).into_future());
    assert_pending!(picky.poll());
    drop(picky);
    let all: Vec<i32> =
        (0..5).map(|_| reg.receive("t").timeout(Duration::ZERO).wait().unwrap().1).collect();
    assert_eq!(all, [0, 1, 2, 3, 4]);
}

#[tokio::test]
async fn a_receive_cancelled_by_select_loses_nothing() {
    let reg = Registry::new();
    for round in 0..50 {
        tokio::select! {
            biased;
            got = reg.receive("s") => panic!("nothing was sent, got {got:?}"),
            _ = tokio::task::yield_now() => {}
        }
        reg.send("s", round).unwrap();
        let got =
            tokio::time::timeout(Duration::from_secs(10), reg.receive("s").into_future()).await;
        assert_eq!(got.unwrap(), Ok((Tag::from("s"), round)));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn randomly_cancelled_receives_deliver_every_message_exactly_once() {
    const SENDERS: usize = 4;
    const PER_SENDER: usize = 2000;
    let reg = Registry::new();
    let received = Arc::new(AtomicUsize::new(0));
    let consumers: Vec<_> = (0..4u64)
        .map(|k| {
            let (reg, received) = (reg.clone(), received.clone());
            tokio::spawn(async move {
                let mut got = Vec::new();
                let mut seed = k * 7919 + 1;
                let tags: &[&str] = if k % 2 == 0 { &["a"] } else { &["a", "b"] };
                while received.load(Ordering::SeqCst) < SENDERS * PER_SENDER {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    let patience = Duration::from_micros(seed % 300);
                    // Either the receive completes, or it is dropped mid-wait.
                    if let Ok(Ok((_, msg))) =
                        tokio::time::timeout(patience, reg.receive(tags).into_future()).await
                    {
                        got.push(msg);
                        received.fetch_add(1, Ordering::SeqCst);
                    }
                }
                got
            })
        })
        .collect();
    let senders: Vec<_> = (0..SENDERS)
        .map(|s| {
            let reg = reg.clone();
            std::thread::spawn(move || {
                for i in 0..PER_SENDER {
                    reg.send(if i % 3 == 0 { "b" } else { "a" }, s * PER_SENDER + i).unwrap();
                }
            })
        })
        .collect();
    senders.into_iter().for_each(|s| s.join().unwrap());
    let mut all = Vec::new();
    for consumer in consumers {
        all.extend(
            tokio::time::timeout(Duration::from_secs(30), consumer).await.expect("stuck").unwrap(),
        );
    }
    all.sort_unstable();
    assert_eq!(all, (0..SENDERS * PER_SENDER).collect::<Vec<_>>());
}
