//! Unit tests of the mailbox front end, small enough to run under Miri (no tokio runtime:
//! async receives are driven by `futures::executor::block_on`).

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::time::Duration;

use super::*;
use crate::error::{RecvError, TryRecvError};
use crate::test_helpers::{counting_waker, mailbox, poll_with, Counted};

const N: usize = if cfg!(miri) { 100 } else { 10_000 };

#[test]
fn thread_to_thread_exactly_once_in_order() {
    for cap in [Some(1), Some(8), None] {
        let (tx, mut mailbox) = mailbox(cap);
        let producers: Vec<_> = (0..2)
            .map(|p| {
                let tx = tx.clone();
                std::thread::spawn(move || {
                    for i in 0..N {
                        tx.send_blocking((p, i)).unwrap();
                    }
                })
            })
            .collect();
        drop(tx);
        let mut next = [0; 2];
        while let Ok((p, i)) = mailbox.recv_blocking() {
            assert_eq!(i, next[p]);
            next[p] += 1;
        }
        assert_eq!(next, [N; 2]);
        producers.into_iter().for_each(|h| h.join().unwrap());
    }
}

#[test]
fn async_receive_driven_by_a_simple_executor() {
    let (tx, mut mailbox) = bounded(2);
    let producer = std::thread::spawn(move || {
        for i in 0..N {
            tx.send_blocking(i).unwrap();
        }
    });
    let sum = futures::executor::block_on(async {
        let mut sum = 0;
        while let Ok(i) = mailbox.recv().await {
            sum += i;
        }
        sum
    });
    producer.join().unwrap();
    assert_eq!(sum, N * (N - 1) / 2);
}

#[test]
fn async_send_driven_by_a_simple_executor() {
    let (tx, mut mailbox) = bounded(1);
    let consumer = std::thread::spawn(move || mailbox.drain_blocking_count());
    futures::executor::block_on(async {
        for i in 0..N {
            tx.send(i).await.unwrap();
        }
    });
    drop(tx);
    assert_eq!(consumer.join().unwrap(), N);
}

impl<T> Mailbox<T> {
    /// Test helper: receives until closed, counting.
    fn drain_blocking_count(&mut self) -> usize {
        let mut n = 0;
        while self.recv_blocking().is_ok() {
            n += 1;
        }
        n
    }
}

#[test]
fn selective_receive_and_save_queue() {
    let (tx, mut mailbox) = unbounded();
    for i in 0..10 {
        tx.try_send(i).unwrap();
    }
    assert_eq!(mailbox.recv().matching(|n| *n == 7).wait(), Ok(7));
    assert_eq!(mailbox.len(), 9);
    assert_eq!(mailbox.recv().matching(|n| n % 2 == 1).wait(), Ok(1));
    let rest: Vec<_> = mailbox.drain().collect();
    assert_eq!(rest, [0, 2, 3, 4, 5, 6, 8, 9]);
    drop(tx);
    assert_eq!(mailbox.try_recv(), Err(TryRecvError::Closed));
}

#[test]
fn timed_blocking_receive() {
    let (tx, mut mailbox) = unbounded::<u8>();
    assert_eq!(mailbox.recv().timeout(Duration::from_millis(5)).wait(), Err(RecvError::Timeout));
    assert_eq!(mailbox.recv().after(Duration::from_millis(5), || 4).wait(), Ok(4));
    tx.try_send(1).unwrap();
    assert_eq!(mailbox.recv().timeout(Duration::ZERO).wait(), Ok(1));
}

#[test]
fn blocked_sender_released_by_mailbox_drop() {
    let (tx, mailbox) = bounded(1);
    tx.try_send(0).unwrap();
    let blocked = std::thread::spawn(move || tx.send_blocking(1).unwrap_err().into_inner());
    std::thread::sleep(Duration::from_millis(10));
    drop(mailbox);
    assert_eq!(blocked.join().unwrap(), 1);
}

/// A bounded(1) mailbox holding 0, and a thread running `send` with its sender, which is
/// parked for room by the time this returns.
fn with_a_parked_sender<R: Send + 'static>(
    send: impl FnOnce(Sender<i32>) -> R + Send + 'static,
) -> (Mailbox<i32>, std::thread::JoinHandle<R>) {
    let (tx, mailbox) = bounded(1);
    tx.try_send(0).unwrap();
    let blocked = std::thread::spawn(move || send(tx));
    while mailbox.waiting_senders() == 0 {
        std::thread::yield_now();
    }
    (mailbox, blocked)
}

/// A blocking sender parked on a full mailbox leaves its message with the mailbox: the pop
/// that makes room puts it in the queue before it returns, without waiting for the sender's
/// thread to wake up. Its send then reports success, and a timed send whose message was
/// taken that way is not a timeout.
#[test]
fn pop_delivers_a_parked_senders_message() {
    for timeout in [None, Some(Duration::from_secs(3600))] {
        let (mut mailbox, blocked) = with_a_parked_sender(move |tx| match timeout {
            None => tx.send_blocking(1).map_err(|e| e.into_inner()),
            Some(timeout) => tx.send_timeout(1, timeout).map_err(|e| e.into_inner()),
        });
        assert_eq!(mailbox.try_recv(), Ok(0));
        assert_eq!(mailbox.len(), 1, "the pop delivered the parked message");
        assert_eq!(mailbox.waiting_senders(), 0);
        assert_eq!(blocked.join().unwrap(), Ok(()));
        assert_eq!(mailbox.try_recv(), Ok(1));
    }
}

