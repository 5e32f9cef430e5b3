//! bocpy's timeout, `after`, lost-wake-up and multi-tag tests (`test/test_message_queue.py`),
//! ported to blocking receives on threads. Timing checks use a strict lower bound and a
//! generous upper bound (+3 s: the test machine is shared and noisy). Where bocpy's
//! wake-up tests give receives a 10 s timeout, ours wait without one on a watched thread (a
//! timed receive checks once more at its deadline, which would hide a lost wake-up).

use std::thread;
use std::time::{Duration, Instant};

use tidings::{RecvError, Registry, Tag};

mod registry_util;
use registry_util::{spawn_watched, Rng};

const PATIENCE: Duration = Duration::from_secs(10);
/// How late a timed-out wait may return: generous, since the CI machine is small and shared;
/// the failures ruled out here (a timer that never fires) take far longer.
const SLACK: Duration = Duration::from_secs(3);

// ---- timeouts and `after` ----

#[test]
fn a_zero_timeout_on_an_empty_tag_times_out_at_once() {
    let reg = Registry::<u8>::new();
    let start = Instant::now();
    assert_eq!(reg.receive("zt_empty").timeout(Duration::ZERO).wait(), Err(RecvError::Timeout));
    assert!(start.elapsed() < SLACK);
}

#[test]
fn a_zero_timeout_still_returns_a_queued_message() {
    let reg = Registry::new();
    reg.send("zt_msg", "ready").unwrap();
    assert_eq!(reg.receive("zt_msg").timeout(Duration::ZERO).wait().unwrap().1, "ready");
}

#[test]
fn a_receive_without_timeout_waits_for_the_message() {
    let reg = Registry::new();
    let sender = {
        let reg = reg.clone();
        thread::spawn(move || {
            thread::sleep(Duration::from_millis(100));
            reg.send("neg_blk", "arrived").unwrap();
        })
    };
    let (tag, val) = spawn_watched(move || reg.receive("neg_blk").wait().unwrap()).join();
    sender.join().unwrap();
    assert_eq!((tag.as_str(), val), ("neg_blk", "arrived"));
}

#[test]
fn after_returns_the_fallback_on_timeout() {
    let reg = Registry::<i32>::new();
    let got = reg
        .receive("aft_to")
        .after(Duration::from_millis(50), || (Tag::from("fallback"), 99))
        .wait();
    assert_eq!(got, Ok((Tag::from("fallback"), 99)));
}

#[test]
fn after_is_not_called_when_a_message_is_there() {
    let reg = Registry::new();
    reg.send("aft_ok", "payload").unwrap();
    let mut called = false;
    let got = reg
        .receive("aft_ok")
        .after(PATIENCE, || {
            called = true;
            (Tag::from("fb"), "none")
        })
        .wait();
    assert_eq!(got, Ok((Tag::from("aft_ok"), "payload")));
    assert!(!called);
}

#[test]
fn after_can_return_any_tag_and_value() {
    let reg = Registry::<Vec<(&str, &str)>>::new();
    let got = reg
        .receive("aft_custom")
        .after(Duration::from_millis(50), || (Tag::from("custom"), vec![("k", "v")]))
        .wait();
    assert_eq!(got, Ok((Tag::from("custom"), vec![("k", "v")])));
}

// ---- timeout accuracy ----

#[test]
fn a_timed_out_receive_never_returns_early_and_not_much_late() {
    let reg = Registry::<u8>::new();
    for ms in [50, 100, 200] {
        let timeout = Duration::from_millis(ms);
        let start = Instant::now();
        assert_eq!(reg.receive("ta").timeout(timeout).wait(), Err(RecvError::Timeout));
        let elapsed = start.elapsed();
        assert!(elapsed >= timeout, "returned early: {elapsed:?} < {timeout:?}");
        assert!(elapsed <= timeout + SLACK, "returned late: {elapsed:?} for {timeout:?}");
    }
}

#[test]
fn a_multi_tag_receive_times_out_too() {
    let reg = Registry::<u8>::new();
    let timeout = Duration::from_millis(100);
    let start = Instant::now();
    assert_eq!(reg.receive(["mtt_a", "mtt_b"]).timeout(timeout).wait(), Err(RecvError::Timeout));
    let elapsed = start.elapsed();
    assert!(elapsed >= timeout && elapsed <= timeout + SLACK, "{elapsed:?}");
}

#[test]
fn a_deadline_in_the_past_checks_once() {
    let reg = Registry::new();
    let past = Instant::now();
    assert_eq!(reg.receive("dl").deadline(past).wait(), Err::<(Tag, u8), _>(RecvError::Timeout));
    reg.send("dl", 1).unwrap();
    assert_eq!(reg.receive("dl").deadline(past).wait().unwrap().1, 1);
}

// ---- lost wake-ups: the receiver parks, the sender must wake it ----

