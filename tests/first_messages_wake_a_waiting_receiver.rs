//! A receiver that is already waiting when the first messages of a fresh mailbox arrive is woken
//! by them: for every kind of mailbox, for a blocked thread and for a task, and for producers
//! that race the receiver's registration as well as ones that come long after it sleeps.
//!
//! The first messages are where a wake-up is easiest to lose: an unbounded mailbox has no block
//! yet, and the receiver may be anywhere between "found nothing" and "asleep" when the first
//! push lands. The sender stays alive until every message is in, so no close can do the waking,
//! and a watchdog (not a timed receive, which would look at the mailbox once more at its
//! deadline and hide the bug) turns a lost wake-up into a failure.

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use tidings::{Mailbox, Sender};

/// Long enough for any wake-up on a loaded 2-core machine; a lost one never comes.
const WATCHDOG: Duration = Duration::from_secs(20);
const ROUNDS: usize = if cfg!(debug_assertions) { 150 } else { 600 };

#[derive(Clone, Copy, Debug)]
enum Kind {
    Bounded(usize),
    Unbounded,
}

const KINDS: [Kind; 4] = [Kind::Bounded(1), Kind::Bounded(2), Kind::Bounded(64), Kind::Unbounded];

fn mailbox(kind: Kind) -> (Sender<u32>, Mailbox<u32>) {
    match kind {
        Kind::Bounded(cap) => tidings::bounded(cap),
        Kind::Unbounded => tidings::unbounded(),
    }
}

/// How long the producer lets the receiver get ahead before its first message, by round:
/// racing, a few microseconds (mid-registration), or long enough that it surely sleeps.
fn head_start(round: usize) {
    match round % 4 {
        0 => {}
        1 => thread::yield_now(),
        2 => {
            for _ in 0..(round % 200) {
                std::hint::spin_loop();
            }
        }
        _ => thread::sleep(Duration::from_micros(200)),
    }
}

/// Runs `body` on its own thread and fails the test if it does not finish within `WATCHDOG`.
fn with_watchdog(what: String, body: impl FnOnce() + Send + 'static) {
    let (done_tx, done_rx) = mpsc::channel();
    let worker = thread::spawn(move || {
        body();
        let _ = done_tx.send(());
    });
    match done_rx.recv_timeout(WATCHDOG) {
        Ok(()) => worker.join().unwrap(),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            // The body panicked: report its panic.
            if let Err(panic) = worker.join() {
                std::panic::resume_unwind(panic);
            }
        }
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("{what}: the receiver was not woken within {WATCHDOG:?} (lost wake-up)")
        }
    }
}

#[test]
fn a_blocked_thread_is_woken_by_the_first_messages() {
    for kind in KINDS {
        with_watchdog(format!("thread receiver, {kind:?}"), move || {
            for round in 0..ROUNDS {
                let (tx, mut rx) = mailbox(kind);
                let receiver = thread::spawn(move || {
                    let got = [rx.recv_blocking(), rx.recv_blocking(), rx.recv_blocking()];
                    (got, rx)
                });
                head_start(round);
                for n in 0..3 {
                    tx.send_blocking(n).unwrap();
                }
                let (got, _rx) = receiver.join().unwrap();
                assert_eq!(got, [Ok(0), Ok(1), Ok(2)], "round {round}");
                // The sender outlived every receive: no close woke the receiver.
                drop(tx);
            }
        });
    }
}

/// A task receives three messages from a fresh mailbox of every kind, round after round;
/// `produce` sends them (on the test's thread, or by spawning a task) and hands back the
/// sender, which is dropped only after the receiver has all three.
fn task_receiver_rounds(
    producer: &'static str,
    produce: fn(&tokio::runtime::Runtime, usize, Sender<u32>) -> Sender<u32>,
) {
    for kind in KINDS {
        with_watchdog(format!("task receiver, {producer} producer, {kind:?}"), move || {
            let runtime =
                tokio::runtime::Builder::new_multi_thread().worker_threads(2).build().unwrap();
            for round in 0..ROUNDS {
                let (tx, mut rx) = mailbox(kind);
                let receiver = runtime
                    .spawn(async move { [rx.recv().await, rx.recv().await, rx.recv().await] });
                let tx = produce(&runtime, round, tx);
                let got = runtime.block_on(receiver).unwrap();
                assert_eq!(got, [Ok(0), Ok(1), Ok(2)], "round {round}");
                drop(tx);
            }
        });
    }
}

#[test]
fn a_waiting_task_is_woken_by_the_first_messages_of_a_thread() {
    task_receiver_rounds("thread", |_, round, tx| {
        head_start(round);
        for n in 0..3 {
            tx.send_blocking(n).unwrap();
        }
        tx
    });
}

#[test]
fn a_waiting_task_is_woken_by_the_first_messages_of_a_task() {
    task_receiver_rounds("task", |runtime, round, tx| {
        let producer = runtime.spawn(async move {
            if round % 2 == 1 {
                tokio::task::yield_now().await;
            }
            for n in 0..3 {
                tx.send(n).await.unwrap();
            }
            tx
        });
        runtime.block_on(producer).unwrap()
    });
}
