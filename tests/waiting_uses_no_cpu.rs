//! A thread blocked on a mailbox and a task pending on one use no CPU while they wait: they park
//! or sleep, they do not spin or poll. Measured from the kernel's CPU accounting of the waiting
//! thread itself (Linux `/proc/thread-self/stat`), so other tests running at the same time do
//! not disturb it.
#![cfg(target_os = "linux")]

use std::time::Duration;

use tidings::{bounded, unbounded};

mod cpu_time;
use cpu_time::{thread_cpu_ticks, CPU_BUDGET_TICKS, WAIT};

#[test]
fn a_blocked_receiving_thread_uses_no_cpu() {
    let (tx, mailbox) = unbounded::<u8>();
    let waiter = std::thread::spawn(move || {
        let mut mailbox = mailbox;
        let before = thread_cpu_ticks();
        let got = mailbox.recv_blocking();
        (got, thread_cpu_ticks() - before)
    });
    std::thread::sleep(WAIT);
    tx.try_send(1).unwrap();
    let (got, used) = waiter.join().unwrap();
    assert_eq!(got, Ok(1));
    assert!(used <= CPU_BUDGET_TICKS, "the waiting thread used {used} ticks of CPU");
}

#[test]
fn a_blocked_sending_thread_uses_no_cpu() {
    let (tx, mut mailbox) = bounded::<u8>(1);
    tx.try_send(0).unwrap();
    let waiter = std::thread::spawn(move || {
        let before = thread_cpu_ticks();
        tx.send_blocking(1).unwrap();
        thread_cpu_ticks() - before
    });
    std::thread::sleep(WAIT);
    assert_eq!(mailbox.recv_blocking(), Ok(0));
    let used = waiter.join().unwrap();
    assert!(used <= CPU_BUDGET_TICKS, "the waiting thread used {used} ticks of CPU");
    assert_eq!(mailbox.recv_blocking(), Ok(1));
}

#[test]
fn a_pending_receiving_task_uses_no_cpu() {
    let (tx, mailbox) = unbounded::<u8>();
    // The task runs on a current-thread runtime driven by this thread alone, so the thread's
    // CPU time is the task's (plus the runtime's own idle cost, which must be nil too).
    let runner = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let mut mailbox = mailbox;
        let before = thread_cpu_ticks();
        let got = rt.block_on(async { mailbox.recv().timeout(Duration::from_secs(30)).await });
        (got, thread_cpu_ticks() - before)
    });
    std::thread::sleep(WAIT);
    tx.try_send(1).unwrap();
    let (got, used) = runner.join().unwrap();
    assert_eq!(got, Ok(1));
    assert!(used <= CPU_BUDGET_TICKS, "the runtime thread used {used} ticks of CPU");
}
