//! Property test: random operation sequences on a mailbox, against a model.
//!
//! The model is one `VecDeque` in delivery order, plus how many of its front elements sit in
//! the mailbox's save queue (moved there by selective receives) rather than in the ring. That
//! split matters: only the ring is bounded, so it decides when `try_send` reports `Full`.

use std::collections::VecDeque;
use std::time::Duration;

use proptest::prelude::*;
use tidings::{bounded, unbounded, Mailbox, RecvError, Sender, TryRecvError, TrySendError};

#[derive(Debug, Clone)]
enum Op {
    Send(u8),
    Recv,
    /// Selective receive of the first value with `value % modulus == rest` (timeout zero).
    RecvMatching {
        modulus: u8,
        rest: u8,
    },
    Drain,
    Close,
    DropSender,
    Len,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => any::<u8>().prop_map(Op::Send),
        3 => Just(Op::Recv),
        3 => (2u8..5).prop_flat_map(|m| (Just(m), 0..m))
            .prop_map(|(modulus, rest)| Op::RecvMatching { modulus, rest }),
        1 => Just(Op::Drain),
        1 => Just(Op::Close),
        1 => Just(Op::DropSender),
        2 => Just(Op::Len),
    ]
}

#[derive(Default)]
struct Model {
    queue: VecDeque<u8>,
    /// How many front elements of `queue` are in the save queue.
    saved: usize,
    closed: bool,
}

impl Model {
    fn ring_len(&self) -> usize {
        self.queue.len() - self.saved
    }
}

fn run(capacity: Option<usize>, ops: Vec<Op>) {
    let (tx, mut mailbox): (Sender<u8>, Mailbox<u8>) = match capacity {
        Some(cap) => bounded(cap),
        None => unbounded(),
    };
    let mut tx = Some(tx);
    let mut model = Model::default();
    for op in ops {
        match op {
            Op::Send(v) => {
                let Some(tx) = &tx else { continue };
                let got = tx.try_send(v);
                if model.closed {
                    assert_eq!(got, Err(TrySendError::Closed(v)));
                } else if capacity.is_some_and(|cap| model.ring_len() >= cap) {
                    assert_eq!(got, Err(TrySendError::Full(v)));
                } else {
                    assert_eq!(got, Ok(()));
                    model.queue.push_back(v);
                }
            }
            Op::Recv => {
                let got = mailbox.try_recv();
                match model.queue.pop_front() {
                    Some(v) => {
                        assert_eq!(got, Ok(v));
                        model.saved = model.saved.saturating_sub(1);
                    }
                    None if model.closed => assert_eq!(got, Err(TryRecvError::Closed)),
                    None => assert_eq!(got, Err(TryRecvError::Empty)),
                }
            }
            Op::RecvMatching { modulus, rest } => {
                let got =
                    mailbox.recv().matching(|v| v % modulus == rest).timeout(Duration::ZERO).wait();
                match model.queue.iter().position(|v| v % modulus == rest) {
                    Some(i) => {
                        assert_eq!(got, Ok(model.queue.remove(i).unwrap()));
                        // Everything before the match is now saved.
                        model.saved = if i < model.saved { model.saved - 1 } else { i };
                    }
                    None => {
                        // Every queued message was looked at and saved.
                        model.saved = model.queue.len();
                        let expected =
                            if model.closed { RecvError::Closed } else { RecvError::Timeout };
                        assert_eq!(got, Err(expected));
                    }
                }
            }
            Op::Drain => {
                let got: Vec<u8> = mailbox.drain().collect();
                assert_eq!(got, Vec::from(std::mem::take(&mut model.queue)));
                model.saved = 0;
            }
            Op::Close => {
                mailbox.close();
                model.closed = true;
            }
            Op::DropSender => {
                if tx.take().is_some() {
                    model.closed = true;
                }
            }
            Op::Len => {
                assert_eq!(mailbox.len(), model.queue.len());
                assert_eq!(mailbox.is_closed(), model.closed);
                if let Some(tx) = &tx {
                    assert_eq!(tx.len(), model.ring_len());
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(if cfg!(miri) { 8 } else { 512 }))]

    #[test]
    fn bounded_mailbox_matches_the_model(cap in 1usize..6, ops in prop::collection::vec(op(), 0..80)) {
        run(Some(cap), ops);
    }

    #[test]
    fn unbounded_mailbox_matches_the_model(ops in prop::collection::vec(op(), 0..200)) {
        run(None, ops);
    }
}
