//! The channel core: ring + waiters + sender count + closing. The only place that combines
//! them; the mailbox (and the layers above it) are thin front ends on [`Chan`].
//!
//! Wake-up protocol (see `wait` for the rule): a push notifies the consumer's [`WaitCell`] when
//! the ring reports that the consumer armed it (see `ring::bounded`'s "Arming": a waiting
//! consumer arms the ring after registering, a flag in the producers' end that the next claim
//! clears and reports, so a push nobody waits for pays no fence); a pop from a bounded ring
//! notifies one sender waiting for room; a close notifies everyone.

use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use crate::backoff::Backoff;
use crate::error::{RecvError, SendError, SendTimeoutError, TrySendError};
use crate::loom::{Arc, AtomicUsize};
use crate::receive::deadline_after;
use crate::ring::{InPlace, Look, Pop, PushError, Ring, Source};
use crate::wait::{self, Parcel, Registration, WaitCell, WaitQueue, WaiterRef};
use std::sync::atomic::Ordering::{AcqRel, Relaxed};

/// Rings of at most this many slots are "small" for a blocking sender that waits for room (see
/// `Chan::send_blocking_slow`): it registers after spinning, before yielding. Measured at 1
/// (registering early is up to 4× faster, see there) and at 16 (a third slower with 4 sending
/// threads); where between them the cut is best is not measured.
const SMALL_RING: usize = 4;

/// Creates a channel on `ring`: the shared core (for senders) and its one [`Consumer`].
///
/// A consumer that waits elsewhere (the registry wakes its receivers through its own wait
/// lists) simply never registers: it never arms the ring, so its pushes never report and never
/// look at the channel's cell.
pub(crate) fn channel<T>(ring: Ring<T>) -> (Arc<Chan<T>>, Consumer<T>) {
    let chan = Arc::new(Chan {
        tx: WaitQueue::new(),
        rx: WaitCell::new(),
        ring,
        senders: AtomicUsize::new(1),
    });
    (chan.clone(), Consumer { chan, registered: false, armed: false })
}

/// The shared core of a channel.
///
/// Laid out in order (`repr(C)`) for who touches what. First what both sides read on every
/// message and write only to wait: `tx` (the consumer checks it after a pop from a bounded
/// ring), `rx` (every producer checks it after its push, the consumer after its receive), then
/// the ring's own read-only fields; the ring keeps them, its consumer's end and its producers'
/// end on separate lines (see `padded`). `senders` (changed only by clones and drops) comes
/// last. No field is aligned beyond a word, so the core (and the `Arc` around it) takes a few
/// hundred bytes, not a multiple of 128.
#[repr(C)]
pub(crate) struct Chan<T> {
    /// Senders waiting for room in a bounded ring (its list is allocated by the first one). A
    /// blocking sender, or an async one in `send_handoff`, leaves its message with the queue,
    /// and the pop that makes room delivers it (see `wait::queue`'s "Parcels"); a plain async
    /// `send` is only woken.
    tx: WaitQueue<T>,
    /// The single consumer, when it waits for a message.
    rx: WaitCell,
    ring: Ring<T>,
    /// Live `Sender`s; the ring closes when the last one goes.
    senders: AtomicUsize,
}

impl<T> Chan<T> {
    /// The ring (for tests that check which storage a front end chose).
    #[cfg(test)]
    pub(crate) fn ring(&self) -> &Ring<T> {
        &self.ring
    }

    /// How many senders wait for room (racy; for tests).
    #[cfg(all(test, not(tidings_loom)))]
    pub(crate) fn waiting_senders(&self) -> usize {
        self.tx.waiting()
    }

    /// Pushes without waiting; wakes the consumer if it waits for this message.
    #[inline(always)]
    pub(crate) fn try_send(&self, msg: T) -> Result<(), TrySendError<T>> {
        match self.ring.push(msg) {
            Ok(armed) => {
                self.pushed(armed);
                Ok(())
            }
            Err(PushError::Full(msg)) => Err(TrySendError::Full(msg)),
            Err(PushError::Closed(msg)) => Err(TrySendError::Closed(msg)),
        }
    }

