//! [`Core`]: the state of one end — the two mailboxes, the local per-channel queues, the
//! counters and the pending special messages — and the one receive loop every receive uses.

use std::collections::{HashMap, VecDeque};
use std::error::Error;
use std::hash::Hash;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use futures_core::Stream;

use super::counter::RequestCounter;
use super::discipline::Discipline;
use super::error::MessengerError;
use super::message::{Envelope, Message, MessageKind};
use crate::{Mailbox, RecvError, SendError, Sender};

/// What a receive takes once the specials are out of the way: from one channel's queue (or,
/// for `await_available`, a count over every channel). `None`: nothing yet.
pub(crate) type Take<C, T, Q, O> = fn(&mut Core<C, T, Q>, &C) -> Option<O>;

/// One end of a duplex link.
///
/// Each end owns the mailbox the peer sends into (`rx`) and a sender into the peer's mailbox
/// (`tx`). A receive first moves everything queued in `rx` into the local per-channel queues
/// (`lanes`) and sets special messages aside (`specials`), so that specials overtake data and
/// each channel can be read on its own. Only then does it take from a lane; it waits on `rx`
/// (the one thing that can change) only when nothing it wants is there.
pub(crate) struct Core<C, T, Q: Discipline<T>> {
    tx: Sender<Envelope<C, T>>,
    rx: Mailbox<Envelope<C, T>>,
    lanes: HashMap<C, Lane<Q::Queue>>,
    /// Errors and close requests, oldest first, returned before any data.
    specials: VecDeque<Special>,
    discipline: Q,
    /// Set once `rx` is closed and empty: every sender (the peer's end) is gone.
    peer_gone: bool,
}

/// One channel, as seen by one end.
struct Lane<Qu> {
    queue: Qu,
    counter: RequestCounter,
}

impl<Qu: Default> Default for Lane<Qu> {
    fn default() -> Self {
        Self { queue: Qu::default(), counter: RequestCounter::default() }
    }
}

/// A special message, set aside until a receive returns it.
enum Special {
    Error(Box<dyn Error + Send + Sync + 'static>),
    CloseRequest,
}

impl From<Special> for MessengerError {
    fn from(special: Special) -> Self {
        match special {
            Special::Error(err) => MessengerError::Peer(err),
            Special::CloseRequest => MessengerError::CloseRequested,
        }
    }
}

impl<C: Hash + Eq + Clone, T, Q: Discipline<T> + Clone> Core<C, T, Q> {
    /// Two ends, each sending into the other's unbounded mailbox.
    pub(crate) fn pair(discipline: Q) -> (Self, Self) {
        let (tx_a, rx_a) = crate::unbounded();
        let (tx_b, rx_b) = crate::unbounded();
        (Self::new(tx_b, rx_a, discipline.clone()), Self::new(tx_a, rx_b, discipline))
    }
}

impl<C: Hash + Eq + Clone, T, Q: Discipline<T>> Core<C, T, Q> {
    fn new(tx: Sender<Envelope<C, T>>, rx: Mailbox<Envelope<C, T>>, discipline: Q) -> Self {
        Self {
            tx,
            rx,
            lanes: HashMap::new(),
            specials: VecDeque::new(),
            discipline,
            peer_gone: false,
        }
    }

    // ---- sending ----

    /// Sends a data message on `channel` and counts it; the payload comes back if the peer
    /// is gone (nothing is counted then).
    pub(crate) fn send(
        &mut self,
        channel: &C,
        kind: MessageKind,
        payload: T,
    ) -> Result<(), SendError<T>> {
        let envelope = Envelope::Data { channel: channel.clone(), msg: Message { kind, payload } };
        if let Err(err) = self.tx.try_send(envelope) {
            // The mailbox is unbounded: the only failure is Closed, and it returns our envelope.
            let Envelope::Data { msg, .. } = err.into_inner() else {
                unreachable!("a failed send returns the envelope that was sent")
            };
            return Err(SendError(msg.payload));
        }
        let bump = |counter: &mut RequestCounter| {
            counter.sent += 1;
            if kind == MessageKind::Request {
                counter.requests += 1;
            }
        };
        // Clone the channel for the map only the first time it is used.
        if let Some(lane) = self.lanes.get_mut(channel) {
            bump(&mut lane.counter);
        } else {
            let mut lane = Lane::default();
            bump(&mut lane.counter);
            self.lanes.insert(channel.clone(), lane);
        }
        Ok(())
    }

