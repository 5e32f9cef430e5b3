//! bocpy's message-queue suite (`test/test_message_queue.py`), ported: auto-assigned tags and
//! the tag limit, FIFO, selective receive by tag, errors, queue isolation, payloads,
//! throughput, concurrent producers, cross-thread messages and the worker pool.
//!
//! bocpy's suite resets its process-wide registry before every test (`set_tags([])`); here
//! every test builds its own `Registry`, so the tests can run in parallel. Where bocpy checks
//! `tag == TIMEOUT`, we check `Err(RecvError::Timeout)`.

use std::any::Any;
use std::thread;
use std::time::Duration;

use tidings::registry::{Downcast, Message};
use tidings::{RecvError, Registry, RegistryError};

/// bocpy's number of queues (`BOC_QUEUE_COUNT`).
const MAX_QUEUES: usize = 16;

/// The timeout bocpy's tests give receives that should succeed: generous, never reached.
const PATIENCE: Duration = Duration::from_secs(10);

fn bocpy_registry<T>() -> Registry<T> {
    Registry::builder().max_tags(MAX_QUEUES).build()
}

// ---- auto-assignment: tags get a queue on first use ----

#[test]
fn sending_on_a_new_tag_creates_its_queue() {
    let reg = bocpy_registry();
    reg.send("auto1", "hello").unwrap();
    let (tag, val) = reg.receive("auto1").timeout(PATIENCE).wait().unwrap();
    assert_eq!(tag, "auto1");
    assert_eq!(val, "hello");
}

#[test]
fn distinct_tags_get_distinct_queues() {
    let reg = bocpy_registry();
    for i in 0..5 {
        reg.send(format!("atag{i}"), i).unwrap();
    }
    for i in 0..5 {
        let (tag, val) = reg.receive(format!("atag{i}")).timeout(PATIENCE).wait().unwrap();
        assert_eq!(tag, format!("atag{i}"));
        assert_eq!(val, i);
    }
}

#[test]
fn exactly_max_tags_can_be_auto_assigned() {
    let reg = bocpy_registry();
    let tags: Vec<String> = (0..MAX_QUEUES).map(|i| format!("amax{i}")).collect();
    for tag in &tags {
        reg.send(tag, tag.clone()).unwrap();
    }
    for tag in &tags {
        let (got, val) = reg.receive(tag).timeout(PATIENCE).wait().unwrap();
        assert_eq!(got, *tag);
        assert_eq!(val, *tag);
    }
}

#[test]
fn one_tag_over_the_limit_is_tag_limit_and_returns_the_message() {
    let reg = bocpy_registry();
    for i in 0..MAX_QUEUES {
        reg.send(format!("aover{i}"), "fill").unwrap();
    }
    match reg.send("one_too_many", "boom") {
        Err(RegistryError::TagLimit(msg)) => assert_eq!(msg, "boom"),
        other => panic!("expected TagLimit, got {other:?}"),
    }
    // The error is clear, and the registry keeps working.
    let err = reg.send("one_too_many", "boom").unwrap_err();
    assert!(err.to_string().contains("max_tags"), "{err}");
    assert_eq!(reg.receive("aover0").timeout(PATIENCE).wait().unwrap().1, "fill");
}

#[test]
fn reusing_a_tag_takes_no_new_queue() {
    let reg = Registry::builder().max_tags(1).build();
    reg.send("reuse_auto", 1).unwrap();
    reg.send("reuse_auto", 2).unwrap();
    assert_eq!(reg.receive("reuse_auto").timeout(PATIENCE).wait().unwrap().1, 1);
    assert_eq!(reg.receive("reuse_auto").timeout(PATIENCE).wait().unwrap().1, 2);
    assert_eq!(reg.stats().len(), 1);
}

// ---- FIFO within a tag ----

#[test]
fn a_few_messages_come_out_in_fifo_order() {
    let reg = bocpy_registry();
    for i in 0..10 {
        reg.send("fifo_s", i).unwrap();
    }
    for i in 0..10 {
        assert_eq!(reg.receive("fifo_s").timeout(PATIENCE).wait().unwrap().1, i);
    }
}

