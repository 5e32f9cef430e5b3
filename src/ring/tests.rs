//! Unit tests of the ring (run under Miri by `.ci/run`) and its loom models.

use super::*;

/// Which ring a test runs on.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Bounded(usize),
    Unbounded,
    /// Unbounded in small blocks (under loom both unbounded kinds have the same block size,
    /// so the models use `Unbounded` only).
    #[cfg_attr(all(test, tidings_loom), allow(dead_code))]
    Small,
}

impl Kind {
    fn ring<T>(self) -> Ring<T> {
        match self {
            Kind::Bounded(cap) => Ring::bounded(cap),
            Kind::Unbounded => Ring::unbounded(),
            Kind::Small => Ring::unbounded_small(),
        }
    }
}

/// Pops, waiting out a producer that is still writing its slot.
fn pop_settled<T>(ring: &Ring<T>) -> Pop<T> {
    loop {
        // SAFETY: each test has exactly one consumer thread.
        match unsafe { ring.pop(Look::Settle) } {
            Pop::Busy => crate::loom::thread::yield_now(),
            other => return other,
        }
    }
}

#[cfg(not(all(test, tidings_loom)))]
mod unit {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    use std::sync::Arc;

    const STRESS: usize = if cfg!(miri) { 200 } else { 100_000 };

    use crate::test_helpers::Counted;

    /// A ring of each kind, the bounded one with capacity `cap`.
    fn each(cap: usize) -> [Ring<usize>; 3] {
        [Kind::Bounded(cap), Kind::Unbounded, Kind::Small].map(Kind::ring)
    }

    /// Pops once, arming the next slot if nothing is there (as a registered consumer does).
    fn pop_armed<T>(ring: &Ring<T>) -> Pop<T> {
        // SAFETY: each test has exactly one consumer thread.
        unsafe { ring.pop(Look::Arm { fresh: true }) }
    }

    /// A push reports exactly the message the consumer armed the ring for: not the ones before
    /// it, not the ones after it, on every kind, across many laps and blocks, and arming twice
    /// is the same as arming once.
    #[test]
    fn a_push_reports_exactly_the_armed_slot() {
        for ring in each(3) {
            // Nothing armed: the first push is silent too (no special case for position 0).
            assert!(!ring.push(0).unwrap());
            assert_eq!(pop_armed(&ring), Pop::Item(0));
            for round in 1..50 {
                // Nobody waits: nothing reports.
                assert!(!ring.push(round).unwrap(), "round {round}: unarmed slot reported");
                assert_eq!(pop_armed(&ring), Pop::Item(round));
                // The consumer waits (twice, as after a spurious wake-up): the next push reports.
                assert_eq!(pop_armed(&ring), Pop::Empty);
                assert_eq!(pop_armed(&ring), Pop::Empty);
                assert!(ring.push(1000 + round).unwrap(), "round {round}: armed slot silent");
                // The slot after it was not armed.
                if round % 3 == 0 {
                    assert!(!ring.push(2000 + round).unwrap());
                    assert_eq!(pop_armed(&ring), Pop::Item(1000 + round));
                    assert_eq!(pop_armed(&ring), Pop::Item(2000 + round));
                } else {
                    assert_eq!(pop_armed(&ring), Pop::Item(1000 + round));
                }
            }
            // A pop that does not arm leaves the next push silent.
            assert_eq!(pop_settled(&ring), Pop::Empty);
            assert!(!ring.push(7).unwrap());
            assert_eq!(pop_armed(&ring), Pop::Item(7));
        }
    }

