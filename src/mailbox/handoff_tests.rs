//! Unit tests of [`Sender::send_handoff`], poll by poll (no runtime, so they run under Miri).

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::task::Poll;

use super::*;
use crate::error::{SendError, TryRecvError};
use crate::test_helpers::{counting_waker, poll_with, Counted};

/// A bounded(1) mailbox holding 0.
fn full() -> (Sender<i32>, Mailbox<i32>) {
    let (tx, mailbox) = bounded(1);
    tx.try_send(0).unwrap();
    (tx, mailbox)
}

/// Polls a plain `send` until it waits in the senders' queue (its first poll steps aside when
/// nobody waits yet, see `Sender::send`).
fn line_up<T>(send: &mut SendFuture<'_, T>, mailbox: &Mailbox<T>, waker: &std::task::Waker) {
    let waiting = mailbox.waiting_senders();
    while mailbox.waiting_senders() == waiting {
        assert!(poll_with(send, waker).is_pending());
    }
}

/// With room, a hand-off send completes on its first poll, as `send` does.
#[test]
fn with_room_it_sends_at_once() {
    let (tx, mut mailbox) = bounded(1);
    let (_, waker) = counting_waker();
    assert_eq!(poll_with(&mut tx.send_handoff(1), &waker), Poll::Ready(Ok(())));
    assert_eq!(mailbox.try_recv(), Ok(1));
}

/// A hand-off send that waits leaves its message with the mailbox: the pop that makes room
/// puts it in the queue before it returns and wakes the task (once, through the waker of its
/// latest poll), whose next poll reports success.
#[test]
fn a_pop_delivers_the_waiting_message_and_wakes_the_latest_waker() {
    let (tx, mut mailbox) = full();
    let (first_wakes, first) = counting_waker();
    let (second_wakes, second) = counting_waker();
    let mut send = tx.send_handoff(1);
    assert_eq!(poll_with(&mut send, &first), Poll::Pending);
    assert_eq!(poll_with(&mut send, &second), Poll::Pending);
    assert_eq!(mailbox.waiting_senders(), 1);

    assert_eq!(mailbox.try_recv(), Ok(0));
    assert_eq!(mailbox.len(), 1, "the pop delivered the waiting message");
    assert_eq!((first_wakes.0.load(SeqCst), second_wakes.0.load(SeqCst)), (0, 1));
    assert_eq!(poll_with(&mut send, &second), Poll::Ready(Ok(())));
    assert_eq!(mailbox.try_recv(), Ok(1));
}

/// Waiting hand-off senders are delivered in the order they started waiting.
#[test]
fn waiting_senders_are_delivered_in_arrival_order() {
    let (tx, mut mailbox) = full();
    let (_, waker) = counting_waker();
    let mut sends: Vec<_> = (1..=3).map(|i| tx.send_handoff(i)).collect();
    for send in &mut sends {
        assert_eq!(poll_with(send, &waker), Poll::Pending);
    }
    let got: Vec<_> = (0..4).map(|_| mailbox.try_recv().unwrap()).collect();
    assert_eq!(got, [0, 1, 2, 3]);
    for send in &mut sends {
        assert_eq!(poll_with(send, &waker), Poll::Ready(Ok(())));
    }
}

/// A hand-off send dropped while it waits withdraws its message, which is dropped unsent;
/// one dropped after a pop delivered it was sent, and its message is received. Every message
/// is dropped exactly once, and no sender is left waiting.
#[test]
fn a_dropped_send_withdraws_its_message_unless_delivered() {
    let (_, waker) = counting_waker();
    for pop_first in [false, true] {
        let drops = Arc::new(AtomicUsize::new(0));
        let (tx, mut mailbox) = bounded(1);
        tx.try_send(Counted(0, drops.clone())).map_err(drop).unwrap();
        let mut send = tx.send_handoff(Counted(1, drops.clone()));
        assert!(poll_with(&mut send, &waker).is_pending());
        let mut got = Vec::new();
        if pop_first {
            got.push(mailbox.try_recv().unwrap().0);
        }
        drop(send);
        assert_eq!(mailbox.waiting_senders(), 0);
        // Withdrawn and dropped, or (after the pop) 0, received and dropped here.
        assert_eq!(drops.load(SeqCst), 1);
        got.extend(mailbox.drain().map(|m| m.0));
        assert_eq!(got, if pop_first { vec![0, 1] } else { vec![0] });
        assert_eq!(mailbox.try_recv().map(|m| m.0), Err(TryRecvError::Empty));
        assert_eq!(drops.load(SeqCst), 2);
    }
}

