//! Loom models of the channel core's wake-up protocols, driven through the public mailbox API
//! (which under `--cfg tidings_loom` runs on loom's atomics, locks and threads).

#[cfg(all(test, tidings_loom))]
mod models {
    use crate::error::{RecvError, SendTimeoutError, TrySendError};
    use crate::loom::thread;
    use crate::test_helpers::{mailbox, Counted};
    use crate::wait::block_on;
    use crate::{bounded, unbounded, Sender};

    /// A receiver that blocks while a producer sends (unbounded and bounded(1)): no lost
    /// wake-up, order kept. The producer hands its sender back through `join` instead of
    /// dropping it: the last sender's drop closes the mailbox, which would wake the receiver and
    /// hide a lost wake-up (every model here that checks wake-ups keeps a sender alive).
    #[test]
    fn blocking_recv_vs_send() {
        for cap in [None, Some(1)] {
            loom::model(move || {
                let (tx, mut mailbox) = mailbox(cap);
                let producer = thread::spawn(move || {
                    tx.send_blocking(1).unwrap();
                    tx.send_blocking(2).unwrap();
                    tx
                });
                assert_eq!(mailbox.recv_blocking(), Ok(1));
                assert_eq!(mailbox.recv_blocking(), Ok(2));
                drop(producer.join().unwrap());
                assert_eq!(mailbox.recv_blocking(), Err(RecvError::Closed));
            });
        }
    }

    /// Two producers race a receiver that goes to sleep (bounded and unbounded): no interleaving
    /// leaves it asleep next to a message (loom reports a deadlock otherwise). The senders stay
    /// alive until both messages are in, so no close can do the waking.
    #[test]
    fn two_producers_vs_a_sleeping_receiver() {
        for cap in [Some(2), None] {
            loom::model(move || {
                let (tx, mut mailbox) = mailbox(cap);
                let producers: Vec<_> = (1..=2)
                    .map(|n| {
                        let tx = tx.clone();
                        thread::spawn(move || {
                            tx.try_send(n).unwrap();
                            tx
                        })
                    })
                    .collect();
                let mut got =
                    vec![mailbox.recv_blocking().unwrap(), mailbox.recv_blocking().unwrap()];
                got.sort();
                assert_eq!(got, [1, 2]);
                for p in producers {
                    drop(p.join().unwrap());
                }
                drop(tx);
                assert_eq!(mailbox.recv_blocking(), Err(RecvError::Closed));
            });
        }
    }

    /// A task receiver registered between polls: a push wakes its waker, and the next poll gets
    /// the message (`block_on` parks until woken).
    #[test]
    fn async_receiver_vs_send() {
        loom::model(|| {
            let (tx, mut mailbox) = unbounded();
            let producer = thread::spawn(move || {
                tx.try_send(1).unwrap();
                tx.try_send(2).unwrap();
                tx
            });
            block_on(async {
                assert_eq!(mailbox.recv().await, Ok(1));
                assert_eq!(mailbox.recv().await, Ok(2));
            });
            drop(producer.join().unwrap());
            assert_eq!(block_on(async { mailbox.recv().await }), Err(RecvError::Closed));
        });
    }

    /// A receive polled again with another waker while a push comes in (a task moved to another
    /// executor, or polled again by a `select!`): the second poll registers again over the
    /// first, and its arming write must carry the new waker to the push (without fences, see
    /// `WaitCell`); a push that went to the first waker would leave it asleep (loom reports a
    /// deadlock).
    #[test]
    fn a_receive_polled_again_with_another_waker_is_woken_through_it() {
        use std::future::{Future, IntoFuture};
        use std::pin::pin;
        use std::task::{Context, Poll};

        for cap in [None, Some(1)] {
            loom::model(move || {
                let (tx, mut mailbox) = mailbox(cap);
                let producer = thread::spawn(move || {
                    tx.try_send(1).unwrap();
                    tx
                });
                {
                    let mut recv = pin!(mailbox.recv().into_future());
                    let first_waker = futures::task::noop_waker();
                    match recv.as_mut().poll(&mut Context::from_waker(&first_waker)) {
                        // `block_on` polls it again with a waker that unparks this thread.
                        Poll::Pending => assert_eq!(block_on(recv), Ok(1)),
                        Poll::Ready(got) => assert_eq!(got, Ok(1)),
                    }
                }
                drop(producer.join().unwrap());
            });
        }
    }

