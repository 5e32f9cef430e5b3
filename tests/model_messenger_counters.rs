//! Property test: a messenger pair's request / reply counters against a model.
//!
//! Both ends send and receive on a few channels, with every kind of send, every kind of
//! receive (zero timeout, so nothing blocks), special messages and either end going away. The
//! model keeps each end's per-channel queue and counters by the documented rules
//! ([`RequestCounter`]): `requests` and `sent` count when a send succeeds, `replies` and
//! `received` when a receive *takes* a message, special messages and failed sends count
//! nothing. After every step the counters (and `remaining`) of every channel of both ends
//! are compared with the model's.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::future::IntoFuture;
use std::time::Duration;

use futures::FutureExt;
use proptest::prelude::*;
use tidings::messenger::{MessageKind, RequestCounter};
use tidings::{Messenger, MessengerError, SendError};

const CHANNELS: u8 = 3;

#[derive(Debug)]
struct Oops;

impl fmt::Display for Oops {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("oops")
    }
}

impl std::error::Error for Oops {}

#[derive(Debug, Clone, Copy)]
enum Action {
    Send(MessageKind),
    SendMultiple(u8),
    SendError,
    SendCloseRequest,
    Receive,
    /// `receive()` polled once, dropped if pending (a cancelled receive takes nothing).
    ReceivePolled,
    ReceiveMessage,
    ReceiveAvailable,
    /// `receive_remaining` with a zero timeout, collected.
    ReceiveRemaining,
    Available,
    Drop,
}

/// One step: which end (0 or 1) does what on which channel. Channel 0 is the default channel
/// and is used through the end's own methods; the others through `channel(c)`.
#[derive(Debug, Clone, Copy)]
struct Op {
    side: usize,
    channel: u8,
    action: Action,
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        4 => Just(Action::Send(MessageKind::Request)),
        4 => Just(Action::Send(MessageKind::Reply)),
        2 => Just(Action::Send(MessageKind::NoRequest)),
        1 => (0u8..4).prop_map(Action::SendMultiple),
        1 => Just(Action::SendError),
        1 => Just(Action::SendCloseRequest),
        4 => Just(Action::Receive),
        2 => Just(Action::ReceivePolled),
        2 => Just(Action::ReceiveMessage),
        2 => Just(Action::ReceiveAvailable),
        2 => Just(Action::ReceiveRemaining),
        1 => Just(Action::Available),
        // Rare: after it, only the other end can do anything.
        1 => (0u8..4).prop_map(|n| if n == 0 { Action::Drop } else { Action::Available }),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    (0usize..2, 0..CHANNELS, action()).prop_map(|(side, channel, action)| Op {
        side,
        channel,
        action,
    })
}

/// What a receive returned, comparable (the peer's error is always an `Oops`).
#[derive(Debug, PartialEq)]
enum Outcome<T> {
    Ok(T),
    Peer,
    CloseRequested,
    Disconnected,
    Timeout,
}

fn outcome<T>(got: Result<T, MessengerError>) -> Outcome<T> {
    match got {
        Ok(v) => Outcome::Ok(v),
        Err(err) if err.downcast_peer::<Oops>().is_some() => Outcome::Peer,
        Err(MessengerError::CloseRequested) => Outcome::CloseRequested,
        Err(MessengerError::Disconnected) => Outcome::Disconnected,
        Err(MessengerError::Timeout) => Outcome::Timeout,
        Err(other) => panic!("unexpected error {other}"),
    }
}

