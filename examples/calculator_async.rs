//! The calculator service with tokio tasks instead of threads, on a typed `Registry<Op>`.
//!
//! The same protocol as `calculator.rs`: client tasks send operations on `"calculator"`, the
//! server task applies them in a `receive(..).after(timeout, ..).await` loop until the print
//! message, or until the clients go quiet for the timeout.
//!
//! ```text
//! cargo run --example calculator_async
//! cargo run --example calculator_async -- --clients 100 --ops 20 --timeout-ms 500
//! ```

use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tidings::{Registry, Tag};

#[derive(Debug, Clone, Copy)]
enum Op {
    Add(f64),
    Sub(f64),
    Mul(f64),
    Div(f64),
    Print { clients_done: bool },
}

struct Args {
    clients: usize,
    ops: usize,
    timeout: Duration,
}

const USAGE: &str =
    "usage: calculator_async [--clients N (4)] [--ops N (5)] [--timeout-ms N (2000)]";

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

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
        Rng((seed + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ nanos | 1)
    }

    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

async fn client(reg: Registry<Op>, id: usize, ops: usize) {
    let mut rng = Rng::new(id as u64);
    for _ in 0..ops {
        tokio::time::sleep(Duration::from_secs_f64(rng.next() * 0.1)).await;
        let value = rng.next() * 10.0 - 5.0;
        let op = match (rng.next() * 4.0) as u32 {
            0 => Op::Add(value),
            1 => Op::Sub(value),
            2 => Op::Mul(value),
            _ => Op::Div(value),
        };
        reg.send("calculator", op).expect("an unbounded registry without a tag limit");
    }
}

async fn server(reg: Registry<Op>, timeout: Duration) -> (usize, bool) {
    let (mut value, mut operations) = (0.0, 0);
    loop {
        let quiet = || (Tag::from("calculator"), Op::Print { clients_done: false });
        let (_, op) = reg
            .receive("calculator")
            .after(timeout, quiet)
            .await
            .expect("`after` always has a result");
        match op {
            Op::Add(x) => value += x,
            Op::Sub(x) => value -= x,
            Op::Mul(x) => value *= x,
            Op::Div(x) => value /= x,
            Op::Print { clients_done } => {
                println!("Total operations: {operations}");
                println!("Final value: {value}");
                return (operations, clients_done);
            }
        }
        operations += 1;
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::FAILURE;
        }
    };
    let start = Instant::now();
    let reg = Registry::new();
    let server = tokio::spawn(server(reg.clone(), args.timeout));
    let clients: Vec<_> =
        (0..args.clients).map(|id| tokio::spawn(client(reg.clone(), id, args.ops))).collect();
    for c in clients {
        c.await.expect("a client panicked");
    }
    reg.send("calculator", Op::Print { clients_done: true }).expect("no limits");
    let (operations, clients_done) = server.await.expect("the server panicked");
    let expected = args.clients * args.ops;
    if clients_done {
        println!(
            "Stopped by the print message after {:.2?} ({} client tasks)",
            start.elapsed(),
            args.clients
        );
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
