//! The MPSC benchmark matrix, shared by `benches/mpsc.rs` (criterion) and
//! `examples/bench_report.rs` (the quick side-by-side table).
//!
//! Three pieces, each data-driven so a new cell or a new peer is one line:
//!
//! - **Endpoints** ([`BlockingSend`], [`AsyncSend`], [`BlockingRecv`], [`AsyncRecv`]): one small
//!   impl per channel type in `peers.rs`, calling the peer's own send / receive. Drivers are
//!   generic over them, so every call is monomorphised and inlined: no `dyn` on the hot path.
//! - **Peers** ([`Peer`]): one constructor per mode and capacity kind, returning the endpoint
//!   pair a program in that mode would use, or `None` when the peer cannot run the mode.
//! - **Cells** ([`Cell`]): mode x producers x capacity x payload; [`matrix`] lists them and
//!   [`PEERS`] runs any cell for any peer.
//!
//! One run moves a fixed number of messages, split evenly between the producers; the consumer
//! receives until the channel reports closed and then checks the message count and the sum of
//! the message tags, so a channel that loses or duplicates messages panics instead of
//! reporting a fast number. Ping-pong echoes a counter through two `bounded(1)` channels and
//! checks every echo.
#![allow(dead_code)] // the bench and the report each use a different part

mod peers;

use std::future::Future;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use tokio::runtime::Runtime;

#[allow(unused_imports)] // HANDOFF: only bench_report tells it apart
pub use peers::{HANDOFF, PEERS};

/// The runtime every async cell runs on: multi-thread, 2 workers (this machine has 2 cores).
pub fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("build the tokio runtime")
}

// ---------------------------------------------------------------------------------------------
// Payloads

/// A message type the benchmarks can send: built from a tag, checked by its tag.
/// (`Default + Clone` because thingbuf recycles its slots.)
pub trait Payload: Send + Sync + Default + Clone + std::fmt::Debug + 'static {
    /// The message that carries `tag`.
    fn new(tag: usize) -> Self;
    /// The tag it was built from.
    fn tag(&self) -> usize;
}

impl Payload for usize {
    #[inline]
    fn new(tag: usize) -> Self {
        tag
    }
    #[inline]
    fn tag(&self) -> usize {
        *self
    }
}

/// A 64-byte message: every word holds the tag, so the whole struct is written and moved.
#[derive(Clone, Copy, Default, Debug)]
pub struct Bytes64([u64; 8]);

impl Payload for Bytes64 {
    #[inline]
    fn new(tag: usize) -> Self {
        Bytes64([tag as u64; 8])
    }
    #[inline]
    fn tag(&self) -> usize {
        debug_assert_eq!(self.0[0], self.0[7]);
        self.0[7] as usize
    }
}

// ---------------------------------------------------------------------------------------------
// Endpoints: how a thread or a task sends and receives on one peer's channel

/// A sender a plain thread uses, waiting (parking) while the channel is full.
pub trait BlockingSend<T>: Clone + Send + 'static {
    /// Sends `msg`, panicking if the channel is closed (a broken benchmark).
    fn tx_blocking(&self, msg: T);
}

/// A sender a task uses, awaiting room while the channel is full.
pub trait AsyncSend<T>: Clone + Send + Sync + 'static {
    /// Sends `msg`, panicking if the channel is closed (a broken benchmark).
    fn tx_async(&self, msg: T) -> impl Future<Output = ()> + Send + '_;
}

/// A receiver a plain thread uses, parking while the channel is empty.
pub trait BlockingRecv<T>: Send + 'static {
    /// The next message, or `None` once every sender is gone and nothing is queued.
    fn rx_blocking(&mut self) -> Option<T>;
}

/// A receiver a task uses, awaiting while the channel is empty.
pub trait AsyncRecv<T>: Send + 'static {
    /// The next message, or `None` once every sender is gone and nothing is queued.
    fn rx_async(&mut self) -> impl Future<Output = Option<T>> + Send + '_;
}

