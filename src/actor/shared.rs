//! The shared part of every actor, process and bridge: its id, the sending end of its mailbox,
//! its count of live addresses, and its life (running with watchers, or stopped with a reason).
//!
//! One [`Core`] is allocated per actor (in the same `Arc` as everything else it shares), and
//! every address type is an `Arc` of it. Internal references (the actor's own context, the
//! future of `wait_stopped`, a monitor's weak link) do not count as addresses: only the public
//! handles do ([`Addr`](super::Addr), [`AnyAddr`], [`Recipient`](super::Recipient),
//! [`Pid`](super::Pid)), through [`acquire`](AnyCore::acquire) and
//! [`release`](AnyCore::release). When the last one goes, the mailbox closes and the actor
//! stops once it has handled what was queued.

use std::any::Any;
use std::fmt;
use std::sync::atomic::Ordering::{AcqRel, Relaxed};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize};
use std::sync::{Mutex, MutexGuard, PoisonError};

use super::addr::AnyAddr;
use super::monitor::Stopped;
use crate::Sender;

/// The identity of an actor, a process or a bridge: unique in the process, never reused.
///
/// It prints as `#n`. Compare ids to tell who sent a message
/// (`ctx.sender().map(AnyAddr::id) == Some(pinger.id())`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ActorId(u64);

impl ActorId {
    pub(crate) fn next() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        // Relaxed: only uniqueness matters, which the atomic increment gives on its own.
        ActorId(NEXT.fetch_add(1, Relaxed))
    }

    /// The id as a number.
    pub fn as_u64(self) -> u64 {
        self.0
    }
}

impl fmt::Debug for ActorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

impl fmt::Display for ActorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// Called once with the final [`Stopped`] when the watched actor stops (or at once, if it
/// already has). Monitors, `wait_stopped` and `Bridge::stop` are all watchers.
pub(crate) type Watcher = Box<dyn FnOnce(&Stopped) + Send>;

/// What kind of mailbox a [`Core`] feeds: an actor's envelopes, a process's own messages, or a
/// bridge's letters. Lets one `Core` type (and one [`AnyCore`] impl) serve all three.
pub(crate) trait Kind: 'static {
    /// What the mailbox holds.
    type Item: Send + 'static;

    /// Whether the mailbox closes when the last address is dropped (a bridge's does not: the
    /// bridge itself owns it).
    const CLOSE_WITH_LAST_ADDRESS: bool = true;

    /// Wraps an untyped message (from `tell_any`) for this mailbox, or gives it back if this
    /// kind cannot take it.
    fn from_any(
        msg: Box<dyn Any + Send>,
        sender: Option<AnyAddr>,
    ) -> Result<Self::Item, Box<dyn Any + Send>>;

    /// The untyped message a queued item was made from, for a send that failed.
    fn into_any(item: Self::Item) -> Box<dyn Any + Send>;
}

enum Life {
    Running(Vec<Watcher>),
    /// Boxed: allocated once, at the end, so that a running actor's core stays small.
    Stopped(Box<Stopped>),
}

/// The shared core of one actor, process or bridge.
pub(crate) struct Core<K: Kind> {
    id: ActorId,
    tx: Sender<K::Item>,
    /// Live public addresses (not internal references).
    addresses: AtomicUsize,
    /// Set by an explicit stop, so that the stop reason can tell it from "every address gone".
    stop_requested: AtomicBool,
    life: Mutex<Life>,
}

impl<K: Kind> Core<K> {
    pub(crate) fn new(tx: Sender<K::Item>) -> Self {
        Self {
            id: ActorId::next(),
            tx,
            addresses: AtomicUsize::new(0),
            stop_requested: AtomicBool::new(false),
            life: Mutex::new(Life::Running(Vec::new())),
        }
    }

    /// Queues `item`, or gives it back if the mailbox is closed. Mailboxes are unbounded, so
    /// this never waits.
    pub(crate) fn send(&self, item: K::Item) -> Result<(), K::Item> {
        self.tx.try_send(item).map_err(crate::TrySendError::into_inner)
    }

