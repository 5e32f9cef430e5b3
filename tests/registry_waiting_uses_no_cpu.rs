//! Registry receivers use no CPU while they wait, also on several tags at once (bocpy
//! sleep-polls a multi-tag receive): a blocked thread parks, a pending task stays pending.
//! Measured from the kernel's CPU accounting of the waiting thread itself
//! (`/proc/thread-self/stat`), so other tests running at the same time do not disturb it.
#![cfg(target_os = "linux")]

use std::time::Duration;

use tidings::{Registry, Tag};

mod cpu_time;
use cpu_time::{thread_cpu_ticks, CPU_BUDGET_TICKS, WAIT};

const TAGS: [&str; 8] = ["t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7"];

#[test]
fn a_thread_blocked_on_eight_tags_uses_no_cpu() {
    let reg = Registry::<u8>::new();
    reg.set_tags(TAGS).unwrap();
    let waiter = {
        let reg = reg.clone();
        std::thread::spawn(move || {
            let before = thread_cpu_ticks();
            let got = reg.receive(TAGS).wait();
            (got, thread_cpu_ticks() - before)
        })
    };
    std::thread::sleep(WAIT);
    reg.send("t7", 1).unwrap();
    let (got, used) = waiter.join().unwrap();
    assert_eq!(got, Ok((Tag::from("t7"), 1)));
    assert!(used <= CPU_BUDGET_TICKS, "the waiting thread used {used} ticks of CPU");
}

#[test]
fn a_thread_waiting_for_a_tag_without_a_queue_uses_no_cpu() {
    let reg = Registry::<u8>::new();
    let waiter = {
        let reg = reg.clone();
        std::thread::spawn(move || {
            let before = thread_cpu_ticks();
            let got = reg.receive(["not-yet", "never"]).matching(|_, n| *n > 0).wait();
            (got, thread_cpu_ticks() - before)
        })
    };
    std::thread::sleep(WAIT);
    reg.send("not-yet", 1).unwrap();
    let (got, used) = waiter.join().unwrap();
    assert_eq!(got, Ok((Tag::from("not-yet"), 1)));
    assert!(used <= CPU_BUDGET_TICKS, "the waiting thread used {used} ticks of CPU");
}

#[test]
fn a_task_pending_on_eight_tags_uses_no_cpu() {
    let reg = Registry::<u8>::new();
    reg.set_tags(TAGS).unwrap();
    // A current-thread runtime driven by this thread alone: the thread's CPU time is the
    // task's (plus the runtime's own idle cost, which must be nil too).
    let runner = {
        let reg = reg.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            let before = thread_cpu_ticks();
            let got =
                rt.block_on(async { reg.receive(TAGS).timeout(Duration::from_secs(30)).await });
            (got, thread_cpu_ticks() - before)
        })
    };
    std::thread::sleep(WAIT);
    reg.send("t3", 1).unwrap();
    let (got, used) = runner.join().unwrap();
    assert_eq!(got, Ok((Tag::from("t3"), 1)));
    assert!(used <= CPU_BUDGET_TICKS, "the runtime thread used {used} ticks of CPU");
}