/// Adapts an async endpoint to a thread with `futures::executor::block_on`, for a peer whose
/// channel type has no blocking call of its own (thingbuf's async channel). The thread parks
/// in `block_on` until the peer's waker fires, so it is a real blocking wait, not a spin.
#[derive(Clone)]
pub struct BlockOn<E>(pub E);

impl<T: Payload, S: AsyncSend<T>> BlockingSend<T> for BlockOn<S> {
    #[inline]
    fn tx_blocking(&self, msg: T) {
        futures::executor::block_on(self.0.tx_async(msg));
    }
}

impl<T: Payload, R: AsyncRecv<T>> BlockingRecv<T> for BlockOn<R> {
    #[inline]
    fn rx_blocking(&mut self) -> Option<T> {
        futures::executor::block_on(self.0.rx_async())
    }
}

/// The endpoint type of a mode a peer cannot run: it has no values, so it is never used.
#[derive(Clone, Copy)]
pub enum Never {}

impl<T: Payload> BlockingSend<T> for Never {
    fn tx_blocking(&self, _: T) {
        match *self {}
    }
}
impl<T: Payload> AsyncSend<T> for Never {
    async fn tx_async(&self, _: T) {
        match *self {}
    }
}
impl<T: Payload> BlockingRecv<T> for Never {
    fn rx_blocking(&mut self) -> Option<T> {
        match *self {}
    }
}
impl<T: Payload> AsyncRecv<T> for Never {
    async fn rx_async(&mut self) -> Option<T> {
        match *self {}
    }
}

// ---------------------------------------------------------------------------------------------
// Peers

/// A channel crate under test: how it builds a channel for each mode and capacity kind.
///
/// Each constructor returns the endpoints a program in that mode would use, or `None` if the
/// peer cannot run the mode (the default). A peer's impl says in a comment why it skips.
pub trait Peer {
    /// Threads send, a thread receives; bounded to `cap`.
    fn threads_bounded<T: Payload>(
        cap: usize,
    ) -> Option<(impl BlockingSend<T>, impl BlockingRecv<T>)> {
        let _ = cap;
        None::<(Never, Never)>
    }
    /// Threads send, a thread receives; unbounded.
    fn threads_unbounded<T: Payload>() -> Option<(impl BlockingSend<T>, impl BlockingRecv<T>)> {
        None::<(Never, Never)>
    }
    /// Tasks send, a task receives; bounded to `cap`.
    fn tasks_bounded<T: Payload>(cap: usize) -> Option<(impl AsyncSend<T>, impl AsyncRecv<T>)> {
        let _ = cap;
        None::<(Never, Never)>
    }
    /// Tasks send, a task receives; unbounded.
    fn tasks_unbounded<T: Payload>() -> Option<(impl AsyncSend<T>, impl AsyncRecv<T>)> {
        None::<(Never, Never)>
    }
    /// Threads send, a task receives; bounded to `cap`.
    fn threads_to_task_bounded<T: Payload>(
        cap: usize,
    ) -> Option<(impl BlockingSend<T>, impl AsyncRecv<T>)> {
        let _ = cap;
        None::<(Never, Never)>
    }
    /// Threads send, a task receives; unbounded.
    fn threads_to_task_unbounded<T: Payload>() -> Option<(impl BlockingSend<T>, impl AsyncRecv<T>)>
    {
        None::<(Never, Never)>
    }
    /// Tasks send, a thread receives; bounded to `cap`.
    fn tasks_to_thread_bounded<T: Payload>(
        cap: usize,
    ) -> Option<(impl AsyncSend<T>, impl BlockingRecv<T>)> {
        let _ = cap;
        None::<(Never, Never)>
    }
    /// Tasks send, a thread receives; unbounded.
    fn tasks_to_thread_unbounded<T: Payload>() -> Option<(impl AsyncSend<T>, impl BlockingRecv<T>)>
    {
        None::<(Never, Never)>
    }
}

/// A peer, type-erased for tables: its name and its cell runner.
#[derive(Clone, Copy)]
pub struct PeerEntry {
    /// The crate's name as printed in tables and benchmark ids.
    pub name: &'static str,
    run: fn(&Runtime, &Cell, usize) -> Option<Duration>,
}

