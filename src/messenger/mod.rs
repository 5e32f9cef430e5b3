//! Messengers: coproc's `MultiMessenger` and `PriorityMessenger`, for tasks and threads.
//!
//! A messenger is a duplex link with two symmetric ends, [`Messenger::pair`]. Each end sends
//! data on *channels* (any `C: Hash + Eq + Clone`), as *requests*, *replies* or plain
//! messages, counts requests and replies per channel ([`RequestCounter`]), and can send the
//! peer two *special messages*: an error ([`Messenger::send_error`]) and a close request
//! ([`Messenger::send_close_request`]). A [`PriorityMessenger`] hands out each channel's
//! messages by priority ([`Prioritized`], or a key function) instead of first in, first out.
//! A [`Worker`](crate::Worker) runs a task or a thread holding one end.
//!
//! ```
//! use tidings::{Messenger, MessengerError};
//!
//! let (mut host, mut worker) = Messenger::<(), u64>::pair();
//! let squarer = std::thread::spawn(move || loop {
//!     match worker.receive_blocking() {
//!         Ok(n) => worker.send_reply(n * n).unwrap(),
//!         Err(MessengerError::CloseRequested) => break,
//!         Err(err) => panic!("{err}"),
//!     }
//! });
//!
//! host.send_request_multiple(1..=3).unwrap();
//! let squares: Vec<u64> = host.receive_remaining().into_iter().map(Result::unwrap).collect();
//! assert_eq!(squares, [1, 4, 9]);
//! host.send_close_request().unwrap();
//! squarer.join().unwrap();
//! ```
//!
//! # How it is built
//!
//! On the crate's mailboxes, nothing lower: each end owns an unbounded
//! [`Mailbox`](crate::Mailbox) that the peer's [`Sender`](crate::Sender) feeds with envelopes
//! (data on a channel with its kind, an error, or a close request). A receive first moves
//! everything queued there into the end's local queues — one per channel, a `VecDeque` or a
//! [`PriorityQueue`] — and sets special messages aside, then answers from those. That is what
//! lets specials overtake data, lets one channel be read while another fills up, and makes
//! `await_available` ("any channel") a plain wait on the one mailbox. Waiting is the mailbox's
//! own (parked threads, pending tasks, no polling), and the peer being gone is the mailbox
//! reporting `Closed` once every sender is dropped.
//!
//! # How this differs from coproc, and why
//!
//! * **Priority default.** A message without a priority (`None`) goes *behind* every
//!   prioritized one. coproc's documentation says such messages get priority `-inf`, which
//!   with "lower first" would put them in front; its code puts them at the back, and so do we
//!   — a message that states no urgency should not overtake one that does.
//! * **Timeouts.** Every waiting call has a timeout (`.timeout(d)` / `.deadline(at)` on
//!   [`Receiving`] and [`Remaining`]); coproc's `receive_blocking` can only wait forever.
//! * **Errors are values.** Special messages come back as `Err(MessengerError::Peer(err))` /
//!   `Err(MessengerError::CloseRequested)` instead of being raised; the peer's error keeps its
//!   type ([`MessengerError::downcast_peer`]). As in coproc they are returned by the next
//!   receive of any kind — `receive_available` included — and the queued data stays.
//! * **Peer gone.** A receive returns [`MessengerError::Disconnected`] once the peer's end is
//!   dropped (returned, panicked) and the data it sent is consumed — never a hang, and never
//!   before its last messages are read; coproc raises `BrokenPipeError`, or blocks on a pipe
//!   whose other end is still held by a dead process's parent. A failed send gives the
//!   message back.
//! * **Cancel safety.** The async receives are cancel-safe: dropping a receive future (in
//!   `select!`, under a timeout) loses nothing, because what arrived is sorted into the local
//!   queues within the poll that received it, and a message is taken only when it is returned.
//!   coproc has no async API.
//! * **Thread safety.** coproc's messenger is a per-process object around a pipe; here an end
//!   is `Send` and moves into any task or thread, and both ends can be used from tasks
//!   (`.await`) and threads (`.wait()`, `receive_blocking`) at once. Methods take `&mut self`:
//!   one user per end, which is what keeps its counters meaningful.
//! * **Default channel.** Plain calls use `C::default()` (any other with
//!   [`Messenger::pair_with`]); coproc's default is `None`, which `C = Option<MyChannel>`
//!   reproduces exactly.
//! * **Counters.** `sent` and `received` are counted (coproc declares them but never updates
//!   them); `replies` counts, as in coproc, when a reply is taken from the queue.
//! * **Sending never waits**: the link is unbounded (a pipe's buffer can block coproc's send).
//!
//! The [`worker`](crate::worker) module lists the differences of `Worker` from coproc's
//! `WorkerResource` (`stop` exists, `join` keeps data, timeouts on `join`).

mod channel;
mod counter;
mod discipline;
mod end;
mod error;
mod inner;
mod message;
mod queue;
mod receiving;

pub use channel::Channel;
pub use counter::RequestCounter;
pub use discipline::{ByPriority, Discipline, Fifo};
pub use end::{Messenger, PriorityMessenger};
pub use error::MessengerError;
pub use message::{Message, MessageKind};
pub use queue::{Prioritized, PriorityQueue};
pub use receiving::{Receiving, ReceivingFuture, Remaining, RemainingIter};
