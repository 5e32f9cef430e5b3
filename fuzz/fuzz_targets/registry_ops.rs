//! Fuzz target: arbitrary operation sequences on a [`Registry`], checked against a model.
//!
//! Everything runs on one thread with calls that never wait (timeout-zero receives, one poll
//! of a future), so a run is deterministic. The model keeps, per tag, the queued messages in
//! arrival order with a registry-wide arrival stamp, plus how many of them sit in the tag's
//! save queue rather than its ring: only the ring is bounded, so that split decides `Full`.
//!
//! Checked after every operation: each result against the model (which message a receive
//! over several tags takes: the oldest accepted one; `Full`, `TagLimit`, `TooMany`,
//! `NoTags`, `drain`'s count, `stats`), that exactly the model's messages are alive (none
//! leaked, none dropped twice), and, after `Settle`, that no wake-up was lost: once every
//! woken pending future has been polled, no pending receive could take a message and no
//! pending send could find room.

#![no_main]

#[path = "common/live.rs"]
mod live;

use std::collections::VecDeque;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use live::{Msg, LIVE};
use tidings::{RecvError, Registry, RegistryError, Tag, TagError};

/// The tags operations pick from: a handful, so that they collide; one longer than the
/// hasher's 8-byte word, and the empty one.
const TAGS: [&str; 5] = ["a", "b", "c", "a-longer-tag-name", ""];
/// At most this many pending receives and pending sends each.
const MAX_PENDING: usize = 4;

#[derive(Arbitrary, Debug)]
struct Input {
    max_tags: Option<u8>,
    capacity: Option<u8>,
    ops: Vec<Op>,
}

/// A list of tags, as indices into `TAGS` (duplicates and order kept: both matter).
#[derive(Arbitrary, Debug, Clone)]
struct Tags(Vec<u8>);

impl Tags {
    fn indices(&self) -> Vec<usize> {
        self.0.iter().take(6).map(|&t| usize::from(t) % TAGS.len()).collect()
    }

    fn names(&self) -> Vec<&'static str> {
        self.indices().into_iter().map(|t| TAGS[t]).collect()
    }
}

/// A selective receive's filter: `payload % modulus == rest`, optionally only on one tag.
#[derive(Arbitrary, Debug, Clone, Copy)]
struct Filter {
    modulus: u8,
    rest: u8,
    only_tag: Option<u8>,
}

impl Filter {
    fn accepts(&self, tag: usize, payload: u8) -> bool {
        let modulus = 1 + self.modulus % 4;
        payload % modulus == self.rest % modulus
            && self.only_tag.is_none_or(|t| usize::from(t) % TAGS.len() == tag)
    }
}

/// How a one-off receive is run.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum How {
    /// `.timeout(Duration::ZERO).wait()`.
    TimeoutZero,
    /// `.deadline(now).wait()`.
    DeadlineNow,
    /// `.after(Duration::ZERO, fallback).wait()`.
    After,
    /// The future polled once (no deadline), then dropped.
    PollOnce,
}

#[derive(Arbitrary, Debug)]
enum Op {
    Send {
        handle: bool,
        tag: u8,
        payload: u8,
    },
    /// `send_timeout` with a zero timeout: `Timeout` instead of `Full`.
    SendTimeoutZero {
        tag: u8,
        payload: u8,
    },
    /// `send_async`, polled once and kept while pending (at most `MAX_PENDING`).
    SendAsync {
        tag: u8,
        payload: u8,
    },
    Receive {
        handle: bool,
        tags: Tags,
        filter: Option<Filter>,
        how: How,
    },
    /// A receive future polled once and kept while pending (at most `MAX_PENDING`).
    Park {
        tags: Tags,
        filter: Option<Filter>,
    },
    /// Drops a pending receive (`receive: true`) or send.
    DropPending {
        receive: bool,
        index: u8,
    },
    /// Polls one pending receive (`receive: true`) or send, woken or not.
    PollPending {
        receive: bool,
        index: u8,
    },
    /// Polls every woken pending future until none is woken, then checks that none was missed.
    Settle,
    Drain {
        tags: Tags,
    },
    SetTags {
        tags: Tags,
    },
    Stats,
    Debug,
}

