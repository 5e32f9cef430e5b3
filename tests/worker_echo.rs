//! coproc's echo worker test (`test_workerresource_basic`), ported: an echo worker on a tokio
//! task and on an OS thread; one norequest, then 10 norequests read with `receive_available`,
//! then 10 requests read with `receive_remaining`.

use std::time::{Duration, Instant};

use futures::StreamExt;
use tidings::{Messenger, MessengerError, Worker};

const N: i64 = 10;
const LONG: Duration = Duration::from_secs(10);

/// coproc's `echo_process`: requests are answered with replies, other messages echoed back.
fn echo_blocking(mut m: Messenger<(), i64>) -> Result<usize, MessengerError> {
    let mut echoed = 0;
    loop {
        match m.receive_message().wait() {
            Ok(msg) if msg.is_request() => m.send_reply(msg.payload)?,
            Ok(msg) => m.send_norequest(msg.payload)?,
            Err(MessengerError::CloseRequested) => return Ok(echoed),
            Err(err) => return Err(err),
        }
        echoed += 1;
    }
}

async fn echo_async(mut m: Messenger<(), i64>) -> Result<usize, MessengerError> {
    let mut echoed = 0;
    loop {
        match m.receive_message().await {
            Ok(msg) if msg.is_request() => m.send_reply(msg.payload)?,
            Ok(msg) => m.send_norequest(msg.payload)?,
            Err(MessengerError::CloseRequested) => return Ok(echoed),
            Err(err) => return Err(err),
        }
        echoed += 1;
    }
}

/// coproc sleeps 0.3 s for the echoes; this waits (at most `LONG`) until they are all here.
fn wait_until_available(m: &mut Messenger<(), i64>, n: usize) {
    let deadline = Instant::now() + LONG;
    while m.available() < n {
        assert!(Instant::now() < deadline, "only {} of {n} echoes arrived", m.available());
        std::thread::sleep(Duration::from_millis(1));
    }
}

async fn wait_until_available_async(m: &mut Messenger<(), i64>, n: usize) {
    let deadline = Instant::now() + LONG;
    while m.available() < n {
        assert!(Instant::now() < deadline, "only {} of {n} echoes arrived", m.available());
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

#[test]
fn echo_thread_worker_answers_norequests_and_requests() {
    let mut w = Worker::spawn_thread(echo_blocking);
    let m = w.messenger();

    m.send_norequest(-7).unwrap();
    assert_eq!(m.receive().timeout(LONG).wait().unwrap(), -7);

    for i in 0..N {
        m.send_norequest(i).unwrap();
    }
    assert_eq!(m.remaining(), 0);
    wait_until_available(m, N as usize);
    assert_eq!(m.available(), N as usize);
    assert_eq!(m.receive_available().unwrap(), (0..N).collect::<Vec<_>>());

    for i in 0..N {
        m.send_request(i).unwrap();
        assert_eq!(m.remaining(), i + 1);
    }
    assert_eq!(m.remaining(), N);
    let result: Vec<i64> =
        m.receive_remaining().timeout(LONG).into_iter().map(Result::unwrap).collect();
    assert_eq!(result, (0..N).collect::<Vec<_>>());
    assert_eq!(m.remaining(), 0);

    assert_eq!(w.stop().timeout(LONG).wait().unwrap().unwrap(), 1 + 2 * N as usize);
}

#[tokio::test]
async fn echo_task_worker_answers_norequests_and_requests() {
    let mut w = Worker::spawn(echo_async);
    let m = w.messenger();

    m.send_norequest(-7).unwrap();
    assert_eq!(m.receive().timeout(LONG).await.unwrap(), -7);

    for i in 0..N {
        m.send_norequest(i).unwrap();
    }
    assert_eq!(m.remaining(), 0);
    wait_until_available_async(m, N as usize).await;
    assert_eq!(m.available(), N as usize);
    assert_eq!(m.receive_available().unwrap(), (0..N).collect::<Vec<_>>());

    for i in 0..N {
        m.send_request(i).unwrap();
        assert_eq!(m.remaining(), i + 1);
    }
    assert_eq!(m.remaining(), N);
    let result: Vec<i64> = m.receive_remaining().timeout(LONG).map(Result::unwrap).collect().await;
    assert_eq!(result, (0..N).collect::<Vec<_>>());
    assert_eq!(m.remaining(), 0);

    assert_eq!(w.stop().timeout(LONG).await.unwrap().unwrap(), 1 + 2 * N as usize);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocking_echo_thread_serves_an_async_host() {
    let mut w = Worker::spawn_thread(echo_blocking);
    w.messenger().send_request_multiple(0..N).unwrap();
    let result: Vec<i64> =
        w.messenger().receive_remaining().timeout(LONG).map(Result::unwrap).collect().await;
    assert_eq!(result, (0..N).collect::<Vec<_>>());
    assert_eq!(w.stop().timeout(LONG).await.unwrap().unwrap(), N as usize);
}
