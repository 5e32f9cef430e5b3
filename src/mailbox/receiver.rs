//! [`Mailbox`]: the single consumer, with its save queue for selective receive.

use std::collections::VecDeque;
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use futures_core::{FusedStream, Stream};

use crate::backoff::Backoff;
use crate::chan::Consumer;
use crate::error::{RecvError, TryRecvError};
use crate::receive::sealed::Source;
use crate::receive::{AnyMessage, MessageFilter, NoAfter, Receive};
use crate::ring::Pop;
use crate::wait::{self, WaiterRef};

/// The receiving half of a mailbox: one consumer, used with `&mut self`.
///
/// Receive with [`recv`](Mailbox::recv), which returns a [`Receive`] builder:
/// `mailbox.recv().await` in a task, `mailbox.recv().wait()` (or
/// [`recv_blocking`](Mailbox::recv_blocking)) on a thread, with `.matching(..)`, `.timeout(..)`
/// and `.after(..)` in between. It is also a [`Stream`].
///
/// # Selective receive and the save queue
///
/// A receive with `.matching(pred)` returns the first queued message `pred` accepts. The
/// messages it passes over are moved, in order, to the mailbox's *save queue*, and every later
/// receive looks there first — so they are never lost or reordered, as in Erlang. The save
/// queue is not limited by the mailbox's capacity (senders see room again once a message moved
/// there), and [`len`](Mailbox::len) counts it.
///
/// # Dropping
///
/// Dropping the mailbox closes it: blocked and pending senders return at once with their
/// messages, later sends fail, and the queued messages are dropped.
pub struct Mailbox<T> {
    rx: Consumer<T>,
    /// Messages a selective receive skipped, oldest first.
    saved: Saved<T>,
}

impl<T> Mailbox<T> {
    pub(crate) fn from_consumer(rx: Consumer<T>) -> Self {
        Self { rx, saved: Saved(None) }
    }

    /// The mailbox's ring (for tests that check which storage a front end chose).
    #[cfg(test)]
    pub(crate) fn ring(&self) -> &crate::ring::Ring<T> {
        self.rx.chan().ring()
    }

    /// How many senders wait for room (for tests of the hand-over to waiting senders).
    #[cfg(all(test, not(tidings_loom)))]
    pub(crate) fn waiting_senders(&self) -> usize {
        self.rx.chan().waiting_senders()
    }

    /// Starts a receive; see [`Receive`] for `.matching`, `.timeout`, `.deadline` and `.after`.
    ///
    /// Await it in a task or call `.wait()` on a thread. The result is `Ok(message)`, or
    /// `Err(RecvError::Closed)` once every sender is gone and nothing (acceptable) is queued,
    /// or `Err(RecvError::Timeout)` after a timeout without `after`.
    ///
    /// # Cancel safety
    ///
    /// The returned future is cancel-safe: dropping it takes nothing from the mailbox.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use tidings::RecvError;
    ///
    /// # tokio_test::block_on(async {
    /// let (tx, mut mailbox) = tidings::unbounded();
    /// tx.send(7).await.unwrap();
    /// assert_eq!(mailbox.recv().await, Ok(7));
    /// let timed_out = mailbox.recv().timeout(Duration::from_millis(1)).await;
    /// assert_eq!(timed_out, Err(RecvError::Timeout));
    /// # });
    /// ```
    #[inline]
    pub fn recv(&mut self) -> Receive<&mut Mailbox<T>> {
        Receive::new(self, AnyMessage, NoAfter)
    }

