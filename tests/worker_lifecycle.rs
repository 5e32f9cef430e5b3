//! A worker's life: join returns its result (or the panic message), stop is a close request
//! then a join and times out cleanly on a worker that never reads, terminate aborts a task and
//! detaches a thread, Drop terminates, join keeps the data the worker sent, and joining twice
//! or after terminate is an error, not a panic.

use std::future::IntoFuture;
use std::time::{Duration, Instant};

use tidings::{Messenger, MessengerError, Worker, WorkerError};

mod timing;
use timing::{assert_on_time, SHORT};

const LONG: Duration = Duration::from_secs(10);

#[test]
fn join_returns_what_a_thread_worker_returned() {
    let mut w = Worker::spawn_thread(|_m: Messenger<(), ()>| 42);
    assert_eq!(w.join().timeout(LONG).wait(), Ok(42));
    assert!(!w.is_alive());
}

#[tokio::test]
async fn join_returns_what_a_task_worker_returned() {
    let mut w = Worker::spawn(|_m: Messenger<(), ()>| async { "done" });
    assert_eq!(w.join().timeout(LONG).await, Ok("done"));
}

#[test]
fn a_panicking_thread_worker_is_reported_with_its_message() {
    let mut w = Worker::spawn_thread(|mut m: Messenger<(), u32>| {
        m.send_norequest(1).unwrap();
        panic!("worker exploded (expected by this test)");
    });
    let err = w.join().timeout(LONG).wait().unwrap_err();
    assert_eq!(err, WorkerError::Panicked("worker exploded (expected by this test)".into()));
    // What it sent before panicking is still there; then the peer is gone.
    assert_eq!(w.messenger().receive_blocking().unwrap(), 1);
    assert!(matches!(w.messenger().receive_blocking(), Err(MessengerError::Disconnected)));
}

#[tokio::test]
async fn a_panicking_task_worker_is_reported_and_its_host_sees_disconnected() {
    let mut w = Worker::spawn(|mut m: Messenger<(), u32>| async move {
        let n = m.receive().await.unwrap();
        panic!("task got {n} and panicked (expected by this test)");
    });
    w.messenger().send_request(5).unwrap();
    // The host is waiting for a reply when the worker panics: never a hang.
    let result = w.messenger().receive().timeout(LONG).await;
    assert!(matches!(result, Err(MessengerError::Disconnected)), "{result:?}");
    let err = w.join().timeout(LONG).await.unwrap_err();
    assert_eq!(
        err,
        WorkerError::Panicked("task got 5 and panicked (expected by this test)".into())
    );
    assert_eq!(w.messenger().remaining(), 1);
}

#[test]
fn a_non_string_panic_payload_is_named() {
    let mut w = Worker::spawn_thread(|_m: Messenger<(), ()>| std::panic::panic_any(7u8));
    let err = w.join().timeout(LONG).wait().unwrap_err();
    assert!(matches!(err, WorkerError::Panicked(msg) if msg.contains("not a string")));
}

#[test]
fn stop_sends_a_close_request_and_joins_a_thread_worker() {
    let mut w = Worker::spawn_thread(|mut m: Messenger<(), u32>| match m.receive_blocking() {
        Err(MessengerError::CloseRequested) => "closed on request",
        _ => "something else",
    });
    assert_eq!(w.stop().timeout(LONG).wait(), Ok("closed on request"));
}

#[tokio::test]
async fn stop_sends_a_close_request_and_joins_a_task_worker() {
    let mut w = Worker::spawn(|mut m: Messenger<(), u32>| async move {
        m.receive().await.map_err(|err| err.is_close_requested())
    });
    assert_eq!(w.stop().timeout(LONG).await, Ok(Err(true)));
}

#[test]
fn stop_times_out_cleanly_on_a_thread_worker_that_never_reads() {
    let (release, wait_here) = std::sync::mpsc::channel::<()>();
    let mut w = Worker::spawn_thread(move |_m: Messenger<(), u32>| {
        let _ = wait_here.recv(); // never looks at its messenger
        "released"
    });
    let started = Instant::now();
    assert_eq!(w.stop().timeout(SHORT).wait(), Err(WorkerError::Timeout));
    assert_on_time(started, "the timed wait");
    assert!(w.is_alive());

    release.send(()).unwrap();
    assert_eq!(w.join().timeout(LONG).wait(), Ok("released"));
}