    /// An armed ring works as any: arming an empty ring before its first push works on every
    /// kind (the unbounded ones have no block yet), a full bounded ring still reports Full at
    /// the right place, an armed ring still closes, and a push into a closed, armed ring gives
    /// its message back and reports nothing.
    #[test]
    fn armed_slots_keep_full_and_closed_right() {
        for ring in each(2) {
            assert_eq!(pop_armed(&ring), Pop::Empty);
            assert_eq!(ring.push(1), Ok(true));
            assert_eq!(ring.push(2), Ok(false));
            if ring.capacity().is_some() {
                // The armed claim was handed to the consumer: its slot is room for one more.
                assert_eq!(ring.push(3), Ok(false));
                assert_eq!(ring.len(), 3);
                assert_eq!(ring.push(4), Err(PushError::Full(4)));
            }
            assert_eq!(pop_armed(&ring), Pop::Item(1));
            assert_eq!(pop_armed(&ring), Pop::Item(2));
            if ring.capacity().is_some() {
                assert_eq!(pop_armed(&ring), Pop::Item(3));
            }
            assert_eq!(pop_armed(&ring), Pop::Empty);
            assert_eq!(ring.len(), 0);
            assert!(ring.close());
            assert_eq!(ring.push(4), Err(PushError::Closed(4)));
            assert_eq!(pop_armed(&ring), Pop::Closed);
            assert_eq!(pop_settled(&ring), Pop::Closed);
            assert_eq!(ring.len(), 0);
        }
    }

    /// The claim a consumer armed a bounded ring for is handed to it and leaves its slot free:
    /// the ring then takes `capacity + 1` messages, every kind of pop takes the handed one
    /// first and the rest in order, `len` counts it, and the ring keeps working lap after lap
    /// (the handed message's slot goes round to the next lap while the consumer has not yet
    /// taken it).
    #[test]
    fn a_handed_message_leaves_its_slot_free() {
        for cap in [1, 2, 5] {
            let ring = Kind::Bounded(cap).ring();
            let mut next = 0;
            for round in 0..20 {
                assert_eq!(pop_armed(&ring), Pop::Empty);
                assert_eq!(ring.push(next), Ok(true));
                for i in 1..=cap {
                    assert_eq!(ring.push(next + i), Ok(false), "cap {cap} round {round}");
                }
                assert_eq!(ring.len(), cap + 1);
                assert_eq!(ring.push(999), Err(PushError::Full(999)));
                // SAFETY: this test is the ring's only consumer.
                let pop = |look| unsafe { ring.pop(look) };
                let first = match round % 3 {
                    0 => pop_armed(&ring),
                    1 => pop(Look::Wait),
                    _ => pop(Look::Settle),
                };
                assert_eq!(first, Pop::Item(next));
                assert_eq!(ring.len(), cap);
                for i in 1..=cap {
                    assert_eq!(pop_settled(&ring), Pop::Item(next + i));
                }
                assert_eq!(pop_settled(&ring), Pop::Empty);
                // Not armed now: nothing is handed, the ring holds `capacity`.
                for i in 0..cap {
                    assert_eq!(ring.push(next + 1 + cap + i), Ok(false));
                }
                assert_eq!(ring.push(999), Err(PushError::Full(999)));
                for i in 0..cap {
                    assert_eq!(pop_armed(&ring), Pop::Item(next + 1 + cap + i));
                }
                next += 1 + 2 * cap;
            }
        }
    }

    /// A handed message is the consumer's next whatever it waits with: the fast path
    /// (`pop_published`) takes it as it takes a published one (and an arming pop takes it
    /// instead of arming).
    #[test]
    fn a_handed_message_is_taken_before_arming() {
        let ring = Kind::Bounded(1).ring();
        // SAFETY: this test is the ring's only consumer.
        let pop_published = || unsafe { ring.pop_published() };
        // SAFETY: as above, and each `head` comes from the last pop, with no pop since.
        let arm = |head| unsafe { ring.arm(head, true) };
        let head = pop_published().unwrap_err();
        assert_eq!(arm(head), Pop::Empty);
        assert_eq!(ring.push(1), Ok(true));
        assert_eq!(ring.push(2), Ok(false));
        assert_eq!(pop_published(), Ok(1));
        assert_eq!(pop_armed(&ring), Pop::Item(2));
        assert_eq!(pop_armed(&ring), Pop::Empty);
        assert_eq!(ring.push(3), Ok(true));
        assert_eq!(ring.push(4), Ok(false));
        // The next lap's message is in the handed message's slot already.
        assert_eq!(pop_published(), Ok(3));
        assert_eq!(pop_published(), Ok(4));
        // An arming pop that finds `head` claimed takes its message, published or handed.
        let head = pop_published().unwrap_err();
        assert_eq!(ring.push(5), Ok(false));
        assert_eq!(arm(head), Pop::Item(5));
        assert_eq!(pop_armed(&ring), Pop::Empty);
        let head = pop_published().unwrap_err();
        assert_eq!(ring.push(6), Ok(true));
        assert_eq!(arm(head), Pop::Item(6));
        // A close keeps a handed message and the ones after it.
        assert_eq!(pop_armed(&ring), Pop::Empty);
        assert_eq!(ring.push(7), Ok(true));
        assert_eq!(ring.push(8), Ok(false));
        assert!(ring.close());
        assert_eq!(pop_settled(&ring), Pop::Item(7));
        assert_eq!(pop_settled(&ring), Pop::Item(8));
        assert_eq!(pop_settled(&ring), Pop::Closed);
    }