    /// Receives on the current thread, parking it until a message comes; the same as
    /// `recv().wait()`.
    ///
    /// # Errors
    ///
    /// [`RecvError::Closed`] once every sender is gone and nothing is queued.
    ///
    /// # Panics
    ///
    /// If it has to wait on a thread that drives a tokio runtime; see [`Receive::wait`].
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, mut mailbox) = tidings::unbounded();
    /// std::thread::spawn(move || tx.send_blocking(5).unwrap());
    /// assert_eq!(mailbox.recv_blocking(), Ok(5));
    /// ```
    #[track_caller]
    #[inline]
    pub fn recv_blocking(&mut self) -> Result<T, RecvError> {
        self.recv().wait()
    }

    /// Takes the oldest message if there is one; never waits.
    ///
    /// # Errors
    ///
    /// [`TryRecvError::Empty`] if nothing is queued, [`TryRecvError::Closed`] if nothing is
    /// queued and nothing more can arrive.
    ///
    /// # Examples
    ///
    /// ```
    /// use tidings::TryRecvError;
    ///
    /// let (tx, mut mailbox) = tidings::unbounded();
    /// assert_eq!(mailbox.try_recv(), Err(TryRecvError::Empty));
    /// tx.try_send(1).unwrap();
    /// drop(tx);
    /// assert_eq!(mailbox.try_recv(), Ok(1));
    /// assert_eq!(mailbox.try_recv(), Err(TryRecvError::Closed));
    /// ```
    #[inline]
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        if let Some(msg) = self.saved.pop_front() {
            return Ok(msg);
        }
        // A message at the head, taken with nothing around it (see `wait_take`).
        if let Ok(msg) = self.rx.pop_published() {
            return Ok(msg);
        }
        match self.pop_settled() {
            Pop::Item(msg) => Ok(msg),
            Pop::Closed => Err(TryRecvError::Closed),
            Pop::Empty | Pop::Busy => Err(TryRecvError::Empty),
        }
    }

    /// Takes every message queued now (the save queue first), without waiting. Messages sent
    /// while the iterator runs may or may not be included; dropping it early leaves the rest
    /// queued.
    ///
    /// ```
    /// let (tx, mut mailbox) = tidings::bounded(8);
    /// for i in 0..5 {
    ///     tx.try_send(i).unwrap();
    /// }
    /// assert_eq!(mailbox.drain().collect::<Vec<_>>(), [0, 1, 2, 3, 4]);
    /// assert!(mailbox.is_empty());
    /// ```
    pub fn drain(&mut self) -> Drain<'_, T> {
        let left = self.rx.chan().len();
        Drain { mailbox: self, left }
    }

    /// Closes the mailbox: every send fails from now on (waiting senders return at once with
    /// their messages), while the messages already queued can still be received; after them,
    /// receives report `Closed`.
    ///
    /// ```
    /// use tidings::RecvError;
    ///
    /// let (tx, mut mailbox) = tidings::unbounded();
    /// tx.try_send(1).unwrap();
    /// mailbox.close();
    /// assert!(tx.try_send(2).is_err());
    /// assert_eq!(mailbox.recv_blocking(), Ok(1));
    /// assert_eq!(mailbox.recv_blocking(), Err(RecvError::Closed));
    /// ```
    pub fn close(&mut self) {
        self.rx.chan().close();
    }

    /// True once the mailbox is closed, or every sender is gone. Messages may still be queued.
    pub fn is_closed(&self) -> bool {
        self.rx.chan().is_closed()
    }

    /// How many messages are waiting to be received: queued ones plus those in the save queue.
    ///
    /// ```
    /// let (tx, mut mailbox) = tidings::unbounded();
    /// tx.try_send(1).unwrap();
    /// tx.try_send(2).unwrap();
    /// assert_eq!(mailbox.len(), 2);
    /// let _ = mailbox.recv().matching(|n| *n == 2).wait();
    /// assert_eq!(mailbox.len(), 1); // 1 is in the save queue
    /// ```
    pub fn len(&self) -> usize {
        self.rx.chan().len() + self.saved.len()
    }

    /// True if no message is waiting (see [`len`](Mailbox::len)).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The capacity of a bounded mailbox (not counting the save queue), `None` if unbounded.
    pub fn capacity(&self) -> Option<usize> {
        self.rx.chan().capacity()
    }

    /// Pops from the ring, waiting out a producer that is still writing the next slot (it is
    /// between claiming the slot and publishing it: a few instructions).
    fn pop_settled(&mut self) -> Pop<T> {
        let mut backoff = Backoff::new();
        loop {
            // Each arm rebuilds its value rather than passing the `Pop` through: moving a
            // whole `Pop` of a large message made LLVM copy it in 16-byte pieces that straddle
            // the stores that wrote it, a store-forwarding stall each.
            match self.rx.pop() {
                Pop::Item(msg) => return Pop::Item(msg),
                Pop::Empty => return Pop::Empty,
                Pop::Closed => return Pop::Closed,
                Pop::Busy => backoff.snooze(),
            }
        }
    }
}

