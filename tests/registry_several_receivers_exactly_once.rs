//! Several receivers on one tag (threads and tasks, with and without filters, over one tag
//! or several): every message is delivered to exactly one of them, each receiver sees a
//! producer's messages in the order they were sent, and no receiver is left asleep while a
//! message waits (receivers wait without a timeout, on watched threads: see `registry_util`).
//!
//! Each receiver also listens on a stop tag of its own; the stop comes after every job was
//! sent, and since the oldest message wins, a receiver stops only once no job is left for it.

use std::thread;

use tidings::Registry;

mod registry_util;
use registry_util::{spawn_watched, Watched, WATCHDOG};

const PRODUCERS: usize = 4;
const PER_PRODUCER: usize = 2000;
const TOTAL: usize = PRODUCERS * PER_PRODUCER;

/// Message `(producer, seq)`.
type Msg = (usize, usize);

const STOP_TAGS: [&str; 4] = ["stop-0", "stop-1", "stop-2", "stop-3"];

fn run_producers(reg: &Registry<Msg>, tags: &'static [&'static str]) {
    let producers: Vec<_> = (0..PRODUCERS)
        .map(|p| {
            let reg = reg.clone();
            thread::spawn(move || {
                for i in 0..PER_PRODUCER {
                    reg.send(tags[(p + i) % tags.len()], (p, i)).unwrap();
                }
            })
        })
        .collect();
    producers.into_iter().for_each(|p| p.join().unwrap());
}

fn stop_all(reg: &Registry<Msg>, receivers: usize) {
    for stop in &STOP_TAGS[..receivers] {
        reg.send(stop, (usize::MAX, 0)).unwrap();
    }
}

/// Checks exactly-once delivery over everything received, and per-producer order within each
/// receiver's share.
fn check(shares: Vec<Vec<Msg>>) {
    for share in &shares {
        let mut last = [None; PRODUCERS];
        for &(p, i) in share {
            assert!(
                last[p].map_or(true, |prev| prev < i),
                "producer {p} out of order in one receiver"
            );
            last[p] = Some(i);
        }
    }
    let mut all: Vec<Msg> = shares.into_iter().flatten().collect();
    all.sort();
    let expected: Vec<Msg> =
        (0..PRODUCERS).flat_map(|p| (0..PER_PRODUCER).map(move |i| (p, i))).collect();
    assert_eq!(all.len(), TOTAL, "messages lost or duplicated");
    assert_eq!(all, expected);
}

/// A receiver thread: receives on `tags` and its stop tag until it gets its stop.
fn receiver_thread(
    reg: &Registry<Msg>,
    tags: &'static [&'static str],
    k: usize,
) -> Watched<Vec<Msg>> {
    let reg = reg.clone();
    spawn_watched(move || {
        let list: Vec<&str> = tags.iter().copied().chain([STOP_TAGS[k]]).collect();
        let mut share = Vec::new();
        loop {
            match reg.receive(&list).wait().unwrap() {
                (tag, _) if tag == STOP_TAGS[k] => return share,
                (_, msg) => share.push(msg),
            }
        }
    })
}

#[test]
fn four_receiver_threads_on_one_tag_get_each_message_once() {
    let reg = Registry::new();
    let receivers: Vec<_> = (0..4).map(|k| receiver_thread(&reg, &["jobs"], k)).collect();
    run_producers(&reg, &["jobs"]);
    stop_all(&reg, 4);
    check(receivers.into_iter().map(Watched::join).collect());
}

#[test]
fn receivers_over_overlapping_tag_lists_get_each_message_once() {
    let reg = Registry::new();
    let receivers: Vec<_> = [&["x", "y"][..], &["y", "z"], &["z", "x"], &["x"]]
        .into_iter()
        .enumerate()
        .map(|(k, tags)| receiver_thread(&reg, tags, k))
        .collect();
    run_producers(&reg, &["x", "y", "z"]);
    stop_all(&reg, 4);
    check(receivers.into_iter().map(Watched::join).collect());
}

#[test]
fn threads_and_tasks_share_one_tag() {
    let reg = Registry::new();
    let rt =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let tasks: Vec<_> = (2..4)
        .map(|k| {
            let reg = reg.clone();
            rt.spawn(async move {
                let mut share = Vec::new();
                loop {
                    match reg.receive(["mixed", STOP_TAGS[k]]).await.unwrap() {
                        (tag, _) if tag == STOP_TAGS[k] => return share,
                        (_, msg) => share.push(msg),
                    }
                }
            })
        })
        .collect();
    let threads: Vec<_> = (0..2).map(|k| receiver_thread(&reg, &["mixed"], k)).collect();
    run_producers(&reg, &["mixed"]);
    stop_all(&reg, 4);
    let mut shares: Vec<Vec<Msg>> = threads.into_iter().map(Watched::join).collect();
    for task in tasks {
        let share = rt.block_on(async { tokio::time::timeout(WATCHDOG, task).await });
        shares.push(share.expect("a task was left asleep").unwrap());
    }
    check(shares);
}

#[test]
fn selective_and_plain_receivers_share_one_tag() {
    let reg = Registry::new();
    let plain = receiver_thread(&reg, &["shared"], 0);
    let selective = {
        let reg = reg.clone();
        spawn_watched(move || {
            let mut share = Vec::new();
            loop {
                let got = reg
                    .receive(["shared", STOP_TAGS[1]])
                    .matching(|tag, (_, i): &Msg| *tag == STOP_TAGS[1] || i % 2 == 0)
                    .wait()
                    .unwrap();
                match got {
                    (tag, _) if tag == STOP_TAGS[1] => return share,
                    (_, msg) => share.push(msg),
                }
            }
        })
    };
    run_producers(&reg, &["shared"]);
    // Each stop is newer than every job: the selective receiver stops once no even job is
    // left, the plain one once no job at all is left.
    stop_all(&reg, 2);
    let plain = plain.join();
    let selective = selective.join();
    assert!(selective.iter().all(|(_, i)| i % 2 == 0), "the filter was not applied");
    check(vec![plain, selective]);
}
