//! Four producers, one mailbox: every message arrives exactly once, and each producer's
//! messages arrive in the order it sent them — for threads, tasks and both mixed, on bounded
//! (tiny and roomy) and unbounded mailboxes.

use tidings::{bounded, unbounded, Mailbox, Sender};

const PRODUCERS: usize = 4;
const PER_PRODUCER: usize = 20_000;

type Msg = (usize, usize);

fn mailboxes() -> Vec<(&'static str, Sender<Msg>, Mailbox<Msg>)> {
    let (a, b) = bounded(1);
    let (c, d) = bounded(16);
    let (e, f) = unbounded();
    vec![("bounded(1)", a, b), ("bounded(16)", c, d), ("unbounded", e, f)]
}

/// Checks one received message against the per-producer sequence.
fn check(next: &mut [usize; PRODUCERS], (producer, seq): Msg, kind: &str) {
    assert_eq!(seq, next[producer], "{kind}: producer {producer} out of order or duplicated");
    next[producer] += 1;
}

fn spawn_thread_producers(tx: &Sender<Msg>) -> Vec<std::thread::JoinHandle<()>> {
    (0..PRODUCERS)
        .map(|p| {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for i in 0..PER_PRODUCER {
                    tx.send_blocking((p, i)).unwrap();
                }
            })
        })
        .collect()
}

fn spawn_task_producers(tx: &Sender<Msg>) -> Vec<tokio::task::JoinHandle<()>> {
    (0..PRODUCERS)
        .map(|p| {
            let tx = tx.clone();
            tokio::spawn(async move {
                for i in 0..PER_PRODUCER {
                    tx.send((p, i)).await.unwrap();
                }
            })
        })
        .collect()
}

#[test]
fn threads_to_thread() {
    for (kind, tx, mut mailbox) in mailboxes() {
        let producers = spawn_thread_producers(&tx);
        drop(tx);
        let mut next = [0; PRODUCERS];
        while let Ok(msg) = mailbox.recv_blocking() {
            check(&mut next, msg, kind);
        }
        assert_eq!(next, [PER_PRODUCER; PRODUCERS], "{kind}: every message exactly once");
        producers.into_iter().for_each(|h| h.join().unwrap());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tasks_to_task() {
    for (kind, tx, mut mailbox) in mailboxes() {
        let producers = spawn_task_producers(&tx);
        drop(tx);
        let mut next = [0; PRODUCERS];
        while let Ok(msg) = mailbox.recv().await {
            check(&mut next, msg, kind);
        }
        assert_eq!(next, [PER_PRODUCER; PRODUCERS], "{kind}: every message exactly once");
        for h in producers {
            h.await.unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn threads_to_task() {
    for (kind, tx, mut mailbox) in mailboxes() {
        let producers = spawn_thread_producers(&tx);
        drop(tx);
        let mut next = [0; PRODUCERS];
        while let Ok(msg) = mailbox.recv().await {
            check(&mut next, msg, kind);
        }
        assert_eq!(next, [PER_PRODUCER; PRODUCERS], "{kind}: every message exactly once");
        producers.into_iter().for_each(|h| h.join().unwrap());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tasks_to_thread() {
    for (kind, tx, mailbox) in mailboxes() {
        let producers = spawn_task_producers(&tx);
        drop(tx);
        let consumer = std::thread::spawn(move || {
            let mut mailbox = mailbox;
            let mut next = [0; PRODUCERS];
            while let Ok(msg) = mailbox.recv_blocking() {
                check(&mut next, msg, kind);
            }
            next
        });
        for h in producers {
            h.await.unwrap();
        }
        let next = tokio::task::spawn_blocking(move || consumer.join().unwrap()).await.unwrap();
        assert_eq!(next, [PER_PRODUCER; PRODUCERS], "{kind}: every message exactly once");
    }
}

/// Two thread producers (blocking sends), one task with `send().await`, one task spinning on
/// `try_send`: all four into one mailbox at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn threads_and_tasks_mixed() {
    for (kind, tx, mut mailbox) in mailboxes() {
        let threads: Vec<_> = (0..2)
            .map(|p| {
                let tx = tx.clone();
                std::thread::spawn(move || {
                    for i in 0..PER_PRODUCER {
                        tx.send_blocking((p, i)).unwrap();
                    }
                })
            })
            .collect();
        let tasks: Vec<_> = (2..PRODUCERS)
            .map(|p| {
                let tx = tx.clone();
                tokio::spawn(async move {
                    for i in 0..PER_PRODUCER {
                        if p == 2 {
                            tx.send((p, i)).await.unwrap();
                        } else {
                            let mut msg = (p, i);
                            while let Err(err) = tx.try_send(msg) {
                                msg = err.into_inner();
                                tokio::task::yield_now().await;
                            }
                        }
                    }
                })
            })
            .collect();
        drop(tx);
        let mut next = [0; PRODUCERS];
        while let Ok(msg) = mailbox.recv().await {
            check(&mut next, msg, kind);
        }
        assert_eq!(next, [PER_PRODUCER; PRODUCERS], "{kind}: every message exactly once");
        for h in tasks {
            h.await.unwrap();
        }
        threads.into_iter().for_each(|h| h.join().unwrap());
    }
}
