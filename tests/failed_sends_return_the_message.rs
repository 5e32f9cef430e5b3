//! Every way a send can fail hands the message back, unharmed and undropped.

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use tidings::{bounded, unbounded, SendError, SendTimeoutError, TrySendError};

/// A message that knows its identity and counts its drops.
#[derive(Debug)]
struct Letter {
    id: u32,
    drops: Arc<AtomicUsize>,
}

impl Drop for Letter {
    fn drop(&mut self) {
        self.drops.fetch_add(1, SeqCst);
    }
}

fn letter(id: u32, drops: &Arc<AtomicUsize>) -> Letter {
    Letter { id, drops: drops.clone() }
}

#[test]
fn try_send_full_and_closed() {
    let drops = Arc::new(AtomicUsize::new(0));
    let (tx, mailbox) = bounded(1);
    tx.try_send(letter(1, &drops)).unwrap();
    match tx.try_send(letter(2, &drops)) {
        Err(TrySendError::Full(back)) => assert_eq!(back.id, 2),
        other => panic!("expected Full, got {other:?}"),
    }
    drop(mailbox);
    match tx.try_send(letter(3, &drops)) {
        Err(err @ TrySendError::Closed(_)) => {
            assert!(err.is_closed());
            assert_eq!(err.into_inner().id, 3);
        }
        other => panic!("expected Closed, got {other:?}"),
    }
    // 2 and 3 were dropped by us after inspection, 1 with the mailbox; never twice.
    assert_eq!(drops.load(SeqCst), 3);
}

#[tokio::test]
async fn async_send_into_a_closed_mailbox() {
    let drops = Arc::new(AtomicUsize::new(0));
    let (tx, mut mailbox) = unbounded();
    mailbox.close();
    let SendError(back) = tx.send(letter(7, &drops)).await.unwrap_err();
    assert_eq!((back.id, drops.load(SeqCst)), (7, 0));
}

#[test]
fn blocking_send_into_a_closed_mailbox() {
    let drops = Arc::new(AtomicUsize::new(0));
    let (tx, mailbox) = bounded(2);
    drop(mailbox);
    assert_eq!(tx.send_blocking(letter(8, &drops)).unwrap_err().into_inner().id, 8);
    assert_eq!(drops.load(SeqCst), 1);
}

#[test]
fn send_timeout_on_a_full_mailbox_and_on_a_closed_one() {
    let drops = Arc::new(AtomicUsize::new(0));
    let (tx, mailbox) = bounded(1);
    tx.try_send(letter(1, &drops)).unwrap();
    match tx.send_timeout(letter(2, &drops), Duration::from_millis(10)) {
        Err(SendTimeoutError::Timeout(back)) => assert_eq!(back.id, 2),
        other => panic!("expected Timeout, got {other:?}"),
    }
    drop(mailbox);
    match tx.send_timeout(letter(3, &drops), Duration::from_millis(10)) {
        Err(SendTimeoutError::Closed(back)) => assert_eq!(back.id, 3),
        other => panic!("expected Closed, got {other:?}"),
    }
}

#[tokio::test]
async fn a_waiting_async_send_gets_its_message_back_when_the_mailbox_goes() {
    let drops = Arc::new(AtomicUsize::new(0));
    let (tx, mailbox) = bounded(1);
    tx.try_send(letter(1, &drops)).unwrap();
    let waiting = {
        let drops = drops.clone();
        tokio::spawn(async move { tx.send(letter(2, &drops)).await })
    };
    tokio::time::sleep(Duration::from_millis(20)).await;
    drop(mailbox);
    assert_eq!(waiting.await.unwrap().unwrap_err().into_inner().id, 2);
}

#[tokio::test]
async fn sink_errors_carry_the_message() {
    let (tx, mailbox) = bounded::<u32>(1);
    let mut sink = tx.into_sink();
    sink.send(1).await.unwrap();
    drop(mailbox);
    let err = sink.send(2).await.unwrap_err();
    assert_eq!(err.into_inner(), 2);
}

#[tokio::test]
async fn a_message_buffered_in_the_sink_comes_back_if_the_mailbox_closes() {
    let (tx, mut mailbox) = bounded::<u32>(1);
    let mut sink = tx.into_sink();
    sink.feed(1).await.unwrap();
    // No room for 2: `start_send` keeps it in the sink until a flush finds room.
    sink.feed(2).await.unwrap();
    assert_eq!(mailbox.next().await, Some(1));
    mailbox.close();
    assert_eq!(sink.flush().await.unwrap_err().into_inner(), 2);
}
