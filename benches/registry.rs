//! The tag registry against a bare tidings mailbox, and its multi-tag and selective receives.
//!
//! * `registry_vs_mailbox`: one message sent and received on one thread (the per-message
//!   overhead of the registry: the tag lookup, the arrival stamp, the per-tag lock), and
//!   10,000 messages from a producer thread to a consumer thread (wake-ups included).
//! * `multi_tag_receive`: a receive over 1, 4 and 16 tags, whose message is on the last tag.
//! * `selective_receive`: a `matching` receive with 10 and 1000 non-matching messages ahead,
//!   for the registry and (as the baseline) the mailbox.
//!
//! `cargo bench --bench registry -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;
use std::thread;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use tidings::Registry;

fn registry_vs_mailbox(c: &mut Criterion) {
    let mut group = c.benchmark_group("registry_vs_mailbox");

    group.bench_function("round_trip/mailbox", |b| {
        let (tx, mut mailbox) = tidings::unbounded::<u64>();
        let mut i = 0;
        b.iter(|| {
            tx.try_send(i).unwrap();
            i += 1;
            black_box(mailbox.recv().wait().unwrap())
        });
    });
    group.bench_function("round_trip/registry", |b| {
        let reg = Registry::<u64>::new();
        let mut i = 0;
        b.iter(|| {
            reg.send("bench", i).unwrap();
            i += 1;
            black_box(reg.receive("bench").wait().unwrap())
        });
    });

    const N: u64 = 10_000;
    group.bench_function("1to1_threads_10k/mailbox", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let (tx, mut mailbox) = tidings::unbounded::<u64>();
                let start = Instant::now();
                let producer = thread::spawn(move || (0..N).for_each(|i| tx.try_send(i).unwrap()));
                for _ in 0..N {
                    black_box(mailbox.recv().wait().unwrap());
                }
                producer.join().unwrap();
                total += start.elapsed();
            }
            total
        });
    });
    group.bench_function("1to1_threads_10k/registry", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let reg = Registry::<u64>::new();
                reg.set_tags(["bench"]).unwrap();
                let start = Instant::now();
                let producer = {
                    let reg = reg.clone();
                    thread::spawn(move || (0..N).for_each(|i| reg.send("bench", i).unwrap()))
                };
                for _ in 0..N {
                    black_box(reg.receive("bench").wait().unwrap());
                }
                producer.join().unwrap();
                total += start.elapsed();
            }
            total
        });
    });
    group.finish();
}

fn multi_tag_receive(c: &mut Criterion) {
    let mut group = c.benchmark_group("multi_tag_receive");
    for tags in [1, 4, 16] {
        let names: Vec<String> = (0..tags).map(|i| format!("tag-{i}")).collect();
        let reg = Registry::<u64>::new();
        reg.set_tags(&names).unwrap();
        let last = names.last().unwrap().clone();
        group.bench_with_input(BenchmarkId::from_parameter(tags), &names, |b, names| {
            let mut i = 0;
            b.iter(|| {
                reg.send(&last, i).unwrap();
                i += 1;
                black_box(reg.receive(names).wait().unwrap())
            });
        });
    }
    group.finish();
}

fn selective_receive(c: &mut Criterion) {
    let mut group = c.benchmark_group("selective_receive");
    for ahead in [10u64, 1000] {
        group.bench_with_input(BenchmarkId::new("registry", ahead), &ahead, |b, &ahead| {
            let reg = Registry::<u64>::new();
            for i in 0..ahead {
                reg.send("sel", i).unwrap();
            }
            b.iter(|| {
                reg.send("sel", u64::MAX).unwrap();
                black_box(reg.receive("sel").matching(|_, n| *n == u64::MAX).wait().unwrap())
            });
        });
        group.bench_with_input(BenchmarkId::new("mailbox", ahead), &ahead, |b, &ahead| {
            let (tx, mut mailbox) = tidings::unbounded::<u64>();
            for i in 0..ahead {
                tx.try_send(i).unwrap();
            }
            b.iter(|| {
                tx.try_send(u64::MAX).unwrap();
                black_box(mailbox.recv().matching(|n| *n == u64::MAX).wait().unwrap())
            });
        });
    }
    group.finish();
}

criterion_group!(benches, registry_vs_mailbox, multi_tag_receive, selective_receive);
criterion_main!(benches);
