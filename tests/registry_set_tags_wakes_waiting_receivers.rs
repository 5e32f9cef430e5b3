//! `set_tags` while receivers and senders wait: receivers wake, look their tags up again and
//! go on waiting (they get the next message sent, not an error); a receiver whose tag lost its
//! queue waits until a send creates it again; a sender waiting for room moves to the new
//! queue. `drain` does not end a waiting receive.

use std::thread;
use std::time::{Duration, Instant};

use tidings::{RecvError, Registry, Tag};

mod registry_util;
use registry_util::{spawn_watched, WATCHDOG};

const PATIENCE: Duration = Duration::from_secs(10);

/// Long enough for a receiver to have parked (it is a test of behaviour, not of speed: a
/// receiver that has not parked yet passes the test the same way).
fn settle() {
    thread::sleep(Duration::from_millis(50));
}

#[test]
fn a_parked_thread_keeps_waiting_across_set_tags_and_gets_the_next_message() {
    let reg = Registry::new();
    reg.set_tags(["alpha"]).unwrap();
    let receiver = {
        let reg = reg.clone();
        spawn_watched(move || reg.receive("alpha").wait())
    };
    settle();
    reg.set_tags(["alpha", "bravo"]).unwrap();
    settle();
    assert!(!receiver.is_finished(), "set_tags ended a waiting receive");
    reg.send("alpha", "after").unwrap();
    assert_eq!(receiver.join(), Ok((Tag::from("alpha"), "after")));
}

#[tokio::test]
async fn a_pending_task_keeps_waiting_across_set_tags_and_gets_the_next_message() {
    let reg = Registry::new();
    reg.set_tags(["alpha", "bravo"]).unwrap();
    let receiver = {
        let reg = reg.clone();
        tokio::spawn(async move { reg.receive(["alpha", "bravo"]).await })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    reg.set_tags(["bravo"]).unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(!receiver.is_finished(), "set_tags ended a waiting receive");
    reg.send("bravo", 2).unwrap();
    let got = tokio::time::timeout(WATCHDOG, receiver).await.expect("the task was not woken");
    assert_eq!(got.unwrap(), Ok((Tag::from("bravo"), 2)));
}

#[test]
fn a_receiver_whose_tag_lost_its_queue_waits_for_the_next_send() {
    let reg = Registry::builder().max_tags(2).build();
    reg.set_tags(["beta"]).unwrap();
    let receiver = {
        let reg = reg.clone();
        spawn_watched(move || reg.receive("beta").wait())
    };
    settle();
    reg.set_tags(["alpha"]).unwrap(); // "beta" has no queue now
    settle();
    assert!(!receiver.is_finished());
    reg.send("beta", "recreated").unwrap(); // creates "beta" again (within max_tags)
    assert_eq!(receiver.join(), Ok((Tag::from("beta"), "recreated")));
}

#[test]
fn messages_queued_before_set_tags_are_not_received_after_it() {
    let reg = Registry::new();
    for i in 0..100 {
        reg.send("gamma", i).unwrap();
    }
    reg.set_tags(["gamma"]).unwrap();
    reg.send("gamma", 1000).unwrap();
    assert_eq!(reg.receive("gamma").timeout(PATIENCE).wait(), Ok((Tag::from("gamma"), 1000)));
}

#[test]
fn a_sender_waiting_for_room_moves_to_the_new_queue() {
    let reg = Registry::builder().capacity(1).build();
    reg.send("t", "cleared").unwrap();
    let sender = {
        let reg = reg.clone();
        spawn_watched(move || reg.send_blocking("t", "kept"))
    };
    settle();
    assert!(!sender.is_finished(), "the queue was full: the sender should wait");
    reg.set_tags(["t"]).unwrap();
    assert_eq!(sender.join(), Ok(()));
    assert_eq!(reg.receive("t").timeout(PATIENCE).wait(), Ok((Tag::from("t"), "kept")));
}

#[tokio::test]
async fn an_async_sender_waiting_for_room_moves_to_the_new_queue() {
    let reg = Registry::builder().capacity(1).build();
    reg.send("t", 1).unwrap();
    let sender = {
        let reg = reg.clone();
        tokio::spawn(async move { reg.send_async("t", 2).await })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(!sender.is_finished());
    reg.set_tags(["t"]).unwrap();
    let sent = tokio::time::timeout(WATCHDOG, sender).await.expect("the sender was not woken");
    assert_eq!(sent.unwrap(), Ok(()));
    assert_eq!(reg.receive("t").timeout(PATIENCE).await, Ok((Tag::from("t"), 2)));
}

#[test]
fn set_tags_wakes_a_selective_receiver_which_goes_on_waiting() {
    let reg = Registry::new();
    reg.send("sel", 1).unwrap();
    let receiver = {
        let reg = reg.clone();
        spawn_watched(move || reg.receive("sel").matching(|_, n| *n > 10).wait())
    };
    settle();
    reg.set_tags(["sel"]).unwrap();
    reg.send("sel", 5).unwrap();
    settle();
    assert!(!receiver.is_finished());
    reg.send("sel", 50).unwrap();
    assert_eq!(receiver.join(), Ok((Tag::from("sel"), 50)));
    assert_eq!(reg.receive("sel").timeout(Duration::ZERO).wait(), Ok((Tag::from("sel"), 5)));
}

#[test]
fn drain_does_not_end_a_waiting_receive() {
    let reg = Registry::<u8>::new();
    reg.send("d", 1).unwrap();
    reg.receive("d").wait().unwrap();
    let timeout = Duration::from_millis(300);
    let receiver = {
        let reg = reg.clone();
        thread::spawn(move || {
            let start = Instant::now();
            (reg.receive("d").timeout(timeout).wait(), start.elapsed())
        })
    };
    settle();
    assert_eq!(reg.drain("d"), 0);
    let (result, elapsed) = receiver.join().unwrap();
    assert_eq!(result, Err(RecvError::Timeout));
    assert!(elapsed >= timeout, "{elapsed:?}");
}
