//! Fuzz target: arbitrary operation sequences on a messenger pair, checked against a model.
//!
//! Both ends live on one thread and every receive is non-waiting (a zero timeout, or one poll
//! of the future), so a run is deterministic. The pair is a FIFO `Messenger` or a
//! `PriorityMessenger` (by the `Prioritized` trait or a key function), with a default channel
//! of the input's choosing. The model keeps, for each end, its incoming data per channel in
//! arrival order (priority order is computed when a message is taken), its pending special
//! messages, its per-channel counters, and whether the end was dropped.
//!
//! Checked on every operation: what each receive returns (specials first, then data in the
//! channel's order, then `Disconnected` once the peer is gone, else `Timeout`), the counters
//! and `remaining`, `available`, `await_available`'s total, `receive_remaining`'s sequence,
//! failed sends giving the message back, `is_disconnected`, and that exactly the model's
//! messages are alive (none leaked, none dropped twice).

#![no_main]

use std::collections::{HashMap, VecDeque};
use std::future::{Future, IntoFuture};
use std::sync::atomic::{AtomicIsize, Ordering::SeqCst};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use tidings::messenger::{ByPriority, Discipline, Fifo, MessageKind};
use tidings::{Messenger, MessengerError, Prioritized, PriorityMessenger, RequestCounter};

/// Channels are `u8`s below this.
const CHANNELS: u8 = 3;

/// Messages alive now: made by `Msg::new`, gone when dropped.
static LIVE: AtomicIsize = AtomicIsize::new(0);

/// A message: a unique number (its identity), a payload and an optional priority.
#[derive(Debug)]
struct Msg {
    seq: u64,
    prio: Option<i8>,
}

impl Msg {
    fn new(seq: u64, prio: Option<i8>) -> Self {
        LIVE.fetch_add(1, SeqCst);
        Msg { seq, prio }
    }
}

impl Drop for Msg {
    fn drop(&mut self) {
        LIVE.fetch_sub(1, SeqCst);
    }
}

impl Prioritized for Msg {
    fn priority(&self) -> Option<i64> {
        self.prio.map(i64::from)
    }
}

/// The error one end sends the other.
#[derive(Debug)]
struct PeerErr(u32);

impl std::fmt::Display for PeerErr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "peer error {}", self.0)
    }
}

impl std::error::Error for PeerErr {}

#[derive(Arbitrary, Debug)]
enum Pair {
    Fifo,
    /// `PriorityMessenger::pair()` or `pair_with(d, ByPriority::by_trait())`.
    ByTrait,
    /// `pair_with_key` (default channel 0) or `pair_with(d, ByPriority::with_key(..))`.
    ByKey,
}

#[derive(Arbitrary, Debug)]
struct Input {
    pair: Pair,
    default_channel: u8,
    ops: Vec<Op>,
}