/// The save queue of selective receive, allocated by the first message it keeps: a mailbox
/// that never receives selectively (an actor's) pays one word for it, not a whole `VecDeque`.
// The box is the point: one word in every mailbox instead of a `VecDeque`'s four.
#[allow(clippy::box_collection)]
struct Saved<T>(Option<Box<VecDeque<T>>>);

impl<T> Saved<T> {
    #[inline]
    fn pop_front(&mut self) -> Option<T> {
        self.0.as_mut()?.pop_front()
    }

    #[inline]
    fn len(&self) -> usize {
        self.0.as_ref().map_or(0, |saved| saved.len())
    }

    fn get(&self, index: usize) -> Option<&T> {
        self.0.as_ref()?.get(index)
    }

    fn remove(&mut self, index: usize) -> Option<T> {
        self.0.as_mut()?.remove(index)
    }

    fn push_back(&mut self, msg: T) {
        self.0.get_or_insert_with(Box::default).push_back(msg);
    }
}

/// Takes the first message `filter` accepts from the save queue or the ring, without waiting.
/// `Ok(None)`: nothing acceptable yet. `scanned` counts the saved messages this receive has
/// already rejected, so each message is tested once per receive.
#[inline(always)]
fn take<T, M: MessageFilter<T>>(
    rx: &mut Consumer<T>,
    saved: &mut Saved<T>,
    filter: &mut M,
    scanned: &mut usize,
) -> Result<Option<T>, RecvError> {
    if M::ACCEPTS_ALL {
        if let Some(msg) = saved.pop_front() {
            return Ok(Some(msg));
        }
    } else {
        while *scanned < saved.len() {
            if saved.get(*scanned).is_some_and(|msg| filter.accept(msg)) {
                return Ok(saved.remove(*scanned));
            }
            *scanned += 1;
        }
    }
    loop {
        match rx.pop_to_wait() {
            Pop::Item(msg) => {
                if M::ACCEPTS_ALL || filter.accept(&msg) {
                    return Ok(Some(msg));
                }
                saved.push_back(msg);
                *scanned += 1;
            }
            // (Unregistered, `pop_to_wait` reports a slot still being written as Empty; once
            // registered, it arms the ring or waits for that slot, so Busy never comes back.)
            Pop::Empty | Pop::Busy => return Ok(None),
            Pop::Closed => return Err(RecvError::Closed),
        }
    }
}

impl<'a, T, A> Receive<&'a mut Mailbox<T>, AnyMessage, A> {
    /// Erlang's selective receive: the first queued message for which `pred` returns true.
    ///
    /// Messages before it stay queued, in order (in the mailbox's save queue), and a later
    /// receive sees them first. If none matches, the receive waits for a matching one (or
    /// times out, or reports `Closed` once nothing more can arrive). `pred` sees each message
    /// once per receive.
    ///
    /// ```
    /// #[derive(Debug, PartialEq)]
    /// enum Msg { Data(u32), Urgent(&'static str) }
    ///
    /// let (tx, mut mailbox) = tidings::unbounded();
    /// tx.try_send(Msg::Data(1)).unwrap();
    /// tx.try_send(Msg::Urgent("fire")).unwrap();
    /// tx.try_send(Msg::Data(2)).unwrap();
    ///
    /// let urgent = mailbox.recv().matching(|m| matches!(m, Msg::Urgent(_))).wait();
    /// assert_eq!(urgent, Ok(Msg::Urgent("fire")));
    /// assert_eq!(mailbox.recv_blocking(), Ok(Msg::Data(1)));
    /// assert_eq!(mailbox.recv_blocking(), Ok(Msg::Data(2)));
    /// ```
    pub fn matching<P>(self, pred: P) -> Receive<&'a mut Mailbox<T>, P, A>
    where
        P: FnMut(&T) -> bool,
    {
        Receive { source: self.source, matcher: pred, deadline: self.deadline, after: self.after }
    }
}

impl<T, M: MessageFilter<T>> Source<M> for &mut Mailbox<T> {
    type Output = T;
    type State = usize;

