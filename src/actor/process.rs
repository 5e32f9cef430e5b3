//! Erlang-style processes: [`spawn_process`] runs a body that owns a plain
//! [`Mailbox<M>`](crate::Mailbox) and receives from it as it likes — with the core's selective
//! receive (`mailbox.recv().matching(..).after(..)`), which the post's readers missed most.
//!
//! A process is an actor without handlers: no dispatch, no envelopes, its messages are its own
//! type `M` (an enum, usually, matched with `matches!`). It is addressed by a [`Pid<M>`], is
//! monitored, stopped and waited for like any actor, and can be handed out as a
//! [`Recipient<M>`].
//!
//! A process sees no sender: as in Erlang, a message that wants an answer carries the address
//! to answer to (a [`Recipient`], an [`AnyAddr`], a oneshot sender).
//!
//! # Stopping
//!
//! [`Pid::stop`] closes the process's mailbox: later sends fail (the message comes back), the
//! body still receives everything queued, and then its receives report
//! [`RecvError::Closed`](crate::RecvError::Closed) — its cue to return. (A body that never
//! receives again does not notice; its pids' [`wait_stopped`](Pid::wait_stopped) then waits.)
//! The same happens when the last `Pid` is dropped. What the body leaves unreceived when it
//! returns is dropped with its mailbox: the body decides, as in Erlang.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::pin;
use std::sync::{Arc, Weak};

use super::addr::{sealed, AnyAddr, Deliver, Recipient};
use super::ask::WaitStopped;
use super::block::{panic_message, CatchUnwind};
use super::monitor::{Down, StopReason, Stopped};
use super::shared::{ActorId, AnyCore, Core, Kind};
use super::Address;
use crate::{Mailbox, SendError};

/// The [`Kind`] of a process's mailbox: its own messages.
pub(crate) struct ProcessKind<M>(PhantomData<fn() -> M>);

impl<M: Send + 'static> Kind for ProcessKind<M> {
    type Item = M;

    fn from_any(
        msg: Box<dyn Any + Send>,
        _sender: Option<AnyAddr>,
    ) -> Result<M, Box<dyn Any + Send>> {
        msg.downcast::<M>().map(|msg| *msg)
    }

    fn into_any(item: M) -> Box<dyn Any + Send> {
        Box::new(item)
    }
}

impl<M: Send + 'static> Deliver<M> for Core<ProcessKind<M>> {
    fn deliver(&self, msg: M, _sender: Option<AnyAddr>) -> Result<(), M> {
        self.send(msg)
    }

    fn into_any_core(self: Arc<Self>) -> Arc<dyn AnyCore> {
        self
    }
}

/// Spawns a process on a tokio task: `body` gets the process's mailbox and a
/// [`ProcessContext`], and the process ends when the future it returns completes.
///
/// A panic in the body stops the process with [`StopReason::Panicked`]; a body that returns
/// stops it with [`StopReason::Normal`]. See the [module docs](self) for stopping.
///
/// # Panics
///
/// If called outside a tokio runtime (as `tokio::spawn` does).
///
/// # Examples
///
/// Selective receive: nothing is handled until the gate opens (or 5 s pass: `after`); the
/// messages that came before `Open` stay queued, in order, and are handled after it.
///
/// ```
/// use std::time::Duration;
/// use tokio::sync::oneshot;
/// use tidings::actor::spawn_process;
///
/// enum Msg { Data(u32), Open, Sum(oneshot::Sender<u32>) }
///
/// # tokio_test::block_on(async {
/// let pid = spawn_process(|mut mailbox, _ctx| async move {
///     let gate = mailbox.recv().matching(|m| matches!(m, Msg::Open));
///     if gate.after(Duration::from_secs(5), || Msg::Open).await.is_err() {
///         return; // stopped before the gate opened
///     }
///     let mut sum = 0;
///     while let Ok(msg) = mailbox.recv().await {
///         match msg {
///             Msg::Data(n) => sum += n,
///             Msg::Sum(to) => { let _ = to.send(sum); }
///             Msg::Open => {}
///         }
///     }
/// });
/// let (tx, rx) = oneshot::channel();
/// pid.tell(Msg::Data(1)).unwrap();
/// pid.tell(Msg::Data(2)).unwrap();
/// pid.tell(Msg::Sum(tx)).unwrap();
/// pid.tell(Msg::Open).unwrap();
/// assert_eq!(rx.await.unwrap(), 3);
/// # });
/// ```
#[track_caller]
pub fn spawn_process<M, F, Fut>(body: F) -> Pid<M>
where
    M: Send + 'static,
    F: FnOnce(Mailbox<M>, ProcessContext<M>) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let (tx, mailbox) = crate::unbounded();
    let core = Arc::new(Core::<ProcessKind<M>>::new(tx));
    let pid = Pid::from_core(core.clone());
    let ctx = ProcessContext { core: core.clone() };
    let mut finisher = ProcessFinisher { core, done: false };
    tokio::spawn(async move {
        let outcome = match catch_unwind(AssertUnwindSafe(|| body(mailbox, ctx))) {
            Ok(fut) => CatchUnwind(pin!(fut)).await,
            Err(payload) => Err(panic_message(payload.as_ref())),
        };
        let reason = match outcome {
            Ok(()) => StopReason::Normal,
            Err(message) => StopReason::Panicked(message),
        };
        finisher.finish(reason);
    });
    pid
}

