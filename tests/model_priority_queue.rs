//! Property tests: the priority order against a stable sort.
//!
//! The rule (src/messenger/queue.rs, DESIGN.md "messenger and worker"): the *lowest* priority
//! value first, first in first out among equal priorities, and messages without a priority
//! (`None`) behind every prioritized one, first in first out among themselves. The model keeps
//! each queue in arrival order and takes the first element with the smallest key, where `None`
//! sorts after every `Some`: exactly what a stable sort by that key would put first.
//!
//! Two layers: [`PriorityQueue`] itself, and a [`PriorityMessenger`] pair with channels,
//! message kinds, special messages (which overtake data on every channel) and a peer that goes
//! away, every receive with a zero timeout or a future polled once; and one receive kept
//! pending while the sender goes on, polled again only when woken (a receive that could
//! complete but was never woken is a lost wake-up).

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::task::{waker, ArcWake};
use futures::FutureExt;
use proptest::prelude::*;
use tidings::messenger::{MessageKind, PriorityQueue};
use tidings::{MessengerError, PriorityMessenger, SendError};

/// The sort key: `None` after every `Some`, lower values first.
fn key(priority: Option<i64>) -> (bool, i64) {
    (priority.is_none(), priority.unwrap_or(0))
}

/// Index of the element a stable sort by priority would put first.
fn first<T>(queue: &VecDeque<(Option<i64>, T)>) -> Option<usize> {
    (0..queue.len()).min_by_key(|&i| (key(queue[i].0), i))
}

fn priority() -> impl Strategy<Value = Option<i64>> {
    // A few values, so that ties are common; extremes to check nothing overflows.
    prop_oneof![
        6 => (-2i64..3).prop_map(Some),
        2 => Just(None),
        1 => prop_oneof![Just(i64::MIN), Just(i64::MAX)].prop_map(Some),
    ]
}

// ---- PriorityQueue on its own ----

#[derive(Debug, Clone)]
enum QueueOp {
    Push(Option<i64>),
    Pop,
    Peek,
    Clear,
}

fn queue_op() -> impl Strategy<Value = QueueOp> {
    prop_oneof![
        6 => priority().prop_map(QueueOp::Push),
        4 => Just(QueueOp::Pop),
        1 => Just(QueueOp::Peek),
        1 => Just(QueueOp::Clear),
    ]
}

fn run_queue(ops: Vec<QueueOp>) {
    let mut queue = PriorityQueue::new();
    let mut model: VecDeque<(Option<i64>, u32)> = VecDeque::new();
    for (id, op) in (0u32..).zip(ops) {
        match op {
            QueueOp::Push(p) => {
                queue.push(p, id);
                model.push_back((p, id));
            }
            QueueOp::Pop => {
                let expected = first(&model).map(|i| model.remove(i).unwrap().1);
                assert_eq!(queue.pop(), expected);
            }
            QueueOp::Peek => {
                assert_eq!(queue.peek().copied(), first(&model).map(|i| model[i].1));
            }
            QueueOp::Clear => {
                queue.clear();
                model.clear();
            }
        }
        assert_eq!(queue.len(), model.len());
        assert_eq!(queue.is_empty(), model.is_empty());
    }
    // What is left comes out in stable-sorted order.
    let mut rest: Vec<_> = model.into_iter().collect();
    rest.sort_by_key(|&(p, _)| key(p));
    let drained: Vec<u32> = std::iter::from_fn(|| queue.pop()).collect();
    assert_eq!(drained, rest.into_iter().map(|(_, id)| id).collect::<Vec<_>>());
}

// ---- PriorityMessenger ----

/// A message: its priority (what the key function reads) and a unique id.
type Msg = (Option<i64>, u32);

#[derive(Debug, PartialEq)]
struct Oops(u32);

impl fmt::Display for Oops {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "oops {}", self.0)
    }
}

impl std::error::Error for Oops {}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Request,
    Reply,
    NoRequest,
}

impl Kind {
    fn of(self) -> MessageKind {
        match self {
            Kind::Request => MessageKind::Request,
            Kind::Reply => MessageKind::Reply,
            Kind::NoRequest => MessageKind::NoRequest,
        }
    }
}