    /// One try of an async send whose message is in `msg`: `Ready` if it ended the send
    /// (pushed, or the ring closed and the message is in the error); on a full ring the
    /// message stays in `msg` (the push moves it straight from there into its slot, see
    /// `InPlace`) and the result is `full`'s (`Poll::Pending` for a plain try, the slow path
    /// for a first one). Built in the future's own output type, with the slow path called from
    /// inside: returning an intermediate value and matching on it made LLVM copy a large
    /// message once more on the fast path (callgrind, 64-byte messages: 11 instructions a
    /// message).
    #[inline(always)]
    fn try_send_or(
        &self,
        msg: &mut Option<T>,
        full: impl FnOnce(&mut Option<T>) -> Poll<Result<(), SendError<T>>>,
    ) -> Poll<Result<(), SendError<T>>> {
        let source = InPlace::new(msg).expect("send future polled after completion");
        match self.ring.push_from(source) {
            Ok(armed) => {
                self.pushed(armed);
                Poll::Ready(Ok(()))
            }
            Err(PushError::Closed(source)) => Poll::Ready(Err(SendError(source.take()))),
            Err(PushError::Full(_)) => full(msg),
        }
    }

    /// One poll of an async send. `msg` holds the message while the send waits (it is `None`
    /// only after completion); `reg` is the sender's place in the wait queue.
    ///
    /// The first poll's attempt is inlined into the sender (it usually finds room); a full ring
    /// may make it step aside once (`yielded`, see [`step_aside`](Self::step_aside)); a send
    /// that has to wait continues in [`poll_send_slow`](Self::poll_send_slow).
    #[inline(always)]
    pub(crate) fn poll_send(
        &self,
        msg: &mut Option<T>,
        reg: &mut Registration,
        yielded: &mut bool,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), SendError<T>>> {
        if reg.is_registered() {
            return self.poll_send_slow(msg, reg, cx, false);
        }
        self.try_send_or(msg, |msg| {
            if self.step_aside(yielded, cx) {
                return Poll::Pending;
            }
            self.poll_send_slow(msg, reg, cx, true)
        })
    }

    /// Whether a plain async send that found the ring full steps aside instead of registering
    /// (see `Sender::send`): once per send (`yielded`), and only while nobody waits in the
    /// senders' queue. It wakes its own task, so the runtime polls it again after the tasks
    /// queued before it, the consumer among them when both share a worker thread.
    ///
    /// A registration costs the queue's lock twice (register, withdraw), a node, a waker
    /// clone and a fence, and makes the consumer's next pop wake the sender under that lock;
    /// stepping aside costs one more poll of the sending task. With other senders waiting the
    /// send registers at once: there the pops wake waiting senders anyway, and every sender
    /// stepping aside cost 4 and 64 tasks → 1 task at capacity 1 a fifth of their speed.
    /// `send_handoff` never steps aside (its parcel is how the pop delivers without a poll;
    /// stepping aside made it slower at capacity 1).
    ///
    /// Off under loom: it touches nothing shared but a relaxed read of a hint, and the
    /// models' extra polls took one of them from a minute to five; the unit tests
    /// `a_send_on_a_full_mailbox_steps_aside_once` and `…_registers_at_once` cover it.
    #[inline(always)]
    fn step_aside(&self, yielded: &mut bool, cx: &Context<'_>) -> bool {
        if cfg!(tidings_loom) || *yielded || !self.tx.seems_idle() {
            return false;
        }
        *yielded = true;
        cx.waker().wake_by_ref();
        true
    }

    /// [`poll_send`](Self::poll_send) for a send that waits: try (unless `found_full` says the
    /// caller just did), register, try again.
    #[inline(never)]
    fn poll_send_slow(
        &self,
        msg: &mut Option<T>,
        reg: &mut Registration,
        cx: &mut Context<'_>,
        found_full: bool,
    ) -> Poll<Result<(), SendError<T>>> {
        let first =
            if found_full { Poll::Pending } else { self.try_send_or(msg, |_| Poll::Pending) };
        let result = match first {
            Poll::Ready(result) => result,
            Poll::Pending => {
                self.tx.register(reg, WaiterRef::Task(cx.waker()));
                match self.try_send_or(msg, |_| Poll::Pending) {
                    Poll::Ready(result) => result,
                    Poll::Pending => return Poll::Pending,
                }
            }
        };
        // A notification we got is used up only if our push took the room it was for. If
        // room is left, the notification came after our push (or more room was made
        // meanwhile), and the waiter it should have gone to may have looked too early to see
        // that room: pass it on (loom: `a_sender_woken_after_its_push_passes_the_wake_up_on`).
        // `may_have_room` runs under the queue's lock, after the notifier's pop.
        let pushed = result.is_ok();
        self.tx.unregister(reg, || pushed && !self.ring.may_have_room());
        Poll::Ready(result)
    }