    /// A selective receive that rejects a message which arrived while it registered still goes
    /// to sleep properly before the one it waits for.
    #[test]
    fn selective_receive_sleeps_again_after_a_rejected_message() {
        loom::model(|| {
            let (tx, mut mailbox) = unbounded();
            let tx2 = tx.clone();
            // Two producers, so that the one with the wanted message can come in late.
            let first = thread::spawn(move || tx.try_send(1).unwrap());
            let second = thread::spawn(move || tx2.try_send(2).unwrap());
            assert_eq!(mailbox.recv().matching(|n| *n == 2).wait(), Ok(2));
            assert_eq!(mailbox.recv_blocking(), Ok(1));
            first.join().unwrap();
            second.join().unwrap();
        });
    }

    /// A receive that registered and gave up (its future dropped) leaves nothing behind that
    /// could swallow a wake-up: the next receive, by another waiter, is woken by the next push.
    #[test]
    fn a_receive_that_gave_up_swallows_no_wake_up() {
        use std::future::{Future, IntoFuture};
        use std::pin::pin;
        use std::task::{Context, Poll};

        loom::model(|| {
            let (tx, mut mailbox) = unbounded();
            {
                let waker = futures::task::noop_waker();
                let mut cx = Context::from_waker(&waker);
                let mut recv = pin!(mailbox.recv().into_future());
                assert!(matches!(recv.as_mut().poll(&mut cx), Poll::Pending));
            }
            let producer = thread::spawn(move || {
                tx.try_send(1).unwrap();
                tx.try_send(2).unwrap();
            });
            assert_eq!(mailbox.recv_blocking(), Ok(1));
            assert_eq!(mailbox.recv_blocking(), Ok(2));
            producer.join().unwrap();
        });
    }

    /// Two async senders wait on a full bounded(1) mailbox while its task receiver goes to sleep
    /// between messages. A pop that makes room may wake the first waiting sender just after
    /// its own push (the one after registering) succeeded; that sender must pass the wake-up
    /// on, or the second sender, whose look after registering may have come too early to see
    /// the room, and the receiver, with nothing to take, both sleep for ever (loom reports a
    /// deadlock otherwise; it did before the pass-on).
    #[test]
    fn a_sender_woken_after_its_push_passes_the_wake_up_on() {
        loom::model(|| {
            let (tx, mut mailbox) = bounded(1);
            tx.try_send(0).unwrap();
            let senders: Vec<_> = (1..=2)
                .map(|n| {
                    let tx = tx.clone();
                    thread::spawn(move || block_on(tx.send(n)).unwrap())
                })
                .collect();
            let mut got = block_on(async {
                let mut got = Vec::new();
                for _ in 0..3 {
                    got.push(mailbox.recv().await.unwrap());
                }
                got
            });
            assert_eq!(got[0], 0);
            got.sort();
            assert_eq!(got, [0, 1, 2]);
            for s in senders {
                s.join().unwrap();
            }
        });
    }

    /// A sender blocked on a full mailbox is woken by the pop that makes room.
    #[test]
    fn full_mailbox_sender_waits_for_room() {
        loom::model(|| {
            let (tx, mut mailbox) = bounded(1);
            tx.try_send(1).unwrap();
            let producer = thread::spawn(move || tx.send_blocking(2).unwrap());
            assert_eq!(mailbox.recv_blocking(), Ok(1));
            assert_eq!(mailbox.recv_blocking(), Ok(2));
            producer.join().unwrap();
        });
    }

