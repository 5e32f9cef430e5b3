//! [`Sender`] and its async send future.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use super::HandoffFuture;
use crate::chan::Chan;
use crate::error::{SendError, SendTimeoutError, TrySendError};
use crate::loom::Arc;
use crate::wait::Registration;

/// The sending half of a mailbox. Clone it freely: every clone sends to the same
/// [`Mailbox`](crate::Mailbox). When the last one is dropped, the mailbox delivers what is
/// queued and then reports `Closed`.
///
/// Async tasks use [`send`](Sender::send), threads [`send_blocking`](Sender::send_blocking)
/// or [`send_timeout`](Sender::send_timeout); [`try_send`](Sender::try_send) never waits. All
/// of them can be mixed on one mailbox. Every failed send returns the message.
pub struct Sender<T> {
    chan: Arc<Chan<T>>,
}

impl<T> Sender<T> {
    pub(crate) fn from_chan(chan: Arc<Chan<T>>) -> Self {
        Self { chan }
    }

    /// Sends `msg`, waiting for room while a bounded mailbox is full.
    ///
    /// A send that finds the mailbox full while no other sender waits steps aside once before
    /// it waits: it wakes its own task and returns `Pending`, as `tokio::task::yield_now`
    /// does, and looks again when polled next. The receiver, often queued on the same worker
    /// thread, gets to make room first, and a send that then finds room never joins the
    /// senders' queue. Only a send that finds the mailbox full again (or other senders
    /// already waiting) registers to be woken.
    ///
    /// # Errors
    ///
    /// [`SendError`] with the message if the mailbox is closed or dropped (also while
    /// waiting: a closing mailbox wakes every waiting sender).
    ///
    /// # Cancel safety
    ///
    /// If the future is dropped before it completes, the message was not sent (it is dropped
    /// with the future), and a wake-up the future had received passes on to the next waiting
    /// sender. Use [`try_send`](Sender::try_send) in a loop to keep the message.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio_test::block_on(async {
    /// let (tx, mut mailbox) = tidings::bounded(1);
    /// tx.send(1).await.unwrap();
    /// assert_eq!(mailbox.recv().await, Ok(1));
    /// # });
    /// ```
    #[inline]
    pub fn send(&self, msg: T) -> SendFuture<'_, T> {
        SendFuture { chan: &self.chan, msg: Some(msg), reg: Registration::new(), yielded: false }
    }

    /// Sends `msg` as [`send`](Sender::send) does, but a send that waits for room leaves its
    /// message with the mailbox: the receive that makes room puts it in the queue at once (in
    /// the order the senders started waiting) and wakes the task to a finished send. The
    /// receiver goes on without waiting for the sending task to be scheduled, which makes
    /// small mailboxes several times faster (a mailbox of one slot is a hand-off per message).
    /// What it costs is the cancel guarantee, see below: use it where the future is awaited
    /// to the end (not a `select!` branch that may lose), or where a message that arrives
    /// after all is welcome.
    ///
    /// # Errors
    ///
    /// [`SendError`] with the message if the mailbox is closed or dropped before the message
    /// was in it.
    ///
    /// # Cancel safety
    ///
    /// Not cancel-safe as [`send`](Sender::send) is: if the future is dropped while it waits,
    /// the message *either was sent* (a receive that made room had moved it in) or is dropped
    /// with the future. It is never sent twice and never left behind: a dropped future
    /// withdraws it, and a wake-up the future had received without a delivery passes on to
    /// the next waiting sender.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio_test::block_on(async {
    /// let (tx, mut mailbox) = tidings::bounded(1);
    /// let producer = tokio::spawn(async move {
    ///     for i in 0..100 {
    ///         tx.send_handoff(i).await.unwrap();
    ///     }
    /// });
    /// let mut sum = 0;
    /// while let Ok(i) = mailbox.recv().await {
    ///     sum += i;
    /// }
    /// producer.await.unwrap();
    /// assert_eq!(sum, 4950);
    /// # });
    /// ```
    #[inline]
    pub fn send_handoff(&self, msg: T) -> HandoffFuture<'_, T> {
        HandoffFuture::new(&self.chan, msg)
    }

    /// Sends `msg` from a thread, parking it while a bounded mailbox is full.
    ///
    /// A parked send leaves its message with the mailbox: the receive that makes room puts it
    /// in the queue at once (in the order the senders started waiting) and wakes the thread
    /// to a finished send, so the receiver never waits for a sender's thread to wake up.
    ///
    /// # Errors
    ///
    /// [`SendError`] with the message if the mailbox is closed or dropped.
    ///
    /// # Panics
    ///
    /// If it has to wait on a thread that drives a tokio runtime (a worker thread or inside
    /// `block_on`), where blocking can deadlock the runtime: use [`send`](Sender::send) there.
    /// A send that finds room at once never panics.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, mut mailbox) = tidings::bounded(4);
    /// let producer = std::thread::spawn(move || {
    ///     for i in 0..100 {
    ///         tx.send_blocking(i).unwrap();
    ///     }
    /// });
    /// let sum: i32 = (0..100).map(|_| mailbox.recv_blocking().unwrap()).sum();
    /// producer.join().unwrap();
    /// assert_eq!(sum, 4950);
    /// ```
    #[track_caller]
    #[inline]
    pub fn send_blocking(&self, msg: T) -> Result<(), SendError<T>> {
        self.chan
            .send_blocking(msg, None, "Sender::send_blocking")
            .map_err(|err| SendError(err.into_inner()))
    }

    /// Sends `msg` from a thread, parking it for at most `timeout` while a bounded mailbox is
    /// full. `Duration::MAX` waits forever.
    ///
    /// # Errors
    ///
    /// [`SendTimeoutError::Timeout`] with the message if no room came in time (a message that a
    /// receive took from the parked send before the deadline was sent: that is `Ok`),
    /// [`SendTimeoutError::Closed`] with the message if the mailbox is closed or dropped.
    ///
    /// # Panics
    ///
    /// As [`send_blocking`](Sender::send_blocking): when it has to wait on a runtime thread.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let (tx, _mailbox) = tidings::bounded(1);
    /// tx.send_timeout(1, Duration::from_millis(10)).unwrap();
    /// let err = tx.send_timeout(2, Duration::from_millis(10)).unwrap_err();
    /// assert!(err.is_timeout());
    /// assert_eq!(err.into_inner(), 2);
    /// ```
    #[track_caller]
    pub fn send_timeout(&self, msg: T, timeout: Duration) -> Result<(), SendTimeoutError<T>> {
        self.chan.send_blocking(msg, Some(timeout), "Sender::send_timeout")
    }

    /// Sends `msg` if there is room now; never waits.
    ///
    /// # Errors
    ///
    /// [`TrySendError::Full`] with the message if a bounded mailbox is full,
    /// [`TrySendError::Closed`] with the message if it is closed or dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, mailbox) = tidings::bounded(1);
    /// assert!(tx.try_send('a').is_ok());
    /// assert_eq!(tx.try_send('b').unwrap_err().into_inner(), 'b');
    /// drop(mailbox);
    /// assert!(tx.try_send('c').unwrap_err().is_closed());
    /// ```
    #[inline]
    pub fn try_send(&self, msg: T) -> Result<(), TrySendError<T>> {
        self.chan.try_send(msg)
    }

    /// True once the mailbox is closed or dropped: every send fails from now on.
    ///
    /// ```
    /// let (tx, mut mailbox) = tidings::unbounded::<()>();
    /// assert!(!tx.is_closed());
    /// mailbox.close();
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.chan.is_closed()
    }

    /// How many messages are queued and not yet taken by the mailbox. (Messages a selective
    /// receive skipped are held by the mailbox and not counted here; see
    /// [`Mailbox::len`](crate::Mailbox::len).) A message handed to a waiting receiver counts
    /// until the receiver takes it, so a bounded mailbox may show `capacity + 1` (see
    /// [`bounded`](crate::bounded)).
    ///
    /// ```
    /// let (tx, _mailbox) = tidings::unbounded();
    /// tx.try_send(1).unwrap();
    /// assert_eq!(tx.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.chan.len()
    }

    /// True if no message is queued (see [`len`](Sender::len)).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The capacity of a bounded mailbox, `None` for an unbounded one.
    ///
    /// ```
    /// assert_eq!(tidings::bounded::<u8>(16).0.capacity(), Some(16));
    /// assert_eq!(tidings::unbounded::<u8>().0.capacity(), None);
    /// ```
    pub fn capacity(&self) -> Option<usize> {
        self.chan.capacity()
    }

    /// True if both senders send to the same mailbox.
    ///
    /// ```
    /// let (a, _mailbox) = tidings::unbounded::<u8>();
    /// assert!(a.same_mailbox(&a.clone()));
    /// assert!(!a.same_mailbox(&tidings::unbounded().0));
    /// ```
    pub fn same_mailbox(&self, other: &Sender<T>) -> bool {
        Arc::ptr_eq(&self.chan, &other.chan)
    }

    pub(crate) fn chan(&self) -> &Chan<T> {
        &self.chan
    }

    /// Closes the mailbox from the sending side, as [`Mailbox::close`](crate::Mailbox::close)
    /// does from the receiving side: every send fails from now on (waiting senders return with
    /// their messages), queued messages stay receivable, then receives report `Closed`. The
    /// same ring close the last sender's drop performs. (The actor layer stops an actor this
    /// way from any of its addresses.)
    pub(crate) fn close_mailbox(&self) {
        self.chan.close();
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.chan.add_sender();
        Self { chan: self.chan.clone() }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        self.chan.drop_sender();
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("len", &self.len())
            .field("capacity", &self.capacity())
            .field("closed", &self.is_closed())
            .finish()
    }
}

/// The future of [`Sender::send`].
///
/// # Cancel safety
///
/// Dropping it before completion drops the message unsent, and passes on a wake-up it had
/// received, so other waiting senders are not stalled.
#[must_use = "futures do nothing unless polled"]
pub struct SendFuture<'a, T> {
    chan: &'a Chan<T>,
    msg: Option<T>,
    reg: Registration,
    /// The send stepped aside once (see [`Sender::send`]); from now on it waits in the queue.
    yielded: bool,
}

// Nothing in the future is ever pinned, so it is `Unpin` whatever `T` is.
impl<T> Unpin for SendFuture<'_, T> {}

impl<T> Future for SendFuture<'_, T> {
    type Output = Result<(), SendError<T>>;

    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        this.chan.poll_send(&mut this.msg, &mut this.reg, &mut this.yielded, cx)
    }
}

impl<T> Drop for SendFuture<'_, T> {
    fn drop(&mut self) {
        if self.reg.is_registered() {
            self.chan.cancel_send(&mut self.reg);
        }
    }
}

impl<T> fmt::Debug for SendFuture<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendFuture").field("done", &self.msg.is_none()).finish_non_exhaustive()
    }
}