#[derive(Debug, Clone)]
enum Op {
    Send {
        channel: u8,
        kind: Kind,
        priority: Option<i64>,
    },
    SendMultiple {
        channel: u8,
        priorities: Vec<Option<i64>>,
    },
    SendError,
    SendCloseRequest,
    /// A receive with a zero timeout (`.wait()`), or its future polled once (`poll`: dropped
    /// if pending, which counts as a timeout).
    Receive {
        channel: u8,
        poll: bool,
    },
    ReceiveMessage {
        channel: u8,
    },
    ReceiveAvailable {
        channel: u8,
    },
    Available {
        channel: u8,
    },
    AwaitAvailable,
    DropSender,
    /// A receive whose future is polled once and, if pending, kept (one at a time) while the
    /// sender goes on; the receiving end does nothing else meanwhile.
    Start {
        channel: u8,
    },
    /// Drops the kept receive (cancelled: it must have taken nothing).
    Cancel,
    /// Polls the kept receive if it was woken; then checks that it could not complete (one
    /// that could, but was not woken, is a lost wake-up).
    Run,
}

const CHANNELS: u8 = 3;

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![Just(Kind::Request), Just(Kind::Reply), Just(Kind::NoRequest)]
}

fn op() -> impl Strategy<Value = Op> {
    let channel = 0..CHANNELS;
    prop_oneof![
        10 => (channel.clone(), kind(), priority())
            .prop_map(|(channel, kind, priority)| Op::Send { channel, kind, priority }),
        1 => (channel.clone(), prop::collection::vec(priority(), 0..5))
            .prop_map(|(channel, priorities)| Op::SendMultiple { channel, priorities }),
        1 => Just(Op::SendError),
        1 => Just(Op::SendCloseRequest),
        6 => (channel.clone(), any::<bool>()).prop_map(|(channel, poll)| Op::Receive { channel, poll }),
        3 => channel.clone().prop_map(|channel| Op::ReceiveMessage { channel }),
        2 => channel.clone().prop_map(|channel| Op::ReceiveAvailable { channel }),
        1 => channel.prop_map(|channel| Op::Available { channel }),
        1 => Just(Op::AwaitAvailable),
        1 => Just(Op::DropSender),
        3 => (0..CHANNELS).prop_map(|channel| Op::Start { channel }),
        1 => Just(Op::Cancel),
        3 => Just(Op::Run),
    ]
}

/// A special message in the model: an error with its id, or a close request.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Special {
    Error(u32),
    Close,
}

/// What a receive returned, comparable: the error's id stands in for the boxed error.
#[derive(Debug, PartialEq)]
enum Outcome<T> {
    Ok(T),
    Peer(u32),
    CloseRequested,
    Disconnected,
    Timeout,
}

fn outcome<T>(got: Result<T, MessengerError>) -> Outcome<T> {
    match got {
        Ok(v) => Outcome::Ok(v),
        Err(err) => match err {
            MessengerError::Peer(_) => {
                Outcome::Peer(err.downcast_peer::<Oops>().expect("the error that was sent").0)
            }
            MessengerError::CloseRequested => Outcome::CloseRequested,
            MessengerError::Disconnected => Outcome::Disconnected,
            MessengerError::Timeout => Outcome::Timeout,
            other => panic!("unexpected error {other}"),
        },
    }
}

/// One channel of the model, in arrival order: (priority, (message, kind)).
type Lane = VecDeque<(Option<i64>, (Msg, MessageKind))>;

#[derive(Default)]
struct Model {
    lanes: HashMap<u8, Lane>,
    specials: VecDeque<Special>,
    peer_gone: bool,
}

impl Model {
    /// The oldest pending special message, as a receive returns it.
    fn special<T>(&mut self) -> Option<Outcome<T>> {
        self.specials.pop_front().map(|s| match s {
            Special::Error(id) => Outcome::Peer(id),
            Special::Close => Outcome::CloseRequested,
        })
    }

    fn take(&mut self, channel: u8) -> Option<(Msg, MessageKind)> {
        let lane = self.lanes.get_mut(&channel)?;
        let i = first(lane)?;
        lane.remove(i).map(|(_, m)| m)
    }

    /// A receive with a zero timeout: a special, else the first message, else
    /// `Disconnected` or `Timeout`.
    fn receive(&mut self, channel: u8) -> Outcome<(Msg, MessageKind)> {
        if let Some(special) = self.special() {
            return special;
        }
        match self.take(channel) {
            Some(m) => Outcome::Ok(m),
            None if self.peer_gone => Outcome::Disconnected,
            None => Outcome::Timeout,
        }
    }