    /// Messages queued and not yet taken by the actor.
    pub(crate) fn queued(&self) -> usize {
        self.tx.len()
    }

    pub(crate) fn stop_was_requested(&self) -> bool {
        self.stop_requested.load(Relaxed)
    }

    fn life(&self) -> MutexGuard<'_, Life> {
        // A watcher never runs under the lock, so a poisoned lock only means a panic elsewhere
        // in a few lines of bookkeeping; the state itself is always consistent.
        self.life.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records the final outcome and tells every watcher, once; later calls are ignored.
    pub(crate) fn finish(&self, stopped: Stopped) {
        let watchers = {
            let mut life = self.life();
            match std::mem::replace(&mut *life, Life::Stopped(Box::new(stopped.clone()))) {
                Life::Running(watchers) => watchers,
                // Already finished: keep the first outcome.
                old @ Life::Stopped(_) => {
                    *life = old;
                    return;
                }
            }
        };
        for watcher in watchers {
            watcher(&stopped);
        }
    }
}

/// What every address can do with its actor, whatever the actor's type: the object-safe face
/// of [`Core`]. Public only inside this crate's private module (it is named by no public API).
pub trait AnyCore: Send + Sync + 'static {
    /// The actor's id.
    fn id(&self) -> ActorId;
    /// A public address was made.
    fn acquire(&self);
    /// A public address was dropped; the last one closes the mailbox.
    fn release(&self);
    /// Queues an untyped message, or gives it back (mailbox closed, or a type the target
    /// cannot take).
    fn deliver_any(
        &self,
        msg: Box<dyn Any + Send>,
        sender: Option<AnyAddr>,
    ) -> Result<(), Box<dyn Any + Send>>;
    /// Asks the actor to stop: closes its mailbox.
    fn stop(&self);
    /// True while the mailbox accepts messages.
    fn is_alive(&self) -> bool;
    /// Calls `watcher` when the actor stops, or now if it already has.
    fn watch(&self, watcher: Watcher);
    /// The final outcome, once the actor has stopped.
    fn outcome(&self) -> Option<Stopped>;
}

impl<K: Kind> AnyCore for Core<K> {
    fn id(&self) -> ActorId {
        self.id
    }

    fn acquire(&self) {
        // Relaxed: the new address is made from an existing handle or from the actor itself,
        // as in `Arc::clone`.
        self.addresses.fetch_add(1, Relaxed);
    }

    fn release(&self) {
        // AcqRel: the last release must see every other address's sends before it closes
        // (the ring orders them anyway; this keeps the count well-ordered).
        if self.addresses.fetch_sub(1, AcqRel) == 1 && K::CLOSE_WITH_LAST_ADDRESS {
            self.tx.close_mailbox();
        }
    }

    fn deliver_any(
        &self,
        msg: Box<dyn Any + Send>,
        sender: Option<AnyAddr>,
    ) -> Result<(), Box<dyn Any + Send>> {
        if self.tx.is_closed() {
            return Err(msg);
        }
        let item = K::from_any(msg, sender)?;
        self.send(item).map_err(|item| K::into_any(item))
    }

    fn stop(&self) {
        self.stop_requested.store(true, Relaxed);
        self.tx.close_mailbox();
    }

    fn is_alive(&self) -> bool {
        !self.tx.is_closed()
    }

    fn watch(&self, watcher: Watcher) {
        let stopped = {
            let mut life = self.life();
            match &mut *life {
                Life::Running(watchers) => {
                    watchers.push(watcher);
                    return;
                }
                Life::Stopped(stopped) => Stopped::clone(stopped),
            }
        };
        watcher(&stopped);
    }

    fn outcome(&self) -> Option<Stopped> {
        match &*self.life() {
            Life::Running(_) => None,
            Life::Stopped(stopped) => Some(Stopped::clone(stopped)),
        }
    }
}