// ---- the model ----

/// A queued message: (arrival stamp, message number, payload).
type Item = (u64, u64, u8);

struct MQueue {
    tag: usize,
    items: VecDeque<Item>,
    /// How many front items are in the save queue (not the ring).
    saved: usize,
    popped: u64,
}

impl MQueue {
    fn ring_len(&self) -> usize {
        self.items.len() - self.saved
    }

    /// Index of the first item `filter` accepts (`None`: any item).
    fn first_accepted(&self, filter: Option<Filter>) -> Option<usize> {
        self.items.iter().position(|&(_, _, p)| filter.is_none_or(|f| f.accepts(self.tag, p)))
    }

    fn take(&mut self, index: usize) -> Item {
        self.saved -= 1;
        self.popped += 1;
        self.items.remove(index).expect("index in range")
    }
}

#[derive(Debug, PartialEq)]
enum SendOutcome {
    Sent,
    Full,
    TagLimit,
}

struct Model {
    /// In creation order.
    queues: Vec<MQueue>,
    max_tags: Option<usize>,
    capacity: Option<usize>,
    stamps: u64,
}

impl Model {
    fn queue(&mut self, tag: usize) -> Option<&mut MQueue> {
        self.queues.iter_mut().find(|q| q.tag == tag)
    }

    fn send(&mut self, tag: usize, seq: u64, payload: u8) -> SendOutcome {
        let stamp = self.stamps;
        let capacity = self.capacity;
        if self.queue(tag).is_none() {
            if self.max_tags.is_some_and(|max| self.queues.len() >= max) {
                return SendOutcome::TagLimit;
            }
            self.queues.push(MQueue { tag, items: VecDeque::new(), saved: 0, popped: 0 });
        }
        let queue = self.queue(tag).expect("just made");
        if capacity.is_some_and(|cap| queue.ring_len() >= cap) {
            return SendOutcome::Full;
        }
        queue.items.push_back((stamp, seq, payload));
        self.stamps += 1;
        SendOutcome::Sent
    }

    /// Whether a receive on `tags` with `filter` would take a message now.
    fn available(&self, tags: &[usize], filter: Option<Filter>) -> bool {
        self.queues.iter().any(|q| tags.contains(&q.tag) && q.first_accepted(filter).is_some())
    }

    /// A receive attempt, with its effect on the save queues: `Some((tag, seq))` if it takes
    /// a message. `tags` is the list as given (its length decides the one-tag path).
    fn receive(&mut self, tags: &[usize], filter: Option<Filter>) -> Option<(usize, u64)> {
        let mut unique: Vec<usize> = Vec::new();
        for &t in tags {
            if !unique.contains(&t) {
                unique.push(t);
            }
        }
        if tags.len() == 1 {
            let queue = self.queue(tags[0])?;
            return match queue.first_accepted(filter) {
                Some(i) => {
                    // Everything before the match is moved to the save queue first.
                    queue.saved = queue.saved.max(i + 1);
                    let (_, seq, _) = queue.take(i);
                    Some((queue.tag, seq))
                }
                None => {
                    if filter.is_some() {
                        queue.saved = queue.items.len();
                    }
                    None
                }
            };
        }
        // Several tags: each listed tag's first acceptable message is looked at (and moved to
        // the save queue), then the oldest is taken.
        let mut oldest: Option<(u64, usize, usize)> = None;
        for &t in &unique {
            let Some(qi) = self.queues.iter().position(|q| q.tag == t) else { continue };
            let queue = &mut self.queues[qi];
            match queue.first_accepted(filter) {
                Some(i) => {
                    queue.saved = queue.saved.max(i + 1);
                    let stamp = queue.items[i].0;
                    if oldest.is_none_or(|(s, ..)| stamp < s) {
                        oldest = Some((stamp, qi, i));
                    }
                }
                None => queue.saved = queue.items.len(),
            }
        }
        let (_, qi, i) = oldest?;
        let (_, seq, _) = self.queues[qi].take(i);
        Some((self.queues[qi].tag, seq))
    }