    /// A sender on a full bounded(1) mailbox (`send` on a thread of its own) either pushes
    /// itself or leaves its message to be delivered by the pop that makes room (see
    /// `wait::queue`'s "Parcels"); the receiver, also sending, may take the room first (its
    /// message then goes ahead, and the next pop delivers the waiting one). Every message
    /// arrives once, the send completes.
    fn waiting_sender_is_delivered_by_a_pop(send: fn(&Sender<i32>, i32)) {
        loom::model(move || {
            let (tx, mut mailbox) = bounded(1);
            tx.try_send(0).unwrap();
            let sender = {
                let tx = tx.clone();
                thread::spawn(move || send(&tx, 1))
            };
            assert_eq!(mailbox.recv_blocking(), Ok(0));
            let barged = tx.try_send(2).is_ok();
            let mut got = vec![mailbox.recv_blocking().unwrap()];
            if barged {
                got.push(mailbox.recv_blocking().unwrap());
                assert_eq!(got, [2, 1], "the waiting message is delivered after the one ahead");
            } else {
                assert_eq!(got, [1]);
            }
            sender.join().unwrap();
            assert!(mailbox.try_recv().is_err());
        });
    }

    #[test]
    fn blocked_sender_is_delivered_by_a_pop() {
        waiting_sender_is_delivered_by_a_pop(|tx, msg| tx.send_blocking(msg).unwrap());
    }

    /// The async hand-off send, driven on its thread by `block_on`.
    #[test]
    fn handoff_send_is_delivered_by_a_pop() {
        waiting_sender_is_delivered_by_a_pop(|tx, msg| block_on(tx.send_handoff(msg)).unwrap());
    }

    /// A waiting hand-off send dropped while a pop makes room: its message is received (it
    /// was delivered, or its one poll pushed it) or withdrawn, never both, never neither:
    /// exactly one drop of it.
    #[test]
    fn dropped_handoff_send_vs_pop() {
        use std::future::Future;
        use std::pin::pin;
        use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
        use std::task::{Context, Poll};

        loom::model(|| {
            let drops = std::sync::Arc::new(AtomicUsize::new(0));
            let (tx, mut mailbox) = bounded(1);
            tx.try_send(Counted(0, drops.clone())).map_err(drop).unwrap();
            let quitter = {
                let drops = drops.clone();
                thread::spawn(move || {
                    let waker = futures::task::noop_waker();
                    let mut send = pin!(tx.send_handoff(Counted(1, drops)));
                    matches!(send.as_mut().poll(&mut Context::from_waker(&waker)), Poll::Ready(_))
                })
            };
            let mut got = vec![mailbox.recv_blocking().unwrap().0];
            let completed = quitter.join().unwrap();
            got.extend(mailbox.try_recv().ok().map(|m| m.0));
            if completed {
                assert_eq!(got, [0, 1], "a completed send was received");
            }
            assert_eq!(drops.load(SeqCst), 2, "each message dropped once");
            assert!(mailbox.try_recv().is_err());
        });
    }

    /// Close racing a send: the message is either received before `Closed` or handed back.
    #[test]
    fn close_vs_send() {
        loom::model(|| {
            let (tx, mut mailbox) = unbounded();
            let producer = thread::spawn(move || match tx.try_send(5) {
                Ok(()) => None,
                Err(TrySendError::Closed(back)) => Some(back),
                Err(TrySendError::Full(_)) => unreachable!("unbounded"),
            });
            mailbox.close();
            let received = mailbox.try_recv().ok();
            let returned = producer.join().unwrap();
            assert!(received.is_some() != returned.is_some(), "exactly one of them has it");
            assert_eq!(received.or(returned), Some(5));
        });
    }

    /// Dropping the mailbox wakes a blocked sender, which gets its message back.
    #[test]
    fn mailbox_drop_releases_a_blocked_sender() {
        loom::model(|| {
            let (tx, mailbox) = bounded(1);
            tx.try_send(1).unwrap();
            let producer = thread::spawn(move || tx.send_blocking(2));
            drop(mailbox);
            assert_eq!(producer.join().unwrap().unwrap_err().into_inner(), 2);
        });
    }

