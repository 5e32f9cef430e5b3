//! The calculator service from bocpy's messaging guide, on the process-wide tag registry.
//!
//! Client threads send `(op, value)` operations on the `"calculator"` tag; a server thread
//! applies them in a `receive(..).after(timeout, ..)` loop and stops when it gets the print
//! message (sent by `main` once every client is done) or when the clients go quiet for the
//! timeout (Erlang's `after`, bocpy's `after` callback).
//!
//! ```text
//! cargo run --example calculator
//! cargo run --example calculator -- --clients 8 --ops 20 --timeout-ms 500
//! ```

use std::process::ExitCode;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tidings::registry::{Downcast, Message};
use tidings::Tag;

/// What clients (and `main`, and the timeout) send to the server.
#[derive(Debug, Clone, Copy)]
enum Op {
    Add(f64),
    Sub(f64),
    Mul(f64),
    Div(f64),
    /// Print the result and stop; `clients_done` says whether `main` sent it (else the
    /// server's `after` fallback made it up: the clients went quiet).
    Print {
        clients_done: bool,
    },
}

struct Args {
    clients: usize,
    ops: usize,
    timeout: Duration,
}

const USAGE: &str = "usage: calculator [--clients N (4)] [--ops N (5)] [--timeout-ms N (2000)]";

fn parse_args() -> Result<Args, String> {
    let mut args = Args { clients: 4, ops: 5, timeout: Duration::from_millis(2000) };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--help" || flag == "-h" {
            return Err(USAGE.to_string());
        }
        let value = it.next().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        let number: u64 =
            value.parse().map_err(|_| format!("{flag}: {value:?} is not a number\n{USAGE}"))?;
        match flag.as_str() {
            "--clients" => args.clients = number as usize,
            "--ops" => args.ops = number as usize,
            "--timeout-ms" => args.timeout = Duration::from_millis(number),
            _ => return Err(format!("unknown flag {flag}\n{USAGE}")),
        }
    }
    Ok(args)
}

/// A small xorshift generator (random operations without a dependency).
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
        Rng((seed + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ nanos | 1)
    }

    /// A number in [0, 1).
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Sends `ops` random operations, sleeping up to 100 ms before each (as bocpy's client does).
fn client(id: usize, ops: usize) {
    let mut rng = Rng::new(id as u64);
    for _ in 0..ops {
        thread::sleep(Duration::from_secs_f64(rng.next() * 0.1));
        let value = rng.next() * 10.0 - 5.0;
        let op = match (rng.next() * 4.0) as u32 {
            0 => Op::Add(value),
            1 => Op::Sub(value),
            2 => Op::Mul(value),
            _ => Op::Div(value),
        };
        tidings::send("calculator", op).expect("the process-wide registry has no limits");
    }
}

/// Applies operations until the print message; returns (operations, value, clients_done).
fn server(timeout: Duration) -> (usize, f64, bool) {
    let (mut value, mut operations) = (0.0, 0);
    loop {
        let quiet =
            || (Tag::from("calculator"), Box::new(Op::Print { clients_done: false }) as Message);
        let (_, op) = tidings::receive("calculator")
            .after(timeout, quiet)
            .wait()
            .expect("a receive with `after` always has a result")
            .downcast::<Op>()
            .expect("only `Op`s are sent on \"calculator\"");
        match op {
            Op::Add(x) => value += x,
            Op::Sub(x) => value -= x,
            Op::Mul(x) => value *= x,
            Op::Div(x) => value /= x,
            Op::Print { clients_done } => {
                println!("Total operations: {operations}");
                println!("Final value: {value}");
                return (operations, value, clients_done);
            }
        }
        operations += 1;
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
    let server = thread::spawn(move || server(args.timeout));
    let clients: Vec<_> =
        (0..args.clients).map(|id| thread::spawn(move || client(id, args.ops))).collect();
    for c in clients {
        c.join().expect("a client panicked");
    }
    // Once the clients are done, ask for the result (or let the timeout fire first).
    tidings::send("calculator", Op::Print { clients_done: true }).expect("no limits");
    let (operations, _, clients_done) = server.join().expect("the server panicked");
    let expected = args.clients * args.ops;
    if clients_done {
        println!("Stopped by the print message after {:.2?}", start.elapsed());
        if operations != expected {
            eprintln!("error: {expected} operations were sent, {operations} applied");
            return ExitCode::FAILURE;
        }
    } else {
        println!(
            "Stopped because the clients were quiet for {:?} ({operations} of {expected} operations applied)",
            args.timeout
        );
    }
    ExitCode::SUCCESS
}