    fn drain(&mut self, tags: &[usize]) -> usize {
        let mut count = 0;
        for q in self.queues.iter_mut().filter(|q| tags.contains(&q.tag)) {
            count += q.items.len();
            q.popped += q.items.len() as u64;
            q.items.clear();
            q.saved = 0;
        }
        count
    }

    fn set_tags(&mut self, tags: &[usize]) -> Result<(), TagError> {
        let mut unique: Vec<usize> = Vec::new();
        for &t in tags {
            if !unique.contains(&t) {
                unique.push(t);
            }
        }
        if let Some(max) = self.max_tags {
            if unique.len() > max {
                return Err(TagError::TooMany { max });
            }
        }
        self.queues = unique
            .into_iter()
            .map(|tag| MQueue { tag, items: VecDeque::new(), saved: 0, popped: 0 })
            .collect();
        Ok(())
    }

    fn queued(&self) -> usize {
        self.queues.iter().map(|q| q.items.len()).sum()
    }
}

// ---- the run ----

/// A waker that records that it was woken.
struct Flag(AtomicBool);

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, SeqCst);
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.store(true, SeqCst);
    }
}

fn flag() -> (Arc<Flag>, Waker) {
    let flag = Arc::new(Flag(AtomicBool::new(false)));
    (flag.clone(), Waker::from(flag))
}

type RecvFuture<'r> = Pin<Box<dyn Future<Output = Result<(Tag, Msg), RecvError>> + 'r>>;
type SendFuture<'r> = Pin<Box<dyn Future<Output = Result<(), RegistryError<Msg>>> + 'r>>;

struct PendingRecv<'r> {
    fut: RecvFuture<'r>,
    flag: Arc<Flag>,
    waker: Waker,
    tags: Vec<usize>,
    filter: Option<Filter>,
}

struct PendingSend<'r> {
    fut: SendFuture<'r>,
    flag: Arc<Flag>,
    waker: Waker,
    tag: usize,
    seq: u64,
    payload: u8,
}

fn tag_index(tag: &Tag) -> usize {
    TAGS.iter().position(|t| tag == t).unwrap_or_else(|| panic!("unknown tag {tag:?}"))
}

/// A receive on `reg` as the fuzz input describes it (boxed: each filter is its own type).
fn receive_future<'r>(
    reg: &'r Registry<Msg>,
    tags: &[&'static str],
    filter: Option<Filter>,
) -> RecvFuture<'r> {
    match filter {
        None => Box::pin(reg.receive(tags.to_vec()).into_future()),
        Some(f) => Box::pin(
            reg.receive(tags.to_vec())
                .matching(move |tag: &Tag, m: &Msg| f.accepts(tag_index(tag), m.payload))
                .into_future(),
        ),
    }
}

/// What an `.after(..)` receive returns on timeout.
fn fallback() -> (Tag, Msg) {
    (Tag::from("fallback"), Msg::new(u64::MAX, 0))
}

/// A receive that does not wait (`how` is not `PollOnce`).
fn receive_now(
    reg: &Registry<Msg>,
    names: Vec<&'static str>,
    filter: Option<Filter>,
    how: How,
) -> Result<(Tag, Msg), RecvError> {
    let r = reg.receive(names);
    let r = match how {
        How::DeadlineNow => r.deadline(Instant::now()),
        _ => r.timeout(Duration::ZERO),
    };
    let accepts = move |f: Filter| move |t: &Tag, m: &Msg| f.accepts(tag_index(t), m.payload);
    match (how, filter) {
        (How::After, None) => r.after(Duration::ZERO, fallback).wait(),
        (How::After, Some(f)) => r.matching(accepts(f)).after(Duration::ZERO, fallback).wait(),
        (_, None) => r.wait(),
        (_, Some(f)) => r.matching(accepts(f)).wait(),
    }
}

