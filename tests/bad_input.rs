//! Programmer errors get clear panics; odd but legal input gets sensible results.

use std::time::Duration;

use tidings::{bounded, unbounded, RecvError};

#[test]
#[should_panic(expected = "a mailbox needs room for at least one message")]
fn bounded_zero_panics_with_a_reason() {
    let _ = bounded::<u8>(0);
}

#[test]
#[should_panic(expected = "use `.await` in async code")]
fn wait_inside_a_current_thread_runtime_panics_instead_of_deadlocking() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (_tx, mut mailbox) = unbounded::<u8>();
    rt.block_on(async move {
        let _ = mailbox.recv().wait();
    });
}

#[test]
#[should_panic(expected = "Receive::wait")]
fn wait_on_a_multi_thread_worker_panics_and_names_the_call() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).build().unwrap();
    let (_tx, mut mailbox) = unbounded::<u8>();
    let result = rt.block_on(rt.spawn(async move { mailbox.recv_blocking() }));
    // Re-raise the task's panic with its message.
    std::panic::resume_unwind(result.unwrap_err().into_panic());
}

#[test]
#[should_panic(expected = "Sender::send_blocking would block")]
fn blocking_send_on_a_full_mailbox_inside_a_runtime_panics() {
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let (tx, _mailbox) = bounded(1);
    tx.try_send(0).unwrap();
    rt.block_on(async move {
        let _ = tx.send_blocking(1);
    });
}

#[test]
fn blocking_calls_that_need_not_wait_work_inside_a_runtime() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (tx, mut mailbox) = bounded(2);
    rt.block_on(async move {
        tx.send_blocking(1).unwrap();
        assert_eq!(mailbox.recv_blocking(), Ok(1));
        assert_eq!(mailbox.recv().timeout(Duration::ZERO).wait(), Err(RecvError::Timeout));
    });
}

#[test]
fn blocking_calls_are_fine_in_spawn_blocking() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build();
    let rt = rt.unwrap();
    let (tx, mailbox) = unbounded::<u8>();
    let got = rt.block_on(async move {
        let receiver = tokio::task::spawn_blocking(move || {
            let mut mailbox = mailbox;
            mailbox.recv_blocking()
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        tx.send(3).await.unwrap();
        receiver.await.unwrap()
    });
    assert_eq!(got, Ok(3));
}

#[test]
fn huge_capacity_is_fine_until_memory_says_otherwise() {
    let (tx, mut mailbox) = bounded(1 << 16);
    for i in 0..(1 << 16) {
        tx.try_send(i).unwrap();
    }
    assert!(tx.try_send(0).unwrap_err().is_full());
    assert_eq!(mailbox.drain().count(), 1 << 16);
}

#[test]
#[should_panic(expected = "SendSink::start_send called before poll_ready was Ready")]
fn a_second_start_send_without_poll_ready_panics() {
    use futures::Sink;
    use std::pin::Pin;

    let (tx, _mailbox) = bounded(1);
    tx.try_send(0).unwrap();
    let mut sink = tx.into_sink();
    // No room: the sink keeps this one until a flush finds room...
    Pin::new(&mut sink).start_send(1).unwrap();
    // ...so it cannot take another before `poll_ready` says so.
    let _ = Pin::new(&mut sink).start_send(2);
}

#[test]
#[should_panic(expected = "Sender::send_timeout would block")]
fn send_timeout_on_a_full_mailbox_inside_a_runtime_panics() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (tx, _mailbox) = bounded(1);
    tx.try_send(0).unwrap();
    rt.block_on(async move {
        let _ = tx.send_timeout(1, Duration::from_secs(5));
    });
}
