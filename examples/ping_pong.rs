//! The post's second demo: a pinger and a ponger bounce `Ping` and `Pong` back and forth,
//! printing `+-+-+-…`, until the bridge stops them both.
//!
//! Every reply goes to `ctx.sender()`: neither actor knows the other's type, the messages
//! travel untyped and each actor's `routes` sends them to its typed handler (the post's
//! `@handles(Pong)`).
//!
//! ```text
//! $ cargo run --example ping_pong
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-
//! ...
//! 123456 round trips in 100 ms
//! [Stopped(#1, normal), Stopped(#2, normal)]
//! ```

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use tidings::actor::{spawn, Actor, Addr, Bridge, Context, Handler, Router, Stopped};

/// Round trips so far (printed in full only for the first few lines, so CI logs stay short).
static ROUND_TRIPS: AtomicU64 = AtomicU64::new(0);
const PRINTED: u64 = 240;

struct Start {
    target: Addr<Ponger>,
}
struct Ping;
struct Pong;

struct Pinger;

impl Actor for Pinger {
    fn routes(router: Router<Self>) -> Router<Self> {
        router.route::<Pong>()
    }
}

impl Handler<Start> for Pinger {
    type Reply = ();

    async fn handle(&mut self, start: Start, ctx: &mut Context<Self>) {
        let _ = ctx.tell(&start.target, Ping);
    }
}

impl Handler<Pong> for Pinger {
    type Reply = ();

    async fn handle(&mut self, _: Pong, ctx: &mut Context<Self>) {
        let n = ROUND_TRIPS.fetch_add(1, Relaxed) + 1;
        if n <= PRINTED {
            print!("-");
            if n % 40 == 0 {
                println!();
            }
            let _ = std::io::stdout().flush();
        }
        // Fails once the ponger is stopped: the game is over.
        let _ = ctx.reply(Ping);
    }
}

struct Ponger;

impl Actor for Ponger {
    fn routes(router: Router<Self>) -> Router<Self> {
        router.route::<Ping>()
    }
}

impl Handler<Ping> for Ponger {
    type Reply = ();

    async fn handle(&mut self, _: Ping, ctx: &mut Context<Self>) {
        if ROUND_TRIPS.load(Relaxed) < PRINTED {
            print!("+");
        }
        let _ = ctx.reply(Pong);
    }
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let _context = runtime.enter();

    let pinger = spawn(Pinger);
    let ponger = spawn(Ponger);
    let bridge = Bridge::new();

    let began = Instant::now();
    pinger.tell(Start { target: ponger.clone() }).expect("the pinger is running");
    std::thread::sleep(Duration::from_millis(100));
    let stopped = bridge.stop(&[&pinger, &ponger], Duration::from_secs(1)).unwrap();
    let elapsed = began.elapsed();

    println!("...");
    println!("{} round trips in {} ms", ROUND_TRIPS.load(Relaxed), elapsed.as_millis());
    let stopped: Vec<String> =
        stopped.iter().map(|s| s.as_ref().map_or("None".into(), Stopped::to_string)).collect();
    println!("[{}]", stopped.join(", "));
}
