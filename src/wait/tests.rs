//! Unit tests of the wait layer (run under Miri by `.ci/run`) and its loom models.

use super::*;
use crate::backoff::Backoff;

/// A notifier's whole hand-over: the fence and look of `has_waiters`, then `hand_over`.
fn hand_over<T, R>(queue: &WaitQueue<T>, deliver: impl FnOnce(T) -> Result<R, T>) -> Option<R> {
    if queue.has_waiters() {
        queue.hand_over(deliver)
    } else {
        None
    }
}

#[cfg(not(all(test, tidings_loom)))]
mod unit {
    use super::*;
    use crate::test_helpers::counting_waker;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    #[test]
    fn cell_wakes_a_registered_task_once() {
        let cell = WaitCell::new();
        let (count, waker) = counting_waker();
        cell.notify();
        cell.register(WaiterRef::Task(&waker));
        cell.notify();
        cell.notify();
        assert_eq!(count.0.load(SeqCst), 1, "a registration is consumed by the wake");
    }

    #[test]
    fn cell_unregister_prevents_the_wake() {
        let cell = WaitCell::new();
        let (count, waker) = counting_waker();
        cell.register(WaiterRef::Task(&waker));
        cell.unregister();
        cell.notify();
        assert_eq!(count.0.load(SeqCst), 0);
    }

    #[test]
    fn cell_registering_a_new_waker_replaces_the_old() {
        let cell = WaitCell::new();
        let (old_count, old) = counting_waker();
        let (new_count, new) = counting_waker();
        cell.register(WaiterRef::Task(&old));
        cell.register(WaiterRef::Task(&new));
        cell.notify();
        assert_eq!((old_count.0.load(SeqCst), new_count.0.load(SeqCst)), (0, 1));
    }

    #[test]
    fn cell_unparks_a_registered_thread() {
        let cell = Arc::new(WaitCell::new());
        let ready = Arc::new(AtomicBool::new(false));
        let waiter = {
            let (cell, ready) = (cell.clone(), ready.clone());
            std::thread::spawn(move || loop {
                if ready.load(SeqCst) {
                    return;
                }
                cell.register(WaiterRef::Thread);
                // The cell's contract: a read-modify-write of the handshake word after
                // registering, and one by the notifier before it notifies.
                if ready.fetch_or(false, SeqCst) {
                    cell.unregister();
                    return;
                }
                std::thread::park();
            })
        };
        std::thread::sleep(Duration::from_millis(10));
        ready.swap(true, SeqCst);
        cell.notify();
        waiter.join().unwrap();
    }

    /// Notifying a queue nobody waits on allocates nothing (the senders' queue of an unbounded
    /// mailbox); the first registration allocates the list, once.
    #[test]
    fn queue_allocates_its_list_with_the_first_registration() {
        let queue = WaitQueue::<()>::new();
        queue.notify_one();
        queue.notify_all();
        assert!(!queue.has_list());
        let (_, waker) = counting_waker();
        let mut reg = Registration::new();
        queue.register(&mut reg, WaiterRef::Task(&waker));
        assert!(queue.has_list());
        assert_eq!(queue.nodes(), 1);
        queue.unregister(&mut reg, || false);
        queue.register(&mut reg, WaiterRef::Task(&waker));
        assert_eq!(queue.nodes(), 1, "the same list, its node reused");
        queue.unregister(&mut reg, || false);
    }

    #[test]
    fn queue_wakes_in_registration_order() {
        let queue = WaitQueue::<()>::new();
        let wakers: Vec<_> = (0..3).map(|_| counting_waker()).collect();
        let mut regs: Vec<_> = (0..3).map(|_| Registration::new()).collect();
        for ((_, waker), reg) in wakers.iter().zip(&mut regs) {
            queue.register(reg, WaiterRef::Task(waker));
        }
        assert_eq!(queue.waiting(), 3);
        let counts = || wakers.iter().map(|(c, _)| c.0.load(SeqCst)).collect::<Vec<_>>();
        queue.notify_one();
        assert_eq!(counts(), [1, 0, 0]);
        queue.notify_one();
        assert_eq!(counts(), [1, 1, 0]);
        // A notified waiter that registers again goes to the back.
        queue.register(&mut regs[0], WaiterRef::Task(&wakers[0].1));
        queue.notify_one();
        assert_eq!(counts(), [1, 1, 1]);
        queue.notify_one();
        assert_eq!(counts(), [2, 1, 1]);
        for reg in &mut regs {
            queue.unregister(reg, || true);
        }
        assert_eq!(queue.waiting(), 0);
    }

