//! The decided semantics of receives over several tags: the message that arrived first wins
//! (not the first tag listed, which is what bocpy's code does and which starves later tags),
//! every tag is checked before a timeout (also at timeout zero), and `matching` selects over
//! the tag and the message, leaving skipped messages queued in order.

use std::time::Duration;

use tidings::{RecvError, Registry, Tag};

fn take<T: 'static>(reg: &Registry<T>, tags: &[&str]) -> (String, T) {
    let (tag, msg) = reg.receive(tags).timeout(Duration::ZERO).wait().expect("a message is queued");
    (tag.to_string(), msg)
}

#[test]
fn the_oldest_message_wins_whatever_the_tag_order() {
    let reg = Registry::new();
    reg.send("b", 1).unwrap();
    reg.send("a", 2).unwrap();
    reg.send("b", 3).unwrap();
    reg.send("a", 4).unwrap();
    for order in [["a", "b"], ["b", "a"]] {
        let got: Vec<_> = (0..4).map(|_| take(&reg, &order)).collect();
        assert_eq!(got, [("b".into(), 1), ("a".into(), 2), ("b".into(), 3), ("a".into(), 4)]);
        for (tag, n) in got {
            reg.send(tag, n).unwrap();
        }
    }
}

#[test]
fn a_busy_first_tag_does_not_starve_a_later_one() {
    let reg = Registry::new();
    for i in 0..1000 {
        reg.send("busy", i).unwrap();
    }
    reg.send("quiet", -1).unwrap();
    for i in 1000..2000 {
        reg.send("busy", i).unwrap();
    }
    // First-listed-tag-first would deliver "quiet" last, after 2000 messages.
    let position = (0..2001).position(|_| take(&reg, &["busy", "quiet"]).0 == "quiet");
    assert_eq!(position, Some(1000));
}

#[test]
fn a_zero_timeout_checks_every_tag_up_to_the_last_listed() {
    let reg = Registry::new();
    let tags: Vec<String> = (0..16).map(|i| format!("t{i}")).collect();
    for tag in &tags {
        reg.send(tag, 0).unwrap();
        reg.drain(tag);
    }
    reg.send("t15", 42).unwrap();
    let got = reg.receive(&tags).timeout(Duration::ZERO).wait();
    assert_eq!(got, Ok((Tag::from("t15"), 42)));
    // And a tag nobody sent on yet (no queue) is fine to list.
    reg.send("t0", 7).unwrap();
    let got = reg.receive(["never-sent", "t0"]).timeout(Duration::ZERO).wait();
    assert_eq!(got, Ok((Tag::from("t0"), 7)));
    assert_eq!(reg.receive(&tags).timeout(Duration::ZERO).wait(), Err(RecvError::Timeout));
}

#[tokio::test]
async fn a_zero_timeout_await_checks_every_tag_too() {
    let reg = Registry::new();
    for tag in ["x", "y", "z"] {
        reg.send(tag, 0).unwrap();
        reg.drain(tag);
    }
    reg.send("z", 3).unwrap();
    let got = reg.receive(["x", "y", "z"]).timeout(Duration::ZERO).await;
    assert_eq!(got, Ok((Tag::from("z"), 3)));
}

#[test]
fn matching_takes_the_oldest_accepted_message_across_tags() {
    let reg = Registry::new();
    reg.send("a", 1).unwrap();
    reg.send("b", 10).unwrap();
    reg.send("a", 20).unwrap();
    reg.send("b", 2).unwrap();
    let big =
        |reg: &Registry<i32>| reg.receive(["a", "b"]).matching(|_, n| *n >= 10).wait().unwrap();
    assert_eq!(big(&reg), (Tag::from("b"), 10));
    assert_eq!(big(&reg), (Tag::from("a"), 20));
    // The skipped messages are still queued, in order.
    assert_eq!(take(&reg, &["a", "b"]), ("a".into(), 1));
    assert_eq!(take(&reg, &["a", "b"]), ("b".into(), 2));
}

#[test]
fn matching_sees_the_tag() {
    let reg = Registry::new();
    reg.send("a", "older").unwrap();
    reg.send("b", "newer").unwrap();
    let got = reg.receive(["a", "b"]).matching(|tag, _| *tag == "b").wait().unwrap();
    assert_eq!(got, (Tag::from("b"), "newer"));
    assert_eq!(take(&reg, &["a", "b"]), ("a".into(), "older"));
}

#[test]
fn a_filter_that_rejects_everything_times_out_and_loses_nothing() {
    let reg = Registry::new();
    for i in 0..10 {
        reg.send("keep", i).unwrap();
    }
    let mut seen = 0;
    let got = reg
        .receive("keep")
        .matching(|_, _| {
            seen += 1;
            false
        })
        .timeout(Duration::from_millis(20))
        .wait();
    assert_eq!(got, Err(RecvError::Timeout));
    // Each message was tested once, however many times the receive looked.
    assert_eq!(seen, 10);
    let all: Vec<i32> = (0..10).map(|_| take(&reg, &["keep"]).1).collect();
    assert_eq!(all, (0..10).collect::<Vec<_>>());
}

#[test]
fn a_tag_listed_twice_counts_once() {
    let reg = Registry::new();
    reg.send("dup", 1).unwrap();
    reg.send("other", 2).unwrap();
    assert_eq!(take(&reg, &["dup", "other", "dup"]), ("dup".into(), 1));
    assert_eq!(take(&reg, &["other", "other"]), ("other".into(), 2));
    assert_eq!(reg.receive(["dup", "dup"]).timeout(Duration::ZERO).wait(), Err(RecvError::Timeout));
}
