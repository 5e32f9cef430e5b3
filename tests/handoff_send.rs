//! `Sender::send_handoff` on a runtime: exactly once and in order per producer, also when its
//! futures are cancelled at random, mixed with every other kind of sender on one mailbox.

use std::collections::HashSet;

use tidings::bounded;

const COUNT: u32 = 4_000;

/// Producers race every hand-off send against `yield_now`, and move on to the next message
/// whichever wins (a cancelled hand-off send may or may not have been delivered). Whatever
/// arrives arrives once and in order per producer, and every send that completed arrived.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_handoff_sends_deliver_at_most_once_and_completed_ones_exactly_once() {
    for cap in [1, 4] {
        let (tx, mut mailbox) = bounded(cap);
        let producers: Vec<_> = (0..3u32)
            .map(|p| {
                let tx = tx.clone();
                tokio::spawn(async move {
                    let mut completed = Vec::new();
                    let mut cancelled = 0;
                    for i in 0..COUNT {
                        tokio::select! {
                            sent = tx.send_handoff((p, i)) => {
                                sent.unwrap();
                                completed.push(i);
                            }
                            _ = tokio::task::yield_now() => cancelled += 1,
                        }
                    }
                    (completed, cancelled)
                })
            })
            .collect();
        drop(tx);
        let mut received: Vec<Vec<u32>> = vec![Vec::new(); 3];
        while let Ok((p, i)) = mailbox.recv().await {
            let seen = &mut received[p as usize];
            assert!(seen.last().is_none_or(|&last| last < i), "producer {p}: {i} after {seen:?}");
            seen.push(i);
            if i % 97 == 0 {
                tokio::task::yield_now().await; // let the mailbox fill, so sends wait
            }
        }
        let mut cancelled_total = 0;
        for (p, producer) in producers.into_iter().enumerate() {
            let (completed, cancelled) = producer.await.unwrap();
            cancelled_total += cancelled;
            let got: HashSet<u32> = received[p].iter().copied().collect();
            let missing: Vec<_> = completed.iter().filter(|i| !got.contains(i)).collect();
            assert!(missing.is_empty(), "producer {p}: completed sends not received: {missing:?}");
        }
        assert!(cancelled_total > 0, "the race was run (capacity {cap})");
    }
}

/// Hand-off senders on tasks, blocking senders on threads and plain async senders share one
/// small mailbox: every message arrives exactly once, in order per producer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handoff_blocking_and_plain_senders_mix() {
    let (tx, mut mailbox) = bounded(2);
    let mut tasks = Vec::new();
    for p in 0..2u32 {
        let tx = tx.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..COUNT {
                tx.send_handoff((p, i)).await.unwrap();
            }
        }));
    }
    let plain = tx.clone();
    tasks.push(tokio::spawn(async move {
        for i in 0..COUNT {
            plain.send((2, i)).await.unwrap();
        }
    }));
    let threads: Vec<_> = (3..5u32)
        .map(|p| {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for i in 0..COUNT {
                    tx.send_blocking((p, i)).unwrap();
                }
            })
        })
        .collect();
    drop(tx);
    let mut next = [0u32; 5];
    while let Ok((p, i)) = mailbox.recv().await {
        assert_eq!(i, next[p as usize], "producer {p} in order, none lost or doubled");
        next[p as usize] += 1;
    }
    assert_eq!(next, [COUNT; 5]);
    for task in tasks {
        task.await.unwrap();
    }
    for thread in threads {
        thread.join().unwrap();
    }
}
