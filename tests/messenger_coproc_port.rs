//! coproc's messenger tests (`tests/test_messenger.py`: `test_messenger` and
//! `test_priority_messenger`), ported to this crate and run for both messenger kinds.
//!
//! coproc's `receive_data` is `receive_blocking` here; a raised `ResourceRequestedClose` or
//! peer exception is an `Err` value. One deliberate difference is asserted where it shows: a
//! pending special message is not counted by `available()` (it is not data); the next receive
//! returns it.

use std::fmt;

use tidings::messenger::Discipline;
use tidings::{Messenger, MessengerError, PriorityMessenger};

#[derive(Debug, PartialEq)]
struct TestError(&'static str);

impl fmt::Display for TestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for TestError {}

type Pair<Q> = (Messenger<(), i32, Q>, Messenger<(), i32, Q>);

fn fifo_pair() -> Pair<tidings::messenger::Fifo> {
    Messenger::<(), i32>::pair()
}

/// Priority = the value itself: the tests send increasing values, so order is unchanged.
fn priority_pair() -> Pair<tidings::messenger::ByPriority<i32>> {
    PriorityMessenger::<(), i32>::pair_with_key(|n| Some(i64::from(*n)))
}

/// `test_messenger`: one request and reply, close, error, then a batch of requests.
fn request_reply_close_error_batch<Q: Discipline<i32>>((mut pm, mut rm): Pair<Q>) {
    assert_eq!(rm.remaining(), 0);
    assert_eq!(pm.available(), 0);

    // resource -> process
    let v = 7;
    rm.send_request(v).unwrap();
    assert_eq!(rm.remaining(), 1);
    assert_eq!(rm.available(), 0);
    assert_eq!(pm.available(), 1);
    assert_eq!(pm.receive_blocking().unwrap(), v);
    assert_eq!(pm.available(), 0);
    assert_eq!(rm.remaining(), 1);

    // process -> resource
    pm.send_reply(v).unwrap();
    assert_eq!(rm.available(), 1);
    assert_eq!(rm.remaining(), 1, "a reply counts when it is taken, not when it arrives");
    assert_eq!(rm.receive_blocking().unwrap(), v);
    assert_eq!(rm.available(), 0);
    assert_eq!(rm.remaining(), 0);

    // close request
    rm.send_close_request().unwrap();
    assert_eq!(rm.remaining(), 0, "special messages are not counted");
    assert_eq!(pm.available(), 0, "a special message is not data");
    assert!(matches!(pm.receive_blocking(), Err(MessengerError::CloseRequested)));

    // error
    assert_eq!(rm.available(), 0);
    pm.send_error(TestError("test error was successful")).unwrap();
    let err = rm.receive_blocking().unwrap_err();
    assert_eq!(err.downcast_peer::<TestError>(), Some(&TestError("test error was successful")));

    // a batch of requests
    let vs = [1, 2, 3];
    assert_eq!(rm.send_request_multiple(vs).unwrap(), 3);
    assert_eq!(rm.remaining(), 3);
    assert_eq!(rm.available(), 0);
    for v in vs {
        assert!(pm.available() > 0);
        assert_eq!(pm.receive_blocking().unwrap(), v);
    }
    assert_eq!(pm.available(), 0);
    for v in vs {
        pm.send_reply(v).unwrap();
    }
    assert_eq!(rm.available(), 3);
    assert_eq!(rm.remaining(), 3);
    let replies: Vec<i32> = rm.receive_remaining().into_iter().map(Result::unwrap).collect();
    assert_eq!(replies, vs);
    assert_eq!(rm.available(), 0);
    assert_eq!(rm.remaining(), 0);
}

#[test]
fn messenger_request_reply_close_error_batch() {
    request_reply_close_error_batch(fifo_pair());
}

#[test]
fn priority_messenger_request_reply_close_error_batch() {
    request_reply_close_error_batch(priority_pair());
}

/// coproc's `MessengerTester.test`: (process available, resource available, process
/// remaining, resource remaining).
fn state<Q: Discipline<i32>>(
    proc: &mut Messenger<(), i32, Q>,
    res: &mut Messenger<(), i32, Q>,
) -> (bool, bool, i64, i64) {
    (proc.available() > 0, res.available() > 0, proc.remaining(), res.remaining())
}

/// `test_priority_messenger`: the state after every step of simple send/receive,
/// request/reply, a batch, then close and error.
fn state_walk_through<Q: Discipline<i32>>((mut proc, mut res): Pair<Q>) {
    let v = 1;
    let vs = vec![1, 2, 3];

    // simple send/receive
    assert_eq!(state(&mut proc, &mut res), (false, false, 0, 0));
    res.send_norequest(v).unwrap();
    assert_eq!(state(&mut proc, &mut res), (true, false, 0, 0));
    assert_eq!(proc.receive_blocking().unwrap(), v);
    assert_eq!(state(&mut proc, &mut res), (false, false, 0, 0));

    // request/reply
    res.send_request(v).unwrap();
    assert_eq!(state(&mut proc, &mut res), (true, false, 0, 1));
    let results = proc.receive_available().unwrap();
    assert_eq!(state(&mut proc, &mut res), (false, false, 0, 1));
    assert_eq!(results, [v]);
    proc.send_reply(results[0]).unwrap();
    assert_eq!(state(&mut proc, &mut res), (false, true, 0, 1));
    assert_eq!(res.receive_blocking().unwrap(), v);
    assert_eq!(state(&mut proc, &mut res), (false, false, 0, 0));

    // a batch
    res.send_request_multiple(vs.clone()).unwrap();
    assert_eq!(state(&mut proc, &mut res), (true, false, 0, 3));
    assert_eq!(proc.receive_available().unwrap(), vs);
    assert_eq!(res.remaining(), 3);
    for &v in &vs {
        proc.send_reply(v).unwrap();
    }
    assert_eq!(res.remaining(), 3);
    assert_eq!(res.receive_available().unwrap(), vs);
    assert_eq!(res.remaining(), 0);
    assert_eq!(state(&mut proc, &mut res), (false, false, 0, 0));
    assert_eq!(res.receive_remaining().into_iter().count(), 0, "nothing remains");

    // close and error
    res.send_close_request().unwrap();
    assert!(matches!(proc.receive_available(), Err(MessengerError::CloseRequested)));
    res.send_error(TestError("test error")).unwrap();
    let err = proc.receive_blocking().unwrap_err();
    assert!(err.downcast_peer::<TestError>().is_some());
    assert_eq!(state(&mut proc, &mut res), (false, false, 0, 0));
}

#[test]
fn messenger_state_walk_through() {
    state_walk_through(fifo_pair());
}

#[test]
fn priority_messenger_state_walk_through() {
    state_walk_through(priority_pair());
}
