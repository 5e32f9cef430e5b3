//! [`Bridge`]: how plain threads (non-actor code) talk to actors — the post's `Bridge`, with
//! `call`, `multi_call` and `stop`, plus monitors and a mailbox of its own.

use std::any::Any;
use std::fmt;
use std::sync::{Arc, Weak};
use std::time::Duration;

use super::addr::{Addr, Address, AnyAddr};
use super::ask::{ask_result, send_ask, Missing};
use super::block::blocking_allowed;
use super::error::{AskError, WouldBlock};
use super::monitor::{Down, StopReason, Stopped};
use super::shared::{ActorId, AnyCore, Core, Kind};
use super::traits::Handler;
use crate::receive::deadline_after;
use crate::{Mailbox, Receive};

/// A message that reached a [`Bridge`]'s mailbox: untyped, with its sender.
pub struct Letter {
    msg: Box<dyn Any + Send>,
    sender: Option<AnyAddr>,
}

impl Letter {
    /// True if the message is a `T`.
    pub fn is<T: Any>(&self) -> bool {
        self.msg.is::<T>()
    }

    /// The message as a `T`, or the letter back if it is something else.
    ///
    /// # Errors
    ///
    /// The letter, unchanged, if the message is not a `T`.
    pub fn downcast<T: Any>(self) -> Result<T, Letter> {
        match self.msg.downcast::<T>() {
            Ok(msg) => Ok(*msg),
            Err(msg) => Err(Letter { msg, sender: self.sender }),
        }
    }

    /// Who sent it, if anyone.
    pub fn sender(&self) -> Option<&AnyAddr> {
        self.sender.as_ref()
    }

    /// The message, untyped.
    pub fn into_any(self) -> Box<dyn Any + Send> {
        self.msg
    }
}

impl fmt::Debug for Letter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Letter")
            .field("sender", &self.sender.as_ref().map(AnyAddr::id))
            .finish_non_exhaustive()
    }
}

/// The [`Kind`] of a bridge's mailbox: letters. The bridge owns its mailbox, so it stays open
/// while addresses come and go.
pub(crate) struct BridgeKind;

impl Kind for BridgeKind {
    type Item = Letter;
    const CLOSE_WITH_LAST_ADDRESS: bool = false;

    fn from_any(
        msg: Box<dyn Any + Send>,
        sender: Option<AnyAddr>,
    ) -> Result<Letter, Box<dyn Any + Send>> {
        Ok(Letter { msg, sender })
    }

    fn into_any(item: Letter) -> Box<dyn Any + Send> {
        item.msg
    }
}

/// Lets a plain thread talk to actors: [`call`](Bridge::call) (ask and wait),
/// [`multi_call`](Bridge::multi_call) (ask many, then wait for all),
/// [`stop`](Bridge::stop) (stop many, collect their [`Stopped`] confirmations).
///
/// A bridge has an address ([`addr`](Bridge::addr)) and a mailbox of its own, like an actor:
/// handlers see it as [`Context::sender`](super::Context::sender) of the messages it sends, so
/// they can [`reply`](super::Context::reply) extra messages to it; [`monitor`](Bridge::monitor)
/// makes [`Down`] notices arrive there too. Read them with [`recv`](Bridge::recv).
///
/// # Blocking and the runtime
///
/// Every call blocks the calling thread. On a thread that drives a tokio runtime (a worker
/// thread, or inside `block_on`) that could deadlock the runtime, so the bridge refuses
/// *before doing anything*: [`AskError::WouldBlock`] (with the message) or [`WouldBlock`].
/// Plain threads, `spawn_blocking` and threads that only entered a runtime's context are fine.
/// (The check asks tokio, and tokio's panic message about blocking is printed when it says no;
/// see the [module docs](super#blocking-and-the-runtime).)
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use tidings::actor::{spawn, Actor, Bridge, Context, Handler};
///
/// struct Echo;
/// impl Actor for Echo {}
/// impl Handler<u32> for Echo {
///     type Reply = u32;
///     async fn handle(&mut self, n: u32, _: &mut Context<Self>) -> u32 { n }
/// }
///
/// let runtime = tokio::runtime::Runtime::new().unwrap();
/// let _context = runtime.enter(); // spawn on it from this plain thread
/// let (a, b) = (spawn(Echo), spawn(Echo));
///
/// let bridge = Bridge::new();
/// let patience = Duration::from_secs(5);
/// assert_eq!(bridge.call(&a, 1, patience, 0).unwrap(), 1);
/// let replies = bridge.multi_call([(&a, 2), (&b, 3)], patience, 0);
/// assert_eq!(replies.into_iter().map(Result::unwrap).collect::<Vec<_>>(), [2, 3]);
/// let stopped = bridge.stop(&[&a, &b], patience).unwrap();
/// assert!(stopped.iter().all(Option::is_some));
/// ```
pub struct Bridge {
    core: Arc<Core<BridgeKind>>,
    mailbox: Mailbox<Letter>,
}

