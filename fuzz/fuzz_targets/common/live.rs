//! A counted message shared by the mailbox and registry targets: every `Msg` alive is counted
//! in `LIVE`, so a target can check that exactly its model's messages exist (none leaked,
//! none dropped twice).

use std::sync::atomic::{AtomicIsize, Ordering::SeqCst};

/// Messages alive now: made by `Msg::new`, gone when dropped.
pub static LIVE: AtomicIsize = AtomicIsize::new(0);

/// A message: a unique number (its identity) and a payload that filters look at.
#[derive(Debug)]
pub struct Msg {
    pub seq: u64,
    pub payload: u8,
}

impl Msg {
    pub fn new(seq: u64, payload: u8) -> Self {
        LIVE.fetch_add(1, SeqCst);
        Msg { seq, payload }
    }
}

impl Drop for Msg {
    fn drop(&mut self) {
        LIVE.fetch_sub(1, SeqCst);
    }
}
