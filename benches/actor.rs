//! The actor layer against the actor frameworks (kameo, ractor, actix) and against the floor:
//! a plain tokio task looping over an unbounded `mpsc` channel, answering asks through a
//! `oneshot`.
//!
//! * `ask_round_trip`: one ask, awaited, from a task.
//! * `tell_throughput`: tells (one element each), then one ask to wait until all are handled.
//! * `spawn_cost`: spawn an actor and get its first reply (a working actor); stopping it is
//!   not timed.
//!
//! each on a current-thread runtime and on a 2-worker runtime (the asking loop runs as a task
//! on a worker). actix brings its own runtime: "current_thread" is one actix `System`, "2
//! workers" puts the actor on a second `Arbiter` (thread).
//!
//! Before criterion runs, a table of resident memory per idle actor (10,000 actors, each
//! measured in a fresh child process) is printed.
//!
//! All actors use unbounded mailboxes where the framework offers them (kameo: `unbounded()`;
//! actix has none: `do_send` ignores its capacity, `send` waits for room).

use std::future::Future;
use std::process::Command;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput};
use tokio::runtime::Runtime;
use tokio::sync::{mpsc, oneshot};

// ---------------------------------------------------------------------------------------------
// The same counting actor in each framework: `Ping(n)` adds n and replies with the total.

#[derive(Clone, Copy)]
struct Ping(u64);

mod td {
    use tidings::actor::{Actor, Context, Handler};

    pub struct Counter(pub u64);

    impl Actor for Counter {}

    impl Handler<super::Ping> for Counter {
        type Reply = u64;
        async fn handle(&mut self, super::Ping(n): super::Ping, _: &mut Context<Self>) -> u64 {
            self.0 += n;
            self.0
        }
    }
}

mod km {
    #[derive(kameo::Actor)]
    pub struct Counter(pub u64);

    impl kameo::message::Message<super::Ping> for Counter {
        type Reply = u64;
        async fn handle(
            &mut self,
            super::Ping(n): super::Ping,
            _: &mut kameo::message::Context<Self, u64>,
        ) -> u64 {
            self.0 += n;
            self.0
        }
    }

    pub fn spawn() -> kameo::actor::ActorRef<Counter> {
        use kameo::actor::Spawn;
        Counter::spawn_with_mailbox(Counter(0), kameo::mailbox::unbounded())
    }
}

mod rc {
    use ractor::{ActorProcessingErr, ActorRef, RpcReplyPort};

    pub struct Counter;

    pub enum Msg {
        Tell(u64),
        Ask(u64, RpcReplyPort<u64>),
    }

    impl ractor::Actor for Counter {
        type Msg = Msg;
        type State = u64;
        type Arguments = ();

        async fn pre_start(&self, _: ActorRef<Msg>, _: ()) -> Result<u64, ActorProcessingErr> {
            Ok(0)
        }

        async fn handle(
            &self,
            _: ActorRef<Msg>,
            msg: Msg,
            state: &mut u64,
        ) -> Result<(), ActorProcessingErr> {
            match msg {
                Msg::Tell(n) => *state += n,
                Msg::Ask(n, reply) => {
                    *state += n;
                    let _ = reply.send(*state);
                }
            }
            Ok(())
        }
    }

    pub async fn spawn() -> (ActorRef<Msg>, tokio::task::JoinHandle<()>) {
        ractor::Actor::spawn(None, Counter, ()).await.expect("ractor spawns")
    }

    pub async fn ask(actor: &ActorRef<Msg>, n: u64) -> u64 {
        match actor.call(|reply| Msg::Ask(n, reply), None).await.expect("ractor call") {
            ractor::rpc::CallResult::Success(total) => total,
            _ => panic!("ractor call failed"),
        }
    }
}

mod ax {
    use actix::{Actor, Context, Handler, Message};

    pub struct Counter(pub u64);

    impl Actor for Counter {
        type Context = Context<Self>;
    }

    pub struct Ping(pub u64);

    impl Message for Ping {
        type Result = u64;
    }