    /// A waiting pop (`Look::Wait`) takes messages as any pop does, reports an empty ring as
    /// Empty without arming it, and sees the close (through the ring's `closed` flag) only once
    /// the last message is taken.
    #[test]
    fn a_waiting_pop_sees_messages_and_the_close() {
        for ring in each(2) {
            // SAFETY: each test has exactly one consumer thread.
            let wait = |ring: &Ring<usize>| unsafe { ring.pop(Look::Wait) };
            assert_eq!(wait(&ring), Pop::Empty);
            // Not armed: the push does not report.
            assert_eq!(ring.push(1), Ok(false));
            assert_eq!(wait(&ring), Pop::Item(1));
            assert_eq!(wait(&ring), Pop::Empty);
            assert_eq!(ring.push(2), Ok(false));
            ring.close();
            assert_eq!(wait(&ring), Pop::Item(2));
            assert_eq!(wait(&ring), Pop::Closed);
            assert_eq!(pop_settled(&ring), Pop::Closed);
        }
    }

    /// Pushes into a ring whose consumer never arms it (the registry's queues) never report,
    /// not even the first.
    #[test]
    fn pushes_never_report_unless_armed() {
        for ring in each(4) {
            for i in 0..20 {
                assert_eq!(ring.push(i), Ok(false));
                assert_eq!(pop_settled(&ring), Pop::Item(i));
            }
        }
    }

    /// The ends never share a cache line or a prefetch pair, and the read-mostly fields share a
    /// line with neither, whatever the address of the ring: checked on byte distances.
    #[test]
    fn hot_fields_stay_apart_without_alignment() {
        use crate::padded::{LINE_GAP, PAIR_GAP};
        for [shared, head, tail] in
            [Bounded::<u64>::hot_ranges(), Unbounded::<[u64; 4]>::hot_ranges()]
        {
            assert!(head.start - (shared.end - 1) >= LINE_GAP, "{shared:?} {head:?}");
            assert!(tail.start - (head.end - 1) >= PAIR_GAP, "{head:?} {tail:?}");
        }
        // No alignment beyond a word: nothing rounds the ring (or an `Arc` of it) up. The
        // header is 256 bytes at most, besides the bounded ring's one handed message.
        assert_eq!(std::mem::align_of::<Ring<u64>>(), std::mem::align_of::<usize>());
        let size = std::mem::size_of::<Ring<u64>>();
        assert!(size <= 256 + std::mem::size_of::<u64>(), "{size}");
    }

    #[test]
    fn fifo_order_and_len() {
        for ring in each(100) {
            for i in 0..100 {
                ring.push(i).unwrap();
                assert_eq!(ring.len(), i + 1);
            }
            for i in 0..100 {
                assert_eq!(pop_settled(&ring), Pop::Item(i));
                assert_eq!(ring.len(), 99 - i);
            }
            assert_eq!(pop_settled(&ring), Pop::Empty);
        }
    }