impl Bridge {
    /// A new bridge, with an empty mailbox.
    pub fn new() -> Self {
        let (tx, mailbox) = crate::unbounded();
        Self { core: Arc::new(Core::new(tx)), mailbox }
    }

    /// The bridge's id.
    pub fn id(&self) -> ActorId {
        self.core.id()
    }

    /// The bridge's address: give it to actors as a place to send things.
    pub fn addr(&self) -> AnyAddr {
        AnyAddr::from_core(self.core.clone())
    }

    /// Sends `msg` to `addr` (with this bridge as its sender) and waits up to `timeout` for
    /// the reply; returns `default` if none came in time (the post's `call`).
    ///
    /// # Errors
    ///
    /// [`AskError::WouldBlock`] (nothing sent) on a runtime thread; [`AskError::Closed`] if the
    /// actor is stopped; [`AskError::Panicked`] if the handler panicked;
    /// [`AskError::Unhandled`] / [`AskError::NoReply`] if the actor stopped abnormally before
    /// answering. A timeout is not an error: it returns `Ok(default)`.
    pub fn call<A, M>(
        &self,
        addr: &Addr<A>,
        msg: M,
        timeout: Duration,
        default: A::Reply,
    ) -> Result<A::Reply, AskError<M>>
    where
        A: Handler<M>,
        M: Send + 'static,
    {
        if !blocking_allowed() {
            return Err(AskError::WouldBlock(msg));
        }
        let pending = send_ask(addr.core(), msg, Some(self.addr()), deadline_after(timeout))?;
        match pending.wait() {
            Err(Missing::Timeout) => Ok(default),
            outcome => ask_result(outcome),
        }
    }

