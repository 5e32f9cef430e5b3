//! [`PriorityQueue`]: lower priority value first, first-in first-out among equals, and
//! messages without a priority behind every prioritized one.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};
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
/// It is the queue behind each channel of a [`PriorityMessenger`](crate::PriorityMessenger):
/// prioritized items live in a binary heap keyed by (priority, arrival number), so push and
/// pop are O(log n); items without a priority need no ordering beyond arrival and wait in a
/// plain FIFO behind the heap. Nothing is allocated except when a queue grows.
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
    /// Items pushed without a priority, oldest first: served once the heap is empty.
    unprioritized: VecDeque<T>,
    /// Arrival number of the next prioritized push: the FIFO tie-break among equals.
    next_seq: u64,
}

/// A heap entry. `BinaryHeap` is a max-heap, so `Ord` is reversed: the entry with the
/// smallest (priority, seq) is the greatest.
struct Entry<T> {
    priority: i64,
    seq: u64,
    item: T,
}

impl<T> PartialEq for Entry<T> {
    fn eq(&self, other: &Self) -> bool {
        (self.priority, self.seq) == (other.priority, other.seq)
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
        other.priority.cmp(&self.priority).then_with(|| other.seq.cmp(&self.seq))
    }
}

impl<T> PriorityQueue<T> {
    /// An empty queue; allocates nothing until the first push.
    pub fn new() -> Self {
        Self { heap: BinaryHeap::new(), unprioritized: VecDeque::new(), next_seq: 0 }
    }

    /// An empty queue with room for `capacity` prioritized items.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            heap: BinaryHeap::with_capacity(capacity),
            unprioritized: VecDeque::new(),
            next_seq: 0,
        }
    }

    /// Adds `item` with `priority` (lower first; `None` behind every prioritized item).
    pub fn push(&mut self, priority: Option<i64>, item: T) {
        match priority {
            Some(priority) => {
                let seq = self.next_seq;
                self.next_seq += 1;
                self.heap.push(Entry { priority, seq, item });
            }
            None => self.unprioritized.push_back(item),
        }
    }

    /// Removes and returns the first item: lowest priority, oldest among equals; items
    /// without a priority once no prioritized item is left.
    pub fn pop(&mut self) -> Option<T> {
        match self.heap.pop() {
            Some(entry) => Some(entry.item),
            None => self.unprioritized.pop_front(),
        }
    }

    /// The item [`pop`](PriorityQueue::pop) would return, without removing it.
    pub fn peek(&self) -> Option<&T> {
        match self.heap.peek() {
            Some(entry) => Some(&entry.item),
            None => self.unprioritized.front(),
        }
    }

    /// How many items are queued.
    pub fn len(&self) -> usize {
        self.heap.len() + self.unprioritized.len()
    }

    /// True if nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty() && self.unprioritized.is_empty()
    }

    /// Removes every item.
    pub fn clear(&mut self) {
        self.heap.clear();
        self.unprioritized.clear();
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
