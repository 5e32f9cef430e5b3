//! [`Messenger`]: one end of a duplex link, and its constructors.

use std::error::Error;
use std::fmt;
use std::hash::Hash;

use super::channel::Channel;
use super::counter::RequestCounter;
use super::discipline::{ByPriority, Discipline, Fifo};
use super::error::MessengerError;
use super::inner::{any_available, next_message, next_payload, Core};
use super::message::{Message, MessageKind};
use super::queue::Prioritized;
use super::receiving::{Receiving, Remaining};
use crate::SendError;

/// One end of a duplex messenger link (coproc's `MultiMessenger`, and with
/// [`ByPriority`] its `PriorityMessenger`).
///
/// Made in pairs by [`Messenger::pair`] (messages of a channel in the order they were sent) or
/// [`PriorityMessenger::pair`](Messenger::pair) (lowest priority first); the two ends are
/// symmetric, and each is `Send`: move one into a task or thread (or let
/// [`Worker`](crate::Worker) do it) and keep the other.
///
/// * **Channels.** Every data message travels on a channel, any `C: Hash + Eq + Clone`. The
///   plain methods use the end's default channel (`C::default()` for [`pair`](Messenger::pair),
///   so `Option<MyChannel>` reproduces coproc's `None` channel); [`channel`](Messenger::channel)
///   addresses another. Each channel has its own queue and its own [`RequestCounter`], kept
///   for the life of the end (channels are meant to be a small, fixed set).
/// * **Requests and replies.** `send_request` counts a request, the peer answers with
///   `send_reply`, and [`remaining`](Messenger::remaining) says how many replies are still
///   expected; [`receive_remaining`](Messenger::receive_remaining) collects them.
/// * **Special messages.** [`send_error`](Messenger::send_error) and
///   [`send_close_request`](Messenger::send_close_request) make the peer's next receive, on any
///   channel, return [`MessengerError::Peer`] / [`MessengerError::CloseRequested`].
/// * **Receiving.** [`receive`](Messenger::receive) returns a builder: `.await` it in a task or
///   `.wait()` on a thread, with `.timeout(d)` in between; [`receive_blocking`] is
///   `receive().wait()`. [`available`](Messenger::available) and
///   [`receive_available`](Messenger::receive_available) never wait.
///
/// Sending never waits (the link is unbounded, like coproc's pipe in practice), so the send
/// methods are plain functions for tasks and threads alike; a failed send means the peer is
/// gone, and gives the message back.
///
/// Methods take `&mut self`: an end has one user at a time, like a [`Mailbox`](crate::Mailbox).
/// That keeps the counters meaningful (one side's view of its requests) and the hot path free
/// of locks. To share an end between tasks, put it behind a `Mutex`.
///
/// [`receive_blocking`]: Messenger::receive_blocking
///
/// # Examples
///
/// ```
/// use tidings::{Messenger, MessengerError};
///
/// # tokio_test::block_on(async {
/// let (mut host, mut worker) = Messenger::<(), String>::pair();
///
/// // The worker side on a plain thread, with blocking calls.
/// let echo = std::thread::spawn(move || loop {
///     match worker.receive_blocking() {
///         Ok(text) => worker.send_reply(text.to_uppercase()).unwrap(),
///         Err(MessengerError::CloseRequested) => break,
///         Err(err) => panic!("unexpected: {err}"),
///     }
/// });
///
/// // The host side in a task, with `.await`.
/// host.send_request("hello".to_string()).unwrap();
/// assert_eq!(host.remaining(), 1);
/// assert_eq!(host.receive().await.unwrap(), "HELLO");
/// assert_eq!(host.remaining(), 0);
///
/// host.send_close_request().unwrap();
/// echo.join().unwrap();
/// # });
/// ```
pub struct Messenger<C, T, Q: Discipline<T> = Fifo> {
    core: Core<C, T, Q>,
    default: C,
}

