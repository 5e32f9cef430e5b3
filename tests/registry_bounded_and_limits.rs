//! Limits: bounded tags (`Full` from `send`, waiting in `send_blocking` / `send_timeout`),
//! the tag limit, and the builder's refusal of limits that can never work. Every failed send
//! gives the message back.

use std::thread;
use std::time::{Duration, Instant};

use tidings::{Registry, RegistryError, Tag};

mod registry_util;
use registry_util::spawn_watched;

/// How late a timed-out wait may return: generous, since the CI machine is small and shared;
/// the failures ruled out here (a timer that never fires) take far longer.
const SLACK: Duration = Duration::from_secs(3);

#[test]
fn a_full_tag_is_full_and_the_message_comes_back() {
    let reg = Registry::builder().capacity(2).build();
    reg.send("t", 1).unwrap();
    reg.send("t", 2).unwrap();
    let err = reg.send("t", 3).unwrap_err();
    assert!(err.is_full());
    assert_eq!(err.to_string(), "sending on a tag whose queue is full");
    assert_eq!(format!("{err:?}"), "Full(..)");
    assert_eq!(err.into_inner(), 3);
    // Other tags have their own room.
    reg.send("u", 1).unwrap();
    // Receiving makes room again.
    assert_eq!(reg.receive("t").wait().unwrap().1, 1);
    reg.send("t", 3).unwrap();
}

#[test]
fn send_blocking_waits_for_room() {
    let reg = Registry::builder().capacity(1).build();
    reg.send("t", 0).unwrap();
    let sender = {
        let reg = reg.clone();
        spawn_watched(move || (1..50).for_each(|i| reg.send_blocking("t", i).unwrap()))
    };
    let receiver = {
        let reg = reg.clone();
        spawn_watched(move || {
            (0..50).map(|_| reg.receive("t").wait().unwrap().1).collect::<Vec<_>>()
        })
    };
    sender.join();
    assert_eq!(receiver.join(), (0..50).collect::<Vec<_>>());
}

#[test]
fn send_timeout_gives_up_after_the_timeout_with_the_message() {
    let reg = Registry::builder().capacity(1).build();
    reg.send("t", "first").unwrap();
    let timeout = Duration::from_millis(100);
    let start = Instant::now();
    let err = reg.send_timeout("t", "second", timeout).unwrap_err();
    let elapsed = start.elapsed();
    assert!(err.is_timeout());
    assert_eq!(err.into_inner(), "second");
    assert!(elapsed >= timeout && elapsed <= timeout + SLACK, "{elapsed:?}");
}

#[test]
fn send_timeout_succeeds_when_room_comes_in_time() {
    let reg = Registry::builder().capacity(1).build();
    reg.send("t", 1).unwrap();
    let receiver = {
        let reg = reg.clone();
        thread::spawn(move || {
            thread::sleep(Duration::from_millis(30));
            reg.receive("t").wait().unwrap()
        })
    };
    reg.send_timeout("t", 2, Duration::from_secs(10)).unwrap();
    assert_eq!(receiver.join().unwrap(), (Tag::from("t"), 1));
    assert_eq!(reg.receive("t").wait().unwrap(), (Tag::from("t"), 2));
}

#[test]
fn unbounded_tags_never_fill_up() {
    let reg = Registry::new();
    for i in 0..100_000 {
        reg.send("big", i).unwrap();
    }
    assert_eq!(reg.stats()[0].len, 100_000);
    assert_eq!(reg.capacity(), None);
}

#[test]
fn every_send_flavour_returns_the_message_over_the_tag_limit() {
    let reg = Registry::builder().max_tags(1).capacity(4).build();
    reg.send("only", 0).unwrap();
    assert!(matches!(reg.send("other", 1), Err(RegistryError::TagLimit(1))));
    assert!(matches!(reg.send_blocking("other", 2), Err(RegistryError::TagLimit(2))));
    assert!(matches!(
        reg.send_timeout("other", 3, Duration::ZERO),
        Err(RegistryError::TagLimit(3))
    ));
    assert_eq!(reg.stats().len(), 1);
}

#[test]
#[should_panic(expected = "a queue needs room for at least one message")]
fn capacity_zero_is_refused() {
    let _ = Registry::<u8>::builder().capacity(0);
}

#[test]
#[should_panic(expected = "a registry needs room for at least one tag")]
fn max_tags_zero_is_refused() {
    let _ = Registry::<u8>::builder().max_tags(0);
}

#[test]
fn messages_are_dropped_exactly_once() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    struct Counted(Arc<AtomicUsize>);
    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let drops = Arc::new(AtomicUsize::new(0));
    {
        let reg = Registry::builder().capacity(3).build();
        for i in 0..8 {
            // a: 3 (full), b: 3, c: 2
            reg.send(["a", "b", "c"][i % 3], Counted(drops.clone())).unwrap();
        }
        // A full tag: the message comes back (and is dropped here, once).
        let back = reg.send("a", Counted(drops.clone())).unwrap_err();
        assert!(back.is_full());
        drop(back.into_inner());
        drop(reg.receive("a").wait().unwrap());
        assert_eq!(reg.drain("b"), 3);
        reg.set_tags(["c"]).unwrap(); // clears the 2 left on "a" and the 2 on "c"
        reg.send("c", Counted(drops.clone())).unwrap(); // dropped with the registry
        assert_eq!(drops.load(Ordering::SeqCst), 1 + 1 + 3 + 4);
    }
    assert_eq!(drops.load(Ordering::SeqCst), 10);
}