    #[test]
    fn bounded_reports_full_at_capacity_and_frees_a_slot_per_pop() {
        for cap in [1, 2, 3, 7, 8, 1024] {
            let ring = Ring::bounded(cap);
            for i in 0..cap {
                ring.push(i).unwrap();
            }
            assert_eq!(ring.len(), cap);
            assert_eq!(ring.push(usize::MAX), Err(PushError::Full(usize::MAX)));
            assert_eq!(pop_settled(&ring), Pop::Item(0));
            ring.push(cap).unwrap();
            assert_eq!(ring.push(usize::MAX), Err(PushError::Full(usize::MAX)));
            for i in 1..=cap {
                assert_eq!(pop_settled(&ring), Pop::Item(i));
            }
            assert_eq!(pop_settled(&ring), Pop::Empty);
        }
    }

    #[test]
    fn many_laps_keep_order() {
        // Crosses the bounded ring's lap wrap and many unbounded blocks (recycling them).
        for ring in each(3) {
            let mut next = 0;
            for round in 0..STRESS / 10 {
                let burst = 1 + round % 3;
                for i in 0..burst {
                    ring.push(next + i).unwrap();
                }
                for i in 0..burst {
                    assert_eq!(pop_settled(&ring), Pop::Item(next + i));
                }
                next += burst;
            }
            assert_eq!(ring.len(), 0);
        }
    }

    #[test]
    fn unbounded_len_across_blocks() {
        for kind in [Kind::Unbounded, Kind::Small] {
            let ring = kind.ring();
            // A `usize` message: blocks of 31, 63, 127, 255, 511 and then 1023 slots, so 3000
            // messages cross every growth step and two largest blocks; the length is checked at
            // every position, markers included.
            for i in 0..3000 {
                assert_eq!(ring.len(), i);
                ring.push(i).unwrap();
            }
            for i in 0..2500 {
                assert_eq!(ring.len(), 3000 - i);
                assert_eq!(pop_settled(&ring), Pop::Item(i));
            }
            assert_eq!(ring.len(), 500);
        }
    }

    /// A mailbox's first block holds at most 1 KiB of slots (at most 31, at least 3); the
    /// blocks double up to about 16 KiB (at most 1023 slots, at least 31). Actors' blocks hold
    /// 7 whatever the message.
    #[test]
    fn block_slots_follow_the_message_size() {
        use std::any::Any;
        let caps = |first: usize, last: usize| (first, last);
        assert_eq!(caps(Unbounded::<u8>::FIRST_CAP, Unbounded::<u8>::LAST_CAP), (31, 1023));
        assert_eq!(caps(Unbounded::<usize>::FIRST_CAP, Unbounded::<usize>::LAST_CAP), (31, 1023));
        type Boxed = Box<dyn Any + Send>;
        assert_eq!(caps(Unbounded::<Boxed>::FIRST_CAP, Unbounded::<Boxed>::LAST_CAP), (31, 511));
        assert_eq!(caps(Unbounded::<String>::FIRST_CAP, Unbounded::<String>::LAST_CAP), (31, 511));
        type Bytes64 = [u64; 8];
        assert_eq!(caps(Unbounded::<Bytes64>::FIRST_CAP, Unbounded::<Bytes64>::LAST_CAP), (7, 127));
        type Page = [u8; 4096];
        assert_eq!(caps(Unbounded::<Page>::FIRST_CAP, Unbounded::<Page>::LAST_CAP), (3, 31));
        assert_eq!(caps(Unbounded::<(), 7>::FIRST_CAP, Unbounded::<(), 7>::LAST_CAP), (7, 7));
        assert_eq!(caps(Unbounded::<Page, 7>::FIRST_CAP, Unbounded::<Page, 7>::LAST_CAP), (7, 7));
    }

    #[test]
    fn close_rejects_pushes_and_keeps_queued_messages() {
        for ring in each(4) {
            ring.push(1).unwrap();
            ring.push(2).unwrap();
            assert!(!ring.is_closed());
            assert!(ring.close());
            assert!(!ring.close(), "second close reports it was closed already");
            assert!(ring.is_closed());
            assert_eq!(ring.push(3), Err(PushError::Closed(3)));
            assert_eq!(ring.len(), 2);
            assert_eq!(pop_settled(&ring), Pop::Item(1));
            assert_eq!(pop_settled(&ring), Pop::Item(2));
            assert_eq!(pop_settled(&ring), Pop::Closed);
            assert_eq!(pop_settled(&ring), Pop::Closed);
        }
    }

