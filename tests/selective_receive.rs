//! Erlang's selective receive: the first matching message, the rest kept in order in the save
//! queue (which later receives see first), and a match that arrives later is waited for.

use std::time::Duration;

use tidings::{bounded, unbounded, RecvError};

#[derive(Debug, PartialEq, Clone)]
enum Msg {
    Data(u32),
    Ack(u32),
}

#[test]
fn takes_the_first_match_and_keeps_the_rest_in_order() {
    let (tx, mut mailbox) = unbounded();
    for m in [Msg::Data(1), Msg::Ack(1), Msg::Data(2), Msg::Ack(2), Msg::Data(3)] {
        tx.try_send(m).unwrap();
    }
    let ack = mailbox.recv().matching(|m| matches!(m, Msg::Ack(_))).wait();
    assert_eq!(ack, Ok(Msg::Ack(1)), "the first match, not a later one");
    assert_eq!(mailbox.len(), 4, "skipped messages are still in the mailbox");
    let rest: Vec<_> = (0..4).map(|_| mailbox.recv_blocking().unwrap()).collect();
    assert_eq!(rest, [Msg::Data(1), Msg::Data(2), Msg::Ack(2), Msg::Data(3)]);
}

#[test]
fn saved_messages_are_searched_before_new_ones() {
    let (tx, mut mailbox) = unbounded();
    tx.try_send(Msg::Data(1)).unwrap();
    tx.try_send(Msg::Ack(9)).unwrap();
    // Skips Data(1) into the save queue.
    assert_eq!(mailbox.recv().matching(|m| *m == Msg::Ack(9)).wait(), Ok(Msg::Ack(9)));
    tx.try_send(Msg::Data(2)).unwrap();
    // A second selective receive finds the saved Data(1) before the newer Data(2).
    assert_eq!(mailbox.recv().matching(|m| matches!(m, Msg::Data(_))).wait(), Ok(Msg::Data(1)));
    assert_eq!(mailbox.try_recv(), Ok(Msg::Data(2)));
}

#[test]
fn a_later_match_is_waited_for() {
    let (tx, mut mailbox) = bounded(4);
    tx.try_send(Msg::Data(1)).unwrap();
    let sender = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(30));
        tx.send_blocking(Msg::Data(2)).unwrap();
        tx.send_blocking(Msg::Ack(7)).unwrap();
    });
    let got =
        mailbox.recv().matching(|m| matches!(m, Msg::Ack(_))).timeout(Duration::from_secs(10));
    assert_eq!(got.wait(), Ok(Msg::Ack(7)));
    sender.join().unwrap();
    assert_eq!(mailbox.drain().collect::<Vec<_>>(), [Msg::Data(1), Msg::Data(2)]);
}

#[tokio::test]
async fn a_later_match_is_awaited() {
    let (tx, mut mailbox) = unbounded();
    tokio::spawn(async move {
        for i in 0..5 {
            tx.send(Msg::Data(i)).await.unwrap();
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        tx.send(Msg::Ack(5)).await.unwrap();
    });
    let ack = mailbox.recv().matching(|m| matches!(m, Msg::Ack(_))).await;
    assert_eq!(ack, Ok(Msg::Ack(5)));
    let data: Vec<_> = mailbox.drain().collect();
    assert_eq!(data, (0..5).map(Msg::Data).collect::<Vec<_>>());
}

/// Skipping moves messages out of a bounded ring, so senders get room while the receive waits.
#[test]
fn skipped_messages_free_room_for_senders() {
    let (tx, mut mailbox) = bounded(2);
    let sender = std::thread::spawn(move || {
        for i in 0..10 {
            tx.send_blocking(Msg::Data(i)).unwrap();
        }
        tx.send_blocking(Msg::Ack(0)).unwrap();
    });
    assert_eq!(mailbox.recv().matching(|m| matches!(m, Msg::Ack(_))).wait(), Ok(Msg::Ack(0)));
    sender.join().unwrap();
    assert_eq!(mailbox.len(), 10);
    assert_eq!(mailbox.drain().count(), 10);
}

#[test]
fn the_predicate_sees_each_message_once_per_receive() {
    let (tx, mut mailbox) = unbounded();
    for i in 0..5 {
        tx.try_send(i).unwrap();
    }
    let mut calls = 0;
    let got = mailbox
        .recv()
        .matching(|_| {
            calls += 1;
            false
        })
        .timeout(Duration::from_millis(20))
        .wait();
    assert_eq!(got, Err(RecvError::Timeout));
    assert_eq!(calls, 5);
}

#[test]
fn a_plain_receive_after_a_selective_one_gets_the_oldest_message() {
    let (tx, mut mailbox) = unbounded();
    for i in 0..4 {
        tx.try_send(i).unwrap();
    }
    assert_eq!(mailbox.recv().matching(|n| *n == 3).wait(), Ok(3));
    assert_eq!(mailbox.recv_blocking(), Ok(0));
    assert_eq!(mailbox.recv().matching(|n| *n == 2).wait(), Ok(2));
    assert_eq!(mailbox.recv_blocking(), Ok(1));
    assert!(mailbox.is_empty());
}
