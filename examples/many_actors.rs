//! Actors are tasks, not threads: spawn 100,000 of them, ping every one, stop them all, and
//! print how long each step took and what an actor costs in memory.
//!
//! Memory is the growth of the process's resident set (Linux `/proc/self/statm`) divided by
//! the number of actors: "idle" right after spawning (task + mailbox + address, no message
//! buffer yet), "after a ping" once every mailbox has held a message (an actor's mailbox
//! allocates its first block of 7 slots then, and keeps it for reuse).
//!
//! One run on a busy, shared 2-core machine:
//!
//! ```text
//! $ cargo run --release --example many_actors
//! spawned 100000 actors in 128 ms (1.3 µs each)
//! pinged all 100000 in 121 ms (1.2 µs each): sum of replies 4999950000
//! stopped all 100000 in 174 ms (100000 confirmations)
//! memory per actor: idle ~ 778 bytes, after a ping ~ 1073 bytes
//! ```
//!
//! (Spawning from a plain thread goes through the runtime's shared injection queue; the
//! `spawn_cost` bench, spawning from a task, measures 1.3–1.7 µs per actor including its first
//! reply.)
//!
//! With `TIDINGS_CI=1` (as CI runs the examples) it spawns 20,000.

use std::time::{Duration, Instant};

use tidings::actor::{spawn, Actor, Addr, Address, Bridge, Context, Handler};

struct Idle {
    n: u64,
}

impl Actor for Idle {}

struct Ping;

impl Handler<Ping> for Idle {
    type Reply = u64;

    async fn handle(&mut self, _: Ping, _ctx: &mut Context<Self>) -> u64 {
        self.n
    }
}

/// Resident memory in bytes, if the platform tells (Linux).
fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

fn per_actor(before: Option<u64>, after: Option<u64>, n: usize) -> String {
    match (before, after) {
        (Some(before), Some(after)) => {
            format!("~ {} bytes", after.saturating_sub(before) / n as u64)
        }
        _ => "(unknown on this platform)".to_string(),
    }
}

fn main() {
    let n: usize = if std::env::var_os("TIDINGS_CI").is_some() { 20_000 } else { 100_000 };
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let _context = runtime.enter();
    let bridge = Bridge::new();
    let timeout = Duration::from_secs(30);

    let before = resident_bytes();
    let began = Instant::now();
    let actors: Vec<Addr<Idle>> = (0..n as u64).map(|n| spawn(Idle { n })).collect();
    let spawned = began.elapsed();
    // Let every task run its first poll (its `started` hook), so the measurement sees running
    // actors waiting on empty mailboxes.
    bridge.call(&actors[n - 1], Ping, timeout, 0).expect("the last actor answers");
    let idle = resident_bytes();
    println!(
        "spawned {n} actors in {} ms ({:.1} µs each)",
        spawned.as_millis(),
        spawned.as_secs_f64() * 1e6 / n as f64
    );

    let began = Instant::now();
    let replies = bridge.multi_call(actors.iter().map(|a| (a, Ping)), timeout, 0);
    let pinged = began.elapsed();
    let sum: u64 = replies.into_iter().map(|r| r.expect("every actor answers")).sum();
    assert_eq!(sum, (n as u64 - 1) * n as u64 / 2, "every actor answered with its own number");
    let after_ping = resident_bytes();
    println!(
        "pinged all {n} in {} ms ({:.1} µs each): sum of replies {sum}",
        pinged.as_millis(),
        pinged.as_secs_f64() * 1e6 / n as f64
    );

    let began = Instant::now();
    let all: Vec<&dyn Address> = actors.iter().map(|a| a as &dyn Address).collect();
    let stopped = bridge.stop(&all, timeout).expect("a plain thread may block");
    let confirmed = stopped.iter().filter(|s| s.is_some()).count();
    println!("stopped all {n} in {} ms ({confirmed} confirmations)", began.elapsed().as_millis());
    assert_eq!(confirmed, n, "every actor confirmed its stop");

    println!(
        "memory per actor: idle {}, after a ping {}",
        per_actor(before, idle, n),
        per_actor(before, after_ping, n)
    );
}