impl PeerEntry {
    /// The entry of peer `P`.
    pub const fn of<P: Peer>(name: &'static str) -> Self {
        Self { name, run: run_cell::<P> }
    }

    /// Moves `messages` messages through `cell` (round trips for ping-pong) and returns the
    /// time it took, or `None` if this peer cannot run the cell.
    ///
    /// # Panics
    ///
    /// If the channel lost, duplicated or corrupted a message.
    pub fn run(&self, rt: &Runtime, cell: &Cell, messages: usize) -> Option<Duration> {
        (self.run)(rt, cell, messages)
    }
}

fn run_cell<P: Peer>(rt: &Runtime, cell: &Cell, messages: usize) -> Option<Duration> {
    match cell.payload {
        PayloadKind::Usize => run_typed::<P, usize>(rt, cell, messages),
        PayloadKind::Bytes64 => run_typed::<P, Bytes64>(rt, cell, messages),
    }
}

fn run_typed<P: Peer, T: Payload>(rt: &Runtime, cell: &Cell, n: usize) -> Option<Duration> {
    use Cap::{Bounded, Unbounded};
    let p = cell.producers;
    Some(match (cell.mode, cell.cap) {
        (Mode::ThreadsToThread, Bounded(c)) => threads_to_thread(P::threads_bounded::<T>(c)?, p, n),
        (Mode::ThreadsToThread, Unbounded) => threads_to_thread(P::threads_unbounded::<T>()?, p, n),
        (Mode::TasksToTask, Bounded(c)) => tasks_to_task(rt, P::tasks_bounded::<T>(c)?, p, n),
        (Mode::TasksToTask, Unbounded) => tasks_to_task(rt, P::tasks_unbounded::<T>()?, p, n),
        (Mode::ThreadsToTask, Bounded(c)) => {
            threads_to_task(rt, P::threads_to_task_bounded::<T>(c)?, p, n)
        }
        (Mode::ThreadsToTask, Unbounded) => {
            threads_to_task(rt, P::threads_to_task_unbounded::<T>()?, p, n)
        }
        (Mode::TasksToThread, Bounded(c)) => {
            tasks_to_thread(rt, P::tasks_to_thread_bounded::<T>(c)?, p, n)
        }
        (Mode::TasksToThread, Unbounded) => {
            tasks_to_thread(rt, P::tasks_to_thread_unbounded::<T>()?, p, n)
        }
        (Mode::PingPongThreads, _) => {
            ping_pong_threads(P::threads_bounded::<T>(1)?, P::threads_bounded::<T>(1)?, n)
        }
        (Mode::PingPongTasks, _) => {
            ping_pong_tasks(rt, P::tasks_bounded::<T>(1)?, P::tasks_bounded::<T>(1)?, n)
        }
    })
}

// ---------------------------------------------------------------------------------------------
// Cells

/// Who sends and who receives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// OS threads with blocking sends, an OS thread with blocking receives.
    ThreadsToThread,
    /// Tasks on the 2-worker runtime, awaiting both sides.
    TasksToTask,
    /// OS threads with blocking sends, a task awaiting receives.
    ThreadsToTask,
    /// Tasks awaiting sends, an OS thread with blocking receives.
    TasksToThread,
    /// Round trips through two `bounded(1)` channels between two OS threads.
    PingPongThreads,
    /// Round trips through two `bounded(1)` channels between two tasks.
    PingPongTasks,
}

impl Mode {
    /// True for the round-trip modes (measured per round trip, not per message).
    pub fn is_ping_pong(self) -> bool {
        matches!(self, Mode::PingPongThreads | Mode::PingPongTasks)
    }
}

/// A channel's capacity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cap {
    /// Room for this many messages.
    Bounded(usize),
    /// No limit.
    Unbounded,
}

/// The message type of a cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PayloadKind {
    /// `usize`.
    Usize,
    /// [`Bytes64`], a 64-byte struct.
    Bytes64,
}

/// One benchmark cell: every peer runs it the same way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cell {
    /// Who sends and who receives.
    pub mode: Mode,
    /// The number of producers (1 for ping-pong).
    pub producers: usize,
    /// The capacity (`bounded(1)` for ping-pong).
    pub cap: Cap,
    /// The message type.
    pub payload: PayloadKind,
}

