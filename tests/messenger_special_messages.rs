//! Special messages: `send_error` and `send_close_request` overtake queued data, reach a
//! receiver that is already waiting (on a thread or in a task, on any channel), are never
//! counted, and leave the data queued for the next receive.

use std::fmt;
use std::time::Duration;

use tidings::{Messenger, MessengerError, PriorityMessenger};

#[derive(Debug, PartialEq)]
struct Overheated {
    celsius: u32,
}

impl fmt::Display for Overheated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "overheated at {} °C", self.celsius)
    }
}

impl std::error::Error for Overheated {}

const LONG: Duration = Duration::from_secs(10);

#[test]
fn a_close_request_reaches_a_receiver_blocked_on_a_thread() {
    let (mut host, mut worker) = Messenger::<(), u32>::pair();
    let blocked = std::thread::spawn(move || worker.receive().timeout(LONG).wait());
    std::thread::sleep(Duration::from_millis(50)); // let it block first
    host.send_close_request().unwrap();
    let result = blocked.join().unwrap();
    assert!(matches!(result, Err(MessengerError::CloseRequested)), "{result:?}");
}

#[tokio::test]
async fn a_close_request_reaches_a_task_awaiting_another_channel() {
    let (mut host, mut worker) = Messenger::<u8, u32>::pair();
    let waiting = tokio::spawn(async move { worker.channel(3).receive().timeout(LONG).await });
    tokio::time::sleep(Duration::from_millis(50)).await;
    host.send_close_request().unwrap();
    let result = waiting.await.unwrap();
    assert!(matches!(result, Err(MessengerError::CloseRequested)), "{result:?}");
}

#[test]
fn a_close_request_reaches_a_blocked_await_available() {
    let (mut host, mut worker) = Messenger::<(), u32>::pair();
    let blocked = std::thread::spawn(move || worker.await_available().timeout(LONG).wait());
    std::thread::sleep(Duration::from_millis(50));
    host.send_close_request().unwrap();
    assert!(matches!(blocked.join().unwrap(), Err(MessengerError::CloseRequested)));
}

#[test]
fn an_error_overtakes_queued_data_and_the_data_stays() {
    let (mut host, mut worker) =
        PriorityMessenger::<(), u32>::pair_with_key(|n| Some(i64::from(*n)));
    worker.send_norequest(1).unwrap();
    worker.send_norequest(2).unwrap();
    worker.send_error(Overheated { celsius: 90 }).unwrap();

    assert_eq!(host.available(), 2);
    let err = host.receive_blocking().unwrap_err();
    assert_eq!(err.downcast_peer::<Overheated>(), Some(&Overheated { celsius: 90 }));
    assert_eq!(err.to_string(), "the peer sent an error: overheated at 90 °C");
    assert_eq!(host.receive_available().unwrap(), [1, 2]);
}

#[test]
fn an_error_while_requests_are_outstanding_leaves_the_replies_and_counts_intact() {
    let (mut host, mut worker) = Messenger::<(), i32>::pair();
    host.send_request_multiple([5, -1, 7]).unwrap();
    assert_eq!(host.remaining(), 3);

    let echo = std::thread::spawn(move || {
        for _ in 0..3 {
            let n = worker.receive_blocking().unwrap();
            if n < 0 {
                worker.send_error(Overheated { celsius: 120 }).unwrap();
            }
            worker.send_reply(n).unwrap();
        }
        worker
    });
    let _worker = echo.join().unwrap();

    // Everything has arrived: the error overtakes all three replies and takes none of them.
    let err = host.receive_blocking().unwrap_err();
    assert!(err.downcast_peer::<Overheated>().is_some());
    assert_eq!(host.remaining(), 3);
    assert_eq!(host.available(), 3);
    let replies: Vec<i32> = host.receive_remaining().into_iter().map(Result::unwrap).collect();
    assert_eq!(replies, [5, -1, 7]);
    assert_eq!(host.remaining(), 0);
}

#[test]
fn receive_remaining_yields_an_error_and_goes_on() {
    let (mut host, mut worker) = Messenger::<(), i32>::pair();
    host.send_request_multiple([1, 2, 3]).unwrap();
    worker.send_reply(1).unwrap();
    assert_eq!(host.receive_blocking().unwrap(), 1);
    assert_eq!(host.remaining(), 2);

    worker.send_reply(2).unwrap();
    worker.send_error(Overheated { celsius: 99 }).unwrap();
    worker.send_reply(3).unwrap();
    let items: Vec<Result<i32, MessengerError>> = host.receive_remaining().into_iter().collect();
    assert_eq!(items.len(), 3, "{items:?}");
    assert!(items[0].as_ref().unwrap_err().downcast_peer::<Overheated>().is_some());
    assert_eq!(items[1].as_ref().unwrap(), &2);
    assert_eq!(items[2].as_ref().unwrap(), &3);
    assert_eq!(host.remaining(), 0);
}

#[test]
fn special_messages_are_never_counted() {
    let (mut host, mut worker) = Messenger::<(), u32>::pair();
    host.send_request(1).unwrap();
    host.send_error(Overheated { celsius: 1 }).unwrap();
    host.send_close_request().unwrap();
    let before = (host.counters(), worker.counters());

    assert!(worker.receive_blocking().unwrap_err().is_peer());
    assert!(worker.receive_blocking().unwrap_err().is_close_requested());
    assert_eq!((host.counters(), worker.counters()), before);
    assert_eq!(host.counters().sent, 1);
    assert_eq!(worker.counters().received, 0);
    assert_eq!(worker.receive_blocking().unwrap(), 1);
    assert_eq!(worker.counters().received, 1);
}

#[test]
fn several_special_messages_come_one_per_receive_in_order() {
    let (mut host, mut worker) = Messenger::<(), u32>::pair();
    host.send_norequest(1).unwrap();
    host.send_close_request().unwrap();
    host.send_error(Overheated { celsius: 2 }).unwrap();
    assert!(matches!(worker.receive_available(), Err(MessengerError::CloseRequested)));
    assert!(matches!(worker.receive_available(), Err(MessengerError::Peer(_))));
    assert_eq!(worker.receive_available().unwrap(), [1]);
}

#[test]
fn a_special_message_is_returned_on_any_channel() {
    let (mut host, mut worker) = Messenger::<u8, u32>::pair();
    host.channel(1).send_norequest(10).unwrap();
    host.send_close_request().unwrap();
    assert!(matches!(worker.channel(1).receive_blocking(), Err(MessengerError::CloseRequested)));
    assert_eq!(worker.channel(1).receive_blocking().unwrap(), 10);
}

#[test]
fn a_special_message_to_a_gone_peer_comes_back() {
    let (mut host, worker) = Messenger::<(), u32>::pair();
    drop(worker);
    let err = host.send_error(Overheated { celsius: 3 }).unwrap_err();
    assert_eq!(err.into_inner(), Overheated { celsius: 3 });
    assert!(host.send_close_request().is_err());
}
