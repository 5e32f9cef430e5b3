//! bocpy's `set_tags` and `drain` tests (`test/test_message_queue.py`), ported, plus the parts
//! of the contract bocpy does not test: a rejected `set_tags` changes nothing, and `drain`
//! returns how many messages it discarded.

use std::time::Duration;

use tidings::{RecvError, Registry, TagError};

const MAX_QUEUES: usize = 16;
const PATIENCE: Duration = Duration::from_secs(10);

fn bocpy_registry<T>() -> Registry<T> {
    Registry::builder().max_tags(MAX_QUEUES).build()
}

/// A receive that finds nothing within `ms` milliseconds times out.
fn assert_empty<T: std::fmt::Debug + PartialEq + 'static>(reg: &Registry<T>, tag: &str, ms: u64) {
    let got = reg.receive(tag).timeout(Duration::from_millis(ms)).wait();
    assert_eq!(got.map(|(_, m)| m), Err(RecvError::Timeout), "tag {tag:?} is not empty");
}

fn tags(reg: &Registry<impl Sized>) -> Vec<String> {
    reg.stats().into_iter().map(|s| s.tag.to_string()).collect()
}

// ---- set_tags ----

#[test]
fn set_tags_preassigns_tags_and_clears_old_messages() {
    let reg = bocpy_registry();
    reg.send("auto_before", "stale").unwrap();
    reg.set_tags(["alpha", "bravo"]).unwrap();
    assert_eq!(tags(&reg), ["alpha", "bravo"]);
    reg.send("alpha", "hello").unwrap();
    let (tag, val) = reg.receive("alpha").timeout(PATIENCE).wait().unwrap();
    assert_eq!((tag.as_str(), val), ("alpha", "hello"));
    // The stale message is gone, and its tag gets a fresh queue on the next send.
    assert_empty(&reg, "auto_before", 0);
}

#[test]
fn set_tags_clears_every_queue() {
    let reg = bocpy_registry();
    for i in 0..MAX_QUEUES {
        reg.send(format!("clr{i}"), format!("stale_{i}")).unwrap();
    }
    reg.set_tags((0..MAX_QUEUES).map(|i| format!("fresh{i}")).collect::<Vec<_>>()).unwrap();
    assert_empty(&reg, "fresh0", 0);
    assert!(reg.stats().iter().all(|s| s.len == 0 && s.pushed_total == 0));
}

#[test]
fn with_fewer_tags_than_max_the_rest_auto_assign() {
    let reg = bocpy_registry();
    reg.set_tags(["only_one"]).unwrap();
    reg.send("only_one", "ok").unwrap();
    assert_eq!(reg.receive("only_one").timeout(PATIENCE).wait().unwrap().1, "ok");
    reg.send("auto_extra", "also ok").unwrap();
    assert_eq!(tags(&reg), ["only_one", "auto_extra"]);
}

#[test]
fn set_tags_can_fill_every_slot() {
    let reg = bocpy_registry();
    let names: Vec<String> = (0..MAX_QUEUES).map(|i| format!("slot{i}")).collect();
    reg.set_tags(&names).unwrap();
    for name in &names {
        reg.send(name, name.clone()).unwrap();
    }
    for name in &names {
        let (tag, val) = reg.receive(name).timeout(PATIENCE).wait().unwrap();
        assert_eq!((tag.as_str(), val.as_str()), (name.as_str(), name.as_str()));
    }
}

#[test]
fn too_many_tags_is_too_many_and_changes_nothing() {
    let reg = bocpy_registry();
    reg.set_tags(["keep"]).unwrap();
    reg.send("keep", 1).unwrap();
    let names: Vec<String> = (0..=MAX_QUEUES).map(|i| format!("overflow{i}")).collect();
    let err = reg.set_tags(&names).unwrap_err();
    assert_eq!(err, TagError::TooMany { max: MAX_QUEUES });
    assert_eq!(err.to_string(), "too many tags: this registry allows at most 16");
    // Nothing changed: the old tag and its message are still there.
    assert_eq!(tags(&reg), ["keep"]);
    assert_eq!(reg.receive("keep").timeout(PATIENCE).wait().unwrap().1, 1);
}

#[test]
fn duplicate_tags_count_once() {
    let reg = Registry::<u8>::builder().max_tags(2).build();
    reg.set_tags(["a", "b", "a", "b", "a"]).unwrap();
    assert_eq!(tags(&reg), ["a", "b"]);
}

#[test]
fn an_empty_list_resets_to_auto_assignment() {
    let reg = bocpy_registry();
    reg.set_tags(["pre"]).unwrap();
    reg.send("pre", "msg").unwrap();
    reg.set_tags(Vec::<&str>::new()).unwrap();
    assert!(reg.stats().is_empty());
    reg.send("new_auto", "works").unwrap();
    let (tag, val) = reg.receive("new_auto").timeout(PATIENCE).wait().unwrap();
    assert_eq!((tag.as_str(), val), ("new_auto", "works"));
    assert_empty(&reg, "pre", 0);
}