impl Cell {
    /// An MPSC cell with `usize` messages.
    pub const fn mpsc(mode: Mode, producers: usize, cap: Cap) -> Self {
        Self { mode, producers, cap, payload: PayloadKind::Usize }
    }

    /// A ping-pong cell with `usize` messages.
    pub const fn ping_pong(mode: Mode) -> Self {
        Self { mode, producers: 1, cap: Cap::Bounded(1), payload: PayloadKind::Usize }
    }

    /// The same cell with another payload.
    pub const fn with_payload(self, payload: PayloadKind) -> Self {
        Self { payload, ..self }
    }

    /// A short id for criterion: `mpsc/4threads-1thread/bounded1024/usize`.
    pub fn id(&self) -> String {
        let payload = match self.payload {
            PayloadKind::Usize => "usize",
            PayloadKind::Bytes64 => "bytes64",
        };
        let p = self.producers;
        let shape = match self.mode {
            Mode::PingPongThreads => return format!("ping-pong/threads/{payload}"),
            Mode::PingPongTasks => return format!("ping-pong/tasks/{payload}"),
            Mode::ThreadsToThread => format!("{p}threads-1thread"),
            Mode::TasksToTask => format!("{p}tasks-1task"),
            Mode::ThreadsToTask => format!("{p}threads-1task"),
            Mode::TasksToThread => format!("{p}tasks-1thread"),
        };
        let cap = match self.cap {
            Cap::Bounded(c) => format!("bounded{c}"),
            Cap::Unbounded => "unbounded".to_string(),
        };
        format!("mpsc/{shape}/{cap}/{payload}")
    }

    /// A label for tables: `4 threads → 1 thread, bounded(1024)`.
    pub fn label(&self) -> String {
        let plural = |n: usize, what: &str| {
            if n == 1 {
                format!("1 {what}")
            } else {
                format!("{n} {what}s")
            }
        };
        let p = self.producers;
        let (from, to) = match self.mode {
            Mode::PingPongThreads => return "ping-pong, two threads".to_string(),
            Mode::PingPongTasks => return "ping-pong, two tasks".to_string(),
            Mode::ThreadsToThread => (plural(p, "thread"), "1 thread"),
            Mode::TasksToTask => (plural(p, "task"), "1 task"),
            Mode::ThreadsToTask => (plural(p, "thread"), "1 task"),
            Mode::TasksToThread => (plural(p, "task"), "1 thread"),
        };
        let cap = match self.cap {
            Cap::Bounded(c) => format!("bounded({c})"),
            Cap::Unbounded => "unbounded".to_string(),
        };
        let payload = match self.payload {
            PayloadKind::Usize => "",
            PayloadKind::Bytes64 => ", 64-byte messages",
        };
        format!("{from} → {to}, {cap}{payload}")
    }

    /// How many messages (round trips for ping-pong) one run moves, given the count for a
    /// plain cell: ping-pong and tiny capacities are a context switch per message on 2
    /// cores, so they move fewer to keep a run in the tens of milliseconds.
    pub fn messages(&self, base: usize) -> usize {
        let n = match (self.mode, self.cap) {
            (mode, _) if mode.is_ping_pong() => base / 20,
            (_, Cap::Bounded(c)) if c <= 16 => base / 5,
            _ => base,
        };
        // Every producer sends at least one message.
        n.max(self.producers)
    }
}