/// A parked sender whose deadline passes gets its message back: nothing was delivered, and
/// nothing stays behind in the mailbox.
#[test]
fn parked_sender_times_out_with_its_message() {
    let (tx, mut mailbox) = bounded(1);
    tx.try_send(0).unwrap();
    let err = tx.send_timeout(1, Duration::from_millis(20)).unwrap_err();
    assert!(matches!(err, crate::SendTimeoutError::Timeout(1)));
    assert_eq!(mailbox.waiting_senders(), 0);
    assert_eq!(mailbox.try_recv(), Ok(0));
    assert_eq!(mailbox.try_recv(), Err(TryRecvError::Empty));
}

/// Closing the mailbox hands a parked sender its message back as `Closed`.
#[test]
fn close_returns_a_parked_senders_message() {
    let (mut mailbox, blocked) = with_a_parked_sender(|tx| tx.send_blocking(1));
    mailbox.close();
    assert!(matches!(blocked.join().unwrap(), Err(crate::SendError(1))));
    assert_eq!(mailbox.try_recv(), Ok(0));
    assert_eq!(mailbox.try_recv(), Err(TryRecvError::Closed));
}

#[test]
fn every_message_dropped_exactly_once() {
    let drops = Arc::new(AtomicUsize::new(0));
    for cap in [Some(4), None] {
        let (tx, mut mailbox) = mailbox(cap);
        for _ in 0..4 {
            tx.try_send(Counted((), drops.clone())).map_err(|_| ()).unwrap();
        }
        drop(mailbox.try_recv().unwrap());
        let _ = mailbox.recv().matching(|_| false).timeout(Duration::ZERO).wait();
        drop(mailbox);
        drop(tx);
    }
    assert_eq!(drops.load(SeqCst), 8);
}

/// The async receive, poll by poll, on both kinds of ring: it takes a queued message at once;
/// on an empty mailbox it waits, and a send wakes the waker of its latest poll (only that one,
/// once); a close wakes it and the next poll reports `Closed`.
#[test]
fn async_receive_poll_by_poll_wakes_the_latest_waker_once() {
    use std::future::{Future, IntoFuture};
    use std::pin::pin;
    use std::task::{Context, Poll};

    for cap in [Some(2), Some(4), None] {
        let (tx, mut mailbox) = mailbox(cap);
        let (first_wakes, first) = counting_waker();
        let (second_wakes, second) = counting_waker();

        tx.try_send(1).unwrap();
        {
            let mut recv = pin!(mailbox.recv().into_future());
            assert_eq!(recv.as_mut().poll(&mut Context::from_waker(&first)), Poll::Ready(Ok(1)));
        }
        {
            let mut recv = pin!(mailbox.recv().into_future());
            assert_eq!(recv.as_mut().poll(&mut Context::from_waker(&first)), Poll::Pending);
            assert_eq!(recv.as_mut().poll(&mut Context::from_waker(&second)), Poll::Pending);
            tx.try_send(2).unwrap();
            tx.try_send(3).unwrap();
            assert_eq!((first_wakes.0.load(SeqCst), second_wakes.0.load(SeqCst)), (0, 1));
            assert_eq!(recv.as_mut().poll(&mut Context::from_waker(&second)), Poll::Ready(Ok(2)));
        }
        {
            let mut recv = pin!(mailbox.recv().into_future());
            assert_eq!(recv.as_mut().poll(&mut Context::from_waker(&first)), Poll::Ready(Ok(3)));
        }
        {
            let mut recv = pin!(mailbox.recv().into_future());
            assert_eq!(recv.as_mut().poll(&mut Context::from_waker(&first)), Poll::Pending);
            drop(tx);
            assert_eq!((first_wakes.0.load(SeqCst), second_wakes.0.load(SeqCst)), (1, 1));
            let closed = recv.as_mut().poll(&mut Context::from_waker(&first));
            assert_eq!(closed, Poll::Ready(Err(RecvError::Closed)));
        }
    }
}

/// A receive waiting on an empty bounded mailbox is handed the next message, which leaves its
/// slot free: while the receiver has not yet run, the mailbox takes `capacity + 1` messages,
/// `len` counts the handed one, and it is the next received. Dropping the waiting receive
/// after the hand loses nothing: the handed message stays with the mailbox.
#[test]
fn a_waiting_receive_is_handed_the_next_message() {
    use std::future::{Future, IntoFuture};
    use std::pin::pin;
    use std::task::{Context, Poll};

    let (wakes, waker) = counting_waker();
    let mut cx = Context::from_waker(&waker);
    for cap in [1, 3] {
        let (tx, mut mailbox) = bounded(cap);
        for cancel in [false, true] {
            {
                let mut recv = pin!(mailbox.recv().into_future());
                assert_eq!(recv.as_mut().poll(&mut cx), Poll::Pending);
                for i in 0..=cap {
                    tx.try_send(i).unwrap();
                }
                assert!(tx.try_send(99).unwrap_err().is_full());
                assert_eq!(tx.len(), cap + 1);
                if !cancel {
                    assert_eq!(recv.as_mut().poll(&mut cx), Poll::Ready(Ok(0)));
                }
            }
            for i in if cancel { 0 } else { 1 }..=cap {
                assert_eq!(mailbox.try_recv(), Ok(i));
            }
            assert_eq!(mailbox.try_recv(), Err(TryRecvError::Empty));
        }
    }
    assert_eq!(wakes.0.load(SeqCst), 4, "every hand wakes the receive once");
}

