//! Soak test: mixed sync and async producers and consumers on several mailboxes, with random
//! cancellation, timeouts, selective receives and consumers that hop between a task and a
//! thread — counting every message.
//!
//! At the end it checks that every message a send reported as sent was received exactly once,
//! in its producer's order; that every message was dropped exactly once (received, returned by
//! a failed send, or dropped with a cancelled send); and that memory stayed flat.
//!
//! ```sh
//! cargo run --release --example soak -- --seconds 60
//! ```
//! Default: 10 s; with `TIDINGS_CI=1` (set by `.ci/run`): 60 s.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tidings::{bounded, unbounded, Mailbox, RecvError, Sender};

/// Producers per mailbox: half threads, half tasks.
const PRODUCERS: usize = 4;

/// Counts every message that ever existed and every drop.
#[derive(Default)]
struct Ledger {
    created: AtomicU64,
    dropped: AtomicU64,
}

/// A message: who sent it, its sequence number, and the ledger its drop is counted in.
struct Msg {
    producer: usize,
    seq: u64,
    ledger: Arc<Ledger>,
}

impl Msg {
    fn new(producer: usize, seq: u64, ledger: &Arc<Ledger>) -> Self {
        ledger.created.fetch_add(1, Relaxed);
        Self { producer, seq, ledger: ledger.clone() }
    }
}

impl Drop for Msg {
    fn drop(&mut self) {
        self.ledger.dropped.fetch_add(1, Relaxed);
    }
}

/// xorshift64*: a tiny deterministic PRNG (no dependency needed).
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

/// A running summary of a set of sequence numbers: how many, their sum, and a mixed hash.
/// Producers summarise what their sends confirmed, the consumer what it received; the two
/// must be equal. (The consumer also checks each producer's numbers strictly increase, which
/// rules out duplicates and reordering as they happen.)
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Tally {
    count: u64,
    sum: u64,
    hash: u64,
}

impl Tally {
    fn add(&mut self, seq: u64) {
        self.count += 1;
        self.sum = self.sum.wrapping_add(seq);
        self.hash ^= seq.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(29);
    }
}

/// Producers hold back while this many messages are queued in their mailbox (ring and save
/// queue), so that the soak measures leaks, not a backlog. Selective receives move skipped
/// messages into the save queue, which frees the ring even of a bounded mailbox, so the ring's
/// length alone does not bound what is queued: the consumer publishes the whole length in
/// `queued` each round.
const BACKLOG: usize = 10_000;

/// True while the mailbox has a large backlog (the producer then waits briefly).
fn backlog_full(tx: &Sender<Msg>, queued: &AtomicUsize) -> bool {
    tx.len() > BACKLOG || queued.load(Relaxed) > BACKLOG
}

fn thread_producer(
    id: usize,
    tx: Sender<Msg>,
    stop: Arc<AtomicBool>,
    ledger: Arc<Ledger>,
    queued: Arc<AtomicUsize>,
) -> Tally {
    let mut rng = Rng::new(id as u64 + 1);
    let mut sent = Tally::default();
    let mut seq = 0;
    while !stop.load(Relaxed) {
        if backlog_full(&tx, &queued) {
            std::thread::sleep(Duration::from_millis(1));
            continue;
        }
        let msg = Msg::new(id, seq, &ledger);
        let ok = match rng.below(3) {
            0 => tx.send_blocking(msg).is_ok(),
            1 => tx.send_timeout(msg, Duration::from_micros(rng.below(200))).is_ok(),
            _ => tx.try_send(msg).is_ok(),
        };
        if ok {
            sent.add(seq);
        }
        seq += 1;
        if rng.below(64) == 0 {
            std::thread::sleep(Duration::from_micros(rng.below(300)));
        }
    }
    sent
}

async fn task_producer(
    id: usize,
    tx: Sender<Msg>,
    stop: Arc<AtomicBool>,
    ledger: Arc<Ledger>,
    queued: Arc<AtomicUsize>,
) -> Tally {
    let mut rng = Rng::new(id as u64 + 1000);
    let mut sent = Tally::default();
    let mut seq = 0;
    while !stop.load(Relaxed) {
        if backlog_full(&tx, &queued) {
            tokio::time::sleep(Duration::from_millis(1)).await;
            continue;
        }
        let msg = Msg::new(id, seq, &ledger);
        let ok = match rng.below(3) {
            0 => tx.send(msg).await.is_ok(),
            // A send cut off by a timeout: the message is dropped with the future, unsent.
            1 => matches!(
                tokio::time::timeout(Duration::from_micros(rng.below(300)), tx.send(msg)).await,
                Ok(Ok(()))
            ),
            _ => tx.try_send(msg).is_ok(),
        };
        if ok {
            sent.add(seq);
        }
        seq += 1;
        if rng.below(32) == 0 {
            tokio::task::yield_now().await;
        }
    }
    sent
}

/// What the consumer saw, per producer: the last sequence number and a tally.
#[derive(Default, Clone)]
struct Seen {
    last: [Option<u64>; PRODUCERS],
    tally: [Tally; PRODUCERS],
}

impl Seen {
    fn record(&mut self, msg: Msg) {
        let p = msg.producer;
        if let Some(last) = self.last[p] {
            assert!(
                msg.seq > last,
                "producer {p}: {} after {last} (duplicate or reordered)",
                msg.seq
            );
        }
        self.last[p] = Some(msg.seq);
        self.tally[p].add(msg.seq);
    }
}

