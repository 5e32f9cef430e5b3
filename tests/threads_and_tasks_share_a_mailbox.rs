//! One mailbox, used by a task (`.await`) and by a thread (blocking calls) — in both
//! directions, and switching between the two on the same instance.

use std::time::Duration;

use tidings::{bounded, unbounded, RecvError};

/// A thread sends, a task receives; then a task sends and a thread receives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thread_to_task_and_task_to_thread() {
    let (to_task, mut task_box) = bounded::<u32>(4);
    let (to_thread, thread_box) = bounded::<u32>(4);

    // The thread echoes every number back, doubled.
    let echo = std::thread::spawn(move || {
        let mut thread_box = thread_box;
        while let Ok(n) = thread_box.recv_blocking() {
            to_task.send_blocking(n * 2).unwrap();
        }
    });
    for n in 0..1000 {
        to_thread.send(n).await.unwrap();
        assert_eq!(task_box.recv().await, Ok(n * 2));
    }
    drop(to_thread);
    assert_eq!(task_box.recv().await, Err(RecvError::Closed));
    tokio::task::spawn_blocking(move || echo.join().unwrap()).await.unwrap();
}

/// The receiver is awaited in one call and blocked on in the next, the sender likewise.
#[test]
fn one_mailbox_awaited_then_blocked_on() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build();
    let rt = rt.unwrap();
    let (tx, mut mailbox) = unbounded::<&str>();

    let task_tx = tx.clone();
    rt.spawn(async move {
        tokio::time::sleep(Duration::from_millis(20)).await;
        task_tx.send("from a task").await.unwrap();
    });
    // Blocking receive on this thread, woken by the task.
    assert_eq!(mailbox.recv_blocking(), Ok("from a task"));

    // Now the same mailbox moves into a task and is awaited; a thread sends.
    let thread_tx = tx.clone();
    let sender = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(20));
        thread_tx.send_blocking("from a thread").unwrap();
    });
    let mut mailbox = rt.block_on(async move {
        assert_eq!(mailbox.recv().await, Ok("from a thread"));
        mailbox
    });
    sender.join().unwrap();

    // And back to blocking, with the last sender dropped by a task.
    rt.spawn(async move { drop(tx) });
    assert_eq!(mailbox.recv_blocking(), Err(RecvError::Closed));
}

/// A bounded mailbox whose senders wait for room both ways at once: a blocked thread and a
/// pending task are released by a consumer that alternates between blocking and async receives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocked_thread_and_pending_task_senders_on_one_full_mailbox() {
    let (tx, mailbox) = bounded::<(char, u32)>(1);
    let thread_tx = tx.clone();
    let thread = std::thread::spawn(move || {
        for i in 0..500 {
            thread_tx.send_blocking(('t', i)).unwrap();
        }
    });
    let task = tokio::spawn(async move {
        for i in 0..500 {
            tx.send(('a', i)).await.unwrap();
        }
    });
    let consumer = tokio::task::spawn_blocking(move || {
        let mut mailbox = mailbox;
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let mut counts = (0, 0);
        for round in 0.. {
            let msg = if round % 2 == 0 {
                mailbox.recv_blocking()
            } else {
                rt.block_on(async { mailbox.recv().await })
            };
            match msg {
                Ok(('t', i)) => {
                    assert_eq!(i, counts.0);
                    counts.0 += 1;
                }
                Ok(('a', i)) => {
                    assert_eq!(i, counts.1);
                    counts.1 += 1;
                }
                Ok(other) => panic!("unexpected {other:?}"),
                Err(_) => break,
            }
        }
        counts
    });
    task.await.unwrap();
    assert_eq!(consumer.await.unwrap(), (500, 500));
    thread.join().unwrap();
}