    /// The last sender's drop wakes a blocked receiver, after it has had every message.
    #[test]
    fn last_sender_drop_wakes_the_receiver() {
        loom::model(|| {
            let (tx, mut mailbox) = unbounded();
            let tx2 = tx.clone();
            let a = thread::spawn(move || tx.try_send(1).unwrap());
            let b = thread::spawn(move || drop(tx2));
            assert_eq!(mailbox.recv_blocking(), Ok(1));
            assert_eq!(mailbox.recv_blocking(), Err(RecvError::Closed));
            a.join().unwrap();
            b.join().unwrap();
        });
    }

    /// A waiting async sender that is dropped after being notified passes the wake-up on: the
    /// other (blocking) sender still gets the freed slot.
    #[test]
    fn dropped_send_future_passes_the_wake_on() {
        use std::future::Future;
        use std::pin::pin;
        use std::task::{Context, Poll};

        loom::model(|| {
            let (tx, mut mailbox) = bounded(1);
            tx.try_send(0).unwrap();
            let quitter = {
                let tx = tx.clone();
                thread::spawn(move || {
                    let waker = futures::task::noop_waker();
                    let mut cx = Context::from_waker(&waker);
                    let mut send = pin!(tx.send(1));
                    // Registered (or done at once if room already came); then dropped.
                    if let Poll::Ready(result) = send.as_mut().poll(&mut cx) {
                        result.unwrap();
                        return true;
                    }
                    false
                })
            };
            let blocked = thread::spawn(move || tx.send_timeout(2, std::time::Duration::MAX));
            let mut got = vec![mailbox.recv_blocking().unwrap()];
            let quitter_sent = quitter.join().unwrap();
            got.push(mailbox.recv_blocking().unwrap());
            if quitter_sent {
                got.push(mailbox.recv_blocking().unwrap());
            }
            assert!(!matches!(blocked.join().unwrap(), Err(SendTimeoutError::Timeout(_))));
            got.sort();
            assert_eq!(got, if quitter_sent { vec![0, 1, 2] } else { vec![0, 2] });
        });
    }

    /// An async receive that registered and was then dropped does not break the next receive.
    #[test]
    fn dropped_recv_future_loses_nothing() {
        use std::future::{Future, IntoFuture};
        use std::pin::pin;
        use std::task::Context;

        loom::model(|| {
            let (tx, mut mailbox) = unbounded();
            let producer = thread::spawn(move || tx.try_send(9).unwrap());
            {
                let waker = futures::task::noop_waker();
                let mut cx = Context::from_waker(&waker);
                let mut recv = pin!(mailbox.recv().into_future());
                if let std::task::Poll::Ready(got) = recv.as_mut().poll(&mut cx) {
                    assert_eq!(got, Ok(9));
                    producer.join().unwrap();
                    return;
                }
            }
            assert_eq!(mailbox.recv_blocking(), Ok(9));
            producer.join().unwrap();
        });
    }

    /// A write made before closing the mailbox is seen by the receiver that gets `Closed`:
    /// what an actor's `stop` relies on (it sets `stop_requested`, Relaxed, then closes the
    /// mailbox; the actor loop reads the flag once its receive reports `Closed`, to tell an
    /// explicit stop from "every address gone").
    #[test]
    fn close_publishes_the_closers_earlier_writes() {
        use crate::loom::{Arc, AtomicBool};
        use std::sync::atomic::Ordering::Relaxed;

        loom::model(|| {
            let (tx, mut mailbox) = unbounded::<u32>();
            let stop_requested = Arc::new(AtomicBool::new(false));
            let stopper = {
                let (tx, stop_requested) = (tx.clone(), stop_requested.clone());
                thread::spawn(move || {
                    stop_requested.store(true, Relaxed);
                    tx.close_mailbox();
                })
            };
            assert_eq!(mailbox.recv_blocking(), Err(RecvError::Closed));
            assert!(stop_requested.load(Relaxed), "the receiver saw Closed but not the flag");
            stopper.join().unwrap();
            drop(tx);
        });
    }
}