    #[test]
    fn queue_refresh_keeps_the_place_in_line() {
        let queue = WaitQueue::<()>::new();
        let (first_count, first) = counting_waker();
        let (second_count, second) = counting_waker();
        let (mut a, mut b) = (Registration::new(), Registration::new());
        queue.register(&mut a, WaiterRef::Task(&first));
        queue.register(&mut b, WaiterRef::Task(&second));
        queue.register(&mut a, WaiterRef::Task(&first));
        queue.notify_one();
        assert_eq!((first_count.0.load(SeqCst), second_count.0.load(SeqCst)), (1, 0));
        queue.unregister(&mut a, || true);
        queue.unregister(&mut b, || true);
    }

    #[test]
    fn queue_unregistered_waiter_is_skipped() {
        let queue = WaitQueue::<()>::new();
        let (first_count, first) = counting_waker();
        let (second_count, second) = counting_waker();
        let (mut a, mut b) = (Registration::new(), Registration::new());
        queue.register(&mut a, WaiterRef::Task(&first));
        queue.register(&mut b, WaiterRef::Task(&second));
        queue.unregister(&mut a, || false);
        assert!(!a.is_registered());
        queue.notify_one();
        assert_eq!((first_count.0.load(SeqCst), second_count.0.load(SeqCst)), (0, 1));
        queue.unregister(&mut b, || true);
    }

    #[test]
    fn queue_notified_waiter_that_gives_up_passes_the_wake_on() {
        let queue = WaitQueue::<()>::new();
        let (first_count, first) = counting_waker();
        let (second_count, second) = counting_waker();
        let (mut a, mut b) = (Registration::new(), Registration::new());
        queue.register(&mut a, WaiterRef::Task(&first));
        queue.register(&mut b, WaiterRef::Task(&second));
        queue.notify_one();
        assert_eq!((first_count.0.load(SeqCst), second_count.0.load(SeqCst)), (1, 0));
        queue.unregister(&mut a, || false);
        assert_eq!(second_count.0.load(SeqCst), 1, "the cancelled waiter's wake moved on");
        queue.unregister(&mut b, || true);
    }

    #[test]
    fn queue_notified_waiter_that_used_its_wake_keeps_it() {
        let queue = WaitQueue::<()>::new();
        let (_, first) = counting_waker();
        let (second_count, second) = counting_waker();
        let (mut a, mut b) = (Registration::new(), Registration::new());
        queue.register(&mut a, WaiterRef::Task(&first));
        queue.register(&mut b, WaiterRef::Task(&second));
        queue.notify_one();
        queue.unregister(&mut a, || true);
        assert_eq!(second_count.0.load(SeqCst), 0);
        queue.unregister(&mut b, || true);
    }

    #[test]
    fn queue_notify_all_wakes_everyone_and_slots_are_reused() {
        let queue = WaitQueue::<()>::new();
        let wakers: Vec<_> = (0..5).map(|_| counting_waker()).collect();
        let mut regs: Vec<_> = (0..5).map(|_| Registration::new()).collect();
        for _round in 0..2 {
            for ((_, waker), reg) in wakers.iter().zip(&mut regs) {
                queue.register(reg, WaiterRef::Task(waker));
            }
            queue.notify_all();
            assert_eq!(queue.waiting(), 0);
            for reg in &mut regs {
                queue.unregister(reg, || true);
            }
        }
        assert!(wakers.iter().all(|(c, _)| c.0.load(SeqCst) == 2));
        assert_eq!(queue.nodes(), 5, "freed nodes are reused");
    }