/// A plain async send that finds the mailbox full while no other sender waits steps aside
/// once: it wakes its own task and returns `Pending` without joining the senders' queue. If
/// room came meanwhile, its next poll sends; if not, that poll registers, and the receive that
/// makes room wakes it. A send that stepped aside and is dropped leaves nothing behind.
#[test]
fn a_send_on_a_full_mailbox_steps_aside_once() {
    use std::task::Poll;

    let (wakes, waker) = counting_waker();
    let woken = || wakes.0.load(SeqCst);
    let (tx, mut mailbox) = bounded(1);
    tx.try_send(0).unwrap();

    // Room comes while the send stands aside: its next poll sends, never registered.
    let mut send = tx.send(1);
    assert_eq!(poll_with(&mut send, &waker), Poll::Pending);
    assert_eq!(woken(), 1, "stepping aside wakes the sending task itself");
    assert_eq!(mailbox.waiting_senders(), 0, "stepping aside does not register");
    assert_eq!(mailbox.try_recv(), Ok(0));
    assert_eq!(poll_with(&mut send, &waker), Poll::Ready(Ok(())));
    drop(send);
    assert_eq!(woken(), 1, "nobody was registered to wake");

    // No room on the second look: the send registers, and the pop that makes room wakes it.
    let mut send = tx.send(2);
    assert_eq!(poll_with(&mut send, &waker), Poll::Pending);
    assert_eq!((woken(), mailbox.waiting_senders()), (2, 0));
    assert_eq!(poll_with(&mut send, &waker), Poll::Pending);
    assert_eq!((woken(), mailbox.waiting_senders()), (2, 1), "steps aside only once");
    assert_eq!(mailbox.try_recv(), Ok(1));
    assert_eq!(woken(), 3, "the pop that made room woke the registered send");
    assert_eq!(poll_with(&mut send, &waker), Poll::Ready(Ok(())));
    drop(send);
    assert_eq!(mailbox.waiting_senders(), 0);

    // Dropped while standing aside: the message goes with the future, nothing is left queued.
    let drops = Arc::new(AtomicUsize::new(0));
    let (tx, mut mailbox) = bounded(1);
    tx.try_send(Counted(0, drops.clone())).unwrap();
    let mut send = tx.send(Counted(1, drops.clone()));
    assert!(poll_with(&mut send, &waker).is_pending());
    drop(send);
    assert_eq!(drops.load(SeqCst), 1, "the unsent message was dropped with its future");
    assert_eq!(mailbox.waiting_senders(), 0);
    assert_eq!(mailbox.try_recv().map(|m| m.0).ok(), Some(0));
    assert_eq!(mailbox.try_recv().map(|m| m.0).err(), Some(TryRecvError::Empty));
}

/// A send that finds the mailbox full while other senders wait registers at once, behind them:
/// stepping aside is only for a send that nobody waits ahead of.
#[test]
fn a_send_behind_waiting_senders_registers_at_once() {
    use std::task::Poll;

    let (first_wakes, first_waker) = counting_waker();
    let (second_wakes, second_waker) = counting_waker();
    let (tx, mut mailbox) = bounded(1);
    tx.try_send(0).unwrap();
    let mut first = tx.send(1);
    while mailbox.waiting_senders() == 0 {
        assert_eq!(poll_with(&mut first, &first_waker), Poll::Pending);
    }
    let mut second = tx.send(2);
    assert_eq!(poll_with(&mut second, &second_waker), Poll::Pending);
    assert_eq!(second_wakes.0.load(SeqCst), 0, "registered instead of stepping aside");
    assert_eq!(mailbox.waiting_senders(), 2);
    let first_woken = first_wakes.0.load(SeqCst);
    assert_eq!(mailbox.try_recv(), Ok(0));
    assert_eq!(first_wakes.0.load(SeqCst), first_woken + 1, "the first in line is woken");
    assert_eq!(second_wakes.0.load(SeqCst), 0);
    assert_eq!(poll_with(&mut first, &first_waker), Poll::Ready(Ok(())));
    drop(first);
    assert_eq!(mailbox.try_recv(), Ok(1));
    assert_eq!(second_wakes.0.load(SeqCst), 1);
    assert_eq!(poll_with(&mut second, &second_waker), Poll::Ready(Ok(())));
    drop(second);
    assert_eq!(mailbox.try_recv(), Ok(2));
}