/// Checks a receive's result against the model's (which it also applies).
fn check_receive(
    model: &mut Model,
    tags: &[usize],
    filter: Option<Filter>,
    got: Option<Result<(Tag, Msg), RecvError>>,
    on_timeout: Option<Result<(Tag, Msg), RecvError>>,
) {
    if tags.is_empty() {
        assert_eq!(got.map(|r| r.map(|(t, m)| (t, m.seq))), Some(Err(RecvError::NoTags)));
        return;
    }
    let expected = model.receive(tags, filter);
    match (expected, got) {
        (Some(want), Some(Ok((tag, msg)))) => {
            assert_eq!((tag_index(&tag), msg.seq), want, "receive on {tags:?} with {filter:?}");
        }
        (None, None) => assert!(on_timeout.is_none(), "a pending receive on {tags:?}"),
        (None, Some(result)) => {
            let result = result.map(|(t, m)| (t, m.seq));
            let wanted = on_timeout.map(|r| r.map(|(t, m)| (t, m.seq)));
            assert_eq!(Some(result), wanted, "nothing to receive on {tags:?} with {filter:?}");
        }
        (Some(want), got) => {
            let got = got.map(|r| r.map(|(t, m)| (t, m.seq)));
            panic!("receive on {tags:?} with {filter:?}: expected {want:?}, got {got:?}");
        }
    }
}