/// A [`Messenger`] whose channels hand out the lowest priority value first (coproc's
/// `PriorityMessenger`): first in first out among equal priorities, messages without a
/// priority after every prioritized one.
///
/// Make a pair with [`PriorityMessenger::pair`](Messenger::pair) (priorities from
/// [`Prioritized`]) or [`PriorityMessenger::pair_with_key`](Messenger::pair_with_key).
///
/// ```
/// use tidings::{PriorityMessenger, Prioritized};
///
/// #[derive(Debug, PartialEq)]
/// enum Msg { Warning(&'static str), Data(i32) }
///
/// impl Prioritized for Msg {
///     fn priority(&self) -> Option<i64> {
///         match self {
///             Msg::Warning(_) => Some(0),
///             Msg::Data(_) => Some(1),
///         }
///     }
/// }
///
/// let (mut worker, mut host) = PriorityMessenger::<(), Msg>::pair();
/// worker.send_reply(Msg::Data(-1)).unwrap();
/// worker.send_norequest(Msg::Warning("negative number")).unwrap();
/// let got = host.receive_available().unwrap();
/// assert_eq!(got, [Msg::Warning("negative number"), Msg::Data(-1)]);
/// ```
pub type PriorityMessenger<C, T> = Messenger<C, T, ByPriority<T>>;

impl<C: Hash + Eq + Clone + Default, T> Messenger<C, T> {
    /// Two connected ends whose channels are first in, first out (coproc's `MultiMessenger`);
    /// the default channel is `C::default()`.
    ///
    /// Name the types (`Messenger::<C, T>::pair()`): without them, `Messenger::pair` could
    /// also mean [`PriorityMessenger::pair`](Messenger::pair), and the compiler asks which.
    ///
    /// ```
    /// let (mut a, mut b) = tidings::Messenger::<(), u8>::pair();
    /// a.send_norequest(1).unwrap();
    /// a.send_norequest(2).unwrap();
    /// assert_eq!(b.receive_available().unwrap(), [1, 2]);
    /// ```
    pub fn pair() -> (Self, Self) {
        Self::pair_with(C::default(), Fifo)
    }
}

impl<C: Hash + Eq + Clone + Default, T> Messenger<C, T, ByPriority<T>> {
    /// Two connected ends ordering each channel by [`Prioritized::priority`] (coproc's
    /// `PriorityMessenger`); the default channel is `C::default()`.
    pub fn pair() -> (Self, Self)
    where
        T: Prioritized + 'static,
    {
        Self::pair_with(C::default(), ByPriority::by_trait())
    }

    /// Two connected ends ordering each channel by `key` (lower first; `None` behind every
    /// prioritized message). Both ends use it on the messages they receive.
    ///
    /// ```
    /// use tidings::PriorityMessenger;
    ///
    /// // Shortest text first.
    /// let (mut a, mut b) = PriorityMessenger::<(), &str>::pair_with_key(|s| Some(s.len() as i64));
    /// for s in ["ccc", "a", "bb"] {
    ///     a.send_norequest(s).unwrap();
    /// }
    /// assert_eq!(b.receive_available().unwrap(), ["a", "bb", "ccc"]);
    /// ```
    pub fn pair_with_key<F>(key: F) -> (Self, Self)
    where
        F: Fn(&T) -> Option<i64> + Send + Sync + 'static,
    {
        Self::pair_with(C::default(), ByPriority::with_key(key))
    }
}

impl<C: Hash + Eq + Clone, T, Q: Discipline<T> + Clone> Messenger<C, T, Q> {
    /// Two connected ends with an explicit default channel (for channel types without a
    /// `Default`) and ordering ([`Fifo`] or [`ByPriority`]).
    ///
    /// ```
    /// use tidings::messenger::Fifo;
    /// use tidings::Messenger;
    ///
    /// let (mut a, mut b) = Messenger::<&str, u8>::pair_with("data", Fifo);
    /// a.send_norequest(1).unwrap();
    /// assert_eq!(b.channel("data").receive_available().unwrap(), [1]);
    /// ```
    pub fn pair_with(default_channel: C, discipline: Q) -> (Self, Self) {
        let (a, b) = Core::pair(discipline);
        (
            Self { core: a, default: default_channel.clone() },
            Self { core: b, default: default_channel },
        )
    }
}

