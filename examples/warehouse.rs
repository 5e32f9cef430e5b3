//! The blog post's demo: a doubling worker routes each result to a warehouse — positives to
//! one, negatives to the other — and a bridge (plain code on the main thread) asks both for
//! their inventory, then stops all three actors.
//!
//! ```text
//! $ cargo run --example warehouse
//! [2, 4, 6]
//! [-4, -8, -12]
//! [Stopped(#1, normal), Stopped(#2, normal), Stopped(#3, normal)]
//! ```

use std::time::Duration;

use tidings::actor::{spawn, Actor, Bridge, Context, Handler, Recipient, Stopped};

/// A job for the worker, with where to send the result (the post's `Task.destination`).
struct Task {
    input: i64,
    destination: Recipient<i64>,
}

/// Asks a warehouse for a copy of its inventory.
struct GetInventory;

struct Worker {
    skill: fn(i64) -> i64,
}

impl Actor for Worker {}

impl Handler<Task> for Worker {
    type Reply = ();

    async fn handle(&mut self, task: Task, ctx: &mut Context<Self>) {
        let output = (self.skill)(task.input);
        // Sent with the worker as the sender, as the post's `destination.send(output, self)`.
        ctx.tell(&task.destination, output).expect("the warehouse is running");
    }
}

#[derive(Default)]
struct Warehouse {
    inventory: Vec<i64>,
}

impl Actor for Warehouse {}

/// A task result (the post's `onTaskResult`).
impl Handler<i64> for Warehouse {
    type Reply = ();

    async fn handle(&mut self, item: i64, _ctx: &mut Context<Self>) {
        self.inventory.push(item);
    }
}

impl Handler<GetInventory> for Warehouse {
    type Reply = Vec<i64>;

    async fn handle(&mut self, _: GetInventory, _ctx: &mut Context<Self>) -> Vec<i64> {
        // A copy, so nobody mutates the warehouse's own list.
        self.inventory.clone()
    }
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    // The actors run on the runtime; this thread only enters its context to spawn them, and
    // stays a plain thread, which the bridge may block.
    let _context = runtime.enter();

    let worker = spawn(Worker { skill: |x| x * 2 });
    let positives = spawn(Warehouse::default());
    let negatives = spawn(Warehouse::default());
    let bridge = Bridge::new();
    let second = Duration::from_secs(1);

    for val in [1, 2, 3, -2, -4, -6] {
        let warehouse = if val >= 0 { &positives } else { &negatives };
        let task = Task { input: val, destination: warehouse.recipient() };
        worker.tell(task).expect("the worker is running");
    }
    // The worker handles its mailbox in order, so once it has answered this call, every
    // result is on its way, queued ahead of the inventory requests below.
    bridge.call(&worker, Flush, second, ()).expect("the worker answers");

    println!("{:?}", bridge.call(&positives, GetInventory, second, vec![]).unwrap()); // [2, 4, 6]
    println!("{:?}", bridge.call(&negatives, GetInventory, second, vec![]).unwrap()); // [-4, -8, -12]

    let stopped = bridge.stop(&[&worker, &positives, &negatives], second).unwrap();
    let stopped: Vec<String> =
        stopped.iter().map(|s| s.as_ref().map_or("None".into(), Stopped::to_string)).collect();
    println!("[{}]", stopped.join(", "));
}

/// "Are you done with what I sent before?" The post relies on timing here; an ask makes it
/// certain.
struct Flush;

impl Handler<Flush> for Worker {
    type Reply = ();

    async fn handle(&mut self, _: Flush, _ctx: &mut Context<Self>) {}
}
