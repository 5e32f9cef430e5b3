//! Every message given to a messenger or a worker is dropped exactly once — received, given
//! back by a failed send, or left queued (in the end's mailbox, in a channel's FIFO or
//! priority queue, as a pending special message) when the end, the worker's task or thread,
//! or the worker handle goes — never leaked, never twice.

mod counted;

use std::fmt;
use std::time::Duration;

use counted::{Counted, Tracker};
use tidings::messenger::PriorityQueue;
use tidings::{Messenger, MessengerError, PriorityMessenger, SendError, Worker};

/// An error that is also a counted message: special messages must not leak either.
#[derive(Debug)]
struct CountedError(Counted);

impl fmt::Display for CountedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error {}", self.0.id)
    }
}

impl std::error::Error for CountedError {}

const LONG: Duration = Duration::from_secs(10);

#[test]
fn messages_queued_at_an_end_are_dropped_once_when_it_goes() {
    let t = Tracker::new();
    let (mut host, mut worker) = Messenger::<u8, Counted>::pair();
    for i in 0..30 {
        host.channel(i % 3).send_request(t.make()).unwrap();
    }
    // Sort some into the worker end's channel queues, take a few, leave the rest.
    assert_eq!(worker.available(), 10);
    let taken = worker.channel(1).receive_blocking().unwrap();
    drop(taken);
    for i in 30..40 {
        host.channel(i % 3).send_norequest(t.make()).unwrap(); // still in the mailbox
    }
    host.send_error(CountedError(t.make())).unwrap();
    host.send_close_request().unwrap();
    assert_eq!(t.dropped(), 1);
    drop(worker);
    t.assert_all_dropped_once();
    // The host's own end holds nothing of them.
    assert!(host.is_disconnected());
    drop(host);
    t.assert_all_dropped_once();
}

#[test]
fn messages_in_priority_queues_are_dropped_once() {
    let t = Tracker::new();
    let (mut a, mut b) = PriorityMessenger::<u8, Counted>::pair_with_key(|m: &Counted| {
        (m.id % 4 != 0).then_some(i64::from(m.id % 3))
    });
    for i in 0..60 {
        a.channel(i % 2).send_norequest(t.make()).unwrap();
    }
    // Sorted into both channels' heaps and unprioritized FIFOs; take some from each.
    for ch in 0..2 {
        for _ in 0..5 {
            drop(b.channel(ch).receive_blocking().unwrap());
        }
    }
    assert_eq!(t.dropped(), 10);
    drop(b);
    t.assert_all_dropped_once();
    drop(a);

    // The queue on its own: cleared, popped, and dropped with items in both parts.
    let t = Tracker::new();
    let mut queue = PriorityQueue::new();
    for i in 0..20 {
        let msg = t.make();
        queue.push((i % 3 != 0).then_some(i64::from(i % 5)), msg);
    }
    drop(queue.pop());
    queue.clear();
    assert_eq!(t.dropped(), 20);
    for _ in 0..10 {
        queue.push(Some(1), t.make());
        queue.push(None, t.make());
    }
    drop(queue);
    t.assert_all_dropped_once();
}

#[test]
fn failed_sends_give_every_message_back() {
    let t = Tracker::new();
    let (mut host, worker) = Messenger::<u8, Counted>::pair();
    drop(worker);
    let SendError(back) = host.send_request(t.make()).unwrap_err();
    assert_eq!(back.id, 0);
    let SendError(reply) = host.channel(2).send_reply(t.make()).unwrap_err();
    assert_eq!(reply.id, 1);
    let SendError(err) = host.send_error(CountedError(t.make())).unwrap_err();
    assert_eq!(err.0.id, 2);
    // The first message comes back; the rest stay in the iterator, which still owns them.
    let mut rest = (0..5).map(|_| t.make());
    let SendError(first) = host.send_request_multiple(rest.by_ref()).unwrap_err();
    assert_eq!(first.id, 3);
    assert_eq!(t.made(), 4, "the iterator stops at the failed send");
    assert_eq!(rest.count(), 4);
    drop((back, reply, err, first));
    assert_eq!(host.counters().sent, 0, "nothing counted");
    t.assert_all_dropped_once();
}

#[test]
fn a_received_special_error_is_dropped_once() {
    let t = Tracker::new();
    let (mut host, mut worker) = Messenger::<(), Counted>::pair();
    host.send_error(CountedError(t.make())).unwrap();
    host.send_norequest(t.make()).unwrap();
    let err = worker.receive_blocking().unwrap_err();
    assert_eq!(err.downcast_peer::<CountedError>().map(|e| e.0.id), Some(0));
    drop(err);
    assert_eq!(t.dropped(), 1);
    assert_eq!(worker.receive_blocking().unwrap().id, 1, "the data stayed");
    t.assert_all_dropped_once();
}

#[test]
fn a_thread_worker_that_returns_drops_what_was_queued_for_it() {
    let t = Tracker::new();
    let mut worker = Worker::spawn_thread(|mut m: Messenger<(), Counted>| {
        // Handles three, then returns with the rest still queued.
        for _ in 0..3 {
            let msg = m.receive().timeout(LONG).wait().unwrap();
            m.send_reply(msg).unwrap();
        }
    });
    worker.messenger().send_request_multiple((0..10).map(|_| t.make())).unwrap();
    worker.join().timeout(LONG).wait().unwrap();
    assert_eq!(t.dropped(), 7, "the worker's end went with its thread");
    // The replies stay receivable after the join (and are the very messages sent).
    let ids: Vec<u32> =
        worker.messenger().receive_available().unwrap().into_iter().map(|m| m.id).collect();
    assert_eq!(ids, [0, 1, 2]);
    drop(worker);
    t.assert_all_dropped_once();
}