    #[test]
    fn full_and_closed_bounded_reports_closed() {
        let ring = Ring::bounded(1);
        ring.push(1).unwrap();
        ring.close();
        assert_eq!(ring.push(2), Err(PushError::Closed(2)));
    }

    #[test]
    fn dropping_a_ring_drops_every_queued_message_once() {
        for kind in [Kind::Bounded(5), Kind::Unbounded, Kind::Small] {
            let drops = Arc::new(AtomicUsize::new(0));
            let ring = kind.ring();
            // Wrap the bounded ring once and cross unbounded blocks (of 31, 63 and 127 slots)
            // before leaving messages.
            let total = if let Kind::Bounded(_) = kind { 5 } else { 300 };
            for _ in 0..3 {
                ring.push(Counted((), drops.clone())).map_err(|_| ()).unwrap();
            }
            for _ in 0..3 {
                assert!(matches!(pop_settled(&ring), Pop::Item(_)));
            }
            for _ in 0..total {
                ring.push(Counted((), drops.clone())).map_err(|_| ()).unwrap();
            }
            assert_eq!(drops.load(SeqCst), 3);
            drop(ring);
            assert_eq!(drops.load(SeqCst), 3 + total);
        }
        // A handed message, alone and with the next lap's message in its slot.
        for extra in [0, 1, 2] {
            let drops = Arc::new(AtomicUsize::new(0));
            let ring = Kind::Bounded(2).ring();
            assert!(matches!(pop_armed(&ring), Pop::Empty));
            for _ in 0..1 + extra {
                ring.push(Counted((), drops.clone())).map_err(|_| ()).unwrap();
            }
            drop(ring);
            assert_eq!(drops.load(SeqCst), 1 + extra);
        }
    }

    #[test]
    fn a_rejected_push_gives_the_same_message_back_undropped() {
        let drops = Arc::new(AtomicUsize::new(0));
        let ring = Ring::bounded(1);
        ring.push(Counted((), drops.clone())).map_err(|_| ()).unwrap();
        let back = match ring.push(Counted((), drops.clone())) {
            Err(PushError::Full(msg)) => msg,
            _ => panic!("expected Full"),
        };
        assert_eq!(drops.load(SeqCst), 0);
        drop(back);
        assert_eq!(drops.load(SeqCst), 1);
    }

    /// A push from a message kept in place takes it out only when it has a slot: a full ring
    /// leaves it there, a closed ring gives the source back with the message still in it.
    #[test]
    fn a_push_from_in_place_takes_the_message_only_into_a_slot() {
        let drops = Arc::new(AtomicUsize::new(0));
        let ring = Ring::bounded(1);
        let mut first = Some(Counted(1, drops.clone()));
        assert!(matches!(ring.push_from(InPlace::new(&mut first).unwrap()), Ok(false)));
        assert!(first.is_none(), "pushed: taken out of its place");
        let mut second = Some(Counted(2, drops.clone()));
        assert!(matches!(
            ring.push_from(InPlace::new(&mut second).unwrap()),
            Err(PushError::Full(_))
        ));
        assert_eq!(second.as_ref().map(|c| c.0), Some(2), "full: left in place");
        assert!(matches!(pop_settled(&ring), Pop::Item(Counted(1, _))));
        ring.close();
        let back = match ring.push_from(InPlace::new(&mut second).unwrap()) {
            Err(PushError::Closed(source)) => source.take(),
            _ => panic!("expected Closed"),
        };
        assert_eq!(back.0, 2);
        assert!(second.is_none());
        assert_eq!(drops.load(SeqCst), 1, "only the popped message was dropped");
        assert!(InPlace::new(&mut second).is_none(), "no source for an empty place");
    }

