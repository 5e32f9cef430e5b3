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
//! TIDINGS_CI=1 cargo run --release --example bench_report        # a few seconds, 1 round
//! ```

#[path = "../benches/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::{Cap, Cell, Mode, PEERS};

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

const USAGE: &str = "usage: bench_report [--rounds N] [--messages N] [--cell TEXT]

  --rounds N     rounds of every cell for every peer; the table shows medians (default 5)
  --messages N   messages per run of a cell, a twentieth of that in round trips for ping-pong
                 (default 1000000)
  --cell TEXT    only the cells whose name contains TEXT (e.g. \"ping-pong\", \"unbounded\");
                 may be given more than once

TIDINGS_CI=1 makes the defaults 1 round of 20000 messages (a few seconds).";

struct Options {
    rounds: usize,
    messages: usize,
    /// Only cells whose label contains one of these (all cells if empty).
    cells: Vec<String>,
}

fn parse_args() -> Result<Options, String> {
    let ci = std::env::var("TIDINGS_CI").is_ok_and(|v| v == "1");
    let mut options = if ci {
        Options { rounds: 1, messages: 20_000, cells: Vec::new() }
    } else if cfg!(debug_assertions) {
        // Unoptimised channels are several times slower: keep the default run short.
        Options { rounds: 3, messages: 100_000, cells: Vec::new() }
    } else {
        Options { rounds: 5, messages: 1_000_000, cells: Vec::new() }
    };
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
            "--cell" => {
                let text = args.next().ok_or("--cell needs the text of a cell's name")?;
                if !HEADLINE.iter().any(|cell| cell.label().contains(&text)) {
                    return Err(format!("no cell's name contains {text:?}"));
                }
                options.cells.push(text);
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
    let rt = common::runtime();
    let cells: Vec<&Cell> = HEADLINE
        .iter()
        .filter(|cell| {
            options.cells.is_empty() || options.cells.iter().any(|t| cell.label().contains(t))
        })
        .collect();

    // results[cell][peer]: the figure of each round, or None if the peer cannot run the cell.
    let mut results: Vec<Vec<Option<Vec<f64>>>> =
        cells.iter().map(|_| PEERS.iter().map(|_| Some(Vec::new())).collect()).collect();
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

    println!("## tidings against its peers: the headline cells\n");
    println!("Machine: {}.  ", machine());
    println!(
        "{} messages per run ({} round trips for ping-pong), median of {} round{}, every peer \
         in one process, interleaved round by round; {:.1} s in all.  ",
        options.messages,
        HEADLINE[6].messages(options.messages),
        options.rounds,
        if options.rounds == 1 { "" } else { "s" },
        started.elapsed().as_secs_f64()
    );
    println!(
        "Absolute numbers vary between runs and machines (and this machine may be shared): \
         compare within a row.\n"
    );

    let names: Vec<&str> = PEERS.iter().map(|p| p.name).collect();
    println!("| cell | unit | {} | best peer | tidings / best |", names.join(" | "));
    println!("|---|---|{}---|---:|", "---:|".repeat(names.len()));
    for (c, cell) in cells.iter().enumerate() {
        let medians: Vec<Option<f64>> =
            results[c].iter().map(|r| r.clone().and_then(median)).collect();
        let (unit, decimals) =
            if cell.mode.is_ping_pong() { ("µs / round trip", 3) } else { ("M msg/s", 1) };
        let cols: Vec<String> = medians
            .iter()
            .map(|m| m.map_or("—".to_string(), |v| format!("{v:.decimals$}")))
            .collect();
        // The best of the peers other than tidings (column 0).
        let best = medians
            .iter()
            .enumerate()
            .skip(1)
            .filter_map(|(i, m)| m.map(|v| (i, v)))
            .reduce(|a, b| if better(cell, b.1, a.1) { b } else { a });
        let (best_col, ratio) = match (best, medians[0]) {
            (Some((i, b)), Some(t)) => {
                let ratio = if cell.mode.is_ping_pong() { b / t } else { t / b };
                (format!("{} {b:.decimals$}", names[i]), format!("{ratio:.2}"))
            }
            _ => ("—".to_string(), "—".to_string()),
        };
        println!("| {} | {unit} | {} | {best_col} | {ratio} |", cell.label(), cols.join(" | "));
    }
    println!(
        "\n— : the peer cannot run the cell (thingbuf has no unbounded channel; crossbeam and \
         std have no async side). tidings / best above 1.0 means tidings is faster."
    );
}
