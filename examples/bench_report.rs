//! A quick side-by-side run of the headline benchmark cells, printed as a Markdown table.
//!
//! tidings and its peers (tokio::sync::mpsc, flume, kanal, crossbeam-channel, async-channel,
//! thingbuf, std::sync::mpsc) run the same cells in one process, interleaved: each round runs
//! every cell once for every peer (A B C … A B C …, starting with a different peer each
//! round), so a burst of noise from the rest of the machine is spread over all of them. The
//! table shows each peer's median over the rounds, the best peer, and tidings / best peer
//! (above 1.0, tidings is faster). The full matrix is the criterion suite in `benches/mpsc.rs`;
//! both share the drivers in `benches/common/`.
//!
//! ```sh
//! cargo run --release --example bench_report                     # 1M messages, 5 rounds
//! cargo run --release --example bench_report -- --rounds 3 --messages 200000
//! cargo run --release --example bench_report -- --matrix   # every shape, mode and capacity
//! TIDINGS_CI=1 cargo run --release --example bench_report        # a few seconds, 1 round
//! ```

#[path = "../benches/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::{Cap, Cell, Mode, PayloadKind, HANDOFF, PEERS};

/// The headline cells, the ones issue 6 tracks.
const HEADLINE: [Cell; 8] = [
    Cell::mpsc(Mode::ThreadsToThread, 4, Cap::Bounded(1024)),
    Cell::mpsc(Mode::ThreadsToThread, 4, Cap::Unbounded),
    Cell::mpsc(Mode::TasksToTask, 4, Cap::Bounded(1024)),
    Cell::mpsc(Mode::ThreadsToTask, 4, Cap::Bounded(1024)),
    Cell::mpsc(Mode::TasksToThread, 4, Cap::Bounded(1024)),
    Cell::mpsc(Mode::ThreadsToThread, 1, Cap::Bounded(1024)),
    Cell::ping_pong(Mode::PingPongThreads),
    Cell::ping_pong(Mode::PingPongTasks),
];

/// The whole matrix of `--matrix`: 1, 4 and 64 senders in every mode, at capacities 1, 16,
/// 1024 and unbounded, with `usize` messages; 64-byte messages from 4 senders; both
/// ping-pongs.
fn matrix() -> Vec<Cell> {
    let modes =
        [Mode::ThreadsToThread, Mode::TasksToTask, Mode::ThreadsToTask, Mode::TasksToThread];
    let caps = [Cap::Bounded(1), Cap::Bounded(16), Cap::Bounded(1024), Cap::Unbounded];
    let mut cells = Vec::new();
    for mode in modes {
        for producers in [1, 4, 64] {
            cells.extend(caps.map(|cap| Cell::mpsc(mode, producers, cap)));
        }
    }
    for mode in modes {
        cells.extend(caps.map(|cap| Cell::mpsc(mode, 4, cap).with_payload(PayloadKind::Bytes64)));
    }
    cells.push(Cell::ping_pong(Mode::PingPongThreads));
    cells.push(Cell::ping_pong(Mode::PingPongTasks));
    cells
}