    #[test]
    fn zero_sized_messages() {
        for ring in each(2) {
            let ring: Ring<()> = match ring {
                Ring::Bounded(_) => Ring::bounded(2),
                Ring::Unbounded(_) => Ring::unbounded(),
                Ring::Small(_) => Ring::unbounded_small(),
            };
            for _ in 0..100 {
                ring.push(()).unwrap();
                assert_eq!(pop_settled(&ring), Pop::Item(()));
            }
        }
    }

    #[test]
    #[should_panic(expected = "at least one message")]
    fn capacity_zero_panics() {
        let _ = Ring::<u8>::bounded(0);
    }

    /// Four producers, one consumer: every message arrives exactly once, each producer's in
    /// order.
    #[test]
    fn four_producers_exactly_once_in_producer_order() {
        const PRODUCERS: usize = 4;
        for kind in [Kind::Bounded(1), Kind::Bounded(16), Kind::Unbounded, Kind::Small] {
            let ring = Arc::new(kind.ring());
            let per = STRESS / PRODUCERS;
            let handles: Vec<_> = (0..PRODUCERS)
                .map(|p| {
                    let ring = ring.clone();
                    std::thread::spawn(move || {
                        for i in 0..per {
                            let mut msg = (p, i);
                            while let Err(PushError::Full(back)) = ring.push(msg) {
                                msg = back;
                                std::thread::yield_now();
                            }
                        }
                    })
                })
                .collect();
            let mut next = [0usize; PRODUCERS];
            for _ in 0..per * PRODUCERS {
                let (p, i) = loop {
                    match pop_settled(&ring) {
                        Pop::Item(msg) => break msg,
                        Pop::Empty => std::thread::yield_now(),
                        other => panic!("unexpected {other:?}"),
                    }
                };
                assert_eq!(i, next[p], "producer {p} out of order");
                next[p] += 1;
            }
            for h in handles {
                h.join().unwrap();
            }
            assert_eq!(next, [per; PRODUCERS]);
            assert_eq!(pop_settled(&ring), Pop::Empty);
        }
    }

    /// Producers racing a close: every push that succeeded is received, every other one got
    /// its message back, nothing is dropped twice or lost.
    #[test]
    fn close_racing_pushes_loses_nothing() {
        for kind in [Kind::Bounded(8), Kind::Unbounded, Kind::Small] {
            let drops = Arc::new(AtomicUsize::new(0));
            let accepted = Arc::new(AtomicUsize::new(0));
            let ring = Arc::new(kind.ring());
            let producers: Vec<_> = (0..2)
                .map(|_| {
                    let (ring, drops, accepted) = (ring.clone(), drops.clone(), accepted.clone());
                    std::thread::spawn(move || {
                        let mut returned = 0;
                        for _ in 0..STRESS / 10 {
                            match ring.push(Counted((), drops.clone())) {
                                Ok(_) => {
                                    accepted.fetch_add(1, SeqCst);
                                }
                                Err(PushError::Full(_)) => {
                                    returned += 1;
                                    std::thread::yield_now();
                                }
                                Err(PushError::Closed(_)) => returned += 1,
                            }
                        }
                        returned
                    })
                })
                .collect();
            // Let some messages through before closing, but never wait for more than the
            // producers (who give up on a full ring) will send.
            let mut received = 0;
            while received < STRESS / 100 && !producers.iter().all(|h| h.is_finished()) {
                match pop_settled(&ring) {
                    Pop::Item(_) => received += 1,
                    _ => std::thread::yield_now(),
                }
            }
            ring.close();
            loop {
                match pop_settled(&ring) {
                    Pop::Item(_) => received += 1,
                    Pop::Empty => std::thread::yield_now(),
                    Pop::Closed => break,
                    Pop::Busy => unreachable!(),
                }
            }
            let returned: usize = producers.into_iter().map(|h| h.join().unwrap()).sum();
            assert_eq!(received, accepted.load(SeqCst));
            assert_eq!(drops.load(SeqCst), received + returned);
        }
    }
}

/// Loom models: every interleaving of the ring's protocols on tiny rings.
#[cfg(all(test, tidings_loom))]
mod models {
    use super::*;
    use crate::loom::{thread, Arc};

