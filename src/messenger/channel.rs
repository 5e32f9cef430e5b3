//! [`Channel`]: a view of one channel of a messenger end.

use std::fmt;
use std::hash::Hash;

use super::counter::RequestCounter;
use super::discipline::Discipline;
use super::end::send_multiple;
use super::error::MessengerError;
use super::inner::{next_message, next_payload, Core};
use super::message::{Message, MessageKind};
use super::receiving::{Receiving, Remaining};
use crate::SendError;

/// One channel of a [`Messenger`](crate::Messenger) end, made by
/// [`Messenger::channel`](crate::Messenger::channel): the end's per-channel methods, on this
/// channel. Each method behaves exactly as the [`Messenger`](crate::Messenger) method of the
/// same name does on the default channel.
///
/// Special messages are per end, not per channel: a receive here returns a pending error or
/// close request from the peer too, and sending them is done on the end.
///
/// ```
/// let (mut host, mut worker) = tidings::Messenger::<&str, u32>::pair();
/// host.channel("jobs").send_request(5).unwrap();
/// assert_eq!(host.channel("jobs").remaining(), 1);
/// assert_eq!(host.remaining(), 0); // the default channel ("") has no requests
///
/// let job = worker.channel("jobs").receive_blocking().unwrap();
/// worker.channel("jobs").send_reply(job * 2).unwrap();
/// assert_eq!(host.channel("jobs").receive_blocking().unwrap(), 10);
/// assert_eq!(host.channel("jobs").remaining(), 0);
/// ```
pub struct Channel<'a, C, T, Q: Discipline<T>> {
    core: &'a mut Core<C, T, Q>,
    channel: C,
}

impl<'a, C: Hash + Eq + Clone, T, Q: Discipline<T>> Channel<'a, C, T, Q> {
    pub(crate) fn new(core: &'a mut Core<C, T, Q>, channel: C) -> Self {
        Self { core, channel }
    }

    /// The channel this view addresses.
    pub fn id(&self) -> &C {
        &self.channel
    }

    /// Sends `msg` as a request on this channel and counts it;
    /// see [`Messenger::send_request`](crate::Messenger::send_request).
    ///
    /// # Errors
    ///
    /// [`SendError`] with the message if the peer is gone.
    pub fn send_request(&mut self, msg: T) -> Result<(), SendError<T>> {
        self.core.send(&self.channel, MessageKind::Request, msg)
    }

    /// Sends `msg` as a reply on this channel;
    /// see [`Messenger::send_reply`](crate::Messenger::send_reply).
    ///
    /// # Errors
    ///
    /// [`SendError`] with the message if the peer is gone.
    pub fn send_reply(&mut self, msg: T) -> Result<(), SendError<T>> {
        self.core.send(&self.channel, MessageKind::Reply, msg)
    }

    /// Sends `msg` on this channel without expecting a reply;
    /// see [`Messenger::send_norequest`](crate::Messenger::send_norequest).
    ///
    /// # Errors
    ///
    /// [`SendError`] with the message if the peer is gone.
    pub fn send_norequest(&mut self, msg: T) -> Result<(), SendError<T>> {
        self.core.send(&self.channel, MessageKind::NoRequest, msg)
    }

    /// Sends every message of `msgs` as a request on this channel;
    /// see [`Messenger::send_request_multiple`](crate::Messenger::send_request_multiple).
    ///
    /// # Errors
    ///
    /// [`SendError`] with the first message that could not be sent.
    pub fn send_request_multiple<I>(&mut self, msgs: I) -> Result<usize, SendError<T>>
    where
        I: IntoIterator<Item = T>,
    {
        send_multiple(self.core, &self.channel, msgs)
    }

    /// How many data messages are queued on this channel; never waits.
    pub fn available(&mut self) -> usize {
        self.core.pull();
        self.core.queued(&self.channel)
    }

    /// Takes every data message queued on this channel now; never waits;
    /// see [`Messenger::receive_available`](crate::Messenger::receive_available).
    ///
    /// # Errors
    ///
    /// A pending special message, or `Disconnected` if nothing is queued here and the peer
    /// is gone.
    pub fn receive_available(&mut self) -> Result<Vec<T>, MessengerError> {
        self.core.receive_available(&self.channel)
    }

    /// Receives the next message of this channel (`.await` or `.wait()`);
    /// see [`Messenger::receive`](crate::Messenger::receive).
    ///
    /// # Cancel safety
    ///
    /// The future is cancel-safe: dropping it takes nothing.
    pub fn receive(&mut self) -> Receiving<'_, C, T, Q, T> {
        Receiving::new(self.core, &mut self.channel, next_payload)
    }

    /// Receives the next message of this channel on this thread: `receive().wait()`.
    ///
    /// # Errors
    ///
    /// A special message, or `Disconnected`; see [`Receiving::wait`].
    ///
    /// # Panics
    ///
    /// If it has to wait on a thread that drives a tokio runtime.
    #[track_caller]
    pub fn receive_blocking(&mut self) -> Result<T, MessengerError> {
        self.receive().wait()
    }

    /// Receives the next message of this channel with its kind;
    /// see [`Messenger::receive_message`](crate::Messenger::receive_message).
    ///
    /// # Cancel safety
    ///
    /// The future is cancel-safe: dropping it takes nothing.
    pub fn receive_message(&mut self) -> Receiving<'_, C, T, Q, Message<T>> {
        Receiving::new(self.core, &mut self.channel, next_message)
    }

    /// The replies still expected on this channel;
    /// see [`Messenger::receive_remaining`](crate::Messenger::receive_remaining).
    ///
    /// # Cancel safety
    ///
    /// The stream is cancel-safe: a dropped `next()` takes nothing.
    pub fn receive_remaining(&mut self) -> Remaining<'_, C, T, Q> {
        Remaining::new(self.core, &mut self.channel)
    }

    /// Requests sent minus replies taken on this channel.
    pub fn remaining(&self) -> i64 {
        self.counters().remaining()
    }

    /// This channel's counters.
    pub fn counters(&self) -> RequestCounter {
        self.core.counters(&self.channel)
    }
}

impl<C: fmt::Debug, T, Q: Discipline<T>> fmt::Debug for Channel<'_, C, T, Q> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Channel").field("id", &self.channel).finish_non_exhaustive()
    }
}