    /// One poll of a hand-off send (see `Sender::send_handoff`): as [`poll_send`](Self::poll_send),
    /// but a send that has to wait leaves its message with the senders' queue, and the pop
    /// that makes room delivers it (see `wait::queue`'s "Parcels"). `msg` holds the message
    /// until then: it is `None` while the queue holds it, and after completion.
    #[inline(always)]
    pub(crate) fn poll_send_handoff(
        &self,
        msg: &mut Option<T>,
        reg: &mut Registration,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), SendError<T>>> {
        if reg.is_registered() {
            return self.poll_send_handoff_slow(msg, reg, cx);
        }
        self.try_send_or(msg, |msg| self.poll_send_handoff_slow(msg, reg, cx))
    }

    /// [`poll_send_handoff`](Self::poll_send_handoff) for a send that waits: leave the message
    /// with the queue (a look for room after registering may still push it), or look whether
    /// it was delivered. A wake-up without a delivery (a close, or a wake-up passed on by a
    /// cancelled sender) hands the message back: a try of our own uses it, and a full ring
    /// takes the message back to the queue, at the back.
    #[inline(never)]
    fn poll_send_handoff_slow(
        &self,
        msg: &mut Option<T>,
        reg: &mut Registration,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), SendError<T>>> {
        if msg.is_none() {
            match self.tx.poll_parcel(reg, cx.waker()) {
                Parcel::Waiting => return Poll::Pending,
                Parcel::Delivered => return Poll::Ready(Ok(())),
                Parcel::Returned(back) => {
                    *msg = Some(back);
                    if let done @ Poll::Ready(_) = self.try_send_or(msg, |_| Poll::Pending) {
                        return done;
                    }
                }
            }
        }
        let back = msg.take().expect("a waiting send's message is in hand");
        let room = || self.ring.may_have_room();
        let retry = |msg| self.push_or_keep(msg);
        match self.tx.register_parcel(reg, WaiterRef::Task(cx.waker()), back, room, retry) {
            Some(Ok(armed)) => {
                self.pushed(armed);
                Poll::Ready(Ok(()))
            }
            Some(Err(back)) => Poll::Ready(Err(SendError(back))),
            None => Poll::Pending,
        }
    }

    /// Withdraws a hand-off send whose future was dropped: its message, unless a pop delivered
    /// it (a wake-up it received without a delivery passes on to the next waiting sender).
    pub(crate) fn withdraw_send(&self, reg: &mut Registration) -> Option<T> {
        self.tx.withdraw_parcel(reg)
    }

    /// The second try of a sender registering its parcel (under the queue's lock): `Ok` ends
    /// the send (`Ok(armed)`: pushed; `Err`: closed, the message back), `Err` keeps the message
    /// for the queue.
    #[inline]
    fn push_or_keep(&self, msg: T) -> Result<Result<bool, T>, T> {
        match self.ring.push(msg) {
            Ok(armed) => Ok(Ok(armed)),
            Err(PushError::Closed(back)) => Ok(Err(back)),
            Err(PushError::Full(back)) => Err(back),
        }
    }

    /// Gives up a pending async send (its future was dropped): a notification it received
    /// passes on to the next waiting sender.
    pub(crate) fn cancel_send(&self, reg: &mut Registration) {
        self.tx.unregister(reg, || false);
    }