    // ---- sorting what arrived ----

    /// Moves everything queued in the mailbox now into the lanes and the specials. Never waits,
    /// and stops at what was queued when it began, so a fast peer cannot keep it looping.
    pub(crate) fn pull(&mut self) {
        // Field by field: the drain borrows `rx` while the envelopes go into the lanes.
        for envelope in self.rx.drain() {
            sort(&mut self.lanes, &mut self.specials, &self.discipline, envelope);
        }
        // Closed and empty: the peer's sender is gone and everything it sent is sorted.
        if self.rx.is_closed() && self.rx.is_empty() {
            self.peer_gone = true;
        }
    }

    fn sort_one(&mut self, envelope: Envelope<C, T>) {
        sort(&mut self.lanes, &mut self.specials, &self.discipline, envelope);
    }

    // ---- taking ----

    /// The oldest pending special message, as the error a receive returns.
    fn take_special(&mut self) -> Option<MessengerError> {
        self.specials.pop_front().map(MessengerError::from)
    }

    /// Takes the next data message of `channel` from its lane, counting it.
    pub(crate) fn take(&mut self, channel: &C) -> Option<Message<T>> {
        let lane = self.lanes.get_mut(channel)?;
        let msg = Q::pop(&mut lane.queue)?;
        lane.counter.received += 1;
        if msg.kind == MessageKind::Reply {
            lane.counter.replies += 1;
        }
        Some(msg)
    }

    /// Messages sorted into `channel`'s lane (call [`pull`](Core::pull) first).
    pub(crate) fn queued(&self, channel: &C) -> usize {
        self.lanes.get(channel).map_or(0, |lane| Q::len(&lane.queue))
    }

    pub(crate) fn counters(&self, channel: &C) -> RequestCounter {
        self.lanes.get(channel).map_or_else(RequestCounter::default, |lane| lane.counter)
    }

    /// Everything queued on `channel` now; a pending special first, `Disconnected` if nothing
    /// is queued and the peer is gone. Never waits.
    pub(crate) fn receive_available(&mut self, channel: &C) -> Result<Vec<T>, MessengerError> {
        self.pull();
        if let Some(err) = self.take_special() {
            return Err(err);
        }
        let mut out = Vec::with_capacity(self.queued(channel));
        while let Some(msg) = self.take(channel) {
            out.push(msg.payload);
        }
        if out.is_empty() && self.peer_gone {
            return Err(MessengerError::Disconnected);
        }
        Ok(out)
    }

    // ---- the receive loop ----

    /// One non-waiting attempt: sort what arrived, then a special, then what `take` wants,
    /// then `Disconnected` if nothing more can come. `None`: wait for the mailbox.
    fn check<O>(
        &mut self,
        channel: &C,
        take: Take<C, T, Q, O>,
    ) -> Option<Result<O, MessengerError>> {
        self.pull();
        if let Some(err) = self.take_special() {
            return Some(Err(err));
        }
        if let Some(out) = take(self, channel) {
            return Some(Ok(out));
        }
        if self.peer_gone {
            return Some(Err(MessengerError::Disconnected));
        }
        None
    }

    /// Receives on this thread, parking it on the mailbox until `take` is satisfied, a special
    /// arrives, the peer is gone, or `deadline` passes.
    #[track_caller]
    pub(crate) fn wait<O>(
        &mut self,
        channel: &C,
        take: Take<C, T, Q, O>,
        deadline: Option<Instant>,
    ) -> Result<O, MessengerError> {
        let mut checked = false;
        loop {
            if let Some(result) = self.check(channel, take) {
                return result;
            }
            if !checked {
                // Name the messenger call in the panic, rather than the mailbox's.
                crate::wait::assert_blocking_allowed(
                    "a blocking messenger receive (`receive_blocking`, `.wait()`, or iterating `receive_remaining`)",
                );
                checked = true;
            }
            let receive = self.rx.recv();
            let receive = match deadline {
                Some(at) => receive.deadline(at),
                None => receive,
            };
            match receive.wait() {
                Ok(envelope) => self.sort_one(envelope),
                Err(RecvError::Closed) => self.peer_gone = true,
                // `NoTags` is the registry's; a mailbox receive only times out.
                Err(RecvError::Timeout | RecvError::NoTags) => return Err(MessengerError::Timeout),
            }
        }
    }

