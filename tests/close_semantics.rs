//! Closing: the last sender going away, `Mailbox::close`, and dropping the mailbox.

use std::time::Duration;

use tidings::{bounded, unbounded, RecvError, SendTimeoutError, TryRecvError, TrySendError};

#[test]
fn last_sender_drop_delivers_everything_queued_then_closed() {
    let (tx, mut mailbox) = bounded(8);
    let tx2 = tx.clone();
    tx.try_send(1).unwrap();
    tx2.try_send(2).unwrap();
    drop(tx);
    assert!(!mailbox.is_closed(), "one sender is left");
    tx2.try_send(3).unwrap();
    drop(tx2);
    assert!(mailbox.is_closed());
    assert_eq!(mailbox.recv_blocking(), Ok(1));
    assert_eq!(mailbox.try_recv(), Ok(2));
    assert_eq!(mailbox.recv_blocking(), Ok(3));
    assert_eq!(mailbox.recv_blocking(), Err(RecvError::Closed));
    assert_eq!(mailbox.try_recv(), Err(TryRecvError::Closed));
}

#[test]
fn last_sender_drop_wakes_a_blocked_receiver() {
    let (tx, mut mailbox) = unbounded::<u8>();
    let dropper = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(30));
        drop(tx);
    });
    assert_eq!(mailbox.recv_blocking(), Err(RecvError::Closed));
    dropper.join().unwrap();
}

#[tokio::test]
async fn last_sender_drop_wakes_a_pending_receiver() {
    let (tx, mut mailbox) = unbounded::<u8>();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(30)).await;
        drop(tx);
    });
    assert_eq!(mailbox.recv().await, Err(RecvError::Closed));
}

#[test]
fn close_rejects_new_sends_but_keeps_queued_messages() {
    let (tx, mut mailbox) = unbounded();
    tx.try_send("queued").unwrap();
    mailbox.close();
    assert!(tx.is_closed());
    assert_eq!(tx.try_send("late"), Err(TrySendError::Closed("late")));
    assert_eq!(tx.send_blocking("late").unwrap_err().into_inner(), "late");
    assert_eq!(mailbox.len(), 1);
    assert_eq!(mailbox.recv_blocking(), Ok("queued"));
    assert_eq!(mailbox.recv_blocking(), Err(RecvError::Closed));
}

#[test]
fn close_releases_a_blocked_sender_with_its_message() {
    let (tx, mut mailbox) = bounded(1);
    tx.try_send(0).unwrap();
    let blocked = std::thread::spawn(move || tx.send_timeout(1, Duration::from_secs(30)));
    std::thread::sleep(Duration::from_millis(30));
    mailbox.close();
    assert_eq!(blocked.join().unwrap(), Err(SendTimeoutError::Closed(1)));
    assert_eq!(mailbox.recv_blocking(), Ok(0), "the queued message is still there");
}

#[test]
fn dropping_the_mailbox_releases_every_blocked_sender_at_once() {
    let (tx, mailbox) = bounded(1);
    tx.try_send(0).unwrap();
    let blocked: Vec<_> = (1..=3)
        .map(|i| {
            let tx = tx.clone();
            std::thread::spawn(move || tx.send_blocking(i).unwrap_err().into_inner())
        })
        .collect();
    std::thread::sleep(Duration::from_millis(30));
    drop(mailbox);
    let mut back: Vec<_> = blocked.into_iter().map(|h| h.join().unwrap()).collect();
    back.sort();
    assert_eq!(back, [1, 2, 3]);
    assert!(tx.is_closed());
}

#[tokio::test]
async fn dropping_the_mailbox_releases_pending_async_senders() {
    let (tx, mailbox) = bounded(1);
    tx.try_send(0).unwrap();
    let pending: Vec<_> = (1..=3)
        .map(|i| {
            let tx = tx.clone();
            tokio::spawn(async move { tx.send(i).await.unwrap_err().into_inner() })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(30)).await;
    drop(mailbox);
    let mut back = Vec::new();
    for p in pending {
        back.push(p.await.unwrap());
    }
    back.sort();
    assert_eq!(back, [1, 2, 3]);
}

#[test]
fn selective_receive_reports_closed_when_no_match_can_come() {
    let (tx, mut mailbox) = unbounded();
    tx.try_send(1).unwrap();
    drop(tx);
    assert_eq!(mailbox.recv().matching(|n| *n == 2).wait(), Err(RecvError::Closed));
    assert_eq!(mailbox.recv_blocking(), Ok(1), "the skipped message is still receivable");
}