/// A close wakes a waiting hand-off send and hands its message back.
#[test]
fn a_close_returns_the_waiting_message() {
    let (tx, mut mailbox) = full();
    let (wakes, waker) = counting_waker();
    let mut send = tx.send_handoff(1);
    assert_eq!(poll_with(&mut send, &waker), Poll::Pending);
    mailbox.close();
    assert_eq!(wakes.0.load(SeqCst), 1);
    assert_eq!(poll_with(&mut send, &waker), Poll::Ready(Err(SendError(1))));
    assert_eq!(mailbox.try_recv(), Ok(0));
    assert_eq!(mailbox.try_recv(), Err(TryRecvError::Closed));
}

/// A wake-up passed on to a waiting hand-off send (by a cancelled `send` ahead of it) hands
/// its message back: its next poll tries itself and takes the room. Dropped instead, it
/// passes the wake-up on again, to the sender behind it.
#[test]
fn a_passed_on_wake_up_is_used_or_passed_on_again() {
    for drop_it in [false, true] {
        let (tx, mut mailbox) = full();
        let (_, waker) = counting_waker();
        let (handoff_wakes, handoff_waker) = counting_waker();
        let (last_wakes, last_waker) = counting_waker();
        let mut ahead = tx.send(1);
        let mut handoff = tx.send_handoff(2);
        let mut last = tx.send(3);
        line_up(&mut ahead, &mailbox, &waker);
        assert!(poll_with(&mut handoff, &handoff_waker).is_pending());
        assert!(poll_with(&mut last, &last_waker).is_pending());

        assert_eq!(mailbox.try_recv(), Ok(0));
        assert_eq!(mailbox.len(), 0, "the head was a plain send: woken, not delivered");
        drop(ahead);
        assert_eq!(handoff_wakes.0.load(SeqCst), 1, "the wake-up passed on");
        if drop_it {
            drop(handoff);
            assert_eq!(last_wakes.0.load(SeqCst), 1, "and on again");
            assert_eq!(poll_with(&mut last, &last_waker), Poll::Ready(Ok(())));
            assert_eq!(mailbox.try_recv(), Ok(3));
        } else {
            assert_eq!(poll_with(&mut handoff, &handoff_waker), Poll::Ready(Ok(())));
            assert_eq!(last_wakes.0.load(SeqCst), 0);
            assert_eq!(mailbox.try_recv(), Ok(2));
        }
    }
}

/// A hand-off send whose wake-up came without a delivery and that finds the ring full again
/// (another sender took the room) waits again, and is delivered by the next pop.
#[test]
fn a_handed_back_message_that_finds_no_room_waits_again() {
    let (tx, mut mailbox) = full();
    let (_, waker) = counting_waker();
    let mut ahead = tx.send(1);
    let mut handoff = tx.send_handoff(2);
    line_up(&mut ahead, &mailbox, &waker);
    assert!(poll_with(&mut handoff, &waker).is_pending());
    assert_eq!(mailbox.try_recv(), Ok(0));
    drop(ahead);
    tx.try_send(9).unwrap();
    assert_eq!(poll_with(&mut handoff, &waker), Poll::Pending);
    assert_eq!(mailbox.waiting_senders(), 1);
    assert_eq!(mailbox.try_recv(), Ok(9));
    assert_eq!(mailbox.len(), 1);
    assert_eq!(poll_with(&mut handoff, &waker), Poll::Ready(Ok(())));
    assert_eq!(mailbox.try_recv(), Ok(2));
}

/// Hand-off senders on threads (driven by a simple executor) and a blocking receiver: every
/// message arrives exactly once, in order per sender.
#[test]
fn threads_driving_handoff_sends_deliver_exactly_once_in_order() {
    const N: u32 = if cfg!(miri) { 50 } else { 5_000 };
    for cap in [1, 4] {
        let (tx, mut mailbox) = bounded(cap);
        let senders: Vec<_> = (0..3)
            .map(|p| {
                let tx = tx.clone();
                std::thread::spawn(move || {
                    futures::executor::block_on(async {
                        for i in 0..N {
                            tx.send_handoff((p, i)).await.unwrap();
                        }
                    })
                })
            })
            .collect();
        drop(tx);
        let mut next = [0; 3];
        while let Ok((p, i)) = mailbox.recv_blocking() {
            assert_eq!(i, next[p], "sender {p} in order");
            next[p] += 1;
        }
        assert_eq!(next, [N; 3]);
        for sender in senders {
            sender.join().unwrap();
        }
    }
}
