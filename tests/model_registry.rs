//! Property test: random operation sequences on a `Registry<u32>`, against a model.
//!
//! Single-threaded, and no send or receive waits (zero timeouts, or a future polled once), so
//! nothing blocks. The model keeps, per tag and in creation order (the order `stats`
//! reports), the queued messages with a registry-wide arrival stamp, plus how many of the
//! front ones sit in the tag's save queue rather than in its ring. As in the mailbox model, that split matters: only the ring is
//! bounded, so it decides when a send is `Full`. A receive over several tags takes the
//! accepted message with the smallest stamp among the listed tags; on the way it has moved
//! every listed tag's messages up to its first accepted one (the first message, without a
//! filter) into that tag's save queue.
//!
//! Some receives and async sends are kept pending across the other operations, each with a
//! waker of its own, and polled again only once woken, as an executor would: one that could
//! complete (a message it accepts is queued; its tag's queue has room) but was never woken is
//! a lost wake-up, and fails the test.

use std::collections::VecDeque;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::task::{waker, ArcWake};
use futures::FutureExt;
use proptest::prelude::*;
use tidings::{RecvError, Registry, RegistryError, Tag, TagError};

const TAGS: [&str; 5] = ["a", "b", "c", "d", "e"];

#[derive(Debug, Clone)]
enum Filter {
    /// `.matching(|_, v| v % modulus == rest)`.
    Value { modulus: u32, rest: u32 },
    /// `.matching(|tag, _| tag == TAGS[tag])`: tests the filter's tag argument.
    Tag(usize),
}

impl Filter {
    fn accepts(&self, tag: &str, v: u32) -> bool {
        match *self {
            Filter::Value { modulus, rest } => v % modulus == rest,
            Filter::Tag(t) => tag == TAGS[t],
        }
    }
}

/// How a send is made; none of them waits.
#[derive(Debug, Clone, Copy)]
enum SendMode {
    /// `send`: never waits.
    Try,
    /// `send_timeout(.., Duration::ZERO)`: a full queue is a `Timeout`.
    TimeoutZero,
    /// `send_async` polled once: a full queue leaves it pending, and it is dropped (the
    /// message with it).
    PollOnce,
}

/// How a receive is made; neither waits.
#[derive(Debug, Clone, Copy)]
enum RecvMode {
    /// `.timeout(Duration::ZERO).wait()` on this thread.
    WaitZero,
    /// The future polled once, then dropped if pending (a cancelled receive).
    PollOnce,
}

#[derive(Debug, Clone)]
enum Op {
    Send(usize, u32, SendMode),
    /// A receive on these tags (indices into `TAGS`, repeats allowed) that does not wait.
    Recv(Vec<usize>, Option<Filter>, RecvMode),
    Drain(Vec<usize>),
    SetTags(Vec<usize>),
    /// A receive or an async send whose future is polled once and, if pending, kept (up to
    /// `MAX_PENDING`): it stays registered as a waiter while the other operations go on.
    Start(Waiting),
    /// Drops the `n % len`-th kept future (a cancelled receive or send).
    Cancel(usize),
    /// Polls the kept futures that were woken, until none is; then checks that none could
    /// complete (one that could, but was not woken, is a lost wake-up).
    Run,
}

/// An operation that may wait: a receive (tags, filter) or a `send_async` (tag, message).
#[derive(Debug, Clone)]
enum Waiting {
    Recv(Vec<usize>, Option<Filter>),
    Send(usize, u32),
}

/// What a [`Waiting`] operation returned.
#[derive(Debug, PartialEq)]
enum Done {
    Recv(Result<(String, u32), RecvError>),
    Send(Result<(), RegistryError<u32>>),
}

/// How many futures are kept pending at once.
const MAX_PENDING: usize = 4;

fn tag_list(max: usize) -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(0..TAGS.len(), 1..=max)
}

fn filter() -> impl Strategy<Value = Option<Filter>> {
    prop_oneof![
        3 => Just(None),
        2 => (2u32..5)
            .prop_flat_map(|m| (Just(m), 0..m))
            .prop_map(|(modulus, rest)| Some(Filter::Value { modulus, rest })),
        1 => (0..TAGS.len()).prop_map(|t| Some(Filter::Tag(t))),
    ]
}

