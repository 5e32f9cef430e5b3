//! `Registry::stats`: one entry per tag, in creation order, whose `len`, `pushed_total` and
//! `popped_total` follow sends, receives, drains and `set_tags`.

use tidings::{QueueStats, Registry};

fn numbers(stats: &[QueueStats]) -> Vec<(&str, usize, u64, u64)> {
    stats.iter().map(|s| (s.tag.as_str(), s.len, s.pushed_total, s.popped_total)).collect()
}

#[test]
fn stats_follow_sends_receives_and_drains() {
    let reg = Registry::new();
    assert!(reg.stats().is_empty());
    for i in 0..5 {
        reg.send("b", i).unwrap();
    }
    reg.send("a", 0).unwrap();
    assert_eq!(numbers(&reg.stats()), [("b", 5, 5, 0), ("a", 1, 1, 0)]);
    reg.receive("b").wait().unwrap();
    reg.receive(["a", "b"]).wait().unwrap(); // b's 1 is older than a's 0
    assert_eq!(numbers(&reg.stats()), [("b", 3, 5, 2), ("a", 1, 1, 0)]);
    // A selective receive moves skipped messages aside: still queued, still counted.
    assert_eq!(reg.receive("b").matching(|_, n| *n == 4).wait().unwrap().1, 4);
    assert_eq!(numbers(&reg.stats()), [("b", 2, 5, 3), ("a", 1, 1, 0)]);
    assert_eq!(reg.drain(["a", "b"]), 3);
    assert_eq!(numbers(&reg.stats()), [("b", 0, 5, 5), ("a", 0, 1, 1)]);
}

#[test]
fn set_tags_starts_fresh_queues() {
    let reg = Registry::new();
    reg.send("old", 1).unwrap();
    reg.set_tags(["z", "y"]).unwrap();
    assert_eq!(numbers(&reg.stats()), [("z", 0, 0, 0), ("y", 0, 0, 0)]);
    reg.send("y", 1).unwrap();
    reg.send("x", 1).unwrap();
    assert_eq!(numbers(&reg.stats()), [("z", 0, 0, 0), ("y", 1, 1, 0), ("x", 1, 1, 0)]);
}

#[test]
fn clones_share_the_same_queues() {
    let reg = Registry::new();
    let other = reg.clone();
    other.send("shared", 1).unwrap();
    assert_eq!(numbers(&reg.stats()), [("shared", 1, 1, 0)]);
    assert_eq!(reg.receive("shared").wait().unwrap().1, 1);
    assert_eq!(numbers(&other.stats()), [("shared", 0, 1, 1)]);
}
