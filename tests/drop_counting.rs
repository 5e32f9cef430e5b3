//! Every message is dropped exactly once: received, returned, or left behind in a mailbox
//! (ring, save queue, or a sink) that is dropped — never leaked, never twice.

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::time::Duration;

use futures::SinkExt;
use tidings::{bounded, unbounded, Mailbox, Sender};

#[derive(Debug)]
struct Counted(u32, Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.1.fetch_add(1, SeqCst);
    }
}

fn both() -> Vec<(Sender<Counted>, Mailbox<Counted>)> {
    vec![bounded(64), unbounded()]
}

#[test]
fn messages_left_in_a_dropped_mailbox_are_dropped_once() {
    for (tx, mailbox) in both() {
        let drops = Arc::new(AtomicUsize::new(0));
        for i in 0..50 {
            tx.try_send(Counted(i, drops.clone())).unwrap();
        }
        drop(mailbox);
        assert_eq!(drops.load(SeqCst), 50, "dropped with the mailbox, while a sender lives");
        drop(tx);
        assert_eq!(drops.load(SeqCst), 50, "and not again with the last sender");
    }
}

#[test]
fn messages_left_when_the_last_handle_is_a_sender_are_dropped_once() {
    for (tx, mut mailbox) in both() {
        let drops = Arc::new(AtomicUsize::new(0));
        for i in 0..40 {
            tx.try_send(Counted(i, drops.clone())).unwrap();
        }
        // Take some, skip some into the save queue, leave the rest queued.
        for _ in 0..5 {
            drop(mailbox.recv_blocking().unwrap());
        }
        let found = mailbox.recv().matching(|m| m.0 == 20).wait().unwrap();
        assert_eq!(found.0, 20);
        drop(found);
        assert_eq!(drops.load(SeqCst), 6);
        drop(tx);
        drop(mailbox);
        assert_eq!(drops.load(SeqCst), 40);
    }
}

#[test]
fn concurrent_senders_racing_a_mailbox_drop_lose_and_duplicate_nothing() {
    for round in 0..20 {
        let drops = Arc::new(AtomicUsize::new(0));
        let (tx, mut mailbox) = if round % 2 == 0 { bounded(4) } else { unbounded() };
        let senders: Vec<_> = (0..3)
            .map(|_| {
                let (tx, drops) = (tx.clone(), drops.clone());
                std::thread::spawn(move || {
                    let mut sent = 0;
                    for i in 0..2_000 {
                        match tx.send_timeout(Counted(i, drops.clone()), Duration::from_secs(10)) {
                            Ok(()) => sent += 1,
                            Err(err) => drop(err.into_inner()),
                        }
                    }
                    sent
                })
            })
            .collect();
        drop(tx);
        let mut received = 0;
        while received < 100 {
            drop(mailbox.recv_blocking().unwrap());
            received += 1;
        }
        drop(mailbox);
        let sent: usize = senders.into_iter().map(|h| h.join().unwrap()).sum();
        assert!(sent >= received);
        assert_eq!(drops.load(SeqCst), 3 * 2_000, "each message dropped exactly once");
    }
}

#[tokio::test]
async fn a_message_pending_in_a_dropped_send_future_is_dropped_once() {
    let drops = Arc::new(AtomicUsize::new(0));
    let (tx, mailbox) = bounded(1);
    tx.try_send(Counted(0, drops.clone())).unwrap();
    let cut = tokio::time::timeout(Duration::from_millis(10), tx.send(Counted(1, drops.clone())));
    assert!(cut.await.is_err());
    assert_eq!(drops.load(SeqCst), 1, "the unsent message went with its future");
    drop(mailbox);
    assert_eq!(drops.load(SeqCst), 2);
}

#[tokio::test]
async fn a_message_buffered_in_a_dropped_sink_is_dropped_once() {
    let drops = Arc::new(AtomicUsize::new(0));
    let (tx, mailbox) = bounded(1);
    let mut sink = tx.into_sink();
    sink.feed(Counted(0, drops.clone())).await.unwrap();
    sink.feed(Counted(1, drops.clone())).await.unwrap(); // buffered in the sink
    drop(sink);
    assert_eq!(drops.load(SeqCst), 1);
    drop(mailbox);
    assert_eq!(drops.load(SeqCst), 2);
}

#[test]
fn unbounded_bursts_cross_many_blocks_and_drop_cleanly() {
    let drops = Arc::new(AtomicUsize::new(0));
    let (tx, mut mailbox) = unbounded();
    for burst in 0..10 {
        for i in 0..1_000 {
            tx.try_send(Counted(i, drops.clone())).unwrap();
        }
        for _ in 0..(if burst % 2 == 0 { 1_000 } else { 500 }) {
            drop(mailbox.try_recv().unwrap());
        }
    }
    assert_eq!(mailbox.len(), 2_500);
    drop(mailbox);
    drop(tx);
    assert_eq!(drops.load(SeqCst), 10_000);
}