fn send_mode() -> impl Strategy<Value = SendMode> {
    prop_oneof![
        4 => Just(SendMode::Try),
        1 => Just(SendMode::TimeoutZero),
        1 => Just(SendMode::PollOnce),
    ]
}

fn recv_mode() -> impl Strategy<Value = RecvMode> {
    prop_oneof![3 => Just(RecvMode::WaitZero), 1 => Just(RecvMode::PollOnce)]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => (0..TAGS.len(), 0u32..50, send_mode()).prop_map(|(t, v, m)| Op::Send(t, v, m)),
        6 => (tag_list(3), filter(), recv_mode()).prop_map(|(tags, f, m)| Op::Recv(tags, f, m)),
        1 => tag_list(3).prop_map(Op::Drain),
        1 => prop::collection::vec(0..TAGS.len(), 0..=4).prop_map(Op::SetTags),
        3 => (tag_list(3), filter()).prop_map(|(tags, f)| Op::Start(Waiting::Recv(tags, f))),
        2 => (0..TAGS.len(), 50u32..100).prop_map(|(t, v)| Op::Start(Waiting::Send(t, v))),
        1 => any::<usize>().prop_map(Op::Cancel),
        3 => Just(Op::Run),
    ]
}

/// One tag's queue in the model.
struct TagQueue {
    tag: &'static str,
    /// (arrival stamp, message), oldest first.
    msgs: VecDeque<(u64, u32)>,
    /// How many front elements of `msgs` are in the save queue.
    saved: usize,
    pushed: u64,
    popped: u64,
}

impl TagQueue {
    fn new(tag: &'static str) -> Self {
        TagQueue { tag, msgs: VecDeque::new(), saved: 0, pushed: 0, popped: 0 }
    }

    fn ring_len(&self) -> usize {
        self.msgs.len() - self.saved
    }
}

struct Model {
    /// In creation order.
    queues: Vec<TagQueue>,
    next_stamp: u64,
    max_tags: Option<usize>,
    capacity: Option<usize>,
}

impl Model {
    fn find(&self, tag: &str) -> Option<usize> {
        self.queues.iter().position(|q| q.tag == tag)
    }

    /// The queues of `tags` that exist, each once, in the order first listed.
    fn existing(&self, tags: &[usize]) -> Vec<usize> {
        let mut out = Vec::new();
        for &t in tags {
            if let Some(q) = self.find(TAGS[t]) {
                if !out.contains(&q) {
                    out.push(q);
                }
            }
        }
        out
    }

    fn send(&mut self, t: usize, v: u32) -> Result<(), RegistryError<u32>> {
        let q = match self.find(TAGS[t]) {
            Some(q) => q,
            None if self.max_tags.is_some_and(|max| self.queues.len() >= max) => {
                return Err(RegistryError::TagLimit(v));
            }
            None => {
                self.queues.push(TagQueue::new(TAGS[t]));
                self.queues.len() - 1
            }
        };
        let queue = &mut self.queues[q];
        if self.capacity.is_some_and(|cap| queue.ring_len() >= cap) {
            return Err(RegistryError::Full(v));
        }
        queue.msgs.push_back((self.next_stamp, v));
        self.next_stamp += 1;
        queue.pushed += 1;
        Ok(())
    }

    fn recv(
        &mut self,
        tags: &[usize],
        filter: Option<&Filter>,
    ) -> Result<(String, u32), RecvError> {
        // (stamp, queue, index) of the oldest accepted message.
        let mut oldest: Option<(u64, usize, usize)> = None;
        for q in self.existing(tags) {
            let queue = &mut self.queues[q];
            let tag = queue.tag;
            let found =
                queue.msgs.iter().position(|&(_, v)| filter.map_or(true, |f| f.accepts(tag, v)));
            // Everything up to the accepted message (everything, if none) is now saved.
            queue.saved = match found {
                Some(i) => queue.saved.max(i + 1),
                None => queue.msgs.len(),
            };
            if let Some(i) = found {
                let stamp = queue.msgs[i].0;
                if oldest.map_or(true, |(s, ..)| stamp < s) {
                    oldest = Some((stamp, q, i));
                }
            }
        }
        let Some((_, q, i)) = oldest else { return Err(RecvError::Timeout) };
        let queue = &mut self.queues[q];
        let (_, v) = queue.msgs.remove(i).unwrap();
        queue.saved -= 1;
        queue.popped += 1;
        Ok((queue.tag.to_string(), v))
    }

