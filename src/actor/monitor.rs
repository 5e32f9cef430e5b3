//! How an actor ended, and who hears about it: [`StopReason`], the stop confirmation
//! [`Stopped`], and the monitor notice [`Down`].
//!
//! Every actor, process and bridge ends exactly once, with one [`Stopped`]. Everyone who asked
//! to hear about it is told then (or at once, if they ask later): [`Addr::wait_stopped`]
//! returns it, [`Bridge::stop`] collects it, and monitors
//! ([`Context::monitor`], [`ProcessContext::monitor`], [`Bridge::monitor`]) receive it as a
//! [`Down`] message, after every message the stopped actor sent them before it stopped.
//!
//! [`Addr::wait_stopped`]: super::Addr::wait_stopped
//! [`Bridge::stop`]: super::Bridge::stop
//! [`Bridge::monitor`]: super::Bridge::monitor
//! [`Context::monitor`]: super::Context::monitor
//! [`ProcessContext::monitor`]: super::ProcessContext::monitor

use std::fmt;

use super::shared::ActorId;

/// Why an actor (or process) stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StopReason {
    /// It was asked to stop ([`Addr::stop`](super::Addr::stop),
    /// [`Context::stop`](super::Context::stop), [`Bridge::stop`](super::Bridge::stop)) and
    /// handled everything queued before it did; or a process's body returned.
    Normal,
    /// Every address to it was dropped: it handled what was queued, then stopped.
    Dropped,
    /// A handler, a lifecycle hook or a process body panicked; the panic message.
    Panicked(String),
    /// Its task was dropped before it finished: the tokio runtime it ran on shut down.
    Aborted,
}

impl StopReason {
    /// True for [`StopReason::Panicked`].
    pub fn is_panic(&self) -> bool {
        matches!(self, StopReason::Panicked(_))
    }
}

impl fmt::Display for StopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StopReason::Normal => f.write_str("normal"),
            StopReason::Dropped => f.write_str("every address dropped"),
            StopReason::Panicked(message) => write!(f, "panicked: {message}"),
            StopReason::Aborted => f.write_str("aborted (its runtime shut down)"),
        }
    }
}

/// The confirmation that an actor has stopped: who, why, and how many accepted messages it
/// left unhandled.
///
/// `unhandled` is 0 after a normal stop (an actor handles everything queued before it stops).
/// After a panic or an abort it counts the messages still queued: each pending ask among them
/// was answered with [`AskError::Unhandled`](super::AskError::Unhandled) (its message given
/// back), each tell was dropped. A process owns its mailbox, so for a process it is always 0.
///
/// Prints as `Stopped(#3, normal)`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stopped {
    /// Who stopped.
    pub id: ActorId,
    /// Why.
    pub reason: StopReason,
    /// Accepted messages it never handled (see above).
    pub unhandled: usize,
}

impl Stopped {
    pub(crate) fn new(id: ActorId, reason: StopReason, unhandled: usize) -> Self {
        Self { id, reason, unhandled }
    }
}

impl fmt::Display for Stopped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Stopped({}, {})", self.id, self.reason)?;
        if self.unhandled > 0 {
            write!(f, " with {} unhandled", self.unhandled)?;
        }
        Ok(())
    }
}

/// The message a monitor receives when the actor it watches stops (Erlang's `DOWN`).
///
/// An actor that monitors others implements `Handler<Down>`; a process receives it as one of
/// its own messages (`M: From<Down>`); a [`Bridge`](super::Bridge) finds it in its mailbox.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Down {
    /// Who stopped.
    pub id: ActorId,
    /// Why.
    pub reason: StopReason,
}

impl From<&Stopped> for Down {
    fn from(stopped: &Stopped) -> Self {
        Down { id: stopped.id, reason: stopped.reason.clone() }
    }
}

impl fmt::Display for Down {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Down({}, {})", self.id, self.reason)
    }
}