#[derive(Arbitrary, Debug, Clone, Copy, PartialEq)]
enum Kind {
    Request,
    Reply,
    NoRequest,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum How {
    /// `receive().timeout(ZERO).wait()`.
    Payload,
    /// `receive_message().timeout(ZERO).wait()`.
    Message,
    /// `receive()` polled once, then dropped.
    PollOnce,
    /// `receive_available()`.
    Available,
    /// `await_available().timeout(ZERO).wait()`.
    AwaitAvailable,
    /// `receive_remaining().timeout(ZERO)`, iterated to the end.
    Remaining,
}

#[derive(Arbitrary, Debug)]
enum Op {
    /// `channel: None` uses the end's plain methods (the default channel).
    Send {
        end: bool,
        channel: Option<u8>,
        kind: Kind,
        prio: Option<i8>,
    },
    SendRequestMultiple {
        end: bool,
        channel: Option<u8>,
        prios: Vec<Option<i8>>,
    },
    SendError {
        end: bool,
        id: u32,
    },
    SendCloseRequest {
        end: bool,
    },
    Receive {
        end: bool,
        channel: Option<u8>,
        how: How,
    },
    Available {
        end: bool,
        channel: Option<u8>,
    },
    Counters {
        end: bool,
        channel: Option<u8>,
    },
    IsDisconnected {
        end: bool,
    },
    DropEnd {
        end: bool,
    },
    Debug {
        end: bool,
    },
}

// ---- the model ----

#[derive(Debug, Clone, Copy)]
struct Item {
    seq: u64,
    kind: Kind,
    prio: Option<i8>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Special {
    Error(u32),
    Close,
}

/// What a receive returned, comparably.
#[derive(Debug, PartialEq)]
enum Got<O> {
    Ok(O),
    Peer(u32),
    Close,
    Disconnected,
    Timeout,
}

impl<O> Got<O> {
    fn map<P>(self, f: impl FnOnce(O) -> P) -> Got<P> {
        match self {
            Got::Ok(o) => Got::Ok(f(o)),
            Got::Peer(id) => Got::Peer(id),
            Got::Close => Got::Close,
            Got::Disconnected => Got::Disconnected,
            Got::Timeout => Got::Timeout,
        }
    }
}

fn got<O, P>(result: Result<P, MessengerError>, f: impl FnOnce(P) -> O) -> Got<O> {
    match result {
        Ok(p) => Got::Ok(f(p)),
        Err(MessengerError::Peer(err)) => {
            Got::Peer(err.downcast_ref::<PeerErr>().expect("the error we sent").0)
        }
        Err(MessengerError::CloseRequested) => Got::Close,
        Err(MessengerError::Disconnected) => Got::Disconnected,
        Err(MessengerError::Timeout) => Got::Timeout,
        Err(other) => panic!("unexpected error {other:?}"),
    }
}

#[derive(Default)]
struct EndModel {
    /// Data sent to this end, per channel, in arrival order.
    incoming: HashMap<u8, VecDeque<Item>>,
    specials: VecDeque<Special>,
    counters: HashMap<u8, RequestCounter>,
    dropped: bool,
}

struct Model {
    ends: [EndModel; 2],
    priority: bool,
}

impl Model {
    /// Sends from `from`: false if the peer is gone (then nothing is counted).
    fn send(&mut self, from: usize, channel: u8, item: Item) -> bool {
        if self.ends[1 - from].dropped {
            return false;
        }
        self.ends[1 - from].incoming.entry(channel).or_default().push_back(item);
        let counter = self.ends[from].counters.entry(channel).or_default();
        counter.sent += 1;
        if item.kind == Kind::Request {
            counter.requests += 1;
        }
        true
    }

    fn send_special(&mut self, from: usize, special: Special) -> bool {
        if self.ends[1 - from].dropped {
            return false;
        }
        self.ends[1 - from].specials.push_back(special);
        true
    }

    /// Takes the next data message of `channel` at `end`, counting it.
    fn take(&mut self, end: usize, channel: u8) -> Option<Item> {
        let priority = self.priority;
        let queue = self.ends[end].incoming.get_mut(&channel)?;
        let index = if priority {
            // Lowest priority first, oldest among equals, `None` after every `Some`.
            let key = |item: &Item| (item.prio.is_none(), item.prio);
            (0..queue.len()).min_by_key(|&i| (key(&queue[i]), i))?
        } else {
            0
        };
        let item = queue.remove(index)?;
        let counter = self.ends[end].counters.entry(channel).or_default();
        counter.received += 1;
        if item.kind == Kind::Reply {
            counter.replies += 1;
        }
        Some(item)
    }

    fn peer_gone(&self, end: usize) -> bool {
        self.ends[1 - end].dropped
    }

    fn queued(&self, end: usize, channel: u8) -> usize {
        self.ends[end].incoming.get(&channel).map_or(0, VecDeque::len)
    }

    fn queued_total(&self, end: usize) -> usize {
        self.ends[end].incoming.values().map(VecDeque::len).sum()
    }