    /// What `what` returns if it is tried now (and its effect on the model); `None` if it
    /// would wait.
    fn attempt(&mut self, what: &Waiting) -> Option<Done> {
        match what {
            Waiting::Recv(tags, filter) => match self.recv(tags, filter.as_ref()) {
                Err(RecvError::Timeout) => None,
                got => Some(Done::Recv(got)),
            },
            Waiting::Send(t, v) => match self.send(*t, *v) {
                Err(RegistryError::Full(_)) => None,
                got => Some(Done::Send(got)),
            },
        }
    }

    /// True if `what` would complete now (changes nothing). A waiting send whose tag lost its
    /// queue (`set_tags`) completes: on a new queue, or with `TagLimit`.
    fn could_complete(&self, what: &Waiting) -> bool {
        match what {
            Waiting::Recv(tags, filter) => self.could_take(tags, filter.as_ref()),
            Waiting::Send(t, _) => self.find(TAGS[*t]).map_or(true, |q| {
                self.capacity.map_or(true, |cap| self.queues[q].ring_len() < cap)
            }),
        }
    }

    /// True if a receive on `tags` with `filter` would find a message now.
    fn could_take(&self, tags: &[usize], filter: Option<&Filter>) -> bool {
        self.existing(tags).into_iter().any(|q| {
            let queue = &self.queues[q];
            queue.msgs.iter().any(|&(_, v)| filter.map_or(true, |f| f.accepts(queue.tag, v)))
        })
    }

    fn drain(&mut self, tags: &[usize]) -> usize {
        let mut count = 0;
        for q in self.existing(tags) {
            let queue = &mut self.queues[q];
            count += queue.msgs.len();
            queue.popped += queue.msgs.len() as u64;
            queue.msgs.clear();
            queue.saved = 0;
        }
        count
    }

    fn set_tags(&mut self, tags: &[usize]) -> Result<(), TagError> {
        let mut unique: Vec<&'static str> = Vec::new();
        for &t in tags {
            if !unique.contains(&TAGS[t]) {
                unique.push(TAGS[t]);
            }
        }
        if let Some(max) = self.max_tags {
            if unique.len() > max {
                return Err(TagError::TooMany { max });
            }
        }
        self.queues = unique.into_iter().map(TagQueue::new).collect();
        Ok(())
    }

    fn stats(&self) -> Vec<(String, usize, u64, u64)> {
        self.queues.iter().map(|q| (q.tag.to_string(), q.msgs.len(), q.pushed, q.popped)).collect()
    }
}

/// A send made in `mode`, with the result `send` would give: a send polled once that stays
/// pending reports `Full` here, and a `Timeout` at zero is also a `Full`.
fn send(reg: &Registry<u32>, tag: &str, v: u32, mode: SendMode) -> Result<(), RegistryError<u32>> {
    match mode {
        SendMode::Try => reg.send(tag, v),
        SendMode::TimeoutZero => match reg.send_timeout(tag, v, Duration::ZERO) {
            Err(RegistryError::Timeout(v)) => Err(RegistryError::Full(v)),
            other => other,
        },
        SendMode::PollOnce => {
            reg.send_async(tag, v).now_or_never().unwrap_or(Err(RegistryError::Full(v)))
        }
    }
}

