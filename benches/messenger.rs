//! Messenger and worker benchmarks.
//!
//! * `roundtrip/task`: one request and its reply between two tokio tasks, through a
//!   `Messenger` pair (host in `block_on`, echo worker from `Worker::spawn`) against tokio's
//!   unbounded mpsc carrying a oneshot for the reply — the usual tokio request/reply idiom.
//! * `roundtrip/thread`: the same between two OS threads (`Worker::spawn_thread`, blocking
//!   calls) against tokio mpsc + oneshot with `blocking_recv`.
//! * `priority_queue`: 1,000 pushes then 1,000 pops through the messenger's stable
//!   `PriorityQueue`, against `std::collections::BinaryHeap` of `Reverse((priority, seq))`.
//!
//! Run: `cargo bench --bench messenger`

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use tidings::messenger::PriorityQueue;
use tidings::{Messenger, Worker};
use tokio::sync::{mpsc, oneshot};

type Request = (u64, oneshot::Sender<u64>);

async fn echo_task(mut m: Messenger<(), u64>) {
    while let Ok(n) = m.receive().await {
        if m.send_reply(n).is_err() {
            break;
        }
    }
}

fn echo_thread(mut m: Messenger<(), u64>) {
    while let Ok(n) = m.receive_blocking() {
        if m.send_reply(n).is_err() {
            break;
        }
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

fn roundtrip_task(c: &mut Criterion) {
    let rt = runtime();
    let mut group = c.benchmark_group("roundtrip/task");
    group.bench_function("tidings_messenger", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let mut worker = Worker::spawn(echo_task);
                let m = worker.messenger();
                let start = Instant::now();
                for i in 0..iters {
                    m.send_request(i).unwrap();
                    black_box(m.receive().await.unwrap());
                }
                let took = start.elapsed();
                worker.stop().timeout(Duration::from_secs(5)).await.unwrap();
                took
            })
        })
    });
    group.bench_function("tokio_mpsc_oneshot", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let (tx, mut rx) = mpsc::unbounded_channel::<Request>();
                let echo = tokio::spawn(async move {
                    while let Some((n, reply)) = rx.recv().await {
                        let _ = reply.send(n);
                    }
                });
                let start = Instant::now();
                for i in 0..iters {
                    let (reply, answer) = oneshot::channel();
                    tx.send((i, reply)).unwrap();
                    black_box(answer.await.unwrap());
                }
                let took = start.elapsed();
                drop(tx);
                echo.await.unwrap();
                took
            })
        })
    });
    group.finish();
}

fn roundtrip_thread(c: &mut Criterion) {
    let mut group = c.benchmark_group("roundtrip/thread");
    group.bench_function("tidings_messenger", |b| {
        b.iter_custom(|iters| {
            let mut worker = Worker::spawn_thread(echo_thread);
            let m = worker.messenger();
            let start = Instant::now();
            for i in 0..iters {
                m.send_request(i).unwrap();
                black_box(m.receive_blocking().unwrap());
            }
            let took = start.elapsed();
            worker.stop().timeout(Duration::from_secs(5)).wait().unwrap();
            took
        })
    });
    group.bench_function("tokio_mpsc_oneshot", |b| {
        b.iter_custom(|iters| {
            let (tx, mut rx) = mpsc::unbounded_channel::<Request>();
            let echo = std::thread::spawn(move || {
                while let Some((n, reply)) = rx.blocking_recv() {
                    let _ = reply.send(n);
                }
            });
            let start = Instant::now();
            for i in 0..iters {
                let (reply, answer) = oneshot::channel();
                tx.send((i, reply)).unwrap();
                black_box(answer.blocking_recv().unwrap());
            }
            let took = start.elapsed();
            drop(tx);
            echo.join().unwrap();
            took
        })
    });
    group.finish();
}

const ITEMS: u64 = 1_000;

/// A fixed spread of 16 priorities, with many ties.
fn priority(i: u64) -> i64 {
    ((i * 7_919) % 16) as i64
}

fn priority_queue(c: &mut Criterion) {
    let mut group = c.benchmark_group("priority_queue/push_pop_1000");
    group.bench_function("tidings_priority_queue", |b| {
        let mut queue = PriorityQueue::with_capacity(ITEMS as usize);
        b.iter(|| {
            for i in 0..ITEMS {
                queue.push(Some(priority(i)), i);
            }
            while let Some(item) = queue.pop() {
                black_box(item);
            }
        })
    });
    group.bench_function("std_binary_heap", |b| {
        // The same stable order: the sequence number breaks ties.
        let mut heap = BinaryHeap::with_capacity(ITEMS as usize);
        b.iter(|| {
            for i in 0..ITEMS {
                heap.push(Reverse((priority(i), i)));
            }
            while let Some(Reverse((_, item))) = heap.pop() {
                black_box(item);
            }
        })
    });
    group.finish();
}

criterion_group!(benches, roundtrip_task, roundtrip_thread, priority_queue);
criterion_main!(benches);
