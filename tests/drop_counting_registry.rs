//! Every message given to a registry is dropped exactly once — received, drained, cleared by
//! `set_tags`, given back by a failed send, or left in a queue (ring or save queue) when the
//! registry goes — never leaked, never twice.

mod counted;

use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::Arc;
use std::time::Duration;

use counted::{Counted, Tracker};
use tidings::{RecvError, Registry, RegistryError};

#[test]
fn messages_queued_when_the_last_handle_goes_are_dropped_once() {
    for capacity in [None, Some(64)] {
        let t = Tracker::new();
        let mut builder = Registry::builder();
        if let Some(cap) = capacity {
            builder = builder.capacity(cap);
        }
        let reg: Registry<Counted> = builder.build();
        let clone = reg.clone();
        for i in 0..60 {
            reg.send(["a", "b", "c"][i % 3], t.make()).unwrap();
        }
        drop(reg);
        assert_eq!(t.dropped(), 0, "a clone still holds the queues");
        drop(clone);
        t.assert_all_dropped_once();
    }
}

#[test]
fn messages_in_save_queues_are_dropped_once_with_the_registry() {
    let t = Tracker::new();
    let reg: Registry<Counted> = Registry::builder().capacity(16).build();
    for _ in 0..10 {
        reg.send("a", t.make()).unwrap(); // ids 0..10
    }
    for _ in 0..10 {
        reg.send("b", t.make()).unwrap(); // ids 10..20
    }
    // A selective receive skips 0..7 on "a" into its save queue and takes 7.
    let (_, seven) = reg.receive("a").matching(|_, m| m.id == 7).wait().unwrap();
    assert_eq!(seven.id, 7);
    drop(seven);
    // One that matches nothing moves everything on both tags into their save queues.
    let none = reg.receive(["a", "b"]).matching(|_, m| m.id > 100).timeout(Duration::ZERO).wait();
    assert_eq!(none.unwrap_err(), RecvError::Timeout);
    // A multi-tag receive peeks both heads (moving them aside) and takes the oldest.
    let (tag, zero) = reg.receive(["b", "a"]).wait().unwrap();
    assert_eq!((tag.as_str(), zero.id), ("a", 0));
    drop(zero);
    assert_eq!(t.dropped(), 2);
    // Saved messages count in the length, not against the capacity: the rings have room.
    for _ in 0..16 {
        reg.send("a", t.make()).unwrap();
    }
    assert_eq!(reg.stats()[0].len, 8 + 16);
    drop(reg);
    t.assert_all_dropped_once();
}

#[test]
fn drain_drops_what_it_counts_and_nothing_else() {
    let t = Tracker::new();
    let reg: Registry<Counted> = Registry::new();
    for i in 0..30 {
        reg.send(["a", "b", "c"][i % 3], t.make()).unwrap();
    }
    // Some of "a" in its save queue.
    let (_, m) = reg.receive("a").matching(|_, m| m.id == 9).wait().unwrap();
    drop(m);
    let drained = reg.drain(["a", "b", "a", "unknown"]);
    assert_eq!(drained, 9 + 10);
    assert_eq!(t.dropped(), 1 + drained, "drain drops at once what it counts");
    // "c" is untouched, and still receivable.
    let (_, c) = reg.receive("c").wait().unwrap();
    assert_eq!(c.id, 2);
    drop(c);
    drop(reg);
    t.assert_all_dropped_once();
}

#[test]
fn set_tags_drops_every_queued_message_once() {
    let t = Tracker::new();
    let reg: Registry<Counted> = Registry::builder().max_tags(3).capacity(8).build();
    for i in 0..24 {
        reg.send(["a", "b", "c"][i % 3], t.make()).unwrap();
    }
    // Some in a save queue.
    let none = reg.receive("b").matching(|_, _| false).timeout(Duration::ZERO).wait();
    assert_eq!(none.unwrap_err(), RecvError::Timeout);
    // Too many tags: nothing changes, nothing is dropped.
    assert!(reg.set_tags(["w", "x", "y", "z"]).is_err());
    assert_eq!(t.dropped(), 0);
    reg.set_tags(["a", "d"]).unwrap();
    assert_eq!(t.dropped(), 24, "every queue cleared");
    reg.send("d", t.make()).unwrap();
    drop(reg);
    t.assert_all_dropped_once();
}

