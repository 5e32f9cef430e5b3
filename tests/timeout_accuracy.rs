//! Timed receives and sends return close to their deadline (never before it), measured on the
//! monotonic clock; huge timeouts mean "no deadline" and zero means "check once".

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tidings::{bounded, unbounded, RecvError};

mod timing;
use timing::{assert_on_time, NOISE_FOR, SHORT as TIMEOUT};

#[test]
fn blocking_receive_times_out_on_time() {
    let (_tx, mut mailbox) = unbounded::<u8>();
    let start = Instant::now();
    assert_eq!(mailbox.recv().timeout(TIMEOUT).wait(), Err(RecvError::Timeout));
    assert_on_time(start, "recv().timeout().wait()");
}

#[tokio::test]
async fn async_receive_times_out_on_time() {
    let (_tx, mut mailbox) = unbounded::<u8>();
    let start = Instant::now();
    assert_eq!(mailbox.recv().timeout(TIMEOUT).await, Err(RecvError::Timeout));
    assert_on_time(start, "recv().timeout().await");
}

#[test]
fn deadline_is_an_instant() {
    let (_tx, mut mailbox) = unbounded::<u8>();
    let start = Instant::now();
    assert_eq!(mailbox.recv().deadline(start + TIMEOUT).wait(), Err(RecvError::Timeout));
    assert_on_time(start, "recv().deadline().wait()");
}

#[test]
fn blocking_send_times_out_on_time() {
    let (tx, _mailbox) = bounded(1);
    tx.try_send(0).unwrap();
    let start = Instant::now();
    assert!(tx.send_timeout(1, TIMEOUT).unwrap_err().is_timeout());
    assert_on_time(start, "send_timeout");
}

/// The timer starts when the receive starts, not at each wake-up: a stream of non-matching
/// messages keeps waking a selective receive (until it returns, or for [`NOISE_FOR`]), yet it
/// still times out on time.
#[test]
fn wake_ups_do_not_restart_the_timer() {
    let (tx, mut mailbox) = unbounded::<u32>();
    let done = Arc::new(AtomicBool::new(false));
    let noise = {
        let done = done.clone();
        std::thread::spawn(move || {
            let start = Instant::now();
            let mut i = 0;
            while !done.load(Ordering::Relaxed) && start.elapsed() < NOISE_FOR {
                if tx.try_send(i).is_err() {
                    break;
                }
                i += 1;
                std::thread::sleep(Duration::from_millis(5));
            }
        })
    };
    let start = Instant::now();
    let got = mailbox.recv().matching(|n| *n > u32::MAX / 2).timeout(TIMEOUT).wait();
    done.store(true, Ordering::Relaxed);
    assert_eq!(got, Err(RecvError::Timeout));
    assert_on_time(start, "selective receive woken by noise");
    noise.join().unwrap();
}

#[tokio::test]
async fn async_wake_ups_do_not_restart_the_timer() {
    let (tx, mut mailbox) = unbounded::<u32>();
    let done = Arc::new(AtomicBool::new(false));
    let noise = {
        let done = done.clone();
        tokio::spawn(async move {
            let start = Instant::now();
            let mut i = 0;
            while !done.load(Ordering::Relaxed) && start.elapsed() < NOISE_FOR {
                if tx.send(i).await.is_err() {
                    break;
                }
                i += 1;
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
    };
    let start = Instant::now();
    let got = mailbox.recv().matching(|n| *n > u32::MAX / 2).timeout(TIMEOUT).await;
    done.store(true, Ordering::Relaxed);
    assert_eq!(got, Err(RecvError::Timeout));
    assert_on_time(start, "async selective receive woken by noise");
    noise.await.unwrap();
}

#[test]
fn zero_timeout_checks_once_and_never_misses_a_queued_message() {
    let (tx, mut mailbox) = unbounded();
    assert_eq!(mailbox.recv().timeout(Duration::ZERO).wait(), Err(RecvError::Timeout));
    tx.try_send(5).unwrap();
    assert_eq!(mailbox.recv().timeout(Duration::ZERO).wait(), Ok(5));
    let past = Instant::now() - Duration::from_secs(1);
    tx.try_send(6).unwrap();
    assert_eq!(mailbox.recv().deadline(past).wait(), Ok(6), "a past deadline still looks once");
}

#[tokio::test]
async fn zero_timeout_async() {
    let (tx, mut mailbox) = unbounded();
    assert_eq!(mailbox.recv().timeout(Duration::ZERO).await, Err(RecvError::Timeout));
    tx.try_send(5).unwrap();
    assert_eq!(mailbox.recv().timeout(Duration::ZERO).await, Ok(5));
}

/// `Duration::MAX` (and other unrepresentable deadlines) mean "no deadline", not a panic.
#[test]
fn duration_max_means_no_deadline() {
    let (tx, mut mailbox) = bounded(1);
    let sender = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(20));
        tx.send_timeout(1, Duration::MAX).unwrap();
        tx.send_timeout(2, Duration::MAX).unwrap();
    });
    assert_eq!(mailbox.recv().timeout(Duration::MAX).wait(), Ok(1));
    assert_eq!(mailbox.recv().after(Duration::MAX, || 0).wait(), Ok(2));
    sender.join().unwrap();
}

#[tokio::test]
async fn huge_timeouts_do_not_panic_in_async_code() {
    let (tx, mut mailbox) = unbounded();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(20)).await;
        tx.send(1).await.unwrap();
        tx.send(2).await.unwrap();
    });
    assert_eq!(mailbox.recv().timeout(Duration::MAX).await, Ok(1));
    let a_century = Duration::from_secs(100 * 365 * 24 * 3600);
    assert_eq!(mailbox.recv().timeout(a_century).await, Ok(2));
}