const USAGE: &str =
    "usage: bench_report [--matrix] [--rounds N] [--messages N] [--cell TEXT] [--peer NAME]

  --matrix       all 66 cells of the matrix instead of the 8 headline cells (defaults then:
                 3 rounds of 100000 messages, about 2 minutes)
  --rounds N     rounds of every cell for every peer; the table shows medians (default 5)
  --messages N   messages per run of a cell, a twentieth of that in round trips for ping-pong
                 (default 1000000)
  --cell TEXT    only the cells whose name contains TEXT (e.g. \"ping-pong\", \"unbounded\");
                 may be given more than once
  --peer NAME    only tidings and this peer (e.g. \"crossbeam\"); may be given more than once

TIDINGS_CI=1 makes the defaults 1 round of 20000 messages (a few seconds).";

struct Options {
    rounds: usize,
    messages: usize,
    /// The cells to run: the headline, or the whole matrix.
    matrix: bool,
    /// Only cells whose label contains one of these (all cells if empty).
    cells: Vec<String>,
    /// Only tidings and these peers (all peers if empty).
    peers: Vec<String>,
}

fn parse_args() -> Result<Options, String> {
    let ci = std::env::var("TIDINGS_CI").is_ok_and(|v| v == "1");
    let matrix = std::env::args().any(|arg| arg == "--matrix");
    let (rounds, messages) = if ci {
        (1, 20_000)
    } else if cfg!(debug_assertions) || matrix {
        // Unoptimised channels are several times slower, and the matrix has 66 cells: keep
        // the default run short.
        (3, 100_000)
    } else {
        (5, 1_000_000)
    };
    let mut options = Options { rounds, messages, matrix, cells: Vec::new(), peers: Vec::new() };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = |name: &str| -> Result<usize, String> {
            let value = args.next().ok_or_else(|| format!("{name} needs a number"))?;
            match value.parse() {
                Ok(n) if n > 0 => Ok(n),
                _ => Err(format!("{name} needs a positive whole number, not {value:?}")),
            }
        };
        match arg.as_str() {
            "--rounds" => options.rounds = number("--rounds")?,
            "--messages" => options.messages = number("--messages")?,
            "--matrix" => {}
            "--cell" => {
                let text = args.next().ok_or("--cell needs the text of a cell's name")?;
                options.cells.push(text);
            }
            "--peer" => {
                let name = args.next().ok_or("--peer needs a peer's name")?;
                if !PEERS.iter().any(|p| p.name == name) {
                    let names: Vec<&str> = PEERS.iter().map(|p| p.name).collect();
                    return Err(format!("no peer is named {name:?}; the peers: {names:?}"));
                }
                options.peers.push(name);
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(options)
}

/// The number a table shows for one run: M msg/s, or µs per round trip for ping-pong.
fn figure(cell: &Cell, messages: usize, took: Duration) -> f64 {
    if cell.mode.is_ping_pong() {
        took.as_secs_f64() * 1e6 / messages as f64
    } else {
        messages as f64 / took.as_secs_f64() / 1e6
    }
}

/// True if `a` is a better figure than `b` for this cell.
fn better(cell: &Cell, a: f64, b: f64) -> bool {
    if cell.mode.is_ping_pong() {
        a < b
    } else {
        a > b
    }
}

fn median(mut xs: Vec<f64>) -> Option<f64> {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(xs[n / 2]),
        _ => Some((xs[n / 2 - 1] + xs[n / 2]) / 2.0),
    }
}

fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo").ok().and_then(|info| {
        info.lines()
            .find(|l| l.starts_with("model name"))
            .and_then(|l| l.split(':').nth(1))
            .map(|m| format!(", {}", m.trim()))
    });
    let rustc = std::process::Command::new(std::env::var("RUSTC").unwrap_or("rustc".into()))
        .arg("--version")
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .unwrap_or_else(|| "rustc version unknown".to_string());
    let profile = if cfg!(debug_assertions) {
        "DEBUG build: numbers are meaningless, use --release"
    } else {
        "release build"
    };
    format!(
        "{cpus} CPUs available{}, {} {}; {rustc}; {profile}",
        model.unwrap_or_default(),
        std::env::consts::OS,
        std::env::consts::ARCH,
    )
}