    /// A parcel left with the queue is delivered by the next hand-over, which reports what the
    /// delivery returned; the owner then finds it delivered and its registration given back.
    #[test]
    fn queue_hand_over_delivers_a_parcel() {
        let queue = WaitQueue::<u32>::new();
        let mut reg = Registration::new();
        assert_eq!(
            queue.register_parcel(&mut reg, WaiterRef::Thread, 7, || false, Err::<(), u32>),
            None
        );
        assert_eq!(queue.waiting(), 1);
        assert!(matches!(queue.check_parcel(&mut reg, false), Parcel::Waiting));
        let mut delivered = None;
        let done = hand_over(&queue, |parcel| {
            delivered = Some(parcel);
            Ok::<_, u32>("pushed")
        });
        assert_eq!((done, delivered), (Some("pushed"), Some(7)));
        assert_eq!(queue.waiting(), 0);
        assert!(matches!(queue.check_parcel(&mut reg, false), Parcel::Delivered));
        assert!(!reg.is_registered());
        assert_eq!(hand_over(&queue, |_| Ok::<_, u32>(())), None, "nobody waits any more");
    }

    /// A retry that succeeds under the lock leaves nobody registered.
    #[test]
    fn queue_register_parcel_retry_that_succeeds_withdraws() {
        let queue = WaitQueue::<u32>::new();
        let mut reg = Registration::new();
        assert_eq!(
            queue.register_parcel(
                &mut reg,
                WaiterRef::Thread,
                7,
                || true,
                |parcel| Ok::<_, u32>(parcel + 1)
            ),
            Some(8)
        );
        assert!(!reg.is_registered());
        assert_eq!(queue.waiting(), 0);
        assert_eq!(hand_over(&queue, |_| Ok::<_, u32>(())), None);
    }

    /// A hand-over that cannot deliver (no room after all) keeps the parcel with its waiter,
    /// in its place; a plain notification then hands the parcel back to the owner.
    #[test]
    fn queue_failed_delivery_keeps_the_parcel_and_its_place() {
        let queue = WaitQueue::<u32>::new();
        let (mut a, mut b) = (Registration::new(), Registration::new());
        assert_eq!(
            queue.register_parcel(&mut a, WaiterRef::Thread, 1, || false, Err::<(), u32>),
            None
        );
        assert_eq!(
            queue.register_parcel(&mut b, WaiterRef::Thread, 2, || false, Err::<(), u32>),
            None
        );
        let mut tried = Vec::new();
        let done = hand_over(&queue, |parcel| {
            tried.push(parcel);
            Err::<(), u32>(parcel)
        });
        assert_eq!((done, tried), (None, vec![1]), "only the first in line is tried");
        assert_eq!(queue.waiting(), 2);
        queue.notify_one();
        assert!(matches!(queue.check_parcel(&mut a, false), Parcel::Returned(1)));
        assert!(!a.is_registered());
        assert!(matches!(queue.check_parcel(&mut b, false), Parcel::Waiting));
        assert!(matches!(queue.check_parcel(&mut b, true), Parcel::Returned(2)), "gave up");
        assert_eq!(queue.waiting(), 0);
    }

    /// Task waiters (no parcel) and parcels share one line: a hand-over wakes a task waiter at
    /// the head without calling `deliver`, and delivers the parcel behind it next time.
    #[test]
    fn queue_hand_over_wakes_a_task_waiter_in_line() {
        let queue = WaitQueue::<u32>::new();
        let (count, waker) = counting_waker();
        let (mut task, mut thread) = (Registration::new(), Registration::new());
        queue.register(&mut task, WaiterRef::Task(&waker));
        assert_eq!(
            queue.register_parcel(&mut thread, WaiterRef::Thread, 5, || false, Err::<(), u32>),
            None
        );
        let done = hand_over(&queue, |_| -> Result<(), u32> { panic!("the task is first") });
        assert_eq!((done, count.0.load(SeqCst)), (None, 1));
        assert_eq!(hand_over(&queue, Ok::<u32, u32>), Some(5));
        assert!(matches!(queue.check_parcel(&mut thread, false), Parcel::Delivered));
        queue.unregister(&mut task, || true);
        assert_eq!(queue.waiting(), 0);
    }