    /// One poll of an async receive. The mailbox's stream follows the waiting rule (try →
    /// register → try again); an envelope it yields is sorted at once, within this poll, so a
    /// receive future dropped at any await point has lost nothing.
    pub(crate) fn poll<O>(
        &mut self,
        channel: &C,
        take: Take<C, T, Q, O>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<O, MessengerError>> {
        loop {
            if let Some(result) = self.check(channel, take) {
                return Poll::Ready(result);
            }
            match Pin::new(&mut self.rx).poll_next(cx) {
                Poll::Ready(Some(envelope)) => self.sort_one(envelope),
                Poll::Ready(None) => self.peer_gone = true,
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

impl<C, T, Q: Discipline<T>> Core<C, T, Q> {
    /// Sends an error to the peer; the error comes back (boxed) if the peer is gone.
    pub(crate) fn send_error(
        &mut self,
        err: Box<dyn Error + Send + Sync + 'static>,
    ) -> Result<(), Box<dyn Error + Send + Sync + 'static>> {
        match self.tx.try_send(Envelope::Error(err)) {
            Ok(()) => Ok(()),
            Err(err) => match err.into_inner() {
                Envelope::Error(err) => Err(err),
                _ => unreachable!("a failed send returns the envelope that was sent"),
            },
        }
    }

    /// Asks the peer to close; `Err(SendError(()))` if the peer is gone.
    pub(crate) fn send_close_request(&mut self) -> Result<(), SendError<()>> {
        self.tx.try_send(Envelope::CloseRequest).map_err(|_| SendError(()))
    }

    /// True once the peer's end is gone (its mailbox is dropped): sends fail from now on.
    pub(crate) fn is_disconnected(&self) -> bool {
        self.tx.is_closed()
    }

    /// Messages sorted into every lane (call [`pull`](Core::pull) first).
    pub(crate) fn queued_total(&self) -> usize {
        self.lanes.values().map(|lane| Q::len(&lane.queue)).sum()
    }

    /// A summary for `Debug`: lanes, queued data, pending specials, peer state.
    pub(crate) fn debug_fields(&self) -> (usize, usize, usize, bool) {
        (self.lanes.len(), self.queued_total(), self.specials.len(), self.is_disconnected())
    }
}

/// Puts one envelope where it belongs: data into its channel's lane, specials aside.
fn sort<C: Hash + Eq, T, Q: Discipline<T>>(
    lanes: &mut HashMap<C, Lane<Q::Queue>>,
    specials: &mut VecDeque<Special>,
    discipline: &Q,
    envelope: Envelope<C, T>,
) {
    match envelope {
        Envelope::Data { channel, msg } => {
            discipline.push(&mut lanes.entry(channel).or_default().queue, msg);
        }
        Envelope::Error(err) => specials.push_back(Special::Error(err)),
        Envelope::CloseRequest => specials.push_back(Special::CloseRequest),
    }
}

/// [`Take`] for `receive`: the next payload of the channel.
pub(crate) fn next_payload<C: Hash + Eq + Clone, T, Q: Discipline<T>>(
    core: &mut Core<C, T, Q>,
    channel: &C,
) -> Option<T> {
    core.take(channel).map(|msg| msg.payload)
}

/// [`Take`] for `receive_message`: the next message of the channel, with its kind.
pub(crate) fn next_message<C: Hash + Eq + Clone, T, Q: Discipline<T>>(
    core: &mut Core<C, T, Q>,
    channel: &C,
) -> Option<Message<T>> {
    core.take(channel)
}

/// [`Take`] for `await_available`: how many data messages are queued on every channel, once
/// there is at least one. Takes nothing.
pub(crate) fn any_available<C: Hash + Eq + Clone, T, Q: Discipline<T>>(
    core: &mut Core<C, T, Q>,
    _: &C,
) -> Option<usize> {
    Some(core.queued_total()).filter(|&n| n > 0)
}
