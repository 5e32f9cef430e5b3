//! Priority order through a `PriorityMessenger`: lower value first, first in first out among
//! equal priorities, messages without a priority after every prioritized one; and the
//! `PriorityQueue` it is built on.

use tidings::messenger::PriorityQueue;
use tidings::{Messenger, Prioritized, PriorityMessenger};

#[derive(Debug, Clone, PartialEq)]
enum Msg {
    High(u32),
    Low(u32),
    Whenever(u32),
}

impl Prioritized for Msg {
    fn priority(&self) -> Option<i64> {
        match self {
            Msg::High(_) => Some(0),
            Msg::Low(_) => Some(1),
            Msg::Whenever(_) => None,
        }
    }
}

#[test]
fn lower_priority_first_equal_priorities_in_order_unprioritized_last() {
    let (mut host, mut worker) = PriorityMessenger::<(), Msg>::pair();
    for i in 0..3 {
        host.send_norequest(Msg::Whenever(i)).unwrap();
        host.send_norequest(Msg::Low(i)).unwrap();
        host.send_norequest(Msg::High(i)).unwrap();
    }
    let got = worker.receive_available().unwrap();
    let want: Vec<Msg> = (0..3)
        .map(Msg::High)
        .chain((0..3).map(Msg::Low))
        .chain((0..3).map(Msg::Whenever))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn a_high_priority_message_overtakes_queued_ones_one_receive_at_a_time() {
    let (mut host, mut worker) = PriorityMessenger::<(), Msg>::pair();
    host.send_norequest(Msg::Low(1)).unwrap();
    host.send_norequest(Msg::Low(2)).unwrap();
    assert_eq!(worker.receive_blocking().unwrap(), Msg::Low(1));
    host.send_norequest(Msg::High(9)).unwrap();
    assert_eq!(worker.receive_blocking().unwrap(), Msg::High(9));
    assert_eq!(worker.receive_blocking().unwrap(), Msg::Low(2));
}

#[test]
fn a_key_function_orders_messages_and_none_goes_last() {
    // Even numbers by value, odd numbers without a priority.
    let key = |n: &i64| if n % 2 == 0 { Some(*n) } else { None };
    let (mut a, mut b) = PriorityMessenger::<(), i64>::pair_with_key(key);
    for n in [7, 4, -2, 3, 4, 0] {
        a.send_norequest(n).unwrap();
    }
    assert_eq!(b.receive_available().unwrap(), [-2, 0, 4, 4, 7, 3]);
}

#[test]
fn priorities_apply_per_channel() {
    let (mut a, mut b) = PriorityMessenger::<u8, Msg>::pair();
    a.send_norequest(Msg::Low(0)).unwrap();
    a.channel(1).send_norequest(Msg::Low(1)).unwrap();
    a.channel(1).send_norequest(Msg::High(1)).unwrap();
    a.send_norequest(Msg::High(0)).unwrap();
    assert_eq!(b.channel(1).receive_available().unwrap(), [Msg::High(1), Msg::Low(1)]);
    assert_eq!(b.receive_available().unwrap(), [Msg::High(0), Msg::Low(0)]);
}

#[test]
fn replies_count_when_taken_in_priority_order() {
    let (mut host, mut worker) = PriorityMessenger::<(), Msg>::pair();
    host.send_request_multiple([Msg::Low(1), Msg::Low(2)]).unwrap();
    assert_eq!(worker.receive_available().unwrap().len(), 2);
    worker.send_reply(Msg::Low(1)).unwrap();
    worker.send_norequest(Msg::High(0)).unwrap(); // a warning, not a reply
    worker.send_reply(Msg::Low(2)).unwrap();
    let got: Vec<Msg> = host.receive_remaining().into_iter().map(Result::unwrap).collect();
    // The warning comes first; it is not a reply, so it does not lower `remaining`.
    assert_eq!(got, [Msg::High(0), Msg::Low(1), Msg::Low(2)]);
    assert_eq!(host.remaining(), 0);
    assert_eq!(host.counters().received, 3);
}

#[test]
fn a_fifo_messenger_ignores_priorities() {
    let (mut a, mut b) = Messenger::<(), Msg>::pair();
    a.send_norequest(Msg::Whenever(0)).unwrap();
    a.send_norequest(Msg::Low(0)).unwrap();
    a.send_norequest(Msg::High(0)).unwrap();
    assert_eq!(b.receive_available().unwrap(), [Msg::Whenever(0), Msg::Low(0), Msg::High(0)]);
}

#[test]
fn priority_queue_matches_a_stable_sort() {
    // A fixed pseudo-random sequence of priorities (including None), each item numbered.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut items = Vec::new();
    let mut queue = PriorityQueue::new();
    for i in 0..2_000u32 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let priority = match x % 9 {
            0 => None,
            r => Some(r as i64 - 4), // -3..=4: many ties, negatives too
        };
        items.push((priority, i));
        queue.push(priority, i);
    }
    assert_eq!(queue.len(), items.len());
    // Stable sort: prioritized by value, then unprioritized; ties keep insertion order.
    items.sort_by_key(|(p, _)| (p.is_none(), p.unwrap_or(0)));
    let want: Vec<u32> = items.iter().map(|&(_, i)| i).collect();
    let mut got = Vec::new();
    while let Some(i) = queue.pop() {
        got.push(i);
    }
    assert_eq!(got, want);
    assert!(queue.is_empty());
}

#[test]
fn priority_queue_extremes_and_peek() {
    let mut queue = PriorityQueue::new();
    queue.push(None, "none");
    queue.push(Some(i64::MAX), "max");
    queue.push(Some(i64::MIN), "min");
    assert_eq!(queue.peek(), Some(&"min"));
    assert_eq!(queue.pop(), Some("min"));
    assert_eq!(queue.pop(), Some("max"));
    assert_eq!(queue.pop(), Some("none"));
    assert_eq!(queue.pop(), None);
}
