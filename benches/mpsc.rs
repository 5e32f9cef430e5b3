//! tidings against its peers, side by side: tokio::sync::mpsc, flume, kanal, crossbeam-channel,
//! async-channel, thingbuf and std::sync::mpsc.
//!
//! The matrix (see `common/mod.rs`): shapes 1→1 and 4→1, `bounded(1024)` and unbounded,
//! `usize` messages, in four modes — threads → thread, tasks → task, threads → task and
//! tasks → thread (tasks run on a 2-worker multi-thread tokio runtime) — plus ping-pong round
//! trips through two `bounded(1)` channels between two threads and between two tasks. A peer
//! that cannot run a cell is left out of it (the reason is in `common/peers.rs`).
//!
//! Each iteration moves 100 000 messages (5 000 round trips for ping-pong), timed whole with
//! `iter_custom`; criterion reports elements per second (round trips per second for
//! ping-pong). The consumer checks what it received, so a broken channel panics.
//!
//! ```sh
//! cargo bench --bench mpsc                               # the default matrix, a few minutes
//! cargo bench --bench mpsc -- '4threads-1thread'         # a filter, as usual with criterion
//! TIDINGS_BENCH_FULL=1 cargo bench --bench mpsc          # + 64→1, capacities 1 and 16,
//!                                                        #   64-byte messages (much longer)
//! TIDINGS_BENCH_MESSAGES=20000 cargo bench --bench mpsc  # fewer messages per iteration
//! TIDINGS_BENCH_PLOTS=1 cargo bench --bench mpsc         # with criterion's HTML plots
//! ```

mod common;

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};

use common::{matrix, runtime, PEERS};

/// Messages per iteration of a plain cell (see `Cell::messages` for the smaller ones).
const MESSAGES: usize = 100_000;

fn env_flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| v == "1")
}

fn mpsc(c: &mut Criterion) {
    let rt = runtime();
    let base = std::env::var("TIDINGS_BENCH_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(MESSAGES);
    for cell in matrix(env_flag("TIDINGS_BENCH_FULL")) {
        let messages = cell.messages(base);
        let mut group = c.benchmark_group(cell.id());
        group.throughput(Throughput::Elements(messages as u64));
        // Every iteration is tens of milliseconds: the same iteration count per sample is
        // enough, and keeps a slow peer from stretching a cell to 55 iterations.
        group.sampling_mode(SamplingMode::Flat);
        for peer in &PEERS {
            // A short run first: it finds out whether the peer runs this cell at all, and
            // checks that its channel delivers correctly before anything is timed.
            if peer.run(&rt, &cell, 4 * cell.producers).is_none() {
                continue;
            }
            group.bench_function(peer.name, |b| {
                b.iter_custom(|iters| {
                    (0..iters)
                        .map(|_| peer.run(&rt, &cell, messages).expect("the peer ran this cell"))
                        .sum::<Duration>()
                });
            });
        }
        group.finish();
    }
}

/// Few samples of long iterations, so the default matrix (about 100 benchmarks) runs in a
/// few minutes. Plots are off unless `TIDINGS_BENCH_PLOTS=1`: drawing them with criterion's
/// plotters backend takes longer than measuring (seconds per benchmark on a busy machine).
fn config() -> Criterion {
    let c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_millis(1500));
    if env_flag("TIDINGS_BENCH_PLOTS") {
        c
    } else {
        c.without_plots()
    }
}

criterion_group! {
    name = benches;
    config = config();
    targets = mpsc
}
criterion_main!(benches);