    impl Handler<Ping> for Counter {
        type Result = u64;
        fn handle(&mut self, Ping(n): Ping, _: &mut Context<Self>) -> u64 {
            self.0 += n;
            self.0
        }
    }

    pub struct Stop;

    impl Message for Stop {
        type Result = ();
    }

    impl Handler<Stop> for Counter {
        type Result = ();
        fn handle(&mut self, _: Stop, ctx: &mut Context<Self>) {
            actix::ActorContext::stop(ctx);
        }
    }
}

mod plain {
    use super::{mpsc, oneshot};

    pub enum Msg {
        Tell(u64),
        Ask(u64, oneshot::Sender<u64>),
    }

    pub fn spawn() -> (mpsc::UnboundedSender<Msg>, tokio::task::JoinHandle<()>) {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let task = tokio::spawn(async move {
            let mut total = 0;
            while let Some(msg) = rx.recv().await {
                match msg {
                    Msg::Tell(n) => total += n,
                    Msg::Ask(n, reply) => {
                        total += n;
                        let _ = reply.send(total);
                    }
                }
            }
        });
        (tx, task)
    }

    pub async fn ask(tx: &mpsc::UnboundedSender<Msg>, n: u64) -> u64 {
        let (reply, rx) = oneshot::channel();
        assert!(tx.send(Msg::Ask(n, reply)).is_ok(), "the task runs");
        rx.await.expect("the task answers")
    }
}

// ---------------------------------------------------------------------------------------------
// Runtimes.

#[derive(Clone, Copy)]
enum Flavor {
    CurrentThread,
    TwoWorkers,
}

impl Flavor {
    const ALL: [Flavor; 2] = [Flavor::CurrentThread, Flavor::TwoWorkers];

    fn name(self) -> &'static str {
        match self {
            Flavor::CurrentThread => "current_thread",
            Flavor::TwoWorkers => "2_workers",
        }
    }

    fn runtime(self) -> Runtime {
        match self {
            Flavor::CurrentThread => tokio::runtime::Builder::new_current_thread(),
            Flavor::TwoWorkers => {
                let mut builder = tokio::runtime::Builder::new_multi_thread();
                builder.worker_threads(2);
                builder
            }
        }
        .enable_all()
        .build()
        .expect("a tokio runtime")
    }

    /// Runs a timed loop: on a current-thread runtime as its main future, on the 2-worker
    /// runtime as a task on a worker.
    fn time<F>(self, rt: &Runtime, timed: F) -> Duration
    where
        F: Future<Output = Duration> + Send + 'static,
    {
        match self {
            Flavor::CurrentThread => rt.block_on(timed),
            Flavor::TwoWorkers => rt.block_on(async { tokio::spawn(timed).await.unwrap() }),
        }
    }

    /// Times `body(handle, iters)` (a loop of `iters` operations on a clone of `handle`), run
    /// as [`time`](Flavor::time) runs it.
    fn time_loop<H, F, Fut>(self, rt: &Runtime, handle: &H, iters: u64, body: F) -> Duration
    where
        H: Clone,
        F: FnOnce(H, u64) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let timed = body(handle.clone(), iters);
        self.time(rt, async move {
            let began = Instant::now();
            timed.await;
            began.elapsed()
        })
    }
}