#[test]
fn a_large_burst_comes_out_in_fifo_order() {
    let reg = bocpy_registry();
    for i in 0..5000 {
        reg.send("fifo_l", i).unwrap();
    }
    for i in 0..5000 {
        assert_eq!(reg.receive("fifo_l").timeout(PATIENCE).wait().unwrap().1, i);
    }
}

// ---- selective receive by tag ----

#[test]
fn messages_on_other_tags_stay_queued() {
    let reg = bocpy_registry();
    reg.send("sel_skip", "no").unwrap();
    reg.send("sel_want", "yes").unwrap();
    assert_eq!(reg.receive("sel_want").timeout(PATIENCE).wait().unwrap().1, "yes");
    assert_eq!(reg.receive("sel_skip").timeout(PATIENCE).wait().unwrap().1, "no");
}

#[test]
fn a_multi_tag_receive_finds_the_tag_that_has_a_message() {
    let reg = bocpy_registry();
    reg.send("mtr_b", "found").unwrap();
    let (tag, val) = reg.receive(["mtr_a", "mtr_b", "mtr_c"]).timeout(PATIENCE).wait().unwrap();
    assert_eq!((tag.as_str(), val), ("mtr_b", "found"));
}

#[test]
fn interleaved_sends_keep_fifo_per_tag() {
    let reg = bocpy_registry();
    reg.send("ilv_a", 1).unwrap();
    reg.send("ilv_b", 10).unwrap();
    reg.send("ilv_a", 2).unwrap();
    reg.send("ilv_b", 20).unwrap();
    for (tag, want) in [("ilv_b", 10), ("ilv_b", 20), ("ilv_a", 1), ("ilv_a", 2)] {
        assert_eq!(reg.receive(tag).timeout(PATIENCE).wait().unwrap().1, want);
    }
}

#[test]
fn tag_lists_can_be_arrays_slices_and_vecs() {
    let reg = bocpy_registry();
    reg.send("tt_x", "xval").unwrap();
    reg.send("tt_y", "yval").unwrap();
    reg.send("tt_z", "zval").unwrap();
    let array = ["tt_x", "tt_y", "tt_z"];
    let vec = vec![String::from("tt_x"), String::from("tt_y"), String::from("tt_z")];
    let mut received = [
        reg.receive(array).timeout(PATIENCE).wait().unwrap(),
        reg.receive(&array[..]).timeout(PATIENCE).wait().unwrap(),
        reg.receive(&vec).timeout(PATIENCE).wait().unwrap(),
    ];
    received.sort();
    let received: Vec<(&str, &str)> = received.iter().map(|(t, v)| (t.as_str(), *v)).collect();
    assert_eq!(received, [("tt_x", "xval"), ("tt_y", "yval"), ("tt_z", "zval")]);
}

#[test]
fn a_single_str_is_a_tag_list() {
    let reg = bocpy_registry();
    reg.send("plain", 99).unwrap();
    let (tag, val) = reg.receive("plain").timeout(PATIENCE).wait().unwrap();
    assert_eq!((tag.as_str(), val), ("plain", 99));
}

// ---- errors ----

#[test]
fn receiving_on_an_empty_tag_list_is_no_tags() {
    let reg = bocpy_registry::<u8>();
    let none: [&str; 0] = [];
    assert_eq!(reg.receive(none).timeout(Duration::ZERO).wait(), Err(RecvError::NoTags));
    assert_eq!(reg.receive(Vec::<String>::new()).wait(), Err(RecvError::NoTags));
    // Not a hang even without a timeout, and the error says what happened.
    assert_eq!(RecvError::NoTags.to_string(), "receiving on an empty list of tags");
}

#[test]
fn an_unusual_tag_string_is_just_a_tag() {
    // bocpy rejects unpaired surrogates at its C boundary; a Rust `&str` is valid UTF-8, so
    // every string is a usable tag, including the empty one.
    let reg = bocpy_registry();
    for tag in ["", "\u{fffd}", "tag with spaces", "ünïcödé/🦀"] {
        reg.send(tag, tag.len()).unwrap();
        assert_eq!(reg.receive(tag).timeout(PATIENCE).wait().unwrap(), (tag.into(), tag.len()));
    }
}

// ---- queue isolation ----