fn run(input: Input) {
    let max_tags = input.max_tags.map(|n| 1 + usize::from(n) % 4);
    let capacity = input.capacity.map(|n| 1 + usize::from(n) % 4);
    let reg: Registry<Msg> = match (max_tags, capacity) {
        (None, None) => Registry::new(),
        _ => {
            let mut builder = Registry::builder();
            if let Some(max) = max_tags {
                builder = builder.max_tags(max);
            }
            if let Some(cap) = capacity {
                builder = builder.capacity(cap);
            }
            builder.build()
        }
    };
    assert_eq!((reg.max_tags(), reg.capacity()), (max_tags, capacity));
    let handles = [reg.clone(), reg];
    let mut model = Model { queues: Vec::new(), max_tags, capacity, stamps: 0 };
    let mut seq = 0u64;
    let mut recvs: Vec<PendingRecv<'_>> = Vec::new();
    let mut sends: Vec<PendingSend<'_>> = Vec::new();

    for op in input.ops.into_iter().take(400) {
        match op {
            Op::Send { handle, tag, payload } => {
                let t = usize::from(tag) % TAGS.len();
                seq += 1;
                let got = handles[usize::from(handle)].send(TAGS[t], Msg::new(seq, payload));
                match (model.send(t, seq, payload), got) {
                    (SendOutcome::Sent, Ok(())) => {}
                    (SendOutcome::Full, Err(RegistryError::Full(m)))
                    | (SendOutcome::TagLimit, Err(RegistryError::TagLimit(m))) => {
                        assert_eq!(m.seq, seq, "the message comes back")
                    }
                    (want, got) => panic!("send on {t}: expected {want:?}, got {got:?}"),
                }
            }
            Op::SendTimeoutZero { tag, payload } => {
                let t = usize::from(tag) % TAGS.len();
                seq += 1;
                let got = handles[0].send_timeout(TAGS[t], Msg::new(seq, payload), Duration::ZERO);
                match (model.send(t, seq, payload), got) {
                    (SendOutcome::Sent, Ok(())) => {}
                    (SendOutcome::Full, Err(RegistryError::Timeout(m)))
                    | (SendOutcome::TagLimit, Err(RegistryError::TagLimit(m))) => {
                        assert_eq!(m.seq, seq, "the message comes back")
                    }
                    (want, got) => panic!("send_timeout on {t}: expected {want:?}, got {got:?}"),
                }
            }
            Op::SendAsync { tag, payload } => {
                if sends.len() >= MAX_PENDING {
                    continue;
                }
                let t = usize::from(tag) % TAGS.len();
                seq += 1;
                let (flag, waker) = flag();
                let mut fut: SendFuture<'_> =
                    Box::pin(handles[1].send_async(TAGS[t], Msg::new(seq, payload)));
                let got = fut.as_mut().poll(&mut Context::from_waker(&waker));
                let pending = PendingSend { fut, flag, waker, tag: t, seq, payload };
                if let Some(pending) = check_send_poll(&mut model, pending, got) {
                    sends.push(pending);
                }
            }
            Op::Receive { handle, tags, filter, how } => {
                let (names, indices) = (tags.names(), tags.indices());
                let reg = &handles[usize::from(handle)];
                let (got, on_timeout) = match how {
                    How::PollOnce => {
                        let (_, waker) = flag();
                        let mut fut = receive_future(reg, &names, filter);
                        match fut.as_mut().poll(&mut Context::from_waker(&waker)) {
                            Poll::Ready(result) => (Some(result), None),
                            Poll::Pending => (None, None),
                        }
                    }
                    How::TimeoutZero | How::DeadlineNow | How::After => {
                        let result = receive_now(reg, names, filter, how);
                        let on_timeout = match how {
                            How::After => Ok(fallback()),
                            _ => Err(RecvError::Timeout),
                        };
                        (Some(result), Some(on_timeout))
                    }
                };
                check_receive(&mut model, &indices, filter, got, on_timeout);
            }
            Op::Park { tags, filter } => {
                if recvs.len() >= MAX_PENDING {
                    continue;
                }
                let names = tags.names();
                let indices = tags.indices();
                let (flag, waker) = flag();
                let mut fut = receive_future(&handles[0], &names, filter);
                match fut.as_mut().poll(&mut Context::from_waker(&waker)) {
                    Poll::Ready(result) => {
                        check_receive(&mut model, &indices, filter, Some(result), None)
                    }
                    Poll::Pending => {
                        check_receive(&mut model, &indices, filter, None, None);
                        recvs.push(PendingRecv { fut, flag, waker, tags: indices, filter });
                    }
                }
            }
            Op::DropPending { receive, index } => {
                if receive && !recvs.is_empty() {
                    recvs.remove(usize::from(index) % recvs.len());
                } else if !receive && !sends.is_empty() {
                    sends.remove(usize::from(index) % sends.len());
                }
            }
            Op::PollPending { receive, index } => {
                if receive && !recvs.is_empty() {
                    let i = usize::from(index) % recvs.len();
                    poll_recv(&mut model, &mut recvs, i);
                } else if !receive && !sends.is_empty() {
                    let i = usize::from(index) % sends.len();
                    poll_send(&mut model, &mut sends, i);
                }
            }
            Op::Settle => settle(&mut model, &mut recvs, &mut sends),
            Op::Drain { tags } => {
                let got = handles[1].drain(tags.names());
                assert_eq!(got, model.drain(&tags.indices()), "drain {:?}", tags.indices());
            }
            Op::SetTags { tags } => {
                let got = handles[0].set_tags(tags.names());
                assert_eq!(got, model.set_tags(&tags.indices()));
            }
            Op::Stats => {
                let got: Vec<(usize, usize, u64, u64)> = handles[1]
                    .stats()
                    .iter()
                    .map(|s| (tag_index(&s.tag), s.len, s.pushed_total, s.popped_total))
                    .collect();
                let want: Vec<(usize, usize, u64, u64)> = model
                    .queues
                    .iter()
                    .map(|q| (q.tag, q.items.len(), q.popped + q.items.len() as u64, q.popped))
                    .collect();
                assert_eq!(got, want);
            }
            Op::Debug => {
                let _ = format!("{:?} {:?}", handles[0], handles[0].receive(TAGS.to_vec()));
            }
        }
        let held = sends.len() as isize;
        assert_eq!(LIVE.load(SeqCst), model.queued() as isize + held, "messages alive");
    }
    settle(&mut model, &mut recvs, &mut sends);
    drop(recvs);
    drop(sends);
    drop(handles);
    assert_eq!(LIVE.load(SeqCst), 0, "every message is dropped with the registry");
}

