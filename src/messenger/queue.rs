//! [`PriorityQueue`]: lower priority value first, first-in first-out among equals, and
//! messages without a priority behind every prioritized one.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::fmt;

/// A message that states its own priority, for a [`PriorityMessenger`](crate::PriorityMessenger).
///
/// Lower values are received first (as Python's `queue.PriorityQueue` and coproc do); messages
/// with equal priority keep the order they were sent in. `None` means "no priority": such a
/// message goes behind every prioritized one (see the [module docs](crate::messenger) on how
/// this differs from coproc's documentation).
///
/// ```
/// use tidings::Prioritized;
///
/// enum Msg {
///     Warning(String),
///     Data(u64),
///     Log(String),
/// }
///
/// impl Prioritized for Msg {
///     fn priority(&self) -> Option<i64> {
///         match self {
///             Msg::Warning(_) => Some(0),
///             Msg::Data(_) => Some(1),
///             Msg::Log(_) => None, // whenever nothing else is queued
///         }
///     }
/// }
/// ```
pub trait Prioritized {
    /// The message's priority: lower first; `None` behind every `Some`.
    fn priority(&self) -> Option<i64>;
}

/// A stable priority queue: [`pop`](PriorityQueue::pop) returns the item with the lowest
/// priority value, the oldest first among equal priorities, and items pushed without a
/// priority (`None`) only after every prioritized one (oldest first among them too).
///
/// It is the queue behind each channel of a [`PriorityMessenger`](crate::PriorityMessenger): a
/// binary heap keyed by (has no priority, priority, arrival number), so push and pop are
/// O(log n) and allocate only when the heap grows.
///
/// ```
/// use tidings::messenger::PriorityQueue;
///
/// let mut queue = PriorityQueue::new();
/// queue.push(None, "whenever");
/// queue.push(Some(1), "data a");
/// queue.push(Some(0), "warning");
/// queue.push(Some(1), "data b");
/// let order: Vec<_> = std::iter::from_fn(|| queue.pop()).collect();
/// assert_eq!(order, ["warning", "data a", "data b", "whenever"]);
/// ```
pub struct PriorityQueue<T> {
    heap: BinaryHeap<Entry<T>>,
    /// Arrival number of the next push: the FIFO tie-break among equal priorities.
    next_seq: u64,
}

/// A heap entry. `BinaryHeap` is a max-heap, so `Ord` is reversed: the entry with the
/// smallest key is the greatest.
struct Entry<T> {
    /// `false` (has a priority) sorts before `true` (has none).
    unprioritized: bool,
    priority: i64,
    seq: u64,
    item: T,
}

impl<T> Entry<T> {
    fn key(&self) -> (bool, i64, u64) {
        (self.unprioritized, self.priority, self.seq)
    }
}

impl<T> PartialEq for Entry<T> {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl<T> Eq for Entry<T> {}

impl<T> PartialOrd for Entry<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<T> Ord for Entry<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: the smallest key is at the top of the max-heap.
        other.key().cmp(&self.key())
    }
}

impl<T> PriorityQueue<T> {
    /// An empty queue; allocates nothing until the first push.
    pub fn new() -> Self {
        Self { heap: BinaryHeap::new(), next_seq: 0 }
    }

    /// An empty queue with room for `capacity` items.
    pub fn with_capacity(capacity: usize) -> Self {
        Self { heap: BinaryHeap::with_capacity(capacity), next_seq: 0 }
    }

    /// Adds `item` with `priority` (lower first; `None` behind every prioritized item).
    pub fn push(&mut self, priority: Option<i64>, item: T) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Entry {
            unprioritized: priority.is_none(),
            priority: priority.unwrap_or(0),
            seq,
            item,
        });
    }

    /// Removes and returns the first item: lowest priority, oldest among equals.
    pub fn pop(&mut self) -> Option<T> {
        self.heap.pop().map(|entry| entry.item)
    }

    /// The item [`pop`](PriorityQueue::pop) would return, without removing it.
    pub fn peek(&self) -> Option<&T> {
        self.heap.peek().map(|entry| &entry.item)
    }

    /// How many items are queued.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// True if nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Removes every item.
    pub fn clear(&mut self) {
        self.heap.clear();
    }
}

impl<T> Default for PriorityQueue<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> fmt::Debug for PriorityQueue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PriorityQueue").field("len", &self.len()).finish_non_exhaustive()
    }
}