impl<C: Hash + Eq + Clone, T, Q: Discipline<T>> Messenger<C, T, Q> {
    /// A view of `channel`: the same sending, receiving and counting methods, on that channel
    /// instead of the default one.
    ///
    /// ```
    /// #[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
    /// enum Ch { #[default] Data, Warning }
    ///
    /// let (mut worker, mut host) = tidings::Messenger::<Ch, String>::pair();
    /// worker.send_norequest("42".into()).unwrap();
    /// worker.channel(Ch::Warning).send_norequest("data must be positive".into()).unwrap();
    ///
    /// assert_eq!(host.channel(Ch::Warning).receive_available().unwrap(), ["data must be positive"]);
    /// assert_eq!(host.receive_available().unwrap(), ["42"]);
    /// ```
    pub fn channel(&mut self, channel: C) -> Channel<'_, C, T, Q> {
        Channel::new(&mut self.core, channel)
    }

    /// Sends `msg` as a request on the default channel and counts it: the peer is expected to
    /// answer with [`send_reply`](Messenger::send_reply).
    ///
    /// # Errors
    ///
    /// [`SendError`] with the message if the peer is gone (nothing is counted then).
    pub fn send_request(&mut self, msg: T) -> Result<(), SendError<T>> {
        self.core.send(&self.default, MessageKind::Request, msg)
    }

    /// Sends `msg` as a reply on the default channel; the peer counts it against its
    /// requests when it takes it.
    ///
    /// # Errors
    ///
    /// [`SendError`] with the message if the peer is gone.
    pub fn send_reply(&mut self, msg: T) -> Result<(), SendError<T>> {
        self.core.send(&self.default, MessageKind::Reply, msg)
    }

    /// Sends `msg` on the default channel without expecting a reply.
    ///
    /// # Errors
    ///
    /// [`SendError`] with the message if the peer is gone.
    pub fn send_norequest(&mut self, msg: T) -> Result<(), SendError<T>> {
        self.core.send(&self.default, MessageKind::NoRequest, msg)
    }

    /// Sends every message of `msgs` as a request on the default channel, in order, and
    /// returns how many were sent.
    ///
    /// # Errors
    ///
    /// [`SendError`] with the first message that could not be sent (the peer is gone). The
    /// messages before it were sent and counted; the ones after it were not taken from the
    /// iterator — pass `iter.by_ref()` to keep them.
    pub fn send_request_multiple<I>(&mut self, msgs: I) -> Result<usize, SendError<T>>
    where
        I: IntoIterator<Item = T>,
    {
        send_multiple(&mut self.core, &self.default, msgs)
    }

    /// How many data messages are queued on the default channel. Never waits; special
    /// messages are not counted (the next receive returns them).
    pub fn available(&mut self) -> usize {
        self.core.pull();
        self.core.queued(&self.default)
    }

    /// Takes every data message queued on the default channel now (an empty `Vec` if there
    /// is none). Never waits.
    ///
    /// # Errors
    ///
    /// A pending special message from the peer ([`MessengerError::Peer`],
    /// [`MessengerError::CloseRequested`]) — then nothing is taken;
    /// [`MessengerError::Disconnected`] if nothing is queued and the peer is gone.
    pub fn receive_available(&mut self) -> Result<Vec<T>, MessengerError> {
        self.core.receive_available(&self.default)
    }

    /// Receives the next message of the default channel: `.await` it, or `.wait()` on a
    /// thread, optionally after `.timeout(d)`. See [`Receiving`] for what it returns.
    ///
    /// # Cancel safety
    ///
    /// The future is cancel-safe: dropping it takes nothing (see
    /// [`ReceivingFuture`](super::ReceivingFuture)).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use tidings::{Messenger, MessengerError};
    ///
    /// # tokio_test::block_on(async {
    /// let (mut a, mut b) = Messenger::<(), u32>::pair();
    /// a.send_norequest(1).unwrap();
    /// assert_eq!(b.receive().await.unwrap(), 1);
    /// let timed_out = b.receive().timeout(Duration::from_millis(5)).await;
    /// assert!(matches!(timed_out, Err(MessengerError::Timeout)));
    /// # });
    /// ```
    pub fn receive(&mut self) -> Receiving<'_, C, T, Q, T> {
        Receiving::new(&mut self.core, &mut self.default, next_payload)
    }

    /// Receives the next message of the default channel on this thread: `receive().wait()`.
    ///
    /// # Errors
    ///
    /// As [`Receiving::wait`]: a special message, `Disconnected`.
    ///
    /// # Panics
    ///
    /// If it has to wait on a thread that drives a tokio runtime: use `receive().await`.
    #[track_caller]
    pub fn receive_blocking(&mut self) -> Result<T, MessengerError> {
        self.receive().wait()
    }

    /// Like [`receive`](Messenger::receive), but returns the [`Message`] with its kind
    /// (request, reply or norequest), for a peer that answers requests and notices alike.
    ///
    /// # Cancel safety
    ///
    /// The future is cancel-safe, as [`receive`](Messenger::receive)'s.
    pub fn receive_message(&mut self) -> Receiving<'_, C, T, Q, Message<T>> {
        Receiving::new(&mut self.core, &mut self.default, next_message)
    }

    /// Waits until at least one data message is queued on *any* channel, and returns how many
    /// are queued on all channels together. Takes nothing. `.await` it or `.wait()`, with an
    /// optional `.timeout(d)`.
    ///
    /// A pending special message is returned as an error, as by every receive.
    ///
    /// # Cancel safety
    ///
    /// The future is cancel-safe: it takes nothing but special messages, and only when it
    /// returns one.
    ///
    /// # Examples
    ///
    /// ```
    /// let (mut a, mut b) = tidings::Messenger::<u8, &str>::pair();
    /// a.channel(7).send_norequest("on channel 7").unwrap();
    /// assert_eq!(b.await_available().wait().unwrap(), 1);
    /// assert_eq!(b.available(), 0); // the default channel (0) is empty
    /// assert_eq!(b.channel(7).receive_blocking().unwrap(), "on channel 7");
    /// ```
    pub fn await_available(&mut self) -> Receiving<'_, C, T, Q, usize> {
        Receiving::new(&mut self.core, &mut self.default, any_available)
    }

    /// The replies still expected on the default channel, until
    /// [`remaining`](Messenger::remaining) reaches 0: a stream for tasks, and on threads a
    /// blocking iterator through `IntoIterator` (`for reply in m.receive_remaining()`, or
    /// `.into_iter()`); see [`Remaining`].
    ///
    /// # Cancel safety
    ///
    /// The stream is cancel-safe: a dropped `next()` takes nothing.
    pub fn receive_remaining(&mut self) -> Remaining<'_, C, T, Q> {
        Remaining::new(&mut self.core, &mut self.default)
    }

    /// Requests sent minus replies taken on the default channel; negative if the peer sent
    /// more replies than it was asked for.
    pub fn remaining(&self) -> i64 {
        self.counters().remaining()
    }

    /// The default channel's counters.
    pub fn counters(&self) -> RequestCounter {
        self.core.counters(&self.default)
    }
}