    /// Two producers and the consumer: exactly once, each producer's messages in order.
    #[test]
    fn push_pop_two_producers() {
        for kind in [Kind::Bounded(3), Kind::Unbounded] {
            loom::model(move || {
                let ring = Arc::new(kind.ring());
                let producers: Vec<_> = [2, 1]
                    .into_iter()
                    .enumerate()
                    .map(|(p, count)| {
                        let ring = ring.clone();
                        thread::spawn(move || {
                            for i in 0..count {
                                ring.push((p, i)).unwrap();
                            }
                        })
                    })
                    .collect();
                let mut next = [0; 2];
                for _ in 0..3 {
                    let (p, i) = loop {
                        match pop_settled(&ring) {
                            Pop::Item(m) => break m,
                            Pop::Empty => thread::yield_now(),
                            other => panic!("unexpected {other:?}"),
                        }
                    };
                    assert_eq!(i, next[p]);
                    next[p] += 1;
                }
                for h in producers {
                    h.join().unwrap();
                }
                assert_eq!(next, [2, 1]);
                assert_eq!(pop_settled(&ring), Pop::Empty);
            });
        }
    }

    /// A consumer that has armed a one-slot ring, against a producer of two messages: the
    /// first is handed to the consumer, the second goes into the slot the hand left free,
    /// while the consumer takes the first (or is handed too, if the consumer took the first
    /// and armed again before). Both fit, both arrive in order, once, and the ring is empty
    /// after.
    #[test]
    fn handed_messages_and_the_next_lap() {
        loom::model(|| {
            let ring = Arc::new(Ring::bounded(1));
            // SAFETY: this thread is the ring's only consumer.
            let pop_armed = |ring: &Ring<usize>| unsafe { ring.pop(Look::Arm { fresh: true }) };
            assert_eq!(pop_armed(&ring), Pop::Empty);
            let producer = {
                let ring = ring.clone();
                thread::spawn(move || [ring.push(1).unwrap(), ring.push(2).unwrap()])
            };
            let mut got = Vec::new();
            while got.len() < 2 {
                match pop_armed(&ring) {
                    Pop::Item(n) => got.push(n),
                    Pop::Empty => thread::yield_now(),
                    other => panic!("unexpected {other:?}"),
                }
            }
            let reported = producer.join().unwrap();
            assert!(reported[0], "the claim the consumer armed for reports");
            assert_eq!(got, [1, 2]);
            assert_eq!(ring.len(), 0);
        });
    }

    /// The full/empty boundary of a one-slot ring: a push that races a pop either fits or is
    /// told Full while the slot really holds a message; nothing is overwritten or lost.
    #[test]
    fn full_empty_boundary() {
        loom::model(|| {
            let ring = Arc::new(Ring::bounded(1));
            ring.push(1).unwrap();
            let producer = {
                let ring = ring.clone();
                thread::spawn(move || ring.push(2).is_ok())
            };
            assert_eq!(pop_settled(&ring), Pop::Item(1));
            let pushed = producer.join().unwrap();
            match pop_settled(&ring) {
                Pop::Item(2) => assert!(pushed),
                Pop::Empty => assert!(!pushed),
                other => panic!("unexpected {other:?}"),
            }
        });
    }

    /// A producer crossing a block boundary while the consumer follows it. Under loom a mailbox
    /// ring's first block holds 3 slots and every later one 7. Cold: the boundary from the
    /// first block to a larger one (the first block is freed, not kept). Warm (14 messages
    /// through first): the boundary between two largest blocks, where the install takes the
    /// spare (the second block, recycled) and the consumer recycles the block it finishes.
    #[test]
    fn unbounded_block_install_and_recycle() {
        for warm in [0, 14] {
            loom::model(move || {
                let ring = Arc::new(Ring::unbounded());
                for i in 0..warm {
                    ring.push(i).unwrap();
                    assert_eq!(pop_settled(&ring), Pop::Item(i));
                }
                for i in warm..warm + 2 {
                    ring.push(i).unwrap();
                }
                let producer = {
                    let ring = ring.clone();
                    thread::spawn(move || {
                        for i in warm + 2..warm + 5 {
                            ring.push(i).unwrap();
                        }
                    })
                };
                let mut next = warm;
                while next < warm + 5 {
                    match pop_settled(&ring) {
                        Pop::Item(m) => {
                            assert_eq!(m, next);
                            next += 1;
                        }
                        Pop::Empty => thread::yield_now(),
                        other => panic!("unexpected {other:?}"),
                    }
                }
                producer.join().unwrap();
                assert_eq!(ring.len(), 0);
            });
        }
    }