/// Receives until every sender is gone, hopping between async receives (some raced against a
/// timer and cancelled, some selective) and blocking receives on a `spawn_blocking` thread.
async fn consumer(mut mailbox: Mailbox<Msg>, seed: u64, queued: Arc<AtomicUsize>) -> Seen {
    let mut rng = Rng::new(seed);
    let mut seen = Seen::default();
    loop {
        queued.store(mailbox.len(), Relaxed);
        match rng.below(5) {
            // A plain receive.
            0 => match mailbox.recv().await {
                Ok(msg) => seen.record(msg),
                Err(_) => break,
            },
            // A receive raced against a short timer: often cancelled.
            1 => {
                let timer = tokio::time::sleep(Duration::from_micros(rng.below(100)));
                tokio::select! {
                    got = mailbox.recv() => match got {
                        Ok(msg) => seen.record(msg),
                        Err(_) => break,
                    },
                    _ = timer => {}
                }
            }
            // A selective receive for one producer, with a timeout.
            2 => {
                let want = rng.below(PRODUCERS as u64) as usize;
                let got = mailbox
                    .recv()
                    .matching(|m| m.producer == want)
                    .timeout(Duration::from_micros(rng.below(500)))
                    .await;
                match got {
                    Ok(msg) => seen.record(msg),
                    Err(RecvError::Timeout) => {}
                    Err(_) => {
                        // No match can come any more; what is saved is still receivable.
                        while let Ok(msg) = mailbox.try_recv() {
                            seen.record(msg);
                        }
                        break;
                    }
                }
            }
            // Hop to a blocking thread for a burst of blocking receives, then come back.
            3 => {
                let burst = rng.below(200) as usize;
                let (back, got) = tokio::task::spawn_blocking(move || {
                    let mut got = Vec::new();
                    for _ in 0..burst {
                        match mailbox.recv().timeout(Duration::from_millis(5)).wait() {
                            Ok(msg) => got.push(msg),
                            Err(RecvError::Timeout) => {}
                            Err(_) => break,
                        }
                    }
                    (mailbox, got)
                })
                .await
                .expect("blocking consumer panicked");
                mailbox = back;
                got.into_iter().for_each(|msg| seen.record(msg));
            }
            // Take what is queued right now.
            _ => {
                let batch: Vec<Msg> = mailbox.drain().collect();
                batch.into_iter().for_each(|msg| seen.record(msg));
            }
        }
    }
    seen
}

/// Resident set size in KiB (Linux), or 0 where unknown.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4)
}

fn main() {
    let mut seconds: u64 = if std::env::var_os("TIDINGS_CI").is_some() { 60 } else { 10 };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next().and_then(|v| v.parse().ok())) {
            ("--seconds", Some(s)) => seconds = s,
            _ => {
                eprintln!("usage: soak [--seconds N]");
                std::process::exit(2);
            }
        }
    }
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build();
    let rt = rt.expect("runtime");
    let ledger = Arc::new(Ledger::default());
    let stop = Arc::new(AtomicBool::new(false));
    let start = Instant::now();

    // Three mailboxes of different kinds, each with its producers and one consumer.
    let mut checks = Vec::new();
    for (index, (tx, mailbox)) in [bounded(4), bounded(256), unbounded()].into_iter().enumerate() {
        let queued = Arc::new(AtomicUsize::new(0));
        let consumer = rt.spawn(consumer(mailbox, 7 + index as u64, queued.clone()));
        let mut threads = Vec::new();
        let mut tasks = Vec::new();
        for id in 0..PRODUCERS {
            let (tx, stop, ledger, queued) =
                (tx.clone(), stop.clone(), ledger.clone(), queued.clone());
            if id % 2 == 0 {
                threads.push((
                    id,
                    std::thread::spawn(move || thread_producer(id, tx, stop, ledger, queued)),
                ));
            } else {
                tasks.push((id, rt.spawn(task_producer(id, tx, stop, ledger, queued))));
            }
        }
        checks.push((index, consumer, threads, tasks));
    }

    // Watch memory while it runs: after a warm-up, the resident size must stay flat.
    let warm_up = Duration::from_secs(seconds.min(10) / 5 + 1);
    std::thread::sleep(warm_up);
    let baseline = rss_kib();
    let mut peak = baseline;
    while start.elapsed() < Duration::from_secs(seconds) {
        std::thread::sleep(Duration::from_millis(500));
        peak = peak.max(rss_kib());
    }
    stop.store(true, Relaxed);

    let mut total = 0;
    for (index, consumer, threads, tasks) in checks {
        let mut sent = [Tally::default(); PRODUCERS];
        for (id, handle) in threads {
            sent[id] = handle.join().expect("thread producer panicked");
        }
        for (id, handle) in tasks {
            sent[id] = rt.block_on(handle).expect("task producer panicked");
        }
        let seen = rt.block_on(consumer).expect("consumer panicked");
        for (id, (received, confirmed)) in seen.tally.iter().zip(&sent).enumerate() {
            assert_eq!(
                received, confirmed,
                "mailbox {index}, producer {id}: what was received differs from what was sent"
            );
            total += received.count;
        }
    }
    drop(rt);
    let (created, dropped) = (ledger.created.load(Relaxed), ledger.dropped.load(Relaxed));
    assert_eq!(created, dropped, "every message is dropped exactly once");
    let growth = peak.saturating_sub(baseline);
    println!(
        "soak: {seconds} s, {total} messages delivered exactly once in producer order, \
         {created} created and dropped; memory {baseline} KiB after warm-up, peak {peak} KiB"
    );
    // Bounded queues and recycled blocks: a leak of even a few bytes per message would show.
    assert!(growth < 32 * 1024, "memory grew by {growth} KiB after warm-up");
}