    /// Sends, parking the thread while the ring is full, for at most `timeout` if there is one
    /// (`None`: no limit; the deadline is taken when the send has to wait).
    #[track_caller]
    #[inline]
    pub(crate) fn send_blocking(
        &self,
        msg: T,
        timeout: Option<Duration>,
        what: &'static str,
    ) -> Result<(), SendTimeoutError<T>> {
        // Fast path: there is room (always, in an unbounded ring) or the ring is closed.
        match self.try_send(msg) {
            Ok(()) => Ok(()),
            Err(TrySendError::Closed(back)) => Err(SendTimeoutError::Closed(back)),
            Err(TrySendError::Full(back)) => {
                self.send_blocking_slow(back, timeout.and_then(deadline_after), what)
            }
        }
    }

    /// [`send_blocking`](Self::send_blocking) for a full ring: try again while spinning a
    /// little, then leave the message with the senders' queue, yield a while, and park. The pop
    /// that makes room delivers it (see `wait::queue`'s "Parcels") and wakes this thread to a
    /// finished send; a close, or a wake-up passed on by a cancelled async sender, hands the
    /// message back to try again here. At the deadline the send withdraws, unless its message
    /// was delivered first.
    #[track_caller]
    #[inline(never)]
    fn send_blocking_slow(
        &self,
        mut msg: T,
        deadline: Option<Instant>,
        what: &'static str,
    ) -> Result<(), SendTimeoutError<T>> {
        let passed = || deadline.is_some_and(|deadline| Instant::now() >= deadline);
        // A try of our own: `Ok` ends the send, `Err` gives the message back from a full ring.
        let attempt = |msg| match self.try_send(msg) {
            Ok(()) => Ok(Ok(())),
            Err(TrySendError::Closed(back)) => Ok(Err(SendTimeoutError::Closed(back))),
            Err(TrySendError::Full(back)) => Err(back),
        };
        // Spin and yield before registering (room that comes soon is taken here), except on
        // a small ring: there the sender registers once its spin is over and yields while
        // registered. Yielding unregistered would leave the consumer of a ring of one or a few
        // slots without a parcel to deliver when it makes room: it would find the ring empty
        // and sleep, and a consumer task's worker thread sleeps in the runtime's driver, which
        // the next push has to wake with a syscall. In-process A/B at capacity 1, against
        // yielding first: 4 threads → 1 task about 3× faster, 64 threads → 1 task 4×,
        // 4 threads → 1 thread 1.3×. With 16 slots the consumer has plenty to take while a
        // yielding sender comes back, and registering early cost 4 threads → 1 thread at
        // bounded(16) a third: every pop then delivers under the queue's lock, and the
        // registered senders' looks take it too.
        let small = self.ring.capacity().is_some_and(|cap| cap <= SMALL_RING);
        let mut backoff = Backoff::new();
        while if small { backoff.is_spinning() } else { !backoff.is_completed() } {
            if passed() {
                return Err(SendTimeoutError::Timeout(msg));
            }
            backoff.snooze();
            msg = match attempt(msg) {
                Ok(done) => return done,
                Err(back) => back,
            };
        }
        wait::assert_blocking_allowed(what);
        let mut reg = Registration::new();
        loop {
            let room = || self.ring.may_have_room();
            let retry = |msg| self.push_or_keep(msg);
            match self.tx.register_parcel(&mut reg, WaiterRef::Thread, msg, room, retry) {
                Some(Ok(armed)) => {
                    self.pushed(armed);
                    return Ok(());
                }
                Some(Err(back)) => return Err(SendTimeoutError::Closed(back)),
                None => {}
            }
            // On a small ring, spin and yield while registered, looking after each step (a look
            // takes the queue's lock): a delivery that comes now finds the thread awake, which
            // saves the consumer a futex wake in `unpark`. Then park until woken.
            let mut registered = Backoff::new();
            let back = loop {
                if !small || registered.is_completed() {
                    wait::park(deadline);
                } else {
                    registered.snooze();
                }
                match self.tx.check_parcel(&mut reg, passed()) {
                    Parcel::Waiting => {}
                    Parcel::Delivered => return Ok(()),
                    Parcel::Returned(back) => break back,
                }
            };
            // Woken without a delivery (a close, a wake-up passed on), or out of time: one
            // more try, which also uses the wake-up.
            msg = match attempt(back) {
                Ok(done) => return done,
                Err(back) if passed() => return Err(SendTimeoutError::Timeout(back)),
                Err(back) => back,
            };
        }
    }