/// Checks one poll of a pending send against the model (applying it); the send if still
/// pending.
fn check_send_poll<'r>(
    model: &mut Model,
    pending: PendingSend<'r>,
    got: Poll<Result<(), RegistryError<Msg>>>,
) -> Option<PendingSend<'r>> {
    let (t, seq, payload) = (pending.tag, pending.seq, pending.payload);
    match (model.send(t, seq, payload), got) {
        (SendOutcome::Sent, Poll::Ready(Ok(()))) => None,
        (SendOutcome::TagLimit, Poll::Ready(Err(RegistryError::TagLimit(m)))) => {
            assert_eq!(m.seq, seq, "the message comes back");
            None
        }
        (SendOutcome::Full, Poll::Pending) => Some(pending),
        (want, got) => panic!("send_async on {t}: expected {want:?}, got {got:?}"),
    }
}

/// Polls pending receive `i` and checks the result; true if it completed (and was removed).
fn poll_recv(model: &mut Model, recvs: &mut Vec<PendingRecv<'_>>, i: usize) -> bool {
    let r = &mut recvs[i];
    let got = r.fut.as_mut().poll(&mut Context::from_waker(&r.waker));
    let (tags, filter) = (r.tags.clone(), r.filter);
    match got {
        Poll::Ready(result) => {
            recvs.remove(i);
            check_receive(model, &tags, filter, Some(result), None);
            true
        }
        Poll::Pending => {
            check_receive(model, &tags, filter, None, None);
            false
        }
    }
}

/// Polls pending send `i` and checks the result; true if it completed (and was removed).
fn poll_send(model: &mut Model, sends: &mut Vec<PendingSend<'_>>, i: usize) -> bool {
    let mut pending = sends.remove(i);
    let got = pending.fut.as_mut().poll(&mut Context::from_waker(&pending.waker));
    match check_send_poll(model, pending, got) {
        Some(pending) => {
            sends.insert(i, pending);
            false
        }
        None => true,
    }
}

/// Polls woken pending futures until none is woken, then checks that no wake-up was missed.
fn settle(model: &mut Model, recvs: &mut Vec<PendingRecv<'_>>, sends: &mut Vec<PendingSend<'_>>) {
    for _round in 0..1000 {
        let mut polled = false;
        let mut i = 0;
        while i < recvs.len() {
            if !recvs[i].flag.0.swap(false, SeqCst) {
                i += 1;
                continue;
            }
            polled = true;
            if !poll_recv(model, recvs, i) {
                i += 1;
            }
        }
        let mut i = 0;
        while i < sends.len() {
            if !sends[i].flag.0.swap(false, SeqCst) {
                i += 1;
                continue;
            }
            polled = true;
            if !poll_send(model, sends, i) {
                i += 1;
            }
        }
        if !polled {
            for r in recvs.iter() {
                assert!(
                    !model.available(&r.tags, r.filter),
                    "lost wake-up: a pending receive on {:?} with {:?} could take a message",
                    r.tags,
                    r.filter
                );
            }
            for s in sends.iter() {
                let room = match model.queues.iter().find(|q| q.tag == s.tag) {
                    Some(q) => model.capacity.is_none_or(|cap| q.ring_len() < cap),
                    None => true,
                };
                assert!(!room, "lost wake-up: a pending send on {} has room", s.tag);
            }
            return;
        }
    }
    panic!("pending futures keep waking each other");
}

fuzz_target!(|input: Input| run(input));
