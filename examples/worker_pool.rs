//! A worker pool on a typed registry (bocpy's `test_threaded_batch_sum`): several worker
//! threads receive from `["work", "shutdown"]`; each batch goes to exactly one of them, and
//! since the oldest message wins across tags, a worker only takes its shutdown once no older
//! work is left. Each batch also takes `--work-us` microseconds of (simulated) work, so that
//! the batches spread over the workers.
//!
//! ```text
//! cargo run --example worker_pool
//! cargo run --example worker_pool -- --workers 8 --max 100000 --batch 50 --work-us 100
//! ```

use std::process::ExitCode;
use std::thread;
use std::time::{Duration, Instant};

use tidings::Registry;

#[derive(Debug)]
enum Job {
    Started,
    Work(Vec<u64>),
    Result { worker: usize, sum: u64 },
    Shutdown,
}

struct Args {
    workers: usize,
    max: u64,
    batch: u64,
    work: Duration,
}

const USAGE: &str =
    "usage: worker_pool [--workers N (4)] [--max N (10000)] [--batch N (20)] [--work-us N (500)]";

fn parse_args() -> Result<Args, String> {
    let mut args = Args { workers: 4, max: 10_000, batch: 20, work: Duration::from_micros(500) };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--help" || flag == "-h" {
            return Err(USAGE.to_string());
        }
        let value = it.next().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        let number: u64 =
            value.parse().map_err(|_| format!("{flag}: {value:?} is not a number\n{USAGE}"))?;
        match flag.as_str() {
            "--workers" => args.workers = number.max(1) as usize,
            "--max" => args.max = number,
            "--batch" => args.batch = number.max(1),
            "--work-us" => args.work = Duration::from_micros(number),
            _ => return Err(format!("unknown flag {flag}\n{USAGE}")),
        }
    }
    Ok(args)
}

fn worker(reg: Registry<Job>, id: usize, work: Duration) {
    reg.send("started", Job::Started).unwrap();
    loop {
        match reg.receive(["work", "shutdown"]).wait().expect("a receive without timeout waits") {
            (_, Job::Work(values)) => {
                thread::sleep(work);
                reg.send("result", Job::Result { worker: id, sum: values.iter().sum() }).unwrap();
            }
            (_, Job::Shutdown) => return,
            (tag, other) => panic!("unexpected {other:?} on {tag}"),
        }
    }
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::FAILURE;
        }
    };
    let start = Instant::now();
    let reg = Registry::new();
    let workers: Vec<_> = (0..args.workers)
        .map(|id| {
            let reg = reg.clone();
            let work = args.work;
            thread::spawn(move || worker(reg, id, work))
        })
        .collect();
    for _ in 0..args.workers {
        reg.receive("started").wait().unwrap();
    }

    let mut batches = 0;
    for first in (0..args.max).step_by(args.batch as usize) {
        reg.send("work", Job::Work((first..(first + args.batch).min(args.max)).collect())).unwrap();
        batches += 1;
    }
    let mut total = 0;
    let mut per_worker = vec![0usize; args.workers];
    for _ in 0..batches {
        match reg.receive("result").wait().unwrap() {
            (_, Job::Result { worker, sum }) => {
                total += sum;
                per_worker[worker] += 1;
            }
            (tag, other) => panic!("unexpected {other:?} on {tag}"),
        }
    }
    for _ in 0..args.workers {
        reg.send("shutdown", Job::Shutdown).unwrap();
    }
    for w in workers {
        w.join().expect("a worker panicked");
    }

    println!("Sum of 0..{}: {total} ({batches} batches of {})", args.max, args.batch);
    println!("Batches per worker: {per_worker:?}");
    for s in reg.stats() {
        println!(
            "  tag {:<8} sent {:>6}, received {:>6}, left {}",
            s.tag, s.pushed_total, s.popped_total, s.len
        );
    }
    println!("Done in {:.2?}", start.elapsed());
    let expected = args.max * args.max.saturating_sub(1) / 2;
    if total != expected {
        eprintln!("error: expected {expected}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