#[test]
fn failed_sends_give_the_message_back_and_the_registry_keeps_nothing() {
    let t = Tracker::new();
    let reg: Registry<Counted> = Registry::builder().max_tags(1).capacity(2).build();
    reg.send("a", t.make()).unwrap();
    reg.send("a", t.make()).unwrap();
    let full = reg.send("a", t.make()).unwrap_err();
    assert!(full.is_full());
    let over = reg.send("b", t.make()).unwrap_err();
    assert!(over.is_tag_limit());
    let late = reg.send_timeout("a", t.make(), Duration::from_millis(5)).unwrap_err();
    assert!(late.is_timeout());
    let blocked = reg.send_blocking("b", t.make()).unwrap_err();
    assert!(blocked.is_tag_limit());
    assert_eq!(t.dropped(), 0, "each failed send still owns its message");
    let back: Vec<u32> =
        [full, over, late, blocked].into_iter().map(|e| e.into_inner().id).collect();
    assert_eq!(back, [2, 3, 4, 5], "the very messages, given back (and dropped here)");
    assert_eq!(t.dropped(), 4);
    drop(reg);
    t.assert_all_dropped_once();
}

#[tokio::test]
async fn a_cancelled_async_send_drops_its_message_once() {
    let t = Tracker::new();
    let reg: Registry<Counted> = Registry::builder().capacity(1).build();
    reg.send("a", t.make()).unwrap();
    let cut = tokio::time::timeout(Duration::from_millis(10), reg.send_async("a", t.make())).await;
    assert!(cut.is_err(), "no room: the send waited until cut off");
    assert!(t.was_dropped(1), "the unsent message went with its future");
    assert_eq!(t.dropped(), 1);
    let over: Registry<Counted> = Registry::builder().max_tags(1).build();
    over.send("a", t.make()).unwrap();
    let err = over.send_async("b", t.make()).await.unwrap_err();
    assert!(matches!(err, RegistryError::TagLimit(ref m) if m.id == 3));
    drop((err, reg, over));
    t.assert_all_dropped_once();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiting_send_moved_by_set_tags_is_delivered_once() {
    let t = Tracker::new();
    let reg: Registry<Counted> = Registry::builder().capacity(1).build();
    reg.send("a", t.make()).unwrap(); // 0, cleared by set_tags
    let sender = {
        let (reg, msg) = (reg.clone(), t.make()); // 1, waits for room
        tokio::spawn(async move { reg.send_async("a", msg).await.map_err(|e| e.into_inner().id) })
    };
    // Let the send start waiting (it cannot finish before the queue is cleared).
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert!(!sender.is_finished());
    reg.set_tags(["a"]).unwrap();
    assert!(t.was_dropped(0));
    assert_eq!(sender.await.unwrap(), Ok(()), "the waiting send moved to the new queue");
    let (_, one) = reg.receive("a").timeout(Duration::from_secs(10)).await.unwrap();
    assert_eq!(one.id, 1);
    drop(one);
    assert_eq!(reg.drain("a"), 0);
    drop(reg);
    t.assert_all_dropped_once();
}

#[test]
fn a_receive_on_a_thread_racing_set_tags_and_drain_loses_and_duplicates_nothing() {
    let t = Tracker::new();
    let reg: Registry<Counted> = Registry::builder().capacity(4).build();
    let done = Arc::new(AtomicBool::new(false));
    let receiver = {
        let (reg, done) = (reg.clone(), done.clone());
        std::thread::spawn(move || {
            let mut received = 0usize;
            loop {
                match reg.receive(["a", "b"]).timeout(Duration::from_millis(20)).wait() {
                    Ok((_, m)) => {
                        drop(m);
                        received += 1;
                    }
                    // Quiet, and the sender is done: nothing more will come.
                    Err(_) if done.load(SeqCst) => return received,
                    Err(_) => {}
                }
            }
        })
    };
    let mut cleared = 0usize;
    let mut refused = 0usize;
    for i in 0..2_000 {
        let tag = ["a", "b"][i % 2];
        match reg.send_timeout(tag, t.make(), Duration::from_secs(10)) {
            Ok(()) => {}
            Err(err) => {
                drop(err.into_inner());
                refused += 1;
            }
        }
        if i % 97 == 0 {
            cleared += reg.drain(tag);
        }
        if i % 211 == 0 {
            reg.set_tags(["a", "b"]).unwrap();
        }
    }
    done.store(true, SeqCst);
    let received = receiver.join().unwrap();
    drop(reg);
    assert_eq!(refused, 0, "no send waits 10 s for room here");
    assert!(received + cleared <= 2_000);
    t.assert_all_dropped_once();
}

#[test]
fn the_process_wide_registry_drops_drained_and_cleared_messages_once() {
    // Tags of its own: other tests of this binary do not use the global registry, but be safe.
    let t = Tracker::new();
    for _ in 0..5 {
        tidings::send("drop-counting-global", t.make()).unwrap();
    }
    let (_, first) =
        tidings::receive("drop-counting-global").timeout(Duration::ZERO).wait().unwrap();
    drop(first);
    assert_eq!(tidings::drain("drop-counting-global"), 4);
    t.assert_all_dropped_once();
}