/// An actix system, with the actor on the system's thread (current_thread) or on a second
/// arbiter (2 workers).
fn actix_counter(
    flavor: Flavor,
) -> (actix::SystemRunner, actix::Addr<ax::Counter>, Option<actix::Arbiter>) {
    use actix::Actor;
    let system = actix::System::new();
    match flavor {
        Flavor::CurrentThread => {
            let addr = system.block_on(async { ax::Counter(0).start() });
            (system, addr, None)
        }
        Flavor::TwoWorkers => {
            let arbiter = actix::Arbiter::new();
            let addr = ax::Counter::start_in_arbiter(&arbiter.handle(), |_| ax::Counter(0));
            (system, addr, Some(arbiter))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The benchmarks.

fn ask_round_trip(c: &mut Criterion) {
    let mut group = c.benchmark_group("ask_round_trip");
    group.throughput(Throughput::Elements(1));
    for flavor in Flavor::ALL {
        let rt = flavor.runtime();
        let id = |name| BenchmarkId::new(name, flavor.name());

        let addr = rt.block_on(async { tidings::actor::spawn(td::Counter(0)) });
        group.bench_function(id("tidings"), |b| {
            b.iter_custom(|iters| {
                flavor.time_loop(&rt, &addr, iters, |addr, iters| async move {
                    for _ in 0..iters {
                        addr.ask(Ping(1)).await.unwrap();
                    }
                })
            })
        });

        let actor = rt.block_on(async { km::spawn() });
        group.bench_function(id("kameo"), |b| {
            b.iter_custom(|iters| {
                flavor.time_loop(&rt, &actor, iters, |actor, iters| async move {
                    for _ in 0..iters {
                        actor.ask(Ping(1)).await.unwrap();
                    }
                })
            })
        });

        let (actor, _task) = rt.block_on(rc::spawn());
        group.bench_function(id("ractor"), |b| {
            b.iter_custom(|iters| {
                flavor.time_loop(&rt, &actor, iters, |actor, iters| async move {
                    for _ in 0..iters {
                        rc::ask(&actor, 1).await;
                    }
                })
            })
        });
        actor.stop(None);

        let (tx, _task) = rt.block_on(async { plain::spawn() });
        group.bench_function(id("tokio_mpsc_oneshot"), |b| {
            b.iter_custom(|iters| {
                flavor.time_loop(&rt, &tx, iters, |tx, iters| async move {
                    for _ in 0..iters {
                        plain::ask(&tx, 1).await;
                    }
                })
            })
        });

        let (system, addr, _arbiter) = actix_counter(flavor);
        group.bench_function(id("actix"), |b| {
            b.iter_custom(|iters| {
                system.block_on(async {
                    let began = Instant::now();
                    for _ in 0..iters {
                        addr.send(ax::Ping(1)).await.unwrap();
                    }
                    began.elapsed()
                })
            })
        });
    }
    group.finish();
}

fn tell_throughput(c: &mut Criterion) {
    let mut group = c.benchmark_group("tell_throughput");
    group.throughput(Throughput::Elements(1));
    for flavor in Flavor::ALL {
        let rt = flavor.runtime();
        let id = |name| BenchmarkId::new(name, flavor.name());

        let addr = rt.block_on(async { tidings::actor::spawn(td::Counter(0)) });
        group.bench_function(id("tidings"), |b| {
            b.iter_custom(|iters| {
                flavor.time_loop(&rt, &addr, iters, |addr, iters| async move {
                    for _ in 0..iters {
                        addr.tell(Ping(1)).unwrap();
                    }
                    addr.ask(Ping(0)).await.unwrap();
                })
            })
        });

        let actor = rt.block_on(async { km::spawn() });
        group.bench_function(id("kameo"), |b| {
            b.iter_custom(|iters| {
                flavor.time_loop(&rt, &actor, iters, |actor, iters| async move {
                    for _ in 0..iters {
                        actor.tell(Ping(1)).try_send().unwrap();
                    }
                    actor.ask(Ping(0)).await.unwrap();
                })
            })
        });

        let (actor, _task) = rt.block_on(rc::spawn());
        group.bench_function(id("ractor"), |b| {
            b.iter_custom(|iters| {
                flavor.time_loop(&rt, &actor, iters, |actor, iters| async move {
                    for _ in 0..iters {
                        assert!(actor.cast(rc::Msg::Tell(1)).is_ok());
                    }
                    rc::ask(&actor, 0).await;
                })
            })
        });
        actor.stop(None);

        let (tx, _task) = rt.block_on(async { plain::spawn() });
        group.bench_function(id("tokio_mpsc_oneshot"), |b| {
            b.iter_custom(|iters| {
                flavor.time_loop(&rt, &tx, iters, |tx, iters| async move {
                    for _ in 0..iters {
                        assert!(tx.send(plain::Msg::Tell(1)).is_ok());
                    }
                    plain::ask(&tx, 0).await;
                })
            })
        });

        let (system, addr, _arbiter) = actix_counter(flavor);
        group.bench_function(id("actix"), |b| {
            b.iter_custom(|iters| {
                system.block_on(async {
                    let began = Instant::now();
                    for _ in 0..iters {
                        addr.do_send(ax::Ping(1));
                    }
                    addr.send(ax::Ping(0)).await.unwrap();
                    began.elapsed()
                })
            })
        });
    }
    group.finish();
}

/// Spawning is timed in batches of this many; each batch is stopped (untimed) before the next,
/// so live actors do not pile up.
const SPAWN_BATCH: u64 = 1000;

fn batches(iters: u64) -> impl Iterator<Item = u64> {
    (0..iters.div_ceil(SPAWN_BATCH)).map(move |i| SPAWN_BATCH.min(iters - i * SPAWN_BATCH))
}

fn spawn_cost(c: &mut Criterion) {
    let mut group = c.benchmark_group("spawn_cost");
    group.throughput(Throughput::Elements(1));
    for flavor in Flavor::ALL {
        let rt = flavor.runtime();
        let id = |name| BenchmarkId::new(name, flavor.name());

        group.bench_function(id("tidings"), |b| {
            b.iter_custom(|iters| {
                flavor.time(&rt, async move {
                    let mut timed = Duration::ZERO;
                    for n in batches(iters) {
                        let began = Instant::now();
                        let mut live = Vec::with_capacity(n as usize);
                        for _ in 0..n {
                            let addr = tidings::actor::spawn(td::Counter(0));
                            addr.ask(Ping(1)).await.unwrap();
                            live.push(addr);
                        }
                        timed += began.elapsed();
                        for addr in &live {
                            addr.stop();
                        }
                        for addr in &live {
                            addr.wait_stopped().await.unwrap();
                        }
                    }
                    timed
                })
            })
        });

        group.bench_function(id("kameo"), |b| {
            b.iter_custom(|iters| {
                flavor.time(&rt, async move {
                    let mut timed = Duration::ZERO;
                    for n in batches(iters) {
                        let began = Instant::now();
                        let mut live = Vec::with_capacity(n as usize);
                        for _ in 0..n {
                            let actor = km::spawn();
                            actor.ask(Ping(1)).await.unwrap();
                            live.push(actor);
                        }
                        timed += began.elapsed();
                        for actor in &live {
                            actor.kill();
                        }
                        for actor in &live {
                            actor.wait_for_shutdown().await;
                        }
                    }
                    timed
                })
            })
        });

        group.bench_function(id("ractor"), |b| {
            b.iter_custom(|iters| {
                flavor.time(&rt, async move {
                    let mut timed = Duration::ZERO;
                    for n in batches(iters) {
                        let began = Instant::now();
                        let mut live = Vec::with_capacity(n as usize);
                        for _ in 0..n {
                            let (actor, task) = rc::spawn().await;
                            rc::ask(&actor, 1).await;
                            live.push((actor, task));
                        }
                        timed += began.elapsed();
                        for (actor, _) in &live {
                            actor.stop(None);
                        }
                        for (_, task) in live {
                            task.await.unwrap();
                        }
                    }
                    timed
                })
            })
        });

        group.bench_function(id("tokio_mpsc_oneshot"), |b| {
            b.iter_custom(|iters| {
                flavor.time(&rt, async move {
                    let mut timed = Duration::ZERO;
                    for n in batches(iters) {
                        let began = Instant::now();
                        let mut live = Vec::with_capacity(n as usize);
                        for _ in 0..n {
                            let (tx, task) = plain::spawn();
                            plain::ask(&tx, 1).await;
                            live.push((tx, task));
                        }
                        timed += began.elapsed();
                        for (tx, task) in live {
                            drop(tx);
                            task.await.unwrap();
                        }
                    }
                    timed
                })
            })
        });

        let (system, _, _arbiter) = actix_counter(Flavor::CurrentThread);
        group.bench_function(id("actix"), |b| {
            b.iter_custom(|iters| {
                use actix::Actor;
                system.block_on(async {
                    let mut timed = Duration::ZERO;
                    for n in batches(iters) {
                        let began = Instant::now();
                        let mut live = Vec::with_capacity(n as usize);
                        for _ in 0..n {
                            let addr = ax::Counter(0).start();
                            addr.send(ax::Ping(1)).await.unwrap();
                            live.push(addr);
                        }
                        timed += began.elapsed();
                        for addr in &live {
                            let _ = addr.send(ax::Stop).await;
                        }
                    }
                    timed
                })
            })
        });
    }
    group.finish();
}

// ---------------------------------------------------------------------------------------------
// Memory per idle actor, one framework per child process (so one's freed memory does not hide
// the next one's).

const MEMORY_ENV: &str = "TIDINGS_BENCH_MEMORY";
const MEMORY_ACTORS: usize = 10_000;
const FRAMEWORKS: [&str; 5] = ["tidings", "kameo", "ractor", "actix", "tokio_mpsc_oneshot"];

fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

/// In the child: spawn the actors, let every task start, print the resident growth per actor.
fn measure_memory(framework: &str) {
    let n = MEMORY_ACTORS;
    let settle = || std::thread::sleep(Duration::from_millis(200));
    let per_actor = |before: u64| (resident_bytes().unwrap() - before) / n as u64;
    let bytes = if framework == "actix" {
        use actix::Actor;
        let system = actix::System::new();
        let before = resident_bytes().unwrap();
        let live: Vec<_> = system.block_on(async {
            let live: Vec<_> = (0..n).map(|_| ax::Counter(0).start()).collect();
            tokio::time::sleep(Duration::from_millis(200)).await;
            live
        });
        let bytes = per_actor(before);
        drop(live);
        bytes
    } else {
        let rt = Flavor::TwoWorkers.runtime();
        let _context = rt.enter();
        let before = resident_bytes().unwrap();
        match framework {
            "tidings" => {
                let live: Vec<_> = (0..n).map(|_| tidings::actor::spawn(td::Counter(0))).collect();
                settle();
                let bytes = per_actor(before);
                drop(live);
                bytes
            }
            "kameo" => {
                let _live: Vec<_> = (0..n).map(|_| km::spawn()).collect();
                settle();
                per_actor(before)
            }
            "ractor" => {
                let _live: Vec<_> = rt.block_on(async {
                    let mut live = Vec::with_capacity(n);
                    for _ in 0..n {
                        live.push(rc::spawn().await);
                    }
                    live
                });
                settle();
                per_actor(before)
            }
            "tokio_mpsc_oneshot" => {
                let live: Vec<_> = (0..n).map(|_| plain::spawn()).collect();
                settle();
                let bytes = per_actor(before);
                drop(live);
                bytes
            }
            other => panic!("unknown framework {other}"),
        }
    };
    println!("{bytes}");
}

fn memory_table() {
    if resident_bytes().is_none() {
        println!("memory per idle actor: not measured (no /proc/self/statm here)");
        return;
    }
    let exe = std::env::current_exe().expect("the bench binary");
    println!(
        "memory per idle actor ({MEMORY_ACTORS} actors, resident growth, one child process each):"
    );
    for framework in FRAMEWORKS {
        let out = Command::new(&exe).env(MEMORY_ENV, framework).output().expect("a child process");
        let bytes = String::from_utf8_lossy(&out.stdout).trim().to_string();
        println!("  {framework:<20} {bytes:>8} bytes");
    }
}

fn main() {
    if let Ok(framework) = std::env::var(MEMORY_ENV) {
        measure_memory(&framework);
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    // `cargo test --benches` runs each benchmark once to check it; skip the table there.
    if !std::env::args().any(|arg| arg == "--test") {
        memory_table();
    }
    ask_round_trip(&mut c);
    tell_throughput(&mut c);
    spawn_cost(&mut c);
    c.final_summary();
}