fn receive(
    reg: &Registry<u32>,
    tags: &[usize],
    filter: Option<Filter>,
    mode: RecvMode,
) -> Result<(String, u32), RecvError> {
    let names: Vec<&str> = tags.iter().map(|&t| TAGS[t]).collect();
    let receive = reg.receive(names);
    let got = match (filter, mode) {
        (None, RecvMode::WaitZero) => receive.timeout(Duration::ZERO).wait(),
        (None, RecvMode::PollOnce) => {
            receive.into_future().now_or_never().unwrap_or(Err(RecvError::Timeout))
        }
        (Some(f), mode) => {
            let receive = receive.matching(move |tag, v| f.accepts(tag.as_str(), *v));
            match mode {
                RecvMode::WaitZero => receive.timeout(Duration::ZERO).wait(),
                RecvMode::PollOnce => {
                    receive.into_future().now_or_never().unwrap_or(Err(RecvError::Timeout))
                }
            }
        }
    };
    got.map(|(tag, v)| (tag.as_str().to_string(), v))
}

type KeptFuture<'a> = Pin<Box<dyn Future<Output = Done> + 'a>>;

/// Set when the waker of a kept future is woken.
#[derive(Default)]
struct Woken(AtomicBool);

impl ArcWake for Woken {
    fn wake_by_ref(arc_self: &Arc<Self>) {
        arc_self.0.store(true, SeqCst);
    }
}

/// A receive or send kept pending, with its own waker.
struct Kept<'a> {
    fut: KeptFuture<'a>,
    woken: Arc<Woken>,
    what: Waiting,
}

impl<'a> Kept<'a> {
    fn new(reg: &'a Registry<u32>, what: Waiting) -> Self {
        let fut: KeptFuture<'a> = match what.clone() {
            Waiting::Recv(tags, filter) => {
                let names: Vec<&'static str> = tags.iter().map(|&t| TAGS[t]).collect();
                let receive = reg.receive(names);
                let named = |got: Result<(Tag, u32), RecvError>| {
                    Done::Recv(got.map(|(tag, v)| (tag.as_str().to_string(), v)))
                };
                match filter {
                    None => Box::pin(receive.into_future().map(named)),
                    Some(f) => Box::pin(
                        receive
                            .matching(move |tag, v| f.accepts(tag.as_str(), *v))
                            .into_future()
                            .map(named),
                    ),
                }
            }
            Waiting::Send(t, v) => Box::pin(reg.send_async(TAGS[t], v).map(Done::Send)),
        };
        Kept { fut, woken: Arc::default(), what }
    }

    fn poll(&mut self) -> Poll<Done> {
        let waker = waker(self.woken.clone());
        self.fut.as_mut().poll(&mut Context::from_waker(&waker))
    }

    fn is_woken(&self) -> bool {
        self.woken.0.load(SeqCst)
    }
}

/// Polls woken futures (first kept first) until none is woken; then none may be able to
/// complete.
fn run_woken(kept: &mut Vec<Kept<'_>>, model: &mut Model, step: usize) {
    while let Some(i) = kept.iter().position(|k| k.woken.0.swap(false, SeqCst)) {
        let k = &mut kept[i];
        let expected = model.attempt(&k.what);
        match k.poll() {
            Poll::Ready(got) => {
                assert_eq!(Some(got), expected, "step {step}: woken {:?}", k.what);
                kept.remove(i);
            }
            Poll::Pending => {
                assert_eq!(expected, None, "step {step}: woken {:?} stayed pending", k.what);
            }
        }
    }
    for k in kept.iter() {
        assert!(
            !model.could_complete(&k.what),
            "step {step}: lost wake-up: {:?} could complete but was not woken",
            k.what
        );
    }
}

fn stats(reg: &Registry<u32>) -> Vec<(String, usize, u64, u64)> {
    reg.stats()
        .into_iter()
        .map(|s| (s.tag.as_str().to_string(), s.len, s.pushed_total, s.popped_total))
        .collect()
}