#[test]
fn a_slow_producer_with_random_delays_never_strands_the_consumer() {
    let reg = Registry::new();
    let n = 200;
    let producer = {
        let reg = reg.clone();
        thread::spawn(move || {
            let mut rng = Rng::new(1);
            for i in 0..n {
                if rng.chance(0.3) {
                    thread::sleep(rng.micros(100, 5000));
                }
                reg.send("lw_rand", i).unwrap();
            }
        })
    };
    for i in 0..n {
        let (tag, val) =
            reg.receive("lw_rand").timeout(PATIENCE).wait().expect("consumer stranded");
        assert_eq!((tag.as_str(), val), ("lw_rand", i));
    }
    producer.join().unwrap();
}

#[test]
fn a_bursty_producer_never_strands_the_consumer() {
    let reg = Registry::new();
    let (bursts, per_burst) = (10, 50);
    let producer = {
        let reg = reg.clone();
        thread::spawn(move || {
            let mut rng = Rng::new(2);
            for b in 0..bursts {
                for i in 0..per_burst {
                    reg.send("lw_burst", b * per_burst + i).unwrap();
                }
                thread::sleep(rng.micros(5000, 20_000));
            }
        })
    };
    let consumer = spawn_watched(move || {
        for i in 0..bursts * per_burst {
            assert_eq!(reg.receive("lw_burst").wait().unwrap().1, i);
        }
    });
    consumer.join();
    producer.join().unwrap();
}

#[test]
fn a_single_delayed_message_wakes_a_parked_receiver_every_time() {
    let reg = Registry::new();
    let mut rng = Rng::new(3);
    for iteration in 0..20 {
        let delay = rng.micros(1000, 10_000);
        let sender = {
            let reg = reg.clone();
            thread::spawn(move || {
                thread::sleep(delay);
                reg.send("lw_single", iteration).unwrap();
            })
        };
        let receiver = {
            let reg = reg.clone();
            spawn_watched(move || reg.receive("lw_single").wait())
        };
        assert_eq!(receiver.join().unwrap().1, iteration);
        sender.join().unwrap();
    }
}

// ---- multi-tag receives ----

#[test]
fn a_multi_tag_receive_finds_a_message_on_a_later_tag() {
    let reg = Registry::new();
    reg.send("mtb_b", "found").unwrap();
    let (tag, val) = reg.receive(["mtb_a", "mtb_b", "mtb_c"]).timeout(PATIENCE).wait().unwrap();
    assert_eq!((tag.as_str(), val), ("mtb_b", "found"));
}

#[test]
fn a_multi_tag_receive_waits_for_a_late_message_on_any_tag() {
    let reg = Registry::new();
    // "mtd_c" has no queue yet: the receive waits for it to be created.
    reg.send("mtd_a", "warm-up").unwrap();
    reg.receive("mtd_a").wait().unwrap();
    let sender = {
        let reg = reg.clone();
        thread::spawn(move || {
            thread::sleep(Duration::from_millis(50));
            reg.send("mtd_c", "late").unwrap();
        })
    };
    let receiver = spawn_watched(move || reg.receive(["mtd_a", "mtd_b", "mtd_c"]).wait().unwrap());
    let (tag, val) = receiver.join();
    sender.join().unwrap();
    assert_eq!((tag.as_str(), val), ("mtd_c", "late"));
}

#[test]
fn a_multi_tag_receive_keeps_fifo_per_tag() {
    let reg = Registry::new();
    for i in 0..5 {
        reg.send("mf_x", ("x", i)).unwrap();
        reg.send("mf_y", ("y", i)).unwrap();
    }
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    for _ in 0..10 {
        let (tag, (_, i)) = reg.receive(["mf_x", "mf_y"]).timeout(PATIENCE).wait().unwrap();
        if tag == "mf_x" {
            xs.push(i)
        } else {
            ys.push(i)
        }
    }
    assert_eq!(xs, [0, 1, 2, 3, 4]);
    assert_eq!(ys, [0, 1, 2, 3, 4]);
}

#[test]
fn a_multi_tag_consumer_gets_everything_from_producers_with_random_delays() {
    let reg = Registry::new();
    let n = 100;
    let tags = ["mti_a", "mti_b", "mti_c"];
    let producers: Vec<_> = tags
        .iter()
        .enumerate()
        .map(|(k, &tag)| {
            let reg = reg.clone();
            thread::spawn(move || {
                let mut rng = Rng::new(10 + k as u64);
                for i in 0..n {
                    if rng.chance(0.2) {
                        thread::sleep(rng.micros(100, 2000));
                    }
                    reg.send(tag, k * n + i).unwrap();
                }
            })
        })
        .collect();
    let consumer = spawn_watched(move || {
        let mut per_tag = vec![Vec::new(); tags.len()];
        for _ in 0..tags.len() * n {
            let (tag, val) = reg.receive(tags).wait().unwrap();
            let k = tags.iter().position(|t| tag == *t).unwrap();
            per_tag[k].push(val);
        }
        per_tag
    });
    let per_tag = consumer.join();
    producers.into_iter().for_each(|p| p.join().unwrap());
    for (k, vals) in per_tag.iter().enumerate() {
        // Per-producer FIFO: in order, not just complete.
        assert_eq!(*vals, (k * n..(k + 1) * n).collect::<Vec<_>>());
    }
}