    #[inline(always)]
    fn poll_take(
        &mut self,
        matcher: &mut M,
        scanned: &mut usize,
        cx: &mut Context<'_>,
    ) -> Poll<Result<T, RecvError>> {
        let Mailbox { rx, saved } = &mut **self;
        if M::ACCEPTS_ALL && saved.len() == 0 {
            // The plain `recv().await`: the consumer's own lean poll.
            return rx.poll_recv(cx);
        }
        if let Some(result) = take(rx, saved, matcher, scanned).transpose() {
            return Poll::Ready(result);
        }
        rx.register(WaiterRef::Task(cx.waker()));
        match take(rx, saved, matcher, scanned).transpose() {
            Some(result) => {
                rx.unregister();
                Poll::Ready(result)
            }
            None => Poll::Pending,
        }
    }

    #[track_caller]
    #[inline]
    fn wait_take(
        &mut self,
        matcher: &mut M,
        scanned: &mut usize,
        deadline: Option<Instant>,
    ) -> Option<Result<T, RecvError>> {
        if M::ACCEPTS_ALL && self.saved.len() == 0 {
            // The plain blocking receive finding a message: taken with nothing around it. The
            // general path below moves the message through `Result`s and `Option`s, which LLVM
            // copies at odd offsets for large messages (a store-forwarding stall per piece).
            if let Ok(msg) = self.rx.pop_published() {
                return Some(Ok(msg));
            }
        }
        let result = wait::block_until(
            Backoff::patient(),
            "Receive::wait (or Mailbox::recv_blocking)",
            deadline,
            &mut **self,
            |Mailbox { rx, saved }| take(rx, saved, matcher, scanned).transpose(),
            |mailbox| mailbox.rx.register(WaiterRef::Thread),
        );
        self.rx.unregister();
        // Rebuilt rather than passed through: moving the whole `Option<Result<T, _>>` made
        // LLVM copy it as unaligned, overlapping words, which stalls on store forwarding
        // (about 15 ns a message on the fast path when this is not inlined).
        match result {
            Some(Ok(msg)) => Some(Ok(msg)),
            Some(Err(e)) => Some(Err(e)),
            None => None,
        }
    }

    #[inline]
    fn cancel(&mut self, _: &mut usize) {
        self.rx.unregister();
    }
}

// The mailbox never pins its contents (the save queue is a boxed `VecDeque`).
impl<T> Unpin for Mailbox<T> {}

impl<T> Stream for Mailbox<T> {
    type Item = T;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let mut this = self.get_mut();
        match this.poll_take(&mut AnyMessage, &mut 0, cx) {
            Poll::Ready(Ok(msg)) => Poll::Ready(Some(msg)),
            Poll::Ready(Err(_)) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.len(), None)
    }
}

impl<T> FusedStream for Mailbox<T> {
    /// True once the mailbox is closed and empty: the stream has ended for good.
    fn is_terminated(&self) -> bool {
        self.is_closed() && self.is_empty()
    }
}

impl<T> Drop for Mailbox<T> {
    fn drop(&mut self) {
        self.rx.chan().close();
        // Drop what is queued now, here; a message still being written by a producer that
        // raced the close is dropped with the ring itself.
        while let Pop::Item(msg) = self.rx.pop() {
            drop(msg);
        }
    }
}

impl<T> fmt::Debug for Mailbox<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mailbox")
            .field("len", &self.len())
            .field("saved", &self.saved.len())
            .field("capacity", &self.capacity())
            .field("closed", &self.is_closed())
            .finish()
    }
}

/// The iterator of [`Mailbox::drain`].
pub struct Drain<'a, T> {
    mailbox: &'a mut Mailbox<T>,
    /// How many more messages to take from the ring (its length when the drain began).
    left: usize,
}

impl<T> Iterator for Drain<'_, T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        if let Some(msg) = self.mailbox.saved.pop_front() {
            return Some(msg);
        }
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        match self.mailbox.pop_settled() {
            Pop::Item(msg) => Some(msg),
            _ => {
                self.left = 0;
                None
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let saved = self.mailbox.saved.len();
        (saved, Some(saved + self.left))
    }
}

impl<T> fmt::Debug for Drain<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Drain").field("left", &self.left).finish_non_exhaustive()
    }
}
