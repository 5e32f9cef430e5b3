//! Unit tests of the per-tag queue's bookkeeping (the selective scan position across other
//! receivers' removals, and taking a message found under an earlier lock), and loom models of
//! its wake-up handshake (`models`).

use super::queue::{Queue, Scan};
use super::Tag;

#[cfg(not(tidings_loom))]
mod unit {
    use super::*;

    fn queue_with(messages: std::ops::Range<u32>) -> Queue<u32> {
        let queue = Queue::new(0, Tag::from("t"), None);
        for (stamp, n) in messages.enumerate() {
            queue.try_push((stamp as u64, n)).unwrap();
        }
        queue
    }

    /// A filter that accepts `want` and counts the messages it sees.
    fn wanting(want: u32, seen: &mut Vec<u32>) -> impl FnMut(&Tag, &u32) -> bool + '_ {
        move |_, n| {
            seen.push(*n);
            *n == want
        }
    }

    #[test]
    fn a_scan_tests_each_message_once_across_attempts() {
        let queue = queue_with(0..5);
        let mut scan = Scan::default();
        let mut seen = Vec::new();
        assert_eq!(queue.lock().find(&queue.tag, &mut wanting(99, &mut seen), &mut scan), None);
        queue.try_push((5, 99)).unwrap();
        assert_eq!(
            queue.lock().find(&queue.tag, &mut wanting(99, &mut seen), &mut scan),
            Some((5, 5))
        );
        assert_eq!(seen, [0, 1, 2, 3, 4, 99]);
    }

    #[test]
    fn a_scan_survives_removals_at_the_front() {
        let queue = queue_with(0..5);
        let mut scan = Scan::default();
        let mut seen = Vec::new();
        assert_eq!(queue.lock().find(&queue.tag, &mut wanting(99, &mut seen), &mut scan), None);
        // Another (plain) receiver takes the two oldest messages.
        assert_eq!(queue.lock().take_first(), Some((0, 0)));
        assert_eq!(queue.lock().take_first(), Some((1, 1)));
        queue.try_push((5, 5)).unwrap();
        queue.try_push((6, 99)).unwrap();
        seen.clear();
        let found = queue.lock().find(&queue.tag, &mut wanting(99, &mut seen), &mut scan);
        // Only the new messages were tested, and the index accounts for the shift.
        assert_eq!(seen, [5, 99]);
        assert_eq!(found, Some((4, 6)));
        assert_eq!(queue.lock().take_saved(4), (6, 99));
    }

    #[test]
    fn a_scan_starts_over_after_a_removal_in_the_middle() {
        let queue = queue_with(0..5);
        let (mut mine, mut theirs) = (Scan::default(), Scan::default());
        let mut seen = Vec::new();
        assert_eq!(queue.lock().find(&queue.tag, &mut wanting(99, &mut seen), &mut mine), None);
        // Another selective receiver takes message 2, from the middle of the save queue.
        let (index, _) =
            queue.lock().find(&queue.tag, &mut |_: &Tag, n: &u32| *n == 2, &mut theirs).unwrap();
        assert_eq!(queue.lock().take_saved(index), (2, 2));
        seen.clear();
        assert_eq!(
            queue.lock().find(&queue.tag, &mut wanting(3, &mut seen), &mut mine),
            Some((2, 3))
        );
        // Nothing was skipped: the scan started over.
        assert_eq!(seen, [0, 1, 3]);
    }

    #[test]
    fn a_peeked_message_is_found_again_after_it_moved() {
        let queue = queue_with(0..5);
        let mut scan = Scan::default();
        let (index, stamp) =
            queue.lock().find(&queue.tag, &mut |_: &Tag, n: &u32| *n == 3, &mut scan).unwrap();
        assert_eq!((index, stamp), (3, 3));
        assert_eq!(queue.lock().take_first(), Some((0, 0)));
        assert_eq!(queue.lock().take_first(), Some((1, 1)));
        assert_eq!(queue.lock().take_stamped(stamp, index), Some((3, 3)));
        // Gone now: a second take finds nothing, and the rest is in order.
        assert_eq!(queue.lock().take_stamped(stamp, 1), None);
        assert_eq!(queue.lock().take_first(), Some((2, 2)));
        assert_eq!(queue.lock().take_first(), Some((4, 4)));
        assert_eq!(queue.lock().take_first(), None);
    }

    #[test]
    fn peeking_keeps_the_oldest_message_queued() {
        let queue = queue_with(0..2);
        assert_eq!(queue.lock().peek_first(), Some(0));
        assert_eq!(queue.lock().peek_first(), Some(0));
        assert_eq!(queue.stats().len, 2);
        assert_eq!(queue.lock().take_stamped(0, 0), Some((0, 0)));
        assert_eq!(queue.lock().peek_first(), Some(1));
    }

    #[test]
    fn drain_counts_saved_and_ring_messages_and_clear_empties_a_retired_queue() {
        let queue = queue_with(0..200);
        let mut scan = Scan::default();
        assert_eq!(
            queue.lock().find(&queue.tag, &mut |_: &Tag, n: &u32| *n == 100, &mut scan),
            Some((100, 100))
        );
        assert_eq!(queue.drain(), 200);
        let stats = queue.stats();
        assert_eq!((stats.len, stats.pushed_total, stats.popped_total), (0, 200, 200));
        queue.try_push((300, 1)).unwrap();
        queue.retire();
        assert!(queue.try_push((301, 2)).is_err(), "a retired queue takes no message");
        queue.clear_retired();
        assert_eq!(queue.stats().len, 0);
    }
}

