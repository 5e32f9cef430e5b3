//! Shared by the drop-counting tests: a message that records its own drop, and a tracker that
//! checks every message made was dropped exactly once (none leaked, none dropped twice).
#![allow(dead_code)] // each test file uses part of this

use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Makes [`Counted`] messages with ids 0, 1, 2, … and records which were dropped.
#[derive(Debug, Default)]
pub struct Tracker {
    made: AtomicU32,
    dropped: Mutex<Vec<u32>>,
}

impl Tracker {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// A new message, with the next id.
    pub fn make(self: &Arc<Self>) -> Counted {
        Counted { id: self.made.fetch_add(1, SeqCst), tracker: self.clone() }
    }

    /// How many messages were made.
    pub fn made(&self) -> usize {
        self.made.load(SeqCst) as usize
    }

    /// How many drops were recorded (a message dropped twice counts twice).
    pub fn dropped(&self) -> usize {
        self.dropped.lock().unwrap().len()
    }

    /// True if message `id` was dropped.
    pub fn was_dropped(&self, id: u32) -> bool {
        self.dropped.lock().unwrap().contains(&id)
    }

    /// Asserts that every message made so far was dropped exactly once.
    #[track_caller]
    pub fn assert_all_dropped_once(&self) {
        let mut dropped = self.dropped.lock().unwrap().clone();
        dropped.sort_unstable();
        let made: Vec<u32> = (0..self.made.load(SeqCst)).collect();
        assert_eq!(dropped, made, "every message dropped exactly once");
    }

    /// Waits (up to a generous 10 s) until `n` drops are recorded, for drops that happen on
    /// another task or thread; then asserts there are exactly `n`.
    #[track_caller]
    pub fn wait_for_drops(&self, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.dropped() < n && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(self.dropped(), n);
    }
}

/// A message that records its drop with its tracker.
#[derive(Debug)]
pub struct Counted {
    pub id: u32,
    tracker: Arc<Tracker>,
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.tracker.dropped.lock().unwrap().push(self.id);
    }
}