/// Records a process's end; dropped unfinished (the task was dropped), it records
/// [`StopReason::Aborted`].
struct ProcessFinisher<M: Send + 'static> {
    core: Arc<Core<ProcessKind<M>>>,
    done: bool,
}

impl<M: Send + 'static> ProcessFinisher<M> {
    fn finish(&mut self, reason: StopReason) {
        self.done = true;
        self.core.finish(Stopped::new(self.core.id(), reason, 0));
    }
}

impl<M: Send + 'static> Drop for ProcessFinisher<M> {
    fn drop(&mut self) {
        if !self.done {
            self.finish(StopReason::Aborted);
        }
    }
}

/// The body's side of a process: who it is, and monitoring.
pub struct ProcessContext<M: Send + 'static> {
    core: Arc<Core<ProcessKind<M>>>,
}

impl<M: Send + 'static> ProcessContext<M> {
    /// The process's id.
    pub fn id(&self) -> ActorId {
        self.core.id()
    }

    /// A new address of this process. Like every address it keeps the mailbox open: a body
    /// that holds its own pid is stopped only by [`Pid::stop`].
    pub fn pid(&self) -> Pid<M> {
        Pid::from_core(self.core.clone())
    }

    /// Monitors `target`: when it stops (or at once, if it already has), a [`Down`] arrives in
    /// this process's mailbox, as an `M` made with `From<Down>`. Monitoring keeps neither side
    /// alive.
    pub fn monitor<T>(&self, target: &T)
    where
        T: Address + ?Sized,
        M: From<Down>,
    {
        let me: Weak<Core<ProcessKind<M>>> = Arc::downgrade(&self.core);
        sealed::Sealed::any_core(target).watch(Box::new(move |stopped| {
            if let Some(me) = me.upgrade() {
                let _ = me.send(M::from(Down::from(stopped)));
            }
        }));
    }
}

impl<M: Send + 'static> fmt::Debug for ProcessContext<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProcessContext").field("id", &self.id()).finish()
    }
}

/// The address of a process that takes messages of type `M`: [`tell`](Pid::tell) it,
/// [`stop`](Pid::stop) it, wait for it. Cheap to clone; the process's mailbox closes when the
/// last address to it is dropped.
pub struct Pid<M: Send + 'static> {
    core: Arc<Core<ProcessKind<M>>>,
}

impl<M: Send + 'static> Pid<M> {
    fn from_core(core: Arc<Core<ProcessKind<M>>>) -> Self {
        core.acquire();
        Self { core }
    }

    /// The process's id.
    pub fn id(&self) -> ActorId {
        self.core.id()
    }

    /// Queues `msg` without waiting (mailboxes are unbounded).
    ///
    /// # Errors
    ///
    /// [`SendError`] with the message if the process is stopped or stopping.
    pub fn tell(&self, msg: M) -> Result<(), SendError<M>> {
        self.core.send(msg).map_err(SendError)
    }

    /// Closes the process's mailbox; see the [module docs](self#stopping).
    pub fn stop(&self) {
        self.core.stop();
    }

    /// True while the process's mailbox accepts messages.
    pub fn is_alive(&self) -> bool {
        self.core.is_alive()
    }

    /// Waits until the process has ended; see [`Addr::wait_stopped`](super::Addr::wait_stopped).
    pub fn wait_stopped(&self) -> WaitStopped {
        WaitStopped::new(self.core.clone())
    }

    /// This process as a [`Recipient<M>`].
    pub fn recipient(&self) -> Recipient<M> {
        Recipient::from_core(self.core.clone())
    }
}

impl<M: Send + 'static> Clone for Pid<M> {
    fn clone(&self) -> Self {
        Self::from_core(self.core.clone())
    }
}

impl<M: Send + 'static> Drop for Pid<M> {
    fn drop(&mut self) {
        self.core.release();
    }
}

impl<M: Send + 'static> fmt::Debug for Pid<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pid").field("id", &self.id()).field("alive", &self.is_alive()).finish()
    }
}

impl<M: Send + 'static> sealed::Sealed for Pid<M> {
    fn any_core(&self) -> Arc<dyn AnyCore> {
        self.core.clone()
    }
}

impl<M: Send + 'static> Address for Pid<M> {
    fn id(&self) -> ActorId {
        self.core.id()
    }
}

impl<M: Send + 'static> sealed::SendFrom<M> for Pid<M> {
    fn send_from(&self, msg: M, _sender: Option<AnyAddr>) -> Result<(), SendError<M>> {
        self.tell(msg)
    }
}