/// The benchmark matrix. The default is issue 2's: shapes 1→1 and 4→1, bounded(1024) and
/// unbounded, `usize`, the four modes, and ping-pong between threads and between tasks.
/// `full` adds issue 6's extensions: 64→1, capacities 1 and 16, and 64-byte messages.
pub fn matrix(full: bool) -> Vec<Cell> {
    let modes =
        [Mode::ThreadsToThread, Mode::TasksToTask, Mode::ThreadsToTask, Mode::TasksToThread];
    let shapes: &[usize] = if full { &[1, 4, 64] } else { &[1, 4] };
    let caps: &[Cap] = if full {
        &[Cap::Bounded(1), Cap::Bounded(16), Cap::Bounded(1024), Cap::Unbounded]
    } else {
        &[Cap::Bounded(1024), Cap::Unbounded]
    };
    let payloads: &[PayloadKind] =
        if full { &[PayloadKind::Usize, PayloadKind::Bytes64] } else { &[PayloadKind::Usize] };

    let mut cells = Vec::new();
    for &payload in payloads {
        for mode in modes {
            for &producers in shapes {
                for &cap in caps {
                    cells.push(Cell::mpsc(mode, producers, cap).with_payload(payload));
                }
            }
        }
        for mode in [Mode::PingPongThreads, Mode::PingPongTasks] {
            cells.push(Cell::ping_pong(mode).with_payload(payload));
        }
    }
    cells
}

// ---------------------------------------------------------------------------------------------
// Drivers: one per mode, generic over the endpoints

/// The tags producer `j` of `producers` sends when the run moves `messages`.
fn share(j: usize, producers: usize, messages: usize) -> std::ops::Range<usize> {
    let per = messages / producers;
    let extra = messages % producers;
    let start = j * per + j.min(extra);
    start..start + per + usize::from(j < extra)
}

/// What a consumer saw: the number of messages and the sum of their tags.
#[derive(Default)]
struct Tally {
    count: usize,
    sum: usize,
}

impl Tally {
    #[inline]
    fn add<T: Payload>(&mut self, msg: T) {
        self.count += 1;
        self.sum = self.sum.wrapping_add(msg.tag());
    }

    /// Panics unless the consumer saw tags `0..messages`, each once (count and sum).
    fn check(&self, messages: usize) {
        let expected = (0..messages).fold(0usize, |acc, t| acc.wrapping_add(t));
        assert_eq!(self.count, messages, "the consumer received a wrong number of messages");
        assert_eq!(self.sum, expected, "the consumer received wrong messages");
    }
}

fn drain_blocking<T: Payload>(mut rx: impl BlockingRecv<T>) -> Tally {
    let mut tally = Tally::default();
    while let Some(msg) = rx.rx_blocking() {
        tally.add(msg);
    }
    tally
}

async fn drain_async<T: Payload>(mut rx: impl AsyncRecv<T>) -> Tally {
    let mut tally = Tally::default();
    while let Some(msg) = rx.rx_async().await {
        tally.add(msg);
    }
    tally
}

/// Spawns the producer threads; they start sending when `start` is passed.
fn spawn_producer_threads<T: Payload>(
    tx: impl BlockingSend<T>,
    producers: usize,
    messages: usize,
    start: &Arc<Barrier>,
) -> Vec<thread::JoinHandle<()>> {
    (0..producers)
        .map(|j| {
            let (tx, start) = (tx.clone(), Arc::clone(start));
            thread::spawn(move || {
                start.wait();
                for tag in share(j, producers, messages) {
                    tx.tx_blocking(T::new(tag));
                }
            })
        })
        .collect()
}

/// Spawns the producer tasks on `rt`.
fn spawn_producer_tasks<T: Payload>(
    rt: &Runtime,
    tx: impl AsyncSend<T>,
    producers: usize,
    messages: usize,
) -> Vec<tokio::task::JoinHandle<()>> {
    (0..producers)
        .map(|j| {
            let tx = tx.clone();
            rt.spawn(async move {
                for tag in share(j, producers, messages) {
                    tx.tx_async(T::new(tag)).await;
                }
            })
        })
        .collect()
}

fn join_threads(handles: Vec<thread::JoinHandle<()>>) {
    for h in handles {
        h.join().expect("a producer thread panicked");
    }
}

fn join_tasks(rt: &Runtime, handles: Vec<tokio::task::JoinHandle<()>>) {
    rt.block_on(async {
        for h in handles {
            h.await.expect("a producer task panicked");
        }
    });
}