fn run(max_tags: Option<usize>, capacity: Option<usize>, ops: Vec<Op>) {
    let mut builder = Registry::<u32>::builder();
    if let Some(max) = max_tags {
        builder = builder.max_tags(max);
    }
    if let Some(cap) = capacity {
        builder = builder.capacity(cap);
    }
    let reg = builder.build();
    let mut model = Model { queues: Vec::new(), next_stamp: 0, max_tags, capacity };
    let mut kept: Vec<Kept<'_>> = Vec::new();
    let steps = ops.len();
    for (step, op) in ops.into_iter().enumerate() {
        match op {
            Op::Send(t, v, mode) => {
                assert_eq!(
                    send(&reg, TAGS[t], v, mode),
                    model.send(t, v),
                    "step {step}: send {v} on {} ({mode:?})",
                    TAGS[t]
                );
            }
            Op::Recv(tags, filter, mode) => {
                let expected = model.recv(&tags, filter.as_ref());
                assert_eq!(
                    receive(&reg, &tags, filter.clone(), mode),
                    expected,
                    "step {step}: receive {tags:?} {filter:?}"
                );
            }
            Op::Drain(tags) => {
                let names: Vec<&str> = tags.iter().map(|&t| TAGS[t]).collect();
                assert_eq!(reg.drain(names), model.drain(&tags), "step {step}: drain {tags:?}");
            }
            Op::SetTags(tags) => {
                let names: Vec<&str> = tags.iter().map(|&t| TAGS[t]).collect();
                assert_eq!(
                    reg.set_tags(names),
                    model.set_tags(&tags),
                    "step {step}: set_tags {tags:?}"
                );
            }
            Op::Start(what) => {
                if kept.len() == MAX_PENDING {
                    continue;
                }
                let expected = model.attempt(&what);
                let mut k = Kept::new(&reg, what);
                match k.poll() {
                    Poll::Ready(got) => {
                        assert_eq!(Some(got), expected, "step {step}: {:?}", k.what);
                    }
                    Poll::Pending => {
                        assert_eq!(expected, None, "step {step}: {:?} pending", k.what);
                        kept.push(k);
                    }
                }
            }
            Op::Cancel(n) => {
                if !kept.is_empty() {
                    let n = n % kept.len();
                    kept.remove(n);
                }
            }
            Op::Run => run_woken(&mut kept, &mut model, step),
        }
        // Stats after every step: lengths and totals per tag, and which tags have queues.
        assert_eq!(stats(&reg), model.stats(), "step {step}: stats");
    }
    run_woken(&mut kept, &mut model, steps);
    assert_eq!(stats(&reg), model.stats(), "at the end: stats");
}

/// Found by the model (minimised): a receive on two tags, one without a queue yet, is woken by
/// the queue's creation and, on the other tag, by a send meant for whichever receiver waits
/// there first. When it looks its tags up again it takes the older message, from the new tag;
/// the wake-up it got on the other tag must pass on to the receiver behind it, or that one
/// sleeps next to a message it could take.
#[test]
fn a_wake_up_on_one_tag_passes_on_when_a_receive_that_re_resolved_its_tags_takes_from_another() {
    let reg = Registry::<u32>::new();
    reg.send("c", 0).unwrap();
    assert_eq!(reg.drain("c"), 1); // "c" has a queue, and it is empty
    let mut both = Kept::new(&reg, Waiting::Recv(vec![4, 2], None)); // "e" (no queue yet), "c"
    assert!(both.poll().is_pending());
    reg.send("e", 1).unwrap(); // creates "e": wakes receives waiting for new queues
    let mut just_c = Kept::new(&reg, Waiting::Recv(vec![2], None));
    assert!(just_c.poll().is_pending());
    reg.send("c", 2).unwrap(); // wakes one receive waiting on "c": the first, `both`
    assert!(both.is_woken());
    let older = Done::Recv(Ok(("e".to_string(), 1)));
    assert_eq!(both.poll(), Poll::Ready(older), "the older message");
    assert!(just_c.is_woken(), "the wake-up on \"c\" passed on");
    assert_eq!(just_c.poll(), Poll::Ready(Done::Recv(Ok(("c".to_string(), 2)))));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(if cfg!(miri) { 8 } else { 256 }))]

    #[test]
    fn unlimited_registry_matches_the_model(ops in prop::collection::vec(op(), 0..150)) {
        run(None, None, ops);
    }

    #[test]
    fn bounded_registry_matches_the_model(cap in 1usize..5, ops in prop::collection::vec(op(), 0..120)) {
        run(None, Some(cap), ops);
    }

    #[test]
    fn registry_with_a_tag_limit_matches_the_model(
        max in 1usize..5,
        cap in prop::option::of(1usize..5),
        ops in prop::collection::vec(op(), 0..120),
    ) {
        run(Some(max), cap, ops);
    }
}