fn main() {
    let options = match parse_args() {
        Ok(options) => options,
        Err(err) => {
            eprintln!("bench_report: {err}\n\n{USAGE}");
            std::process::exit(2);
        }
    };
    let all = if options.matrix { matrix() } else { HEADLINE.to_vec() };
    if let Some(text) =
        options.cells.iter().find(|text| !all.iter().any(|cell| cell.label().contains(*text)))
    {
        eprintln!("bench_report: no cell's name contains {text:?}\n\n{USAGE}");
        std::process::exit(2);
    }
    let cells: Vec<&Cell> = all
        .iter()
        .filter(|cell| {
            options.cells.is_empty() || options.cells.iter().any(|t| cell.label().contains(t))
        })
        .collect();
    let rt = common::runtime();

    // results[cell][peer]: the figure of each round, or None if the peer cannot run the cell.
    // A peer left out by `--peer` runs no cell.
    let chosen = |p: usize| {
        p == 0 || options.peers.is_empty() || options.peers.iter().any(|n| n == PEERS[p].name)
    };
    let mut results: Vec<Vec<Option<Vec<f64>>>> = cells
        .iter()
        .map(|_| (0..PEERS.len()).map(|p| chosen(p).then(Vec::new)).collect())
        .collect();
    let started = Instant::now();
    for round in 0..options.rounds {
        let round_started = Instant::now();
        for (c, cell) in cells.iter().enumerate() {
            let messages = cell.messages(options.messages);
            for k in 0..PEERS.len() {
                let p = (k + round) % PEERS.len();
                let Some(figures) = &mut results[c][p] else { continue };
                match PEERS[p].run(&rt, cell, messages) {
                    Some(took) => figures.push(figure(cell, messages, took)),
                    None => results[c][p] = None,
                }
            }
        }
        eprintln!(
            "round {}/{} done in {:.1} s",
            round + 1,
            options.rounds,
            round_started.elapsed().as_secs_f64()
        );
    }

    let which = if options.matrix { "the matrix" } else { "the headline cells" };
    println!("## tidings against its peers: {which}\n");
    println!("Machine: {}.  ", machine());
    println!(
        "{} messages per run ({} round trips for ping-pong), median of {} round{}, every peer \
         in one process, interleaved round by round; {:.1} s in all.  ",
        options.messages,
        Cell::ping_pong(Mode::PingPongTasks).messages(options.messages),
        options.rounds,
        if options.rounds == 1 { "" } else { "s" },
        started.elapsed().as_secs_f64()
    );
    println!(
        "Absolute numbers vary between runs and machines (and this machine may be shared): \
         compare within a row.\n"
    );

    let names: Vec<&str> = PEERS.iter().map(|p| p.name).collect();
    // Absent in `.ci/ab`'s harness, whose two peers are two copies of tidings.
    let handoff = names.iter().position(|&n| n == HANDOFF);
    println!(
        "| cell | unit | {} | best peer | tidings / best | handoff / best |",
        names.join(" | ")
    );
    println!("|---|---|{}---|---:|---:|", "---:|".repeat(names.len()));
    for (c, cell) in cells.iter().enumerate() {
        let medians: Vec<Option<f64>> =
            results[c].iter().map(|r| r.clone().and_then(median)).collect();
        let (unit, decimals) =
            if cell.mode.is_ping_pong() { ("µs / round trip", 3) } else { ("M msg/s", 1) };
        let cols: Vec<String> = medians
            .iter()
            .map(|m| m.map_or("—".to_string(), |v| format!("{v:.decimals$}")))
            .collect();
        // The best of the peers other than tidings (column 0) and its hand-off variant.
        let best = medians
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != 0 && Some(i) != handoff)
            .filter_map(|(i, m)| m.map(|v| (i, v)))
            .reduce(|a, b| if better(cell, b.1, a.1) { b } else { a });
        let ratio_of = |col: Option<usize>| match (best, col.and_then(|c| medians[c])) {
            (Some((_, b)), Some(t)) => {
                format!("{:.2}", if cell.mode.is_ping_pong() { b / t } else { t / b })
            }
            _ => "—".to_string(),
        };
        let best_col =
            best.map_or("—".to_string(), |(i, b)| format!("{} {b:.decimals$}", names[i]));
        println!(
            "| {} | {unit} | {} | {best_col} | {} | {} |",
            cell.label(),
            cols.join(" | "),
            ratio_of(Some(0)),
            ratio_of(handoff)
        );
    }
    println!(
        "\n— : the peer cannot run the cell (thingbuf has no unbounded channel; crossbeam and \
         std have no async side; tidings handoff is tidings with `Sender::send_handoff` for its async \
         sends, so only the cells with async senders). tidings / best above 1.0 means tidings is \
         faster."
    );
}