    /// Sends every request first, then waits for every reply: the replies, in request order;
    /// `default` for each that did not come within `timeout` (one deadline for all, counted
    /// from the call).
    ///
    /// # Errors
    ///
    /// Per request, as [`call`](Bridge::call). On a runtime thread, nothing is sent and every
    /// request comes back as [`AskError::WouldBlock`].
    pub fn multi_call<'a, A, M, I>(
        &self,
        requests: I,
        timeout: Duration,
        default: A::Reply,
    ) -> Vec<Result<A::Reply, AskError<M>>>
    where
        A: Handler<M>,
        A::Reply: Clone,
        M: Send + 'static,
        I: IntoIterator<Item = (&'a Addr<A>, M)>,
    {
        let requests = requests.into_iter();
        if !blocking_allowed() {
            return requests.map(|(_, msg)| Err(AskError::WouldBlock(msg))).collect();
        }
        let deadline = deadline_after(timeout);
        let sent: Vec<_> = requests
            .map(|(addr, msg)| send_ask(addr.core(), msg, Some(self.addr()), deadline))
            .collect();
        sent.into_iter()
            .map(|pending| match pending?.wait() {
                Err(Missing::Timeout) => Ok(default.clone()),
                outcome => ask_result(outcome),
            })
            .collect()
    }

    /// Stops every actor in `actors` and waits up to `timeout` for them to finish: their
    /// [`Stopped`] confirmations, in order, `None` for each still running at the deadline
    /// (the post's `stop`).
    ///
    /// Each actor handles the messages queued before the stop, runs `stopped`, then confirms
    /// (see [`Addr::stop`]). One already stopped confirms at once, with its original reason.
    ///
    /// # Errors
    ///
    /// [`WouldBlock`] on a runtime thread; nothing is stopped then.
    pub fn stop(
        &self,
        actors: &[&dyn Address],
        timeout: Duration,
    ) -> Result<Vec<Option<Stopped>>, WouldBlock> {
        if !blocking_allowed() {
            return Err(WouldBlock);
        }
        let deadline = deadline_after(timeout);
        let (tx, mut confirmations) = crate::unbounded::<(usize, Stopped)>();
        for (i, actor) in actors.iter().enumerate() {
            let core = actor.any_core();
            let tx = tx.clone();
            core.watch(Box::new(move |stopped| {
                let _ = tx.try_send((i, stopped.clone()));
            }));
            core.stop();
        }
        drop(tx);
        let mut out = vec![None; actors.len()];
        let mut left = actors.len();
        while left > 0 {
            let receive = confirmations.recv();
            let receive = match deadline {
                Some(deadline) => receive.deadline(deadline),
                None => receive,
            };
            match receive.wait() {
                Ok((i, stopped)) => {
                    out[i] = Some(stopped);
                    left -= 1;
                }
                Err(_) => break,
            }
        }
        Ok(out)
    }

    /// Monitors `target`: when it stops (or at once, if it already has), a [`Down`] arrives in
    /// this bridge's mailbox (a [`Letter`] without sender). Monitoring keeps neither alive.
    pub fn monitor<T: Address + ?Sized>(&self, target: &T) {
        let me: Weak<Core<BridgeKind>> = Arc::downgrade(&self.core);
        target.any_core().watch(Box::new(move |stopped| {
            if let Some(me) = me.upgrade() {
                let _ = me.send(Letter { msg: Box::new(Down::from(stopped)), sender: None });
            }
        }));
    }

    /// Receives from the bridge's mailbox: what handlers sent it with
    /// [`Context::reply`](super::Context::reply) or [`AnyAddr::tell`], and monitor notices.
    /// The core's [`Receive`] builder: `.matching(|l| l.is::<Down>())`, `.timeout(d)`, then
    /// `.wait()` here (or `.await` in a task).
    ///
    /// ```
    /// use std::time::Duration;
    /// use tidings::actor::{spawn, Actor, Bridge, Down, StopReason};
    ///
    /// struct Idle;
    /// impl Actor for Idle {}
    ///
    /// let runtime = tokio::runtime::Runtime::new().unwrap();
    /// let _context = runtime.enter();
    /// let idle = spawn(Idle);
    /// let mut bridge = Bridge::new();
    /// bridge.monitor(&idle);
    /// idle.stop();
    /// let letter = bridge.recv().timeout(Duration::from_secs(5)).wait().unwrap();
    /// let down: Down = letter.downcast().unwrap();
    /// assert_eq!((down.id, down.reason), (idle.id(), StopReason::Normal));
    /// ```
    pub fn recv(&mut self) -> Receive<&mut Mailbox<Letter>> {
        self.mailbox.recv()
    }

    /// The bridge's mailbox, for everything else the core offers (`try_recv`, `drain`, `len`).
    pub fn mailbox(&mut self) -> &mut Mailbox<Letter> {
        &mut self.mailbox
    }
}

impl Default for Bridge {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        self.core.finish(Stopped::new(self.core.id(), StopReason::Normal, 0));
    }
}

impl fmt::Debug for Bridge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bridge").field("id", &self.id()).field("mailbox", &self.mailbox).finish()
    }
}