    /// After a push: wakes the consumer if it armed the ring for this message.
    #[inline(always)]
    fn pushed(&self, armed: bool) {
        if armed {
            // The consumer armed the ring for our message: it registered and may be asleep.
            // Our claim read its arming write, which came after its registration, so the
            // cell shows that registration (or a later state; see `WaitCell`).
            self.rx.notify();
        }
    }

    /// Delivers the first waiting sender's message into room a pop just made, if it left one,
    /// or wakes it (see `wait::queue`'s "Parcels"). Called by the consumer
    /// after every pop from a bounded ring.
    ///
    /// The look for room comes after `has_waiters`' fence, so only when someone waits (it
    /// reads the producers' end). A ring that a sender has filled again since the pop (or
    /// since a handed message left its slot free) has no room to offer: the pop of that
    /// sender's message tells the waiters, and none is woken to a full ring now.
    #[inline(always)]
    fn make_room(&self) {
        if self.tx.has_waiters() && self.ring.may_have_room() {
            self.make_room_slow();
        }
    }

    #[cold]
    #[inline(never)]
    fn make_room_slow(&self) {
        let deliver = |msg| self.ring.push(msg).map_err(PushError::into_inner);
        if let Some(armed) = self.tx.hand_over(deliver) {
            self.pushed(armed);
        }
    }

    /// Closes the channel from the consumer's side: pushes fail from now on, queued messages
    /// stay; every waiting sender wakes up and gets its message back.
    pub(crate) fn close(&self) {
        self.ring.close();
        self.tx.notify_all();
        self.rx.notify();
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.ring.is_closed()
    }

    pub(crate) fn len(&self) -> usize {
        self.ring.len()
    }

    pub(crate) fn capacity(&self) -> Option<usize> {
        self.ring.capacity()
    }

    /// A new `Sender` exists.
    pub(crate) fn add_sender(&self) {
        // Relaxed: the new sender is made from an existing one, which keeps the count above 0;
        // nothing is published through this increment (as in `Arc::clone`).
        let old = self.senders.fetch_add(1, Relaxed);
        assert!(old < usize::MAX / 2, "too many senders");
    }

    /// A `Sender` went away; the last one closes the ring and wakes the consumer, which then
    /// receives what is queued and sees `Closed`.
    pub(crate) fn drop_sender(&self) {
        // AcqRel: the last sender must see every other sender's pushes before closing (they
        // are ordered by the ring anyway; this keeps the count itself well-ordered).
        if self.senders.fetch_sub(1, AcqRel) == 1 {
            self.ring.close();
            self.rx.notify();
        }
    }
}

/// The consuming end of a channel. Exactly one exists per channel (made by [`channel`], not
/// `Clone`), and popping takes `&mut self`: "single consumer" holds by construction, which is
/// what the ring's `pop` requires.
pub(crate) struct Consumer<T> {
    chan: Arc<Chan<T>>,
    /// Between `register` and `unregister`: pops that find nothing arm the ring.
    registered: bool,
    /// A pop armed the ring since the last `register` (later pops only look, see `Look::Arm`).
    armed: bool,
}

impl<T> Consumer<T> {
    /// Takes the oldest message, telling `Empty` from `Busy`; a pop from a bounded ring makes
    /// room for a waiting sender.
    #[inline]
    pub(crate) fn pop(&mut self) -> Pop<T> {
        self.pop_looking(Look::Settle)
    }

    /// One poll of an async receive that takes any message: `Ready(Ok(msg))`,
    /// `Ready(Err(RecvError::Closed))` once the ring is closed and empty, or `Pending` with the
    /// task registered and the ring armed. The caller withdraws the registration
    /// (`unregister`) when the receive ends.
    ///
    /// A message at the head is taken inline; everything else (registering, arming, a message
    /// claimed but not yet written, a close) is in [`poll_recv_slow`](Self::poll_recv_slow).
    /// The result is built where the message is taken, in the type the receive returns: each
    /// conversion between enums on the way made LLVM copy a large message at odd offsets.
    #[inline(always)]
    pub(crate) fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Result<T, RecvError>> {
        match self.pop_published() {
            Ok(msg) => Poll::Ready(Ok(msg)),
            Err(head) => self.poll_recv_slow(head, cx),
        }
    }