/// Loom models of the per-tag queue's handshake between senders and receivers: a send pushes,
/// then (after a `SeqCst` fence) loads the `receivers` count; a receiver counts itself in,
/// registers in the plain or selective wait list and tries again before it parks.
///
/// The receives here are what `TagSource` does for one tag (attempt, register, attempt again,
/// park; unregister when done), written against `Queue` directly: the tag table behind
/// `Registry` uses std's `RwLock`, which loom does not model, and it only decides *which*
/// queue a receive waits on. `set_tags`' epoch is a loom atomic here, bumped in the order
/// `Shared::set_tags` bumps it.
#[cfg(tidings_loom)]
mod models {
    use super::*;
    use crate::backoff::Backoff;
    use crate::loom::{thread, Arc, AtomicUsize};
    use crate::wait::{block_until, Registration, WaiterRef};
    use std::sync::atomic::Ordering::SeqCst;

    fn queue() -> Arc<Queue<u32>> {
        Arc::new(Queue::new(0, Tag::from("t"), None))
    }

    fn send(queue: &Arc<Queue<u32>>, msg: u32) -> loom::thread::JoinHandle<()> {
        let queue = queue.clone();
        thread::spawn(move || queue.try_push((u64::from(msg), msg)).unwrap())
    }

    /// A blocking receive without a filter on one tag.
    fn recv_plain(queue: &Queue<u32>) -> u32 {
        let mut reg = Registration::new();
        let got = block_until(
            Backoff::new(),
            "model",
            None,
            &mut reg,
            |_| queue.lock().take_first(),
            |reg| queue.register(reg, false, WaiterRef::Thread),
        );
        queue.unregister(&mut reg, false, true);
        got.expect("no deadline").1
    }

    /// A blocking receive of the first message `want` accepts.
    fn recv_matching(queue: &Queue<u32>, want: fn(u32) -> bool) -> u32 {
        let mut state = (Registration::new(), Scan::default());
        let got = block_until(
            Backoff::new(),
            "model",
            None,
            &mut state,
            |(_, scan)| {
                let mut front = queue.lock();
                let (index, _) = front.find(&queue.tag, &mut |_: &Tag, n: &u32| want(*n), scan)?;
                Some(front.take_saved(index))
            },
            |(reg, _)| queue.register(reg, true, WaiterRef::Thread),
        );
        queue.unregister(&mut state.0, true, true);
        got.expect("no deadline").1
    }

    /// A receive that registered and then left without taking anything from this tag (it was
    /// dropped, timed out, or took a message from another of its tags), as `TagSource::finish`
    /// does: a plain one passes a wake-up it got on, a selective one has nothing to pass on.
    fn register_and_leave(queue: &Queue<u32>, selective: bool) {
        let waker = futures::task::noop_waker();
        let mut reg = Registration::new();
        queue.register(&mut reg, selective, WaiterRef::Task(&waker));
        queue.unregister(&mut reg, selective, selective);
    }

