//! Shared by the "waiting uses no CPU" tests: the CPU time of the calling thread, read from
//! the kernel's accounting (Linux `/proc/thread-self/stat`), so other tests running at the
//! same time do not disturb the measurement.

use std::time::Duration;

/// How long a waiter waits in these tests, and how much CPU it may use meanwhile: the brief
/// spin before it parks, plus scheduler noise. A sleep-polling or spinning waiter would use
/// most of the wait.
pub const WAIT: Duration = Duration::from_millis(400);
/// Clock ticks are 10 ms: at most 40 ms of CPU in 400 ms.
pub const CPU_BUDGET_TICKS: u64 = 4;

/// User + system CPU time of the calling thread, in clock ticks.
pub fn thread_cpu_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap();
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}