    /// A receive without a timeout tried now: `None` if it would wait.
    fn attempt(&mut self, channel: u8) -> Option<Outcome<Msg>> {
        match self.receive(channel) {
            Outcome::Timeout => None,
            got => Some(got.map_ok(|(m, _)| m)),
        }
    }

    /// True if a receive on `channel` would complete now (changes nothing).
    fn could_complete(&self, channel: u8) -> bool {
        !self.specials.is_empty() || self.queued(channel) > 0 || self.peer_gone
    }

    fn queued(&self, channel: u8) -> usize {
        self.lanes.get(&channel).map_or(0, VecDeque::len)
    }
}

/// Set when the waker of the kept receive is woken.
#[derive(Default)]
struct Woken(AtomicBool);

impl ArcWake for Woken {
    fn wake_by_ref(arc_self: &Arc<Self>) {
        arc_self.0.store(true, SeqCst);
    }
}

type Receiver = Arc<tokio::sync::Mutex<PriorityMessenger<u8, Msg>>>;

/// A receive kept pending, holding the receiving end, with its own waker.
struct Kept {
    fut: Pin<Box<dyn Future<Output = Outcome<Msg>>>>,
    woken: Arc<Woken>,
    channel: u8,
}

impl Kept {
    fn new(receiver: &Receiver, channel: u8) -> Self {
        let receiver = receiver.clone();
        let fut = async move {
            let mut end = receiver.try_lock_owned().expect("one user at a time");
            outcome(end.channel(channel).receive().await)
        };
        Kept { fut: Box::pin(fut), woken: Arc::default(), channel }
    }

    fn poll(&mut self) -> Poll<Outcome<Msg>> {
        let waker = waker(self.woken.clone());
        self.fut.as_mut().poll(&mut Context::from_waker(&waker))
    }
}

/// Polls the kept receive if it was woken; then it must not be able to complete.
fn run_woken(kept: &mut Option<Kept>, model: &mut Model, step: usize) {
    if let Some(k) = kept.as_mut().filter(|k| k.woken.0.swap(false, SeqCst)) {
        let expected = model.attempt(k.channel);
        match k.poll() {
            Poll::Ready(got) => {
                assert_eq!(Some(got), expected, "step {step}: woken receive");
                *kept = None;
            }
            Poll::Pending => assert_eq!(expected, None, "step {step}: woken receive pending"),
        }
    }
    if let Some(k) = kept {
        assert!(
            !model.could_complete(k.channel),
            "step {step}: lost wake-up: a receive on {} could complete but was not woken",
            k.channel
        );
    }
}