    /// (a) A send racing a plain receiver's registration: the receiver either finds the
    /// message on its second try or is woken (loom reports a deadlock otherwise).
    #[test]
    fn send_vs_plain_receiver() {
        loom::model(|| {
            let queue = queue();
            let sender = send(&queue, 7);
            assert_eq!(recv_plain(&queue), 7);
            sender.join().unwrap();
        });
    }

    /// (b) Two plain receivers; the one a push may wake leaves without the message: the
    /// wake-up passes on to the other, which gets the message.
    #[test]
    fn plain_wake_passes_on_to_the_next_receiver() {
        loom::model(|| {
            let queue = queue();
            let quitter = {
                let queue = queue.clone();
                thread::spawn(move || register_and_leave(&queue, false))
            };
            let sender = send(&queue, 7);
            assert_eq!(recv_plain(&queue), 7);
            quitter.join().unwrap();
            sender.join().unwrap();
        });
    }

    /// (b2) Two plain receivers and two sends: a push may wake the first receiver just after
    /// its own look (after registering) found the other message. That receiver must pass the
    /// wake-up on, or the second one, whose look came too early to see the second message,
    /// sleeps next to it (loom reports a deadlock otherwise).
    #[test]
    fn a_receiver_woken_after_its_own_find_passes_the_wake_up_on() {
        loom::model(|| {
            let queue = queue();
            let other = {
                let queue = queue.clone();
                thread::spawn(move || recv_plain(&queue))
            };
            let sender = {
                let queue = queue.clone();
                thread::spawn(move || {
                    queue.try_push((1, 1)).unwrap();
                    queue.try_push((2, 2)).unwrap();
                })
            };
            let mut got = [recv_plain(&queue), other.join().unwrap()];
            got.sort();
            assert_eq!(got, [1, 2]);
            sender.join().unwrap();
        });
    }

    /// (c) A selective receiver racing two sends: the message its filter rejects stays queued
    /// (and in order), the one it wants wakes it.
    #[test]
    fn selective_receiver_vs_send() {
        loom::model(|| {
            let queue = queue();
            let sender = {
                let queue = queue.clone();
                thread::spawn(move || {
                    queue.try_push((0, 1)).unwrap();
                    queue.try_push((1, 2)).unwrap();
                })
            };
            assert_eq!(recv_matching(&queue, |n| n == 2), 2);
            sender.join().unwrap();
            assert_eq!(queue.lock().take_first(), Some((0, 1)), "the rejected message stayed");
        });
    }

    /// (c) A push wakes every selective receiver: one that leaves (a wake-up to a selective
    /// receiver is not passed on) does not take the wake-up from another that wants the message.
    #[test]
    fn selective_wake_reaches_every_receiver() {
        loom::model(|| {
            let queue = queue();
            let quitter = {
                let queue = queue.clone();
                thread::spawn(move || register_and_leave(&queue, true))
            };
            let sender = send(&queue, 2);
            assert_eq!(recv_matching(&queue, |n| n == 2), 2);
            quitter.join().unwrap();
            sender.join().unwrap();
        });
    }

    /// (d) `set_tags` retiring the queue a plain receiver waits on: the receiver wakes and sees
    /// the new epoch (so it would look its tags up again); the retired queue takes no message.
    #[test]
    fn retire_wakes_a_waiting_receiver() {
        loom::model(|| {
            let queue = queue();
            let epoch = Arc::new(AtomicUsize::new(0));
            let set_tags = {
                let (queue, epoch) = (queue.clone(), epoch.clone());
                thread::spawn(move || {
                    // `Shared::set_tags`' order: retire, bump the epoch, clear and wake.
                    queue.retire();
                    epoch.fetch_add(1, SeqCst);
                    queue.clear_retired();
                })
            };
            let mut reg = Registration::new();
            // `TagSource::attempt`: `refresh` reads the epoch before the queue is tried.
            let got = block_until(
                Backoff::new(),
                "model",
                None,
                &mut reg,
                |_| match epoch.load(SeqCst) {
                    0 => queue.lock().take_first().map(Some),
                    _ => Some(None),
                },
                |reg| queue.register(reg, false, WaiterRef::Thread),
            );
            queue.unregister(&mut reg, false, true);
            assert_eq!(got, Some(None), "the receive saw the retirement");
            set_tags.join().unwrap();
            assert!(queue.try_push((0, 1)).is_err(), "a retired queue takes no message");
        });
    }
}