fn threads_to_thread<T: Payload>(
    (tx, rx): (impl BlockingSend<T>, impl BlockingRecv<T>),
    producers: usize,
    messages: usize,
) -> Duration {
    let start_line = Arc::new(Barrier::new(producers + 1));
    let handles = spawn_producer_threads(tx, producers, messages, &start_line);
    start_line.wait();
    let start = Instant::now();
    let tally = drain_blocking(rx);
    let elapsed = start.elapsed();
    join_threads(handles);
    tally.check(messages);
    elapsed
}

fn tasks_to_task<T: Payload>(
    rt: &Runtime,
    (tx, rx): (impl AsyncSend<T>, impl AsyncRecv<T>),
    producers: usize,
    messages: usize,
) -> Duration {
    let start = Instant::now();
    let consumer = rt.spawn(drain_async(rx));
    let handles = spawn_producer_tasks(rt, tx, producers, messages);
    let tally = rt.block_on(consumer).expect("the consumer task panicked");
    let elapsed = start.elapsed();
    join_tasks(rt, handles);
    tally.check(messages);
    elapsed
}

fn threads_to_task<T: Payload>(
    rt: &Runtime,
    (tx, rx): (impl BlockingSend<T>, impl AsyncRecv<T>),
    producers: usize,
    messages: usize,
) -> Duration {
    let start_line = Arc::new(Barrier::new(producers + 1));
    let handles = spawn_producer_threads(tx, producers, messages, &start_line);
    let start = Instant::now();
    let consumer = rt.spawn(drain_async(rx));
    start_line.wait();
    let tally = rt.block_on(consumer).expect("the consumer task panicked");
    let elapsed = start.elapsed();
    join_threads(handles);
    tally.check(messages);
    elapsed
}

fn tasks_to_thread<T: Payload>(
    rt: &Runtime,
    (tx, rx): (impl AsyncSend<T>, impl BlockingRecv<T>),
    producers: usize,
    messages: usize,
) -> Duration {
    let start = Instant::now();
    let handles = spawn_producer_tasks(rt, tx, producers, messages);
    // This thread is not a runtime thread, so it may block.
    let tally = drain_blocking(rx);
    let elapsed = start.elapsed();
    join_tasks(rt, handles);
    tally.check(messages);
    elapsed
}

fn ping_pong_threads<T: Payload>(
    (ping_tx, ping_rx): (impl BlockingSend<T>, impl BlockingRecv<T>),
    (pong_tx, mut pong_rx): (impl BlockingSend<T>, impl BlockingRecv<T>),
    round_trips: usize,
) -> Duration {
    let echo = thread::spawn(move || {
        let mut ping_rx = ping_rx;
        while let Some(msg) = ping_rx.rx_blocking() {
            pong_tx.tx_blocking(msg);
        }
    });
    let start = Instant::now();
    for tag in 0..round_trips {
        ping_tx.tx_blocking(T::new(tag));
        let back = pong_rx.rx_blocking().expect("the echo thread hung up");
        assert_eq!(back.tag(), tag, "ping-pong echoed a wrong message");
    }
    let elapsed = start.elapsed();
    drop(ping_tx);
    echo.join().expect("the echo thread panicked");
    elapsed
}

fn ping_pong_tasks<T: Payload>(
    rt: &Runtime,
    (ping_tx, ping_rx): (impl AsyncSend<T>, impl AsyncRecv<T>),
    (pong_tx, mut pong_rx): (impl AsyncSend<T>, impl AsyncRecv<T>),
    round_trips: usize,
) -> Duration {
    let echo = rt.spawn(async move {
        let mut ping_rx = ping_rx;
        while let Some(msg) = ping_rx.rx_async().await {
            pong_tx.tx_async(msg).await;
        }
    });
    let pinger = rt.spawn(async move {
        let start = Instant::now();
        for tag in 0..round_trips {
            ping_tx.tx_async(T::new(tag)).await;
            let back = pong_rx.rx_async().await.expect("the echo task hung up");
            assert_eq!(back.tag(), tag, "ping-pong echoed a wrong message");
        }
        start.elapsed()
        // `ping_tx` drops here and ends the echo task.
    });
    rt.block_on(async {
        let elapsed = pinger.await.expect("the ping task panicked");
        echo.await.expect("the echo task panicked");
        elapsed
    })
}