/// The end-wide methods: they need nothing of the channel type.
impl<C, T, Q: Discipline<T>> Messenger<C, T, Q> {
    /// The channel the plain methods use.
    pub fn default_channel(&self) -> &C {
        &self.default
    }

    /// Sends an error to the peer: its next receive, on any channel, returns
    /// `Err(MessengerError::Peer(err))`, ahead of any data queued there (which stays for the
    /// receive after). Not counted. The peer gets the very value back with
    /// [`MessengerError::downcast_peer`].
    ///
    /// # Errors
    ///
    /// [`SendError`] with the error if the peer is gone.
    pub fn send_error<E>(&mut self, err: E) -> Result<(), SendError<E>>
    where
        E: Error + Send + Sync + 'static,
    {
        self.core.send_error(Box::new(err)).map_err(|back| match back.downcast::<E>() {
            Ok(err) => SendError(*err),
            Err(_) => unreachable!("the boxed error comes back with its type"),
        })
    }

    /// Asks the peer to close: its next receive, on any channel — or the one it is blocked
    /// in — returns `Err(MessengerError::CloseRequested)`, ahead of any queued data (which
    /// stays). Not counted.
    ///
    /// # Errors
    ///
    /// `SendError(())` if the peer is gone.
    pub fn send_close_request(&mut self) -> Result<(), SendError<()>> {
        self.core.send_close_request()
    }

    /// True once the peer's end is gone: every send fails from now on. (Data it sent before
    /// may still be queued here.)
    pub fn is_disconnected(&self) -> bool {
        self.core.is_disconnected()
    }
}

/// Sends every message of `msgs` as a request on `channel`.
pub(super) fn send_multiple<
    C: Hash + Eq + Clone,
    T,
    Q: Discipline<T>,
    I: IntoIterator<Item = T>,
>(
    core: &mut Core<C, T, Q>,
    channel: &C,
    msgs: I,
) -> Result<usize, SendError<T>> {
    let mut sent = 0;
    for msg in msgs {
        core.send(channel, MessageKind::Request, msg)?;
        sent += 1;
    }
    Ok(sent)
}

impl<C, T, Q: Discipline<T>> fmt::Debug for Messenger<C, T, Q> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (channels, queued, specials, disconnected) = self.core.debug_fields();
        f.debug_struct("Messenger")
            .field("channels", &channels)
            .field("queued", &queued)
            .field("pending_specials", &specials)
            .field("disconnected", &disconnected)
            .finish_non_exhaustive()
    }
}
