//! Channels other than the default one: separate queues, separate counters, and a peer that
//! is gone reported per channel only once that channel's data is consumed.

use std::time::Duration;

use tidings::{Messenger, MessengerError};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
enum Ch {
    #[default]
    Data,
    Warning,
}

#[test]
fn each_channel_has_its_own_queue() {
    let (mut worker, mut host) = Messenger::<Ch, &str>::pair();
    worker.send_norequest("d1").unwrap();
    worker.channel(Ch::Warning).send_norequest("w1").unwrap();
    worker.send_norequest("d2").unwrap();

    assert_eq!(host.available(), 2);
    assert_eq!(host.channel(Ch::Warning).available(), 1);
    assert_eq!(host.channel(Ch::Warning).receive_blocking().unwrap(), "w1");
    assert_eq!(host.receive_available().unwrap(), ["d1", "d2"]);
    assert_eq!(host.channel(Ch::Warning).receive_available().unwrap(), Vec::<&str>::new());
}

#[test]
fn each_channel_counts_its_own_requests_and_replies() {
    let (mut host, mut worker) = Messenger::<Ch, u32>::pair();
    host.send_request(1).unwrap();
    host.channel(Ch::Warning).send_request_multiple([2, 3]).unwrap();
    assert_eq!(host.remaining(), 1);
    assert_eq!(host.channel(Ch::Warning).remaining(), 2);

    let w = worker.channel(Ch::Warning).receive_available().unwrap();
    assert_eq!(w, [2, 3]);
    worker.channel(Ch::Warning).send_reply(20).unwrap();
    worker.channel(Ch::Warning).send_reply(30).unwrap();

    let replies: Vec<u32> =
        host.channel(Ch::Warning).receive_remaining().into_iter().map(Result::unwrap).collect();
    assert_eq!(replies, [20, 30]);
    assert_eq!(host.channel(Ch::Warning).remaining(), 0);
    assert_eq!(host.remaining(), 1, "the default channel's request is still open");

    let data = host.counters();
    assert_eq!((data.requests, data.replies, data.sent, data.received), (1, 0, 1, 0));
    let warning = host.channel(Ch::Warning).counters();
    assert_eq!((warning.requests, warning.replies, warning.sent, warning.received), (2, 2, 2, 2));
    let worker_side = worker.channel(Ch::Warning).counters();
    assert_eq!((worker_side.sent, worker_side.received, worker_side.requests), (2, 2, 0));
}

#[test]
fn a_receive_on_one_channel_does_not_take_another_channels_message() {
    let (mut worker, mut host) = Messenger::<Ch, &str>::pair();
    worker.channel(Ch::Warning).send_norequest("warning").unwrap();
    let waited = host.receive().timeout(Duration::from_millis(30)).wait();
    assert!(matches!(waited, Err(MessengerError::Timeout)), "{waited:?}");
    assert_eq!(host.channel(Ch::Warning).receive_blocking().unwrap(), "warning");
}

#[test]
fn a_receiver_blocked_on_one_channel_gets_its_message_while_others_arrive() {
    let (mut worker, mut host) = Messenger::<Ch, u32>::pair();
    let sender = std::thread::spawn(move || {
        for i in 0..100 {
            worker.channel(Ch::Warning).send_norequest(i).unwrap();
        }
        worker.send_norequest(1000).unwrap();
        worker
    });
    let got = host.receive().timeout(Duration::from_secs(5)).wait().unwrap();
    assert_eq!(got, 1000);
    let _worker = sender.join().unwrap();
    let warnings = host.channel(Ch::Warning).receive_available().unwrap();
    assert_eq!(warnings, (0..100).collect::<Vec<_>>());
}

#[test]
fn option_channels_reproduce_coprocs_none_default() {
    let (mut a, mut b) = Messenger::<Option<&str>, u8>::pair();
    assert_eq!(*a.default_channel(), None);
    a.send_norequest(1).unwrap();
    a.channel(Some("side")).send_norequest(2).unwrap();
    assert_eq!(b.channel(None).receive_blocking().unwrap(), 1);
    assert_eq!(b.channel(Some("side")).receive_blocking().unwrap(), 2);
}

#[test]
fn disconnected_is_reported_per_channel_after_its_data() {
    let (mut worker, mut host) = Messenger::<Ch, u32>::pair();
    worker.channel(Ch::Warning).send_norequest(9).unwrap();
    drop(worker);

    assert!(matches!(host.receive_blocking(), Err(MessengerError::Disconnected)));
    assert!(matches!(host.receive_available(), Err(MessengerError::Disconnected)));
    assert_eq!(host.channel(Ch::Warning).receive_blocking().unwrap(), 9);
    assert!(matches!(
        host.channel(Ch::Warning).receive_blocking(),
        Err(MessengerError::Disconnected)
    ));
}

#[test]
fn string_channels_work_through_a_view() {
    let (mut a, mut b) = Messenger::<String, u8>::pair();
    let mut jobs = a.channel("jobs".to_string());
    assert_eq!(jobs.id(), "jobs");
    jobs.send_request(3).unwrap();
    assert_eq!(jobs.remaining(), 1);
    let msg = b.channel("jobs".to_string()).receive_message().wait().unwrap();
    assert!(msg.is_request());
    assert_eq!(msg.payload, 3);
}
