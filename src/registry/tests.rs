//! Unit tests of the per-tag queue's bookkeeping: the selective scan position across other
//! receivers' removals, and taking a message found under an earlier lock.

use super::queue::{Queue, Scan};
use super::Tag;

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
    assert_eq!(queue.lock().find(&queue.tag, &mut wanting(99, &mut seen), &mut scan), Some((5, 5)));
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
    assert_eq!(queue.lock().find(&queue.tag, &mut wanting(3, &mut seen), &mut mine), Some((2, 3)));
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