    /// `notify_all` (a close) hands every parcel back.
    #[test]
    fn queue_notify_all_returns_every_parcel() {
        let queue = WaitQueue::<u32>::new();
        let mut regs: Vec<_> = (0..3).map(|_| Registration::new()).collect();
        for (n, reg) in (0..).zip(&mut regs) {
            assert_eq!(
                queue.register_parcel(reg, WaiterRef::Thread, n, || false, Err::<(), u32>),
                None
            );
        }
        queue.notify_all();
        for (n, reg) in (0..).zip(&mut regs) {
            assert!(matches!(queue.check_parcel(reg, false), Parcel::Returned(m) if m == n));
        }
        assert_eq!(queue.nodes(), 3);
    }

    #[test]
    fn block_until_returns_after_a_notification() {
        let cell = Arc::new(WaitCell::new());
        let value = Arc::new(AtomicUsize::new(0));
        let setter = {
            let (cell, value) = (cell.clone(), value.clone());
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(20));
                // Read-modify-writes on both sides: the cell's contract.
                value.swap(7, SeqCst);
                cell.notify();
            })
        };
        let got = block_until(
            Backoff::new(),
            "test",
            None,
            &mut (),
            |_| match value.fetch_add(0, SeqCst) {
                0 => None,
                v => Some(v),
            },
            |_| cell.register(WaiterRef::Thread),
        );
        cell.unregister();
        setter.join().unwrap();
        assert_eq!(got, Some(7));
    }

    #[test]
    fn block_until_tries_once_more_at_a_past_deadline() {
        let past = Instant::now() - Duration::from_millis(1);
        let mut attempts = 0;
        let got: Option<()> = block_until(
            Backoff::new(),
            "test",
            Some(past),
            &mut attempts,
            |n| {
                *n += 1;
                None
            },
            |_| {},
        );
        assert_eq!((got, attempts), (None, 1));
        let got = block_until(Backoff::new(), "test", Some(past), &mut (), |_| Some(5), |_| {});
        assert_eq!(got, Some(5));
    }

    #[test]
    fn block_until_times_out() {
        let start = Instant::now();
        let got: Option<()> = block_until(
            Backoff::new(),
            "test",
            Some(start + Duration::from_millis(30)),
            &mut (),
            |_| None,
            |_| {},
        );
        assert_eq!(got, None);
        assert!(start.elapsed() >= Duration::from_millis(30));
    }

    #[test]
    fn blocking_is_refused_only_where_it_could_stall_a_runtime() {
        assert!(blocking_allowed(), "a plain thread may block");
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        assert!(!rt.block_on(async { blocking_allowed() }), "inside block_on");
        assert!(rt.block_on(rt.spawn_blocking(blocking_allowed)).unwrap(), "spawn_blocking");
        {
            let _guard = rt.enter();
            assert!(blocking_allowed(), "a thread that only entered the runtime context");
        }
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).build().unwrap();
        assert!(!rt.block_on(rt.spawn(async { blocking_allowed() })).unwrap(), "worker");
    }

    /// The queue's lock lets one thread at a time at its data: four threads add to a plain
    /// counter under it (Miri checks the accesses for data races too), and nothing is lost.
    #[test]
    fn the_queue_lock_excludes() {
        let rounds = if cfg!(miri) { 50 } else { 10_000 };
        let lock = Arc::new(lock::ShortLock::new(0usize));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let lock = lock.clone();
                std::thread::spawn(move || {
                    for _ in 0..rounds {
                        *lock.lock() += 1;
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        assert_eq!(*lock.lock(), 4 * rounds);
    }
}

/// Loom models of the wake-up protocols.
#[cfg(all(test, tidings_loom))]
mod models {
    use super::*;
    use crate::loom::{thread, Arc, AtomicBool, AtomicUsize};
    use std::sync::atomic::Ordering::{Relaxed, SeqCst};

    /// A change made concurrently with a registration is never missed: the waiter either sees
    /// it on its second try or is woken (loom reports a deadlock otherwise). Both sides follow
    /// the cell's contract (no fences): a read-modify-write of one word, Release on the
    /// waiter's side after registering, Acquire on the notifier's before it notifies.
    #[test]
    fn wake_vs_register() {
        loom::model(|| {
            let cell = Arc::new(WaitCell::new());
            let ready = Arc::new(AtomicBool::new(false));
            let notifier = {
                let (cell, ready) = (cell.clone(), ready.clone());
                thread::spawn(move || {
                    ready.swap(true, std::sync::atomic::Ordering::AcqRel);
                    cell.notify();
                })
            };
            let seen = block_until(
                Backoff::new(),
                "model",
                None,
                &mut (),
                |_| ready.fetch_or(false, std::sync::atomic::Ordering::AcqRel).then_some(()),
                |_| cell.register(WaiterRef::Thread),
            );
            cell.unregister();
            assert_eq!(seen, Some(()));
            notifier.join().unwrap();
        });
    }

    /// A consumer that registers again (after a wake-up, or still registered) while two
    /// notifiers race it: registering from EMPTY takes no CAS, from WAITING it must win the slot
    /// from a notifier; either way no wake-up is lost and no slot access overlaps.
    ///
    /// Explored with at least 3 preemptions: the overlap it guards against (a registration
    /// without the CAS while a notifier takes the waiter) needs three.
    #[test]
    fn register_again_vs_two_notifiers() {
        let mut builder = loom::model::Builder::new();
        builder.preemption_bound = Some(builder.preemption_bound.map_or(3, |bound| bound.max(3)));
        builder.check(|| {
            let cell = Arc::new(WaitCell::new());
            let count = Arc::new(AtomicUsize::new(0));
            let notifiers: Vec<_> = (0..2)
                .map(|_| {
                    let (cell, count) = (cell.clone(), count.clone());
                    thread::spawn(move || {
                        count.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
                        cell.notify();
                    })
                })
                .collect();
            for want in 1..=2 {
                // The cell's contract, as in `wake_vs_register`.
                let seen = block_until(
                    Backoff::new(),
                    "model",
                    None,
                    &mut (),
                    |_| {
                        let count = count.fetch_add(0, std::sync::atomic::Ordering::AcqRel);
                        (count >= want).then_some(())
                    },
                    |_| cell.register(WaiterRef::Thread),
                );
                assert_eq!(seen, Some(()));
            }
            cell.unregister();
            for notifier in notifiers {
                notifier.join().unwrap();
            }
        });
    }

    /// A waiter that left a parcel and gives up (a blocking send's deadline) races the
    /// hand-over that delivers it: the parcel is either delivered or returned, exactly once.
    #[test]
    fn parcel_delivery_vs_giving_up() {
        loom::model(|| {
            let queue = Arc::new(WaitQueue::<usize>::new());
            let delivered = Arc::new(AtomicUsize::new(0));
            let deliverer = {
                let (queue, delivered) = (queue.clone(), delivered.clone());
                thread::spawn(move || {
                    hand_over(&queue, |parcel| {
                        delivered.store(parcel, SeqCst);
                        Ok::<_, usize>(())
                    })
                })
            };
            let mut reg = Registration::new();
            assert_eq!(
                queue.register_parcel(&mut reg, WaiterRef::Thread, 7, || false, Err::<(), usize>),
                None
            );
            let returned = match queue.check_parcel(&mut reg, true) {
                Parcel::Returned(parcel) => Some(parcel),
                Parcel::Delivered => None,
                Parcel::Waiting => unreachable!("gave up"),
            };
            let handed = deliverer.join().unwrap();
            let delivered = delivered.load(SeqCst);
            match returned {
                Some(parcel) => assert_eq!((parcel, handed, delivered), (7, None, 0)),
                None => assert_eq!((handed, delivered), (Some(()), 7)),
            }
            assert!(!reg.is_registered());
        });
    }

    /// The rule's two sides with a parcel: a waiter registers its parcel, then looks for room
    /// (and retries under the lock if it sees some), while a notifier makes room and hands
    /// over. Either the look sees the room or the hand-over sees the waiter: the parcel always gets through (loom reports the waiter
    /// asleep forever otherwise).
    #[test]
    fn parcel_register_vs_room() {
        loom::model(|| {
            let queue = Arc::new(WaitQueue::<usize>::new());
            let room = Arc::new(AtomicUsize::new(0));
            // Moves the parcel into a slot of room, if there is one; else gives it back.
            let deliver = |room: &AtomicUsize, parcel: usize| {
                room.fetch_update(SeqCst, SeqCst, |r| r.checked_sub(1))
                    .map(|_| parcel)
                    .map_err(|_| parcel)
            };
            let notifier = {
                let (queue, room) = (queue.clone(), room.clone());
                thread::spawn(move || {
                    room.fetch_add(1, SeqCst);
                    hand_over(&queue, |parcel| deliver(&room, parcel))
                })
            };
            let mut reg = Registration::new();
            // Relaxed: the look relies on the queue's fences alone, as the ring's does.
            let look = || room.load(Relaxed) > 0;
            let retried =
                queue.register_parcel(&mut reg, WaiterRef::Thread, 7, look, |p| deliver(&room, p));
            let by_notifier = if retried.is_some() {
                None
            } else {
                loop {
                    match queue.check_parcel(&mut reg, false) {
                        Parcel::Waiting => crate::wait::park(None),
                        Parcel::Delivered => break Some(()),
                        Parcel::Returned(_) => unreachable!("nothing notifies without delivering"),
                    }
                }
            };
            let handed = notifier.join().unwrap();
            assert_eq!(retried.is_some(), by_notifier.is_none());
            assert_eq!(handed.is_some(), by_notifier.is_some());
            assert_eq!(room.load(SeqCst), 0);
        });
    }

    /// A waiter that was notified and then gives up (a dropped future) passes the notification
    /// on: the other waiter still gets the one permit.
    #[test]
    fn dropped_waiter_passes_the_wake_on() {
        loom::model(|| {
            let queue = Arc::new(WaitQueue::<()>::new());
            let permits = Arc::new(AtomicUsize::new(0));
            let take = |permits: &AtomicUsize| {
                permits.fetch_update(SeqCst, SeqCst, |p| p.checked_sub(1)).ok().map(|_| ())
            };

            // The waiter that gives up: registered, maybe notified, then cancelled.
            let quitter = {
                let queue = queue.clone();
                thread::spawn(move || {
                    let mut reg = Registration::new();
                    queue.register(&mut reg, WaiterRef::Thread);
                    queue.unregister(&mut reg, || false);
                })
            };
            let notifier = {
                let (queue, permits) = (queue.clone(), permits.clone());
                thread::spawn(move || {
                    permits.fetch_add(1, SeqCst);
                    queue.notify_one();
                })
            };
            let mut reg = Registration::new();
            let got = block_until(
                Backoff::new(),
                "model",
                None,
                &mut reg,
                |_| take(&permits),
                |reg| queue.register(reg, WaiterRef::Thread),
            );
            queue.unregister(&mut reg, || true);
            assert_eq!(got, Some(()));
            quitter.join().unwrap();
            notifier.join().unwrap();
        });
    }

    /// The queue's lock excludes: two threads each add to a plain counter under it (loom
    /// reports a racy access otherwise), and one that sleeps is woken (or loom reports a
    /// deadlock).
    #[test]
    fn the_queue_lock_excludes() {
        loom::model(|| {
            let lock = Arc::new(lock::ShortLock::new(0usize));
            let other = {
                let lock = lock.clone();
                thread::spawn(move || *lock.lock() += 1)
            };
            *lock.lock() += 1;
            other.join().unwrap();
            assert_eq!(*lock.lock(), 2);
        });
    }
}