#[test]
fn replies_never_received_are_dropped_once_with_the_worker_handle() {
    let t = Tracker::new();
    let mut worker = Worker::spawn_thread(|mut m: Messenger<(), Counted>| {
        for _ in 0..8 {
            let msg = m.receive().timeout(LONG).wait().unwrap();
            m.send_reply(msg).unwrap();
        }
    });
    worker.messenger().send_request_multiple((0..8).map(|_| t.make())).unwrap();
    let first = worker.messenger().receive().timeout(LONG).wait().unwrap();
    assert_eq!(first.id, 0);
    drop(first);
    worker.join().timeout(LONG).wait().unwrap();
    assert_eq!(t.dropped(), 1, "the other replies wait in the handle's end");
    assert_eq!(worker.messenger().available(), 7);
    drop(worker);
    t.assert_all_dropped_once();
}

#[test]
fn a_panicking_thread_worker_drops_what_was_queued_for_it() {
    let t = Tracker::new();
    let mut worker = Worker::spawn_thread(|mut m: Messenger<(), Counted>| {
        let msg = m.receive().timeout(LONG).wait().unwrap();
        panic!("worker panics holding message {}", msg.id);
    });
    worker.messenger().send_request_multiple((0..5).map(|_| t.make())).unwrap();
    assert!(worker.join().timeout(LONG).wait().is_err());
    t.assert_all_dropped_once();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_terminated_task_worker_drops_what_was_queued_for_it() {
    let t = Tracker::new();
    let mut worker = Worker::spawn(|mut m: Messenger<(), Counted>| async move {
        // Takes one message, then never receives again.
        let held = loop {
            if let Ok(msg) = m.receive().await {
                break msg;
            }
        };
        std::future::pending::<()>().await;
        drop(held);
    });
    worker.messenger().send_request_multiple((0..6).map(|_| t.make())).unwrap();
    worker.messenger().send_error(CountedError(t.make())).unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    worker.terminate();
    // The aborted task's future (its messenger end, the message it held) is dropped on the
    // runtime: wait for it.
    tokio::task::spawn_blocking(move || t.wait_for_drops(7)).await.unwrap();
    drop(worker);
}

#[tokio::test]
async fn a_stopped_task_worker_that_finishes_its_queue_handles_everything() {
    let t = Tracker::new();
    let mut worker = Worker::spawn(|mut m: Messenger<(), Counted>| async move {
        let mut handled = 0;
        loop {
            match m.receive().await {
                Ok(msg) => {
                    drop(msg);
                    handled += 1;
                }
                // The documented pattern: the close request overtakes data; take the rest.
                Err(MessengerError::CloseRequested) => {
                    handled += m.receive_available().unwrap().len();
                    return handled;
                }
                Err(err) => panic!("{err}"),
            }
        }
    });
    worker.messenger().send_request_multiple((0..20).map(|_| t.make())).unwrap();
    assert_eq!(worker.stop().timeout(LONG).await, Ok(20));
    t.assert_all_dropped_once();
}

#[test]
fn a_terminated_thread_worker_drops_what_was_queued_for_it() {
    let t = Tracker::new();
    let (gate_tx, gate) = std::sync::mpsc::channel::<()>();
    let (saw_tx, saw) = std::sync::mpsc::channel::<bool>();
    let mut worker = Worker::spawn_thread(move |mut m: Messenger<(), Counted>| {
        gate.recv().unwrap();
        // Terminated: the close request overtakes the data, which stays queued here.
        let got = m.receive().timeout(LONG).wait();
        saw_tx.send(matches!(got, Err(MessengerError::CloseRequested))).unwrap();
    });
    worker.messenger().send_request_multiple((0..5).map(|_| t.make())).unwrap();
    worker.terminate();
    gate_tx.send(()).unwrap();
    assert!(saw.recv_timeout(LONG).unwrap(), "the worker saw the close request first");
    // The thread is detached: its end goes when it returns.
    t.wait_for_drops(5);
    t.assert_all_dropped_once();
    drop(worker);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_handle_of_a_running_task_worker_drops_both_queues_once() {
    let t = Tracker::new();
    let mut worker = Worker::spawn(|mut m: Messenger<(), Counted>| async move {
        // Echoes one message back, then waits forever with the rest queued.
        let msg = loop {
            if let Ok(msg) = m.receive().await {
                break msg;
            }
        };
        m.send_reply(msg).unwrap();
        std::future::pending::<()>().await;
    });
    worker.messenger().send_request_multiple((0..4).map(|_| t.make())).unwrap();
    let _ = worker.messenger().await_available().timeout(LONG).await.unwrap();
    drop(worker); // the echoed message in the handle's end, three in the aborted task's
    tokio::task::spawn_blocking(move || {
        t.wait_for_drops(4);
        t.assert_all_dropped_once();
    })
    .await
    .unwrap();
}
