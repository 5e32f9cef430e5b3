//! Erlang's `receive ... after`: on timeout the receive returns the fallback's value.

use std::time::{Duration, Instant};

use tidings::unbounded;

#[test]
fn after_returns_the_fallback_value_on_timeout() {
    let (_tx, mut mailbox) = unbounded::<&str>();
    let start = Instant::now();
    let got = mailbox.recv().after(Duration::from_millis(30), || "tick").wait();
    assert_eq!(got, Ok("tick"));
    assert!(start.elapsed() >= Duration::from_millis(30));
}

#[test]
fn after_is_not_called_when_a_message_comes() {
    let (tx, mut mailbox) = unbounded();
    tx.try_send("real").unwrap();
    let got = mailbox.recv().after(Duration::from_secs(5), || panic!("must not run")).wait();
    assert_eq!(got, Ok("real"));
}

#[tokio::test]
async fn after_in_async_code_with_a_heartbeat_loop() {
    // The seed's heartbeat pattern: tick whenever nothing arrived for a while.
    let (tx, mut mailbox) = unbounded::<u32>();
    tokio::spawn(async move {
        for i in 0..3 {
            tx.send(i).await.unwrap();
            tokio::time::sleep(Duration::from_millis(40)).await;
        }
    });
    let mut seen = Vec::new();
    loop {
        match mailbox.recv().after(Duration::from_millis(15), || u32::MAX).await {
            Ok(u32::MAX) => seen.push("tick"),
            Ok(_) => seen.push("msg"),
            Err(_) => break,
        }
    }
    assert_eq!(seen.iter().filter(|s| **s == "msg").count(), 3);
    assert!(seen.contains(&"tick"), "quiet gaps produce ticks: {seen:?}");
}

#[test]
fn after_with_selective_receive_keeps_the_skipped_messages() {
    let (tx, mut mailbox) = unbounded();
    tx.try_send(1).unwrap();
    tx.try_send(2).unwrap();
    let got = mailbox.recv().matching(|n| *n > 10).after(Duration::from_millis(10), || 0).wait();
    assert_eq!(got, Ok(0));
    assert_eq!(mailbox.drain().collect::<Vec<_>>(), [1, 2]);
}

#[test]
fn after_replaces_an_earlier_timeout() {
    let (_tx, mut mailbox) = unbounded::<u8>();
    let start = Instant::now();
    let got =
        mailbox.recv().timeout(Duration::from_secs(60)).after(Duration::from_millis(10), || 9);
    assert_eq!(got.wait(), Ok(9));
    assert!(start.elapsed() < Duration::from_secs(30));
}