    /// One non-waiting receive of the next message: `None` where a real one would wait.
    fn receive(&mut self, end: usize, channel: u8) -> Option<Got<Item>> {
        if let Some(special) = self.ends[end].specials.pop_front() {
            return Some(special_got(special));
        }
        if let Some(item) = self.take(end, channel) {
            return Some(Got::Ok(item));
        }
        self.peer_gone(end).then_some(Got::Disconnected)
    }

    fn remaining(&self, end: usize, channel: u8) -> i64 {
        self.ends[end].counters.get(&channel).copied().unwrap_or_default().remaining()
    }

    fn live(&self) -> usize {
        self.ends.iter().map(|e| e.incoming.values().map(VecDeque::len).sum::<usize>()).sum()
    }
}

fn special_got<O>(special: Special) -> Got<O> {
    match special {
        Special::Error(id) => Got::Peer(id),
        Special::Close => Got::Close,
    }
}

fn kind_of(kind: MessageKind) -> Kind {
    match kind {
        MessageKind::Request => Kind::Request,
        MessageKind::Reply => Kind::Reply,
        MessageKind::NoRequest => Kind::NoRequest,
    }
}

// ---- the run ----

type End<Q> = Messenger<u8, Msg, Q>;

fn key(msg: &Msg) -> Option<i64> {
    msg.prio.map(i64::from)
}

fn run_input(input: Input) {
    let d = input.default_channel % CHANNELS;
    match input.pair {
        Pair::Fifo if d == 0 => run(Messenger::<u8, Msg>::pair(), d, false, input.ops),
        Pair::Fifo => run(Messenger::pair_with(d, Fifo), d, false, input.ops),
        Pair::ByTrait if d == 0 => run(PriorityMessenger::<u8, Msg>::pair(), d, true, input.ops),
        Pair::ByTrait => run(Messenger::pair_with(d, ByPriority::by_trait()), d, true, input.ops),
        Pair::ByKey if d == 0 => {
            run(PriorityMessenger::<u8, Msg>::pair_with_key(key), d, true, input.ops)
        }
        Pair::ByKey => run(Messenger::pair_with(d, ByPriority::with_key(key)), d, true, input.ops),
    }
    assert_eq!(LIVE.load(SeqCst), 0, "every message is dropped with the ends");
}

fn run<Q: Discipline<Msg>>(pair: (End<Q>, End<Q>), default: u8, priority: bool, ops: Vec<Op>) {
    let mut ends = [Some(pair.0), Some(pair.1)];
    for end in ends.iter().flatten() {
        assert_eq!(*end.default_channel(), default);
    }
    let mut model = Model { ends: [EndModel::default(), EndModel::default()], priority };
    let mut seq = 0u64;
    let chan = |c: Option<u8>| c.map_or(default, |c| c % CHANNELS);
    for op in ops.into_iter().take(400) {
        match op {
            Op::Send { end, channel, kind, prio } => {
                let e = usize::from(end);
                let Some(m) = ends[e].as_mut() else { continue };
                seq += 1;
                let msg = Msg::new(seq, prio);
                let result = match (channel, kind) {
                    (None, Kind::Request) => m.send_request(msg),
                    (None, Kind::Reply) => m.send_reply(msg),
                    (None, Kind::NoRequest) => m.send_norequest(msg),
                    (Some(c), Kind::Request) => m.channel(c % CHANNELS).send_request(msg),
                    (Some(c), Kind::Reply) => m.channel(c % CHANNELS).send_reply(msg),
                    (Some(c), Kind::NoRequest) => m.channel(c % CHANNELS).send_norequest(msg),
                };
                let sent = model.send(e, chan(channel), Item { seq, kind, prio });
                match result {
                    Ok(()) => assert!(sent, "a send to a dropped end succeeded"),
                    Err(back) => {
                        assert!(!sent, "a send failed while the peer is there");
                        assert_eq!(back.into_inner().seq, seq, "the message comes back");
                    }
                }
            }
            Op::SendRequestMultiple { end, channel, prios } => {
                let e = usize::from(end);
                let Some(m) = ends[e].as_mut() else { continue };
                let first = seq + 1;
                let prios: Vec<Option<i8>> = prios.into_iter().take(4).collect();
                let msgs: Vec<Msg> = prios
                    .iter()
                    .map(|&p| {
                        seq += 1;
                        Msg::new(seq, p)
                    })
                    .collect();
                let result = match channel {
                    None => m.send_request_multiple(msgs),
                    Some(c) => m.channel(c % CHANNELS).send_request_multiple(msgs),
                };
                let mut sent = 0;
                for (i, &prio) in prios.iter().enumerate() {
                    let item = Item { seq: first + i as u64, kind: Kind::Request, prio };
                    if !model.send(e, chan(channel), item) {
                        break;
                    }
                    sent += 1;
                }
                match result {
                    Ok(n) => assert_eq!(n, sent),
                    Err(back) => {
                        assert_eq!(sent, 0, "the peer is gone for every message or none");
                        assert_eq!(back.into_inner().seq, first, "the first message comes back");
                    }
                }
            }
            Op::SendError { end, id } => {
                let e = usize::from(end);
                let Some(m) = ends[e].as_mut() else { continue };
                let result = m.send_error(PeerErr(id));
                let sent = model.send_special(e, Special::Error(id));
                match result {
                    Ok(()) => assert!(sent),
                    Err(back) => {
                        assert!(!sent);
                        assert_eq!(back.into_inner().0, id, "the error comes back");
                    }
                }
            }
            Op::SendCloseRequest { end } => {
                let e = usize::from(end);
                let Some(m) = ends[e].as_mut() else { continue };
                let result = m.send_close_request();
                assert_eq!(result.is_ok(), model.send_special(e, Special::Close));
            }
            Op::Receive { end, channel, how } => {
                let e = usize::from(end);
                let Some(m) = ends[e].as_mut() else { continue };
                let c = chan(channel);
                receive(m, &mut model, e, channel.map(|_| c), how);
            }
            Op::Available { end, channel } => {
                let e = usize::from(end);
                let Some(m) = ends[e].as_mut() else { continue };
                let got = match channel {
                    None => m.available(),
                    Some(c) => m.channel(c % CHANNELS).available(),
                };
                assert_eq!(got, model.queued(e, chan(channel)));
            }
            Op::Counters { end, channel } => {
                let e = usize::from(end);
                let Some(m) = ends[e].as_mut() else { continue };
                let (counters, remaining) = match channel {
                    None => (m.counters(), m.remaining()),
                    Some(c) => {
                        let view = m.channel(c % CHANNELS);
                        (view.counters(), view.remaining())
                    }
                };
                let c = chan(channel);
                let want = model.ends[e].counters.get(&c).copied().unwrap_or_default();
                assert_eq!(counters, want, "counters of channel {c}");
                assert_eq!(remaining, model.remaining(e, c));
            }
            Op::IsDisconnected { end } => {
                let e = usize::from(end);
                let Some(m) = ends[e].as_ref() else { continue };
                assert_eq!(m.is_disconnected(), model.peer_gone(e));
            }
            Op::DropEnd { end } => {
                let e = usize::from(end);
                if ends[e].take().is_some() {
                    model.ends[e].dropped = true;
                    // What was sent to it goes with it.
                    model.ends[e].incoming.clear();
                    model.ends[e].specials.clear();
                }
            }
            Op::Debug { end } => {
                if let Some(m) = &ends[usize::from(end)] {
                    let _ = format!("{m:?}");
                }
            }
        }
        assert_eq!(LIVE.load(SeqCst), model.live() as isize, "messages alive");
    }
}

/// One receive of `how` on `channel` (`None`: the default one, through the plain methods).
fn receive<Q: Discipline<Msg>>(
    m: &mut End<Q>,
    model: &mut Model,
    e: usize,
    channel: Option<u8>,
    how: How,
) {
    let c = channel.unwrap_or(*m.default_channel());
    let zero = Duration::ZERO;
    match how {
        How::Payload => {
            let result = match channel {
                None => m.receive().timeout(zero).wait(),
                Some(c) => m.channel(c).receive().timeout(zero).wait(),
            };
            let want = model.receive(e, c).unwrap_or(Got::Timeout);
            assert_eq!(got(result, |msg| msg.seq), seq_of(want), "receive on {c}");
        }
        How::Message => {
            let result = match channel {
                None => m.receive_message().timeout(zero).wait(),
                Some(c) => m.channel(c).receive_message().timeout(zero).wait(),
            };
            let want = model.receive(e, c).unwrap_or(Got::Timeout).map(|i| (i.seq, i.kind));
            assert_eq!(got(result, |msg| (msg.payload.seq, kind_of(msg.kind))), want);
        }
        How::PollOnce => {
            let waker = Waker::noop();
            let mut cx = Context::from_waker(waker);
            let poll = match channel {
                None => std::pin::pin!(m.receive().into_future()).poll(&mut cx),
                Some(c) => std::pin::pin!(m.channel(c).receive().into_future()).poll(&mut cx),
            };
            let want = model.receive(e, c);
            match (poll, want) {
                (Poll::Pending, None) => {}
                (Poll::Ready(result), Some(want)) => {
                    assert_eq!(got(result, |msg| msg.seq), seq_of(want))
                }
                (poll, want) => {
                    let poll = poll.map(|r| got(r, |msg| msg.seq));
                    panic!("poll on {c}: expected {want:?}, got {poll:?}")
                }
            }
        }
        How::Available => {
            let result = match channel {
                None => m.receive_available(),
                Some(c) => m.channel(c).receive_available(),
            };
            let want = if let Some(special) = model.ends[e].specials.pop_front() {
                special_got(special)
            } else {
                let items: Vec<u64> =
                    std::iter::from_fn(|| model.take(e, c)).map(|item| item.seq).collect();
                if items.is_empty() && model.peer_gone(e) {
                    Got::Disconnected
                } else {
                    Got::Ok(items)
                }
            };
            let result = got(result, |msgs| msgs.iter().map(|msg| msg.seq).collect::<Vec<_>>());
            assert_eq!(result, want, "receive_available on {c}");
        }
        How::AwaitAvailable => {
            let result = m.await_available().timeout(zero).wait();
            let want = if let Some(special) = model.ends[e].specials.pop_front() {
                special_got(special)
            } else if model.queued_total(e) > 0 {
                Got::Ok(model.queued_total(e))
            } else if model.peer_gone(e) {
                Got::Disconnected
            } else {
                Got::Timeout
            };
            assert_eq!(got(result, |n| n), want, "await_available");
        }
        How::Remaining => {
            let results: Vec<Got<u64>> = match channel {
                None => m
                    .receive_remaining()
                    .timeout(zero)
                    .into_iter()
                    .map(|r| got(r, |msg| msg.seq))
                    .collect(),
                Some(c) => m
                    .channel(c)
                    .receive_remaining()
                    .timeout(zero)
                    .into_iter()
                    .map(|r| got(r, |msg| msg.seq))
                    .collect(),
            };
            let mut want = Vec::new();
            while model.remaining(e, c) > 0 {
                let next = seq_of(model.receive(e, c).unwrap_or(Got::Timeout));
                let end = matches!(next, Got::Disconnected | Got::Timeout);
                want.push(next);
                if end {
                    break;
                }
            }
            assert_eq!(results, want, "receive_remaining on {c}");
        }
    }
}

fn seq_of(got: Got<Item>) -> Got<u64> {
    got.map(|item| item.seq)
}

fuzz_target!(|input: Input| run_input(input));
