//! Each thread caches which queue a tag resolved to (so that a send or receive skips the tag
//! table). These tests pin down that the cache never changes what the registry does: messages
//! never cross registries, `set_tags` is seen at once, more tags than the cache holds still
//! work, and a dropped registry's messages are dropped although a cache still holds its queue.

use std::time::Duration;

use tidings::{RecvError, Registry};

mod counted;
use counted::Tracker;

fn try_receive<T: 'static>(reg: &Registry<T>, tag: &str) -> Result<T, RecvError> {
    reg.receive(tag).timeout(Duration::ZERO).wait().map(|(_, msg)| msg)
}

#[test]
fn registries_with_the_same_tag_stay_apart() {
    // Both registries resolve "jobs" on this thread, one after the other, again and again.
    let a = Registry::new();
    let b = Registry::new();
    for i in 0..100 {
        a.send("jobs", ('a', i)).unwrap();
        b.send("jobs", ('b', i)).unwrap();
    }
    for i in 0..100 {
        assert_eq!(try_receive(&b, "jobs"), Ok(('b', i)));
        assert_eq!(try_receive(&a, "jobs"), Ok(('a', i)));
    }
    assert_eq!(try_receive(&a, "jobs"), Err(RecvError::Timeout));
    assert_eq!(try_receive(&b, "jobs"), Err(RecvError::Timeout));
}

#[test]
fn a_new_registry_never_sees_a_dropped_ones_queue() {
    for round in 0..50 {
        let reg = Registry::new();
        assert_eq!(try_receive(&reg, "t"), Err(RecvError::Timeout), "round {round}");
        reg.send("t", round).unwrap();
        assert_eq!(try_receive(&reg, "t"), Ok(round));
        reg.send("t", round).unwrap();
        // Dropped with a message queued (and its queue in this thread's cache).
    }
}

#[test]
fn set_tags_is_seen_by_the_next_send_and_receive() {
    let reg = Registry::new();
    reg.send("x", 1).unwrap();
    assert_eq!(try_receive(&reg, "x"), Ok(1));
    reg.send("x", 2).unwrap();
    reg.set_tags(["x", "y"]).unwrap();
    // The old queue (cached on this thread) was cleared and replaced.
    assert_eq!(try_receive(&reg, "x"), Err(RecvError::Timeout));
    reg.send("x", 3).unwrap();
    assert_eq!(reg.stats().iter().find(|s| s.tag == "x").map(|s| s.len), Some(1));
    assert_eq!(try_receive(&reg, "x"), Ok(3));
}

#[test]
fn set_tags_from_another_thread_is_seen_by_cached_sends() {
    let reg = Registry::builder().max_tags(1).build();
    reg.send("old", 1).unwrap();
    assert_eq!(try_receive(&reg, "old"), Ok(1));
    {
        let reg = reg.clone();
        std::thread::spawn(move || reg.set_tags(["new"]).unwrap()).join().unwrap();
    }
    // "old" has no queue any more and the tag limit is reached: the cached queue must not
    // take the message.
    assert!(reg.send("old", 2).unwrap_err().is_tag_limit());
    reg.send("new", 3).unwrap();
    assert_eq!(try_receive(&reg, "new"), Ok(3));
}

#[test]
fn more_tags_than_the_cache_holds() {
    let reg = Registry::new();
    let tags: Vec<String> = (0..40).map(|i| format!("tag-{i}")).collect();
    for round in 0..5 {
        for (i, tag) in tags.iter().enumerate() {
            reg.send(tag, (round, i)).unwrap();
        }
        for (i, tag) in tags.iter().enumerate().rev() {
            assert_eq!(try_receive(&reg, tag), Ok((round, i)));
        }
    }
    assert!(reg.stats().iter().all(|s| s.len == 0 && s.pushed_total == 5));
}

#[test]
fn dropping_a_registry_drops_its_messages_although_a_cache_holds_the_queue() {
    let t = Tracker::new();
    let reg = Registry::new();
    for _ in 0..10 {
        reg.send("kept", t.make()).unwrap();
    }
    // The receive caches the queue on this thread, then puts nothing back.
    drop(try_receive(&reg, "kept").unwrap());
    assert_eq!(t.dropped(), 1);
    drop(reg);
    t.assert_all_dropped_once();
}

#[test]
fn a_thread_that_ends_with_cached_queues_loses_nothing() {
    let reg = Registry::new();
    let sender = {
        let reg = reg.clone();
        std::thread::spawn(move || {
            for i in 0..1000 {
                reg.send("from-thread", i).unwrap();
            }
        })
    };
    sender.join().unwrap();
    for i in 0..1000 {
        assert_eq!(try_receive(&reg, "from-thread"), Ok(i));
    }
}

/// Names around the length up to which a single-tag receive keeps the caller's tag inline (and
/// resolves it on its first attempt) instead of looking it up when it is built.
fn names_around_the_inline_limit() -> Vec<String> {
    let mut names: Vec<String> = (28..=36).map(|n| "x".repeat(n)).collect();
    // Multi-byte characters across the limit: 32 and 34 bytes.
    names.extend(["é".repeat(16), "é".repeat(17), format!("{}日", "y".repeat(30))]);
    names
}

#[test]
fn single_tag_receives_work_for_short_and_long_names() {
    let reg = Registry::new();
    for name in names_around_the_inline_limit() {
        // Uncached and without a queue, then cached and empty, then cached with a message.
        assert_eq!(try_receive(&reg, &name), Err(RecvError::Timeout), "{name}");
        assert_eq!(try_receive(&reg, &name), Err(RecvError::Timeout), "{name}");
        reg.send(&name, name.len()).unwrap();
        reg.send(&name, 0).unwrap();
        let (tag, len) = reg.receive(&name).matching(|_, n| *n > 0).wait().unwrap();
        assert_eq!((tag.as_str(), len), (name.as_str(), name.len()));
        let (tag, zero) = reg.receive(name.as_str()).wait().unwrap();
        assert_eq!((tag.as_str(), zero), (name.as_str(), 0));
    }
}

#[test]
fn a_single_tag_receive_waits_for_a_queue_that_does_not_exist_yet() {
    for name in names_around_the_inline_limit() {
        let reg = Registry::new();
        let sender = {
            let (reg, name) = (reg.clone(), name.clone());
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(5));
                reg.send(&name, 1).unwrap();
                reg.send(&name, 2).unwrap();
            })
        };
        let got = reg.receive(&name).matching(|_, n| *n == 2).timeout(Duration::from_secs(10));
        assert_eq!(got.wait().map(|(tag, n)| (tag.to_string(), n)), Ok((name.clone(), 2)));
        sender.join().unwrap();
        assert_eq!(try_receive(&reg, &name), Ok(1));
    }
}

#[test]
fn a_receive_built_before_set_tags_uses_the_new_queue() {
    let reg = Registry::new();
    reg.send("moved", 1).unwrap();
    assert_eq!(try_receive(&reg, "moved"), Ok(1));
    reg.send("moved", 2).unwrap();
    // Built while the old queue (cached on this thread) holds 2; awaited after set_tags.
    let plain = reg.receive("moved").timeout(Duration::ZERO);
    let selective = reg.receive("moved").matching(|_, _| true).timeout(Duration::ZERO);
    reg.set_tags(["moved"]).unwrap();
    reg.send("moved", 3).unwrap();
    assert_eq!(selective.wait().map(|(_, n)| n), Ok(3));
    reg.send("moved", 4).unwrap();
    assert_eq!(plain.wait().map(|(_, n)| n), Ok(4));
}
