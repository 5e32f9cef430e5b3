//! Fuzz target: arbitrary operation sequences on a mailbox with selective receive, checked
//! against the model of `tests/model_mailbox.rs`, with more ways to send and receive.
//!
//! One thread, calls that never wait (`try_*`, zero timeouts, one poll of a future): a run is
//! deterministic. The model is one queue in delivery order plus how many of its front
//! messages sit in the save queue (moved there by selective receives) rather than in the ring:
//! only the ring is bounded, so that split decides when a send finds the mailbox full.
//! Checked on every operation: results against the model, `len`, `is_closed`, `capacity`,
//! and that exactly the model's messages are alive.

#![no_main]

#[path = "common/live.rs"]
mod live;

use std::collections::VecDeque;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::atomic::Ordering::SeqCst;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use arbitrary::Arbitrary;
use futures_core::Stream;
use libfuzzer_sys::fuzz_target;
use live::{Msg, LIVE};
use tidings::{bounded, unbounded, RecvError, SendTimeoutError, TryRecvError, TrySendError};

#[derive(Arbitrary, Debug)]
struct Input {
    capacity: Option<u8>,
    ops: Vec<Op>,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
struct Filter {
    modulus: u8,
    rest: u8,
}

impl Filter {
    fn accepts(self, payload: u8) -> bool {
        let modulus = 2 + self.modulus % 3;
        payload % modulus == self.rest % modulus
    }
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum SendHow {
    Try,
    TimeoutZero,
    /// `send(msg)` polled once, then dropped.
    PollOnce,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum RecvHow {
    Try,
    TimeoutZero,
    /// `recv()` polled once, then dropped.
    PollOnce,
    /// `Stream::poll_next` once (`None` at the end: closed and empty).
    StreamPoll,
}

#[derive(Arbitrary, Debug)]
enum Op {
    Send {
        sender: u8,
        payload: u8,
        how: SendHow,
    },
    Recv {
        how: RecvHow,
    },
    /// Selective receive with a zero timeout, or polled once.
    RecvMatching {
        filter: Filter,
        poll: bool,
    },
    /// Takes up to `take` messages from `drain()` (all if `None`), then drops the iterator.
    Drain {
        take: Option<u8>,
    },
    Close,
    CloneSender {
        sender: u8,
    },
    DropSender {
        sender: u8,
    },
    Len,
}

/// Index of an existing sender, if any.
fn pick<T>(senders: &[T], i: u8) -> Option<usize> {
    (!senders.is_empty()).then(|| usize::from(i) % senders.len())
}

fn run(input: Input) {
    let capacity = input.capacity.map(|c| 1 + usize::from(c) % 5);
    let (tx, mut mailbox) = match capacity {
        Some(cap) => bounded::<Msg>(cap),
        None => unbounded(),
    };
    assert_eq!(mailbox.capacity(), capacity);
    let mut senders = vec![tx];
    // (seq, payload) in delivery order, and how many front ones are in the save queue.
    let mut queue: VecDeque<(u64, u8)> = VecDeque::new();
    let mut saved = 0usize;
    let mut closed = false;
    // A receive that waits arms the ring, and the next send is then handed to the receiver,
    // leaving its slot free: a bounded ring holds `capacity + 1` until that message leaves it
    // (see `tidings::bounded`). Which receives arm depends on how they wait (a poll left
    // `Pending` does; a stream left registered makes later receives arm too), so the model
    // only tracks that it may have happened: after any receive that left the ring empty, the
    // next message sent is a `candidate`. With the ring at capacity and the candidate still in
    // it, a send may go either way; once one succeeds there, the candidate was `handed`.
    let mut may_arm = false;
    let mut candidate: Option<u64> = None;
    let mut handed = false;
    let mut seq = 0u64;
    let waker = Waker::noop();
    let mut cx = Context::from_waker(waker);
    for op in input.ops.into_iter().take(400) {
        match op {
            Op::Send { sender, payload, how } => {
                let Some(s) = pick(&senders, sender) else { continue };
                let tx = &senders[s];
                seq += 1;
                let msg = Msg::new(seq, payload);
                let len = queue.len() - saved;
                let candidate_in_ring =
                    candidate.is_some_and(|c| queue.iter().skip(saved).any(|&(s, _)| s == c));
                // Some(true): surely full; Some(false): surely room; None: either.
                let full = match capacity {
                    None => Some(false),
                    Some(cap) if len < cap => Some(false),
                    Some(cap) if len > cap || !candidate_in_ring => Some(true),
                    Some(_) if handed => Some(false),
                    Some(_) => None,
                };
                // Ok(()) if sent, Err((is_closed, returned message)) if not; `None`: pending.
                let result: Option<Result<(), (bool, Option<Msg>)>> = match how {
                    SendHow::Try => Some(
                        tx.try_send(msg)
                            .map_err(|e: TrySendError<Msg>| (e.is_closed(), Some(e.into_inner()))),
                    ),
                    SendHow::TimeoutZero => {
                        Some(tx.send_timeout(msg, Duration::ZERO).map_err(
                            |e: SendTimeoutError<Msg>| (e.is_closed(), Some(e.into_inner())),
                        ))
                    }
                    SendHow::PollOnce => {
                        match std::pin::pin!(tx.send(msg).into_future()).poll(&mut cx) {
                            Poll::Ready(r) => Some(r.map_err(|e| (true, Some(e.into_inner())))),
                            Poll::Pending => None,
                        }
                    }
                };
                match result {
                    Some(Ok(())) => {
                        assert!(!closed && full != Some(true), "sent to a closed or full mailbox");
                        handed |= full.is_none();
                        queue.push_back((seq, payload));
                        if std::mem::take(&mut may_arm) {
                            (candidate, handed) = (Some(seq), false);
                        }
                    }
                    Some(Err((is_closed, back))) => {
                        assert_eq!(is_closed, closed, "closed or full");
                        assert!(closed || full != Some(false), "a send failed with room");
                        assert_eq!(back.map(|m| m.seq), Some(seq), "the message comes back");
                    }
                    None => assert!(full != Some(false) && !closed, "a send waits only when full"),
                }
            }
            Op::Recv { how } => {
                let got: Option<Result<u64, RecvError>> = match how {
                    RecvHow::Try => Some(mailbox.try_recv().map(|m| m.seq).map_err(|e| {
                        if e == TryRecvError::Empty {
                            RecvError::Timeout
                        } else {
                            RecvError::Closed
                        }
                    })),
                    RecvHow::TimeoutZero => {
                        Some(mailbox.recv().timeout(Duration::ZERO).wait().map(|m| m.seq))
                    }
                    RecvHow::PollOnce => {
                        match std::pin::pin!(mailbox.recv().into_future()).poll(&mut cx) {
                            Poll::Ready(r) => Some(r.map(|m| m.seq)),
                            Poll::Pending => None,
                        }
                    }
                    RecvHow::StreamPoll => match Pin::new(&mut mailbox).poll_next(&mut cx) {
                        Poll::Ready(Some(m)) => Some(Ok(m.seq)),
                        Poll::Ready(None) => Some(Err(RecvError::Closed)),
                        Poll::Pending => None,
                    },
                };
                let want = match queue.pop_front() {
                    Some((s, _)) => {
                        saved = saved.saturating_sub(1);
                        Some(Ok(s))
                    }
                    None if closed => Some(Err(RecvError::Closed)),
                    None if matches!(how, RecvHow::PollOnce | RecvHow::StreamPoll) => None,
                    None => Some(Err(RecvError::Timeout)),
                };
                assert_eq!(got, want, "recv {how:?}");
                may_arm |= queue.len() == saved;
            }
            Op::RecvMatching { filter, poll } => {
                let pred = move |m: &Msg| filter.accepts(m.payload);
                let got = if poll {
                    match std::pin::pin!(mailbox.recv().matching(pred).into_future()).poll(&mut cx)
                    {
                        Poll::Ready(r) => Some(r.map(|m| m.seq)),
                        Poll::Pending => None,
                    }
                } else {
                    Some(
                        mailbox.recv().matching(pred).timeout(Duration::ZERO).wait().map(|m| m.seq),
                    )
                };
                let want = match queue.iter().position(|&(_, p)| filter.accepts(p)) {
                    Some(i) => {
                        saved = if i < saved { saved - 1 } else { i };
                        Some(Ok(queue.remove(i).expect("in range").0))
                    }
                    None => {
                        saved = queue.len();
                        match (closed, poll) {
                            (true, _) => Some(Err(RecvError::Closed)),
                            (false, true) => None,
                            (false, false) => Some(Err(RecvError::Timeout)),
                        }
                    }
                };
                assert_eq!(got, want, "recv matching {filter:?}");
                may_arm |= queue.len() == saved;
            }
            Op::Drain { take } => {
                let n = take.map_or(usize::MAX, usize::from);
                let got: Vec<u64> = mailbox.drain().take(n).map(|m| m.seq).collect();
                let n = n.min(queue.len());
                let want: Vec<u64> = queue.drain(..n).map(|(s, _)| s).collect();
                saved = saved.saturating_sub(n);
                assert_eq!(got, want, "drain");
                may_arm |= queue.len() == saved;
            }
            Op::Close => {
                mailbox.close();
                closed = true;
            }
            Op::CloneSender { sender } => {
                if let Some(s) = pick(&senders, sender) {
                    if senders.len() < 4 {
                        let clone = senders[s].clone();
                        assert!(clone.same_mailbox(&senders[s]));
                        senders.push(clone);
                    }
                }
            }
            Op::DropSender { sender } => {
                if let Some(s) = pick(&senders, sender) {
                    senders.remove(s);
                    if senders.is_empty() {
                        closed = true;
                    }
                }
            }
            Op::Len => {
                assert_eq!(mailbox.len(), queue.len());
                assert_eq!(mailbox.is_empty(), queue.is_empty());
                for tx in &senders {
                    assert_eq!(tx.len(), queue.len() - saved);
                    assert_eq!(tx.is_closed(), closed);
                    assert_eq!(tx.capacity(), capacity);
                }
            }
        }
        assert_eq!(mailbox.is_closed(), closed);
        assert_eq!(LIVE.load(SeqCst), queue.len() as isize, "messages alive");
    }
    drop(senders);
    drop(mailbox);
    assert_eq!(LIVE.load(SeqCst), 0, "every message is dropped with the mailbox");
}

fuzz_target!(|input: Input| run(input));