#[test]
fn after_set_tags_fills_every_slot_a_new_tag_is_tag_limit() {
    let reg = bocpy_registry();
    reg.set_tags((0..MAX_QUEUES).map(|i| format!("full{i}")).collect::<Vec<_>>()).unwrap();
    let err = reg.send("extra_tag_beyond_limit", "boom").unwrap_err();
    assert!(err.is_tag_limit());
    assert_eq!(err.into_inner(), "boom");
}

#[test]
fn a_second_set_tags_clears_the_first() {
    let reg = bocpy_registry();
    reg.set_tags(["first"]).unwrap();
    reg.send("first", "msg1").unwrap();
    reg.set_tags(["second"]).unwrap();
    assert_empty(&reg, "second", 0);
    assert_empty(&reg, "first", 0);
}

#[test]
fn a_tag_can_be_assigned_again() {
    let reg = bocpy_registry();
    reg.set_tags(["reuse"]).unwrap();
    reg.send("reuse", "round1").unwrap();
    assert_eq!(reg.receive("reuse").timeout(PATIENCE).wait().unwrap().1, "round1");
    reg.set_tags(["reuse"]).unwrap();
    reg.send("reuse", "round2").unwrap();
    assert_eq!(reg.receive("reuse").timeout(PATIENCE).wait().unwrap().1, "round2");
}

#[test]
fn rapid_set_tags_cycles_keep_the_registry_consistent() {
    let reg = bocpy_registry();
    for cycle in 0..20 {
        let tag = format!("cyc{}", cycle % MAX_QUEUES);
        reg.set_tags([tag.as_str()]).unwrap();
        reg.send(&tag, cycle).unwrap();
        assert_eq!(reg.receive(&tag).timeout(PATIENCE).wait().unwrap().1, cycle);
    }
}

// ---- drain ----

#[test]
fn draining_a_tag_removes_its_messages() {
    let reg = bocpy_registry();
    for m in ["a", "b", "c"] {
        reg.send("d_one", m).unwrap();
    }
    assert_eq!(reg.drain(["d_one"]), 3);
    assert_empty(&reg, "d_one", 100);
}

#[test]
fn draining_several_tags() {
    let reg = bocpy_registry();
    reg.send("d_m1", 1).unwrap();
    reg.send("d_m2", 2).unwrap();
    reg.send("d_m3", 3).unwrap();
    assert_eq!(reg.drain(["d_m1", "d_m2", "d_m3"]), 3);
    for tag in ["d_m1", "d_m2", "d_m3"] {
        assert_empty(&reg, tag, 100);
    }
}

#[test]
fn draining_one_tag_leaves_the_others() {
    let reg = bocpy_registry();
    reg.send("d_keep", "survive").unwrap();
    reg.send("d_drop", "gone").unwrap();
    assert_eq!(reg.drain(["d_drop"]), 1);
    assert_empty(&reg, "d_drop", 100);
    assert_eq!(reg.receive("d_keep").timeout(PATIENCE).wait().unwrap().1, "survive");
}

#[test]
fn draining_an_empty_or_unknown_tag_is_zero() {
    let reg = bocpy_registry();
    reg.send("d_empty", "x").unwrap();
    reg.receive("d_empty").timeout(PATIENCE).wait().unwrap();
    assert_eq!(reg.drain(["d_empty"]), 0);
    assert_eq!(reg.drain("never_used"), 0);
    assert_empty(&reg, "d_empty", 100);
    // Draining an unknown tag does not create a queue.
    assert_eq!(tags(&reg), ["d_empty"]);
}

#[test]
fn draining_an_empty_list_does_nothing() {
    let reg = bocpy_registry();
    reg.send("d_noop", "still_here").unwrap();
    assert_eq!(reg.drain(Vec::<String>::new()), 0);
    assert_eq!(reg.receive("d_noop").timeout(PATIENCE).wait().unwrap().1, "still_here");
}

#[test]
fn drain_takes_arrays_slices_and_single_strings() {
    let reg = bocpy_registry();
    reg.send("d_t1", "x").unwrap();
    reg.send("d_t2", "y").unwrap();
    reg.send("d_str", "a").unwrap();
    reg.send("d_str", "b").unwrap();
    let list = ["d_t1", "d_t2"];
    assert_eq!(reg.drain(&list[..]), 2);
    assert_eq!(reg.drain("d_str"), 2);
    assert_eq!(reg.drain(["d_t1", "d_t1"]), 0);
}

#[test]
fn messages_sent_after_a_drain_are_received() {
    let reg = bocpy_registry();
    reg.send("d_renew", "old").unwrap();
    assert_eq!(reg.drain("d_renew"), 1);
    reg.send("d_renew", "new").unwrap();
    assert_eq!(reg.receive("d_renew").timeout(PATIENCE).wait().unwrap().1, "new");
}

#[test]
fn drain_also_discards_messages_a_selective_receive_skipped() {
    let reg = bocpy_registry();
    for i in 0..5 {
        reg.send("d_saved", i).unwrap();
    }
    // Moves 0..=3 aside (they stay queued), takes 4.
    assert_eq!(reg.receive("d_saved").matching(|_, n| *n == 4).wait().unwrap().1, 4);
    assert_eq!(reg.stats()[0].len, 4);
    assert_eq!(reg.drain("d_saved"), 4);
    assert_empty(&reg, "d_saved", 0);
}