#[test]
fn tags_are_independent() {
    let reg = bocpy_registry();
    reg.send("iso_a", "A").unwrap();
    reg.send("iso_b", "B").unwrap();
    reg.send("iso_c", "C").unwrap();
    assert_eq!(reg.receive("iso_c").timeout(PATIENCE).wait().unwrap().1, "C");
    assert_eq!(reg.receive("iso_a").timeout(PATIENCE).wait().unwrap().1, "A");
    assert_eq!(reg.receive("iso_b").timeout(PATIENCE).wait().unwrap().1, "B");
}

#[test]
fn emptying_one_tag_leaves_the_others() {
    let reg = bocpy_registry();
    reg.send("drn_a", "a1").unwrap();
    reg.send("drn_a", "a2").unwrap();
    reg.send("drn_b", "b1").unwrap();
    reg.receive("drn_a").timeout(PATIENCE).wait().unwrap();
    reg.receive("drn_a").timeout(PATIENCE).wait().unwrap();
    assert_eq!(reg.receive("drn_b").timeout(PATIENCE).wait().unwrap().1, "b1");
}

// ---- payloads (bocpy: Python values; here: any `Send` value through a `Registry<Message>`) ----

fn round_trip<V: Any + Send + PartialEq + std::fmt::Debug + Clone>(reg: &Registry<Message>, v: V) {
    reg.send("prt", Box::new(v.clone()) as Message).unwrap();
    let (tag, got) = reg.receive("prt").timeout(PATIENCE).wait().unwrap().downcast::<V>().unwrap();
    assert_eq!(tag, "prt");
    assert_eq!(got, v);
}

#[test]
fn payloads_of_any_type_survive_the_round_trip() {
    let reg = Registry::<Message>::new();
    round_trip(&reg, 0i64);
    round_trip(&reg, -1i64);
    round_trip(&reg, 1i64 << 31);
    round_trip(&reg, 1.25f64);
    round_trip(&reg, f64::INFINITY);
    round_trip(&reg, true);
    round_trip(&reg, false);
    round_trip(&reg, ());
    round_trip(&reg, String::new());
    round_trip(&reg, String::from("hello world"));
    round_trip(&reg, (1,));
    round_trip(&reg, (1, (2, (3,))));
    round_trip(&reg, (1, "two", 3.0, None::<u8>, true));
    round_trip(&reg, vec![1u8, 2, 3]);
}

// ---- throughput ----

#[test]
fn ten_thousand_messages_sent_then_received() {
    let reg = bocpy_registry();
    let n = 10_000u64;
    for i in 0..n {
        reg.send("hv_seq", i).unwrap();
    }
    let total: u64 =
        (0..n).map(|_| reg.receive("hv_seq").timeout(PATIENCE).wait().unwrap().1).sum();
    assert_eq!(total, n * (n - 1) / 2);
}

#[test]
fn one_producer_thread_one_consumer_in_order() {
    let reg = bocpy_registry();
    let n = 2000;
    let producer = {
        let reg = reg.clone();
        thread::spawn(move || (0..n).for_each(|i| reg.send("hv_pc", i).unwrap()))
    };
    let results: Vec<i32> =
        (0..n).map(|_| reg.receive("hv_pc").timeout(PATIENCE).wait().unwrap().1).collect();
    producer.join().unwrap();
    assert_eq!(results, (0..n).collect::<Vec<_>>());
}

// ---- concurrent producers ----

#[test]
fn every_message_of_eight_producers_is_delivered() {
    let reg = bocpy_registry();
    let (producers, per_producer) = (8, 200);
    let threads: Vec<_> = (0..producers)
        .map(|p| {
            let reg = reg.clone();
            thread::spawn(move || {
                (0..per_producer).for_each(|i| reg.send("mp_all", (p, i)).unwrap())
            })
        })
        .collect();
    let mut received: Vec<(i32, i32)> = (0..producers * per_producer)
        .map(|_| reg.receive("mp_all").timeout(PATIENCE).wait().unwrap().1)
        .collect();
    threads.into_iter().for_each(|t| t.join().unwrap());
    received.sort();
    let expected: Vec<_> =
        (0..producers).flat_map(|p| (0..per_producer).map(move |i| (p, i))).collect();
    assert_eq!(received, expected);
}