    /// Arming racing publishing (bounded; unbounded cold, where the push claims position 0 and
    /// may install the first block; unbounded warm): either the consumer's pop takes the message
    /// or the push reports that the consumer waits for it. Never neither (a lost wake-up).
    #[test]
    fn arming_vs_publishing() {
        for (kind, warm) in
            [(Kind::Bounded(2), true), (Kind::Unbounded, false), (Kind::Unbounded, true)]
        {
            loom::model(move || {
                let ring = Arc::new(kind.ring());
                if warm {
                    ring.push(0).unwrap();
                    assert_eq!(pop_settled(&ring), Pop::Item(0));
                }
                let producer = {
                    let ring = ring.clone();
                    thread::spawn(move || ring.push(7).unwrap())
                };
                // SAFETY: this thread is the ring's only consumer.
                let popped = unsafe { ring.pop(Look::Arm { fresh: true }) };
                let reported = producer.join().unwrap();
                match popped {
                    Pop::Item(7) => assert!(!reported, "reported a message the pop took"),
                    Pop::Empty => {
                        assert!(reported, "the consumer armed and missed the message, unreported");
                        assert_eq!(pop_settled(&ring), Pop::Item(7));
                    }
                    other => panic!("unexpected {other:?} (an arming pop never reports Busy)"),
                }
            });
        }
    }

    /// Two producers race an arming consumer: exactly the claim that follows the arming
    /// reports (the other push is silent), and the consumer gets both messages.
    #[test]
    fn arming_vs_two_producers() {
        for kind in [Kind::Bounded(2), Kind::Unbounded] {
            loom::model(move || {
                let ring = Arc::new(kind.ring());
                let producers: Vec<_> = [1, 2]
                    .into_iter()
                    .map(|m| {
                        let ring = ring.clone();
                        thread::spawn(move || ring.push(m).unwrap())
                    })
                    .collect();
                // SAFETY: this thread is the ring's only consumer.
                let popped = unsafe { ring.pop(Look::Arm { fresh: true }) };
                let reports: Vec<bool> = producers.into_iter().map(|p| p.join().unwrap()).collect();
                let mut got = Vec::new();
                match popped {
                    Pop::Item(m) => {
                        assert_eq!(reports, [false, false], "reported after a successful pop");
                        got.push(m);
                    }
                    Pop::Empty => {
                        assert_eq!(reports.iter().filter(|r| **r).count(), 1, "{reports:?}")
                    }
                    other => panic!("unexpected {other:?}"),
                }
                while let Pop::Item(m) = pop_settled(&ring) {
                    got.push(m);
                }
                got.sort_unstable();
                assert_eq!(got, [1, 2]);
            });
        }
    }

    /// Close racing a push: the push either lands before the close (and is popped before
    /// `Closed`) or gets its message back.
    #[test]
    fn close_vs_push() {
        for kind in [Kind::Bounded(1), Kind::Unbounded] {
            loom::model(move || {
                let ring = Arc::new(kind.ring());
                let producer = {
                    let ring = ring.clone();
                    thread::spawn(move || ring.push(7).is_ok())
                };
                ring.close();
                let mut got = None;
                loop {
                    match pop_settled(&ring) {
                        Pop::Item(m) => got = Some(m),
                        Pop::Closed => break,
                        Pop::Empty => thread::yield_now(),
                        Pop::Busy => unreachable!(),
                    }
                }
                let pushed = producer.join().unwrap();
                assert_eq!(got.is_some(), pushed);
            });
        }
    }
}