#[tokio::test]
async fn stop_times_out_cleanly_on_a_task_worker_that_never_reads() {
    let mut w = Worker::spawn(|_m: Messenger<(), u32>| async {
        tokio::time::sleep(Duration::from_secs(3600)).await;
    });
    let started = Instant::now();
    assert_eq!(w.stop().timeout(SHORT).await, Err(WorkerError::Timeout));
    assert_on_time(started, "the timed wait");
    assert!(w.is_alive());

    w.terminate();
    assert_eq!(w.join().await, Err(WorkerError::Terminated));
    tokio::time::timeout(LONG, async {
        while w.is_alive() {
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("an aborted task ends");
}

#[test]
fn joining_twice_or_after_terminate_is_an_error() {
    let mut w = Worker::spawn_thread(|_m: Messenger<(), ()>| 1);
    assert_eq!(w.join().timeout(LONG).wait(), Ok(1));
    assert_eq!(w.join().wait(), Err(WorkerError::AlreadyJoined));
    assert_eq!(w.stop().wait(), Err(WorkerError::AlreadyJoined));
    w.terminate(); // after a join: nothing to do
    assert_eq!(w.join().wait(), Err(WorkerError::AlreadyJoined));

    let mut w = Worker::spawn_thread(|mut m: Messenger<(), ()>| m.receive_blocking().is_err());
    w.terminate();
    assert_eq!(w.join().wait(), Err(WorkerError::Terminated));
    assert_eq!(w.join().wait(), Err(WorkerError::Terminated));
}

#[test]
fn terminate_detaches_a_thread_after_a_close_request() {
    let (tx, mut done) = tidings::unbounded::<&str>();
    let mut w = Worker::spawn_thread(move |mut m: Messenger<(), ()>| {
        if let Err(MessengerError::CloseRequested) = m.receive_blocking() {
            tx.send_blocking("the thread saw the close request").unwrap();
        }
    });
    w.terminate();
    assert_eq!(done.recv().timeout(LONG).wait(), Ok("the thread saw the close request"));
}

#[tokio::test]
async fn terminate_aborts_a_task() {
    let (tx, mut done) = tidings::unbounded::<()>();
    let mut w = Worker::spawn(|_m: Messenger<(), ()>| async move {
        let _keep = tx; // dropped when the task is aborted
        std::future::pending::<()>().await;
    });
    w.terminate();
    assert_eq!(done.recv().timeout(LONG).await, Err(tidings::RecvError::Closed));
    assert_eq!(w.join().await, Err(WorkerError::Terminated));
}

#[tokio::test]
async fn dropping_a_worker_terminates_it() {
    let (tx, mut done) = tidings::unbounded::<()>();
    let w = Worker::spawn(|_m: Messenger<(), ()>| async move {
        let _keep = tx;
        std::future::pending::<()>().await;
    });
    drop(w);
    assert_eq!(done.recv().timeout(LONG).await, Err(tidings::RecvError::Closed));

    // A thread worker is asked to close (and its messenger disconnects) when dropped.
    let (tx, mut done) = tidings::unbounded::<bool>();
    let w = Worker::spawn_thread(move |mut m: Messenger<(), ()>| {
        let closed = m.receive_blocking().unwrap_err().is_close_requested();
        tx.send_blocking(closed).unwrap();
    });
    drop(w);
    assert_eq!(done.recv().timeout(LONG).await, Ok(true));
}

#[tokio::test]
async fn join_keeps_the_data_the_worker_sent() {
    let mut w = Worker::spawn(|mut m: Messenger<(), u32>| async move {
        for i in 0..3 {
            m.send_reply(i).unwrap();
        }
        m.send_error(std::fmt::Error).unwrap();
    });
    w.join().timeout(LONG).await.unwrap();
    let m = w.messenger();
    assert!(m.receive().await.unwrap_err().downcast_peer::<std::fmt::Error>().is_some());
    assert_eq!(m.receive_available().unwrap(), [0, 1, 2]);
    assert!(m.is_disconnected());
}

#[tokio::test]
async fn a_dropped_join_future_leaves_the_worker_joinable() {
    let mut w = Worker::spawn(|mut m: Messenger<(), u32>| async move { m.receive().await.is_ok() });
    assert!(tokio::time::timeout(Duration::from_millis(20), w.join().into_future()).await.is_err());
    w.messenger().send_norequest(1).unwrap();
    assert_eq!(w.join().timeout(LONG).await, Ok(true));
}

#[test]
fn is_alive_follows_a_thread_worker() {
    let mut w = Worker::spawn_thread(|mut m: Messenger<(), ()>| m.receive_blocking().is_err());
    assert!(w.is_alive());
    w.messenger().send_norequest(()).unwrap();
    assert_eq!(w.join().timeout(LONG).wait(), Ok(false));
    assert!(!w.is_alive());
}