#[test]
fn each_producers_messages_stay_in_order() {
    let reg = bocpy_registry();
    let (producers, per_producer) = (4, 300);
    let threads: Vec<_> = (0..producers)
        .map(|p| {
            let reg = reg.clone();
            thread::spawn(move || {
                (0..per_producer).for_each(|i| reg.send("mp_fifo", (p, i)).unwrap())
            })
        })
        .collect();
    let mut per: Vec<Vec<usize>> = vec![Vec::new(); producers];
    for _ in 0..producers * per_producer {
        let (p, i) = reg.receive("mp_fifo").timeout(PATIENCE).wait().unwrap().1;
        per[p].push(i);
    }
    threads.into_iter().for_each(|t| t.join().unwrap());
    for (p, seqs) in per.iter().enumerate() {
        assert_eq!(*seqs, (0..per_producer).collect::<Vec<_>>(), "producer {p} out of order");
    }
}

// ---- cross-thread ----

#[test]
fn a_message_sent_from_another_thread_is_received() {
    let reg = bocpy_registry();
    let sender = {
        let reg = reg.clone();
        thread::spawn(move || reg.send("ct_one", "from_thread").unwrap())
    };
    let (tag, val) = reg.receive("ct_one").timeout(PATIENCE).wait().unwrap();
    sender.join().unwrap();
    assert_eq!((tag.as_str(), val), ("ct_one", "from_thread"));
}

#[test]
fn two_threads_exchange_messages_both_ways() {
    let reg = bocpy_registry();
    let echo = {
        let reg = reg.clone();
        thread::spawn(move || {
            let (_, val) = reg.receive("ct_ping").timeout(PATIENCE).wait().unwrap();
            reg.send("ct_pong", val * 2).unwrap();
        })
    };
    reg.send("ct_ping", 21).unwrap();
    let (tag, val) = reg.receive("ct_pong").timeout(PATIENCE).wait().unwrap();
    echo.join().unwrap();
    assert_eq!((tag.as_str(), val), ("ct_pong", 42));
}

#[test]
fn twenty_sender_threads_one_receiver() {
    let reg = bocpy_registry();
    let threads: Vec<_> = (0..20)
        .map(|i| {
            let reg = reg.clone();
            thread::spawn(move || reg.send("ct_multi", i).unwrap())
        })
        .collect();
    let mut values: Vec<i32> =
        (0..20).map(|_| reg.receive("ct_multi").timeout(PATIENCE).wait().unwrap().1).collect();
    threads.into_iter().for_each(|t| t.join().unwrap());
    values.sort();
    assert_eq!(values, (0..20).collect::<Vec<_>>());
}

// ---- worker pool ----

#[derive(Debug, Clone)]
enum Job {
    Started,
    Work(Vec<u64>),
    Result(u64),
    Shutdown,
}

#[test]
fn ten_workers_sum_batches_and_shut_down() {
    let reg = bocpy_registry();
    let (workers, max_value, batch_size) = (10, 1000u64, 20u64);
    let threads: Vec<_> = (0..workers)
        .map(|_| {
            let reg = reg.clone();
            thread::spawn(move || {
                reg.send("thr_started", Job::Started).unwrap();
                loop {
                    match reg
                        .receive(["thr_work", "thr_shutdown"])
                        .timeout(PATIENCE)
                        .wait()
                        .unwrap()
                    {
                        (tag, Job::Work(values)) if tag == "thr_work" => {
                            reg.send("thr_result", Job::Result(values.iter().sum())).unwrap()
                        }
                        (tag, Job::Shutdown) if tag == "thr_shutdown" => break,
                        other => panic!("unexpected {other:?}"),
                    }
                }
            })
        })
        .collect();
    for _ in 0..workers {
        reg.receive("thr_started").timeout(PATIENCE).wait().unwrap();
    }
    for start in (0..max_value).step_by(batch_size as usize) {
        reg.send("thr_work", Job::Work((start..start + batch_size).collect())).unwrap();
    }
    let mut result = 0;
    for _ in 0..max_value / batch_size {
        match reg.receive("thr_result").timeout(PATIENCE).wait().unwrap() {
            (_, Job::Result(value)) => result += value,
            other => panic!("unexpected {other:?}"),
        }
    }
    for _ in 0..workers {
        reg.send("thr_shutdown", Job::Shutdown).unwrap();
    }
    threads.into_iter().for_each(|t| t.join().unwrap());
    assert_eq!(result, max_value * (max_value - 1) / 2);
}