    /// [`poll_recv`](Self::poll_recv) after the head (at `head`) held no message: register
    /// (again, if the task was woken without a message or polls with another waker), then
    /// arm the ring, which also takes a message claimed meanwhile.
    #[inline(never)]
    fn poll_recv_slow(&mut self, head: usize, cx: &mut Context<'_>) -> Poll<Result<T, RecvError>> {
        self.register(WaiterRef::Task(cx.waker()));
        // SAFETY: as in `pop_looking`; `head` is from our `pop_published`, no pop since.
        let pop = unsafe { self.chan.ring.arm(head, true) };
        match self.after_pop(pop) {
            Pop::Item(msg) => Poll::Ready(Ok(msg)),
            Pop::Closed => Poll::Ready(Err(RecvError::Closed)),
            Pop::Empty => {
                self.armed = true;
                Poll::Pending
            }
            // (An arming pop waits for a claimed slot instead.)
            Pop::Busy => Poll::Pending,
        }
    }

    /// Takes the message at the head if it is there to take: the fast path of every pop.
    /// `Err`: the consumer's position, for arming.
    #[inline(always)]
    pub(crate) fn pop_published(&mut self) -> Result<T, usize> {
        // SAFETY: as in `pop_looking`.
        let msg = unsafe { self.chan.ring.pop_published() }?;
        self.took_one();
        Ok(msg)
    }

    /// Passes a pop's result on, after [`took_one`](Self::took_one) if it took a message.
    #[inline(always)]
    fn after_pop(&self, pop: Pop<T>) -> Pop<T> {
        if let Pop::Item(_) = &pop {
            self.took_one();
        }
        pop
    }

    /// A pop took a message: from a bounded ring, that made room for a waiting sender. A
    /// message handed to the consumer counts too: it left its slot free when it was handed,
    /// and nobody has told the waiting senders (its producer may have been one, woken by an
    /// earlier pop).
    #[inline(always)]
    fn took_one(&self) {
        if let Ring::Bounded(_) = &self.chan.ring {
            self.chan.make_room();
        }
    }

    /// Takes the oldest message, for a receive that waits on `Empty` and `Busy` alike (it gets
    /// `Empty` for both, see `Look::Wait`). While registered, a pop that finds nothing arms the
    /// ring, so that the push of the next message wakes the consumer (and one that finds that
    /// message claimed but unwritten waits for it).
    #[inline(always)]
    pub(crate) fn pop_to_wait(&mut self) -> Pop<T> {
        if !self.registered {
            return self.pop_looking(Look::Wait);
        }
        let pop = self.pop_looking(Look::Arm { fresh: !self.armed });
        // `Empty` from an arming pop: the ring is armed for this registration.
        self.armed = matches!(pop, Pop::Empty);
        pop
    }

    #[inline(always)]
    fn pop_looking(&mut self, look: Look) -> Pop<T> {
        // SAFETY: `Consumer` is unique per channel and `pop` takes `&mut self`, so pops never
        // overlap and are ordered (a consumer moved to another thread is handed over by a
        // synchronising operation, as every `Send` value is).
        let pop = unsafe { self.chan.ring.pop(look) };
        self.after_pop(pop)
    }

    /// Registers the consumer to be woken by the next push or close. The caller must try to pop
    /// again (`pop_to_wait`) before it sleeps: that pop arms the ring if it finds nothing, which
    /// is what makes the next push wake the consumer, and its arming write is what carries the
    /// registration to that push (see `WaitCell`).
    pub(crate) fn register(&mut self, waiter: WaiterRef<'_>) {
        self.chan.rx.register(waiter);
        self.registered = true;
        self.armed = false;
    }

    /// The consumer stopped waiting. An arming it left stays until the next claim: that push
    /// wakes nobody (the cell is empty) and costs its producer one look at the cell.
    #[inline]
    pub(crate) fn unregister(&mut self) {
        self.chan.rx.unregister();
        self.registered = false;
        self.armed = false;
    }

    /// The shared core (for closing, lengths and the like).
    pub(crate) fn chan(&self) -> &Chan<T> {
        &self.chan
    }
}

#[cfg(test)]
mod tests;