impl<T> Outcome<T> {
    fn map_ok<U>(self, f: impl FnOnce(T) -> U) -> Outcome<U> {
        match self {
            Outcome::Ok(v) => Outcome::Ok(f(v)),
            Outcome::Peer => Outcome::Peer,
            Outcome::CloseRequested => Outcome::CloseRequested,
            Outcome::Disconnected => Outcome::Disconnected,
            Outcome::Timeout => Outcome::Timeout,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Special {
    Error,
    Close,
}

/// One end as the model sees it.
#[derive(Default)]
struct End {
    /// Per channel: messages queued for this end (id, kind), and this end's counters.
    queues: HashMap<u8, VecDeque<(u32, MessageKind)>>,
    counters: HashMap<u8, RequestCounter>,
    specials: VecDeque<Special>,
    dropped: bool,
}

impl End {
    fn counter(&mut self, channel: u8) -> &mut RequestCounter {
        self.counters.entry(channel).or_default()
    }

    fn special<T>(&mut self) -> Option<Outcome<T>> {
        self.specials.pop_front().map(|s| match s {
            Special::Error => Outcome::Peer,
            Special::Close => Outcome::CloseRequested,
        })
    }

    /// Takes the next message of `channel`, counting it.
    fn take(&mut self, channel: u8) -> Option<(u32, MessageKind)> {
        let msg = self.queues.get_mut(&channel)?.pop_front()?;
        let counter = self.counter(channel);
        counter.received += 1;
        if msg.1 == MessageKind::Reply {
            counter.replies += 1;
        }
        Some(msg)
    }

    fn receive(&mut self, channel: u8, peer_gone: bool) -> Outcome<(u32, MessageKind)> {
        if let Some(special) = self.special() {
            return special;
        }
        match self.take(channel) {
            Some(msg) => Outcome::Ok(msg),
            None if peer_gone => Outcome::Disconnected,
            None => Outcome::Timeout,
        }
    }
}

struct Model {
    ends: [End; 2],
}

impl Model {
    /// Sends from `side`: queued at the peer and counted here, unless the peer is gone.
    fn send(&mut self, side: usize, channel: u8, kind: MessageKind, id: u32) -> bool {
        if self.ends[1 - side].dropped {
            return false;
        }
        self.ends[1 - side].queues.entry(channel).or_default().push_back((id, kind));
        let counter = self.ends[side].counter(channel);
        counter.sent += 1;
        if kind == MessageKind::Request {
            counter.requests += 1;
        }
        true
    }
}

type End2 = Messenger<u8, u32>;

fn send(m: &mut End2, channel: u8, kind: MessageKind, id: u32) -> Result<(), SendError<u32>> {
    match (channel, kind) {
        (0, MessageKind::Request) => m.send_request(id),
        (0, MessageKind::Reply) => m.send_reply(id),
        (0, MessageKind::NoRequest) => m.send_norequest(id),
        (c, MessageKind::Request) => m.channel(c).send_request(id),
        (c, MessageKind::Reply) => m.channel(c).send_reply(id),
        (c, MessageKind::NoRequest) => m.channel(c).send_norequest(id),
    }
}

fn counters(m: &mut End2, channel: u8) -> (RequestCounter, i64) {
    let view = m.channel(channel);
    let (counters, remaining) = (view.counters(), view.remaining());
    if channel == 0 {
        // The default channel's own methods agree with its view.
        assert_eq!((m.counters(), m.remaining()), (counters, remaining));
    }
    (counters, remaining)
}

fn run(ops: Vec<Op>) {
    let (a, b) = Messenger::<u8, u32>::pair();
    let mut ends = [Some(a), Some(b)];
    let mut model = Model { ends: [End::default(), End::default()] };
    let mut next_id = 0u32;
    let zero = Duration::ZERO;
    for (step, Op { side, channel, action }) in ops.into_iter().enumerate() {
        let peer_gone = model.ends[1 - side].dropped;
        let Some(m) = &mut ends[side] else { continue };
        match action {
            Action::Send(kind) => {
                let got = send(m, channel, kind, next_id);
                let ok = model.send(side, channel, kind, next_id);
                assert_eq!(got, if ok { Ok(()) } else { Err(SendError(next_id)) }, "step {step}");
                next_id += 1;
            }
            Action::SendMultiple(n) => {
                let ids: Vec<u32> = (next_id..next_id + u32::from(n)).collect();
                next_id += u32::from(n);
                let got = if channel == 0 {
                    m.send_request_multiple(ids.clone())
                } else {
                    m.channel(channel).send_request_multiple(ids.clone())
                };
                let expected = match ids.first() {
                    Some(&first) if peer_gone => Err(SendError(first)),
                    _ => {
                        for &id in &ids {
                            assert!(model.send(side, channel, MessageKind::Request, id));
                        }
                        Ok(ids.len())
                    }
                };
                assert_eq!(got, expected, "step {step}: send_request_multiple");
            }
            Action::SendError => {
                assert_eq!(m.send_error(Oops).is_ok(), !peer_gone, "step {step}");
                if !peer_gone {
                    model.ends[1 - side].specials.push_back(Special::Error);
                }
            }
            Action::SendCloseRequest => {
                assert_eq!(m.send_close_request().is_ok(), !peer_gone, "step {step}");
                if !peer_gone {
                    model.ends[1 - side].specials.push_back(Special::Close);
                }
            }
            Action::Receive => {
                let got = if channel == 0 {
                    m.receive().timeout(zero).wait()
                } else {
                    m.channel(channel).receive().timeout(zero).wait()
                };
                let expected = model.ends[side].receive(channel, peer_gone).map_ok(|(id, _)| id);
                assert_eq!(outcome(got), expected, "step {step}: receive");
            }
            Action::ReceivePolled => {
                let got = if channel == 0 {
                    m.receive().into_future().now_or_never()
                } else {
                    m.channel(channel).receive().into_future().now_or_never()
                };
                let got = got.unwrap_or(Err(MessengerError::Timeout));
                let expected = model.ends[side].receive(channel, peer_gone).map_ok(|(id, _)| id);
                assert_eq!(outcome(got), expected, "step {step}: polled receive");
            }
            Action::ReceiveMessage => {
                let got = if channel == 0 {
                    m.receive_message().timeout(zero).wait()
                } else {
                    m.channel(channel).receive_message().timeout(zero).wait()
                };
                let got = outcome(got.map(|msg| (msg.payload, msg.kind)));
                let expected = model.ends[side].receive(channel, peer_gone);
                assert_eq!(got, expected, "step {step}: receive_message");
            }
            Action::ReceiveAvailable => {
                let got = if channel == 0 {
                    m.receive_available()
                } else {
                    m.channel(channel).receive_available()
                };
                let end = &mut model.ends[side];
                let expected = end.special().unwrap_or_else(|| {
                    let all: Vec<u32> =
                        std::iter::from_fn(|| end.take(channel)).map(|(id, _)| id).collect();
                    if all.is_empty() && peer_gone {
                        Outcome::Disconnected
                    } else {
                        Outcome::Ok(all)
                    }
                });
                assert_eq!(outcome(got), expected, "step {step}: receive_available");
            }
            Action::ReceiveRemaining => {
                let got: Vec<Outcome<u32>> = if channel == 0 {
                    m.receive_remaining().timeout(zero).into_iter().map(outcome).collect()
                } else {
                    m.channel(channel)
                        .receive_remaining()
                        .timeout(zero)
                        .into_iter()
                        .map(outcome)
                        .collect()
                };
                // One receive per item while replies are expected; specials are yielded and
                // the sequence goes on; `Disconnected` and `Timeout` end it.
                let end = &mut model.ends[side];
                let mut expected = Vec::new();
                while end.counter(channel).remaining() > 0 {
                    let item = end.receive(channel, peer_gone).map_ok(|(id, _)| id);
                    let last = matches!(item, Outcome::Disconnected | Outcome::Timeout);
                    expected.push(item);
                    if last {
                        break;
                    }
                }
                assert_eq!(got, expected, "step {step}: receive_remaining");
            }
            Action::Available => {
                let got = if channel == 0 { m.available() } else { m.channel(channel).available() };
                assert_eq!(
                    got,
                    model.ends[side].queues.get(&channel).map_or(0, VecDeque::len),
                    "step {step}"
                );
            }
            Action::Drop => {
                ends[side] = None;
                model.ends[side].dropped = true;
            }
        }
        // Every channel's counters on both (remaining) ends, and the disconnection flags.
        for (side, m) in ends.iter_mut().enumerate() {
            let Some(m) = m else { continue };
            assert_eq!(m.is_disconnected(), model.ends[1 - side].dropped, "step {step}");
            for channel in 0..CHANNELS {
                let expected = model.ends[side].counter(channel);
                let expected = (*expected, expected.remaining());
                assert_eq!(
                    counters(m, channel),
                    expected,
                    "step {step}: side {side} channel {channel}"
                );
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(if cfg!(miri) { 8 } else { 256 }))]

    #[test]
    fn messenger_counters_match_the_model(ops in prop::collection::vec(op(), 0..150)) {
        run(ops);
    }
}