fn run_messenger(ops: Vec<Op>) {
    let (sender, receiver) = PriorityMessenger::<u8, Msg>::pair_with_key(|m: &Msg| m.0);
    let mut sender = Some(sender);
    // Behind a lock that a kept receive holds: the end has one user at a time.
    let receiver = Arc::new(tokio::sync::Mutex::new(receiver));
    let mut kept: Option<Kept> = None;
    let mut model = Model::default();
    let mut next_id = 0u32;
    let zero = Duration::ZERO;
    for (step, op) in ops.into_iter().enumerate() {
        match op {
            Op::Send { channel, kind, priority } => {
                let msg = (priority, next_id);
                next_id += 1;
                let got = match &mut sender {
                    Some(tx) => {
                        let mut ch = tx.channel(channel);
                        match kind {
                            Kind::Request => ch.send_request(msg),
                            Kind::Reply => ch.send_reply(msg),
                            Kind::NoRequest => ch.send_norequest(msg),
                        }
                    }
                    None => continue,
                };
                assert_eq!(got, Ok(()), "step {step}");
                model.lanes.entry(channel).or_default().push_back((priority, (msg, kind.of())));
            }
            Op::SendMultiple { channel, priorities } => {
                let Some(tx) = &mut sender else { continue };
                let msgs: Vec<Msg> = priorities
                    .iter()
                    .map(|&p| {
                        next_id += 1;
                        (p, next_id - 1)
                    })
                    .collect();
                assert_eq!(tx.channel(channel).send_request_multiple(msgs.clone()), Ok(msgs.len()));
                let lane = model.lanes.entry(channel).or_default();
                lane.extend(msgs.into_iter().map(|m| (m.0, (m, MessageKind::Request))));
            }
            Op::SendError => {
                let Some(tx) = &mut sender else { continue };
                tx.send_error(Oops(next_id)).unwrap();
                model.specials.push_back(Special::Error(next_id));
                next_id += 1;
            }
            Op::SendCloseRequest => {
                let Some(tx) = &mut sender else { continue };
                tx.send_close_request().unwrap();
                model.specials.push_back(Special::Close);
            }
            Op::Receive { channel, poll } => {
                let Ok(mut receiver) = receiver.try_lock() else { continue };
                let mut view = receiver.channel(channel);
                let got = if poll {
                    view.receive()
                        .into_future()
                        .now_or_never()
                        .unwrap_or(Err(MessengerError::Timeout))
                } else {
                    view.receive().timeout(zero).wait()
                };
                let got = outcome(got);
                let expected = model.receive(channel).map_ok(|(m, _)| m);
                assert_eq!(got, expected, "step {step}: receive on {channel}");
            }
            Op::ReceiveMessage { channel } => {
                let Ok(mut receiver) = receiver.try_lock() else { continue };
                let got = outcome(receiver.channel(channel).receive_message().timeout(zero).wait())
                    .map_ok(|m| (m.payload, m.kind));
                assert_eq!(
                    got,
                    model.receive(channel),
                    "step {step}: receive_message on {channel}"
                );
            }
            Op::ReceiveAvailable { channel } => {
                let Ok(mut receiver) = receiver.try_lock() else { continue };
                let got = outcome(receiver.channel(channel).receive_available());
                let expected = match model.special() {
                    Some(special) => special,
                    None => {
                        let all: Vec<Msg> =
                            std::iter::from_fn(|| model.take(channel)).map(|(m, _)| m).collect();
                        if all.is_empty() && model.peer_gone {
                            Outcome::Disconnected
                        } else {
                            Outcome::Ok(all)
                        }
                    }
                };
                assert_eq!(got, expected, "step {step}: receive_available on {channel}");
            }
            Op::Available { channel } => {
                let Ok(mut receiver) = receiver.try_lock() else { continue };
                assert_eq!(
                    receiver.channel(channel).available(),
                    model.queued(channel),
                    "step {step}"
                );
            }
            Op::AwaitAvailable => {
                let Ok(mut receiver) = receiver.try_lock() else { continue };
                let got = outcome(receiver.await_available().timeout(zero).wait());
                let total: usize = model.lanes.values().map(VecDeque::len).sum();
                let expected = match model.special() {
                    Some(special) => special,
                    None if total > 0 => Outcome::Ok(total),
                    None if model.peer_gone => Outcome::Disconnected,
                    None => Outcome::Timeout,
                };
                assert_eq!(got, expected, "step {step}: await_available");
            }
            Op::DropSender => {
                if sender.take().is_some() {
                    model.peer_gone = true;
                }
            }
            Op::Start { channel } => {
                if kept.is_some() {
                    continue;
                }
                let mut k = Kept::new(&receiver, channel);
                let expected = model.attempt(channel);
                match k.poll() {
                    Poll::Ready(got) => assert_eq!(Some(got), expected, "step {step}: start"),
                    Poll::Pending => {
                        assert_eq!(expected, None, "step {step}: start pending");
                        kept = Some(k);
                    }
                }
            }
            Op::Cancel => kept = None,
            Op::Run => run_woken(&mut kept, &mut model, step),
        }
    }
    run_woken(&mut kept, &mut model, usize::MAX);
    drop(kept);
    // A reply to a gone peer comes back.
    if sender.is_none() {
        let mut receiver = receiver.try_lock().unwrap();
        assert_eq!(receiver.send_reply((None, 0)), Err(SendError((None, 0))));
    }
}

impl<T> Outcome<T> {
    fn map_ok<U>(self, f: impl FnOnce(T) -> U) -> Outcome<U> {
        match self {
            Outcome::Ok(v) => Outcome::Ok(f(v)),
            Outcome::Peer(id) => Outcome::Peer(id),
            Outcome::CloseRequested => Outcome::CloseRequested,
            Outcome::Disconnected => Outcome::Disconnected,
            Outcome::Timeout => Outcome::Timeout,
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(if cfg!(miri) { 8 } else { 256 }))]

    #[test]
    fn priority_queue_pops_in_stable_sorted_order(ops in prop::collection::vec(queue_op(), 0..200)) {
        run_queue(ops);
    }

    #[test]
    fn priority_messenger_receives_in_stable_sorted_order(ops in prop::collection::vec(op(), 0..150)) {
        run_messenger(ops);
    }
}
