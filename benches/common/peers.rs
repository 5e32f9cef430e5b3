//! The peers: the endpoint impls of each channel type, and each crate's [`Peer`] impl.
//!
//! Every endpoint calls the crate's own send / receive for that side (a blocking call on a
//! thread, an async one in a task). Where a crate's channel type lacks one side, the impl says
//! what it uses instead, or why the peer skips the mode.

use super::{AsyncRecv, AsyncSend, BlockOn, BlockingRecv, BlockingSend, Payload, Peer, PeerEntry};

/// The name of tidings with `Sender::send_handoff` for its async sends (not a peer: tables
/// leave it out of "best peer").
pub const HANDOFF: &str = "tidings handoff";

/// Every peer, tidings first. The report's columns follow this order.
pub static PEERS: [PeerEntry; 9] = [
    PeerEntry::of::<Tidings>("tidings"),
    PeerEntry::of::<TidingsHandoff>(HANDOFF),
    PeerEntry::of::<Tokio>("tokio"),
    PeerEntry::of::<Flume>("flume"),
    PeerEntry::of::<Kanal>("kanal"),
    PeerEntry::of::<Crossbeam>("crossbeam"),
    PeerEntry::of::<AsyncChannel>("async-channel"),
    PeerEntry::of::<Thingbuf>("thingbuf"),
    PeerEntry::of::<Std>("std"),
];

/// Implements the endpoint traits for channel types: `blocking_send`, `async_send`,
/// `blocking_recv` and `async_recv` entries give the expression that sends `$msg` through
/// `$tx` (or receives from `$rx`), as a `Result` / `Option`-like value checked here.
macro_rules! endpoints {
    ($( $kind:ident $ty:ty => |$h:ident $(, $msg:ident)?| $body:expr; )*) => {
        $( endpoints!(@one $kind $ty => |$h $(, $msg)?| $body); )*
    };
    (@one blocking_send $ty:ty => |$tx:ident, $msg:ident| $body:expr) => {
        impl<T: Payload> BlockingSend<T> for $ty {
            #[inline]
            fn tx_blocking(&self, $msg: T) {
                let $tx = self;
                assert!($body.is_ok(), "send on a closed channel");
            }
        }
    };
    (@one async_send $ty:ty => |$tx:ident, $msg:ident| $body:expr) => {
        impl<T: Payload> AsyncSend<T> for $ty {
            #[inline]
            async fn tx_async(&self, $msg: T) {
                let $tx = self;
                assert!($body.is_ok(), "send on a closed channel");
            }
        }
    };
    (@one blocking_recv $ty:ty => |$rx:ident| $body:expr) => {
        impl<T: Payload> BlockingRecv<T> for $ty {
            #[inline]
            fn rx_blocking(&mut self) -> Option<T> {
                let $rx = self;
                $body
            }
        }
    };
    (@one async_recv $ty:ty => |$rx:ident| $body:expr) => {
        impl<T: Payload> AsyncRecv<T> for $ty {
            #[inline]
            async fn rx_async(&mut self) -> Option<T> {
                let $rx = self;
                $body
            }
        }
    };
}

/// A [`Peer`] whose one channel type has both a blocking and an async side for senders and
/// receiver alike, so every mode uses the same pair.
macro_rules! uniform_peer {
    ($peer:ident, bounded: $bounded:path, unbounded: $unbounded:path) => {
        impl Peer for $peer {
            fn threads_bounded<T: Payload>(
                cap: usize,
            ) -> Option<(impl BlockingSend<T>, impl BlockingRecv<T>)> {
                Some($bounded(cap))
            }
            fn threads_unbounded<T: Payload>(
            ) -> Option<(impl BlockingSend<T>, impl BlockingRecv<T>)> {
                Some($unbounded())
            }
            fn tasks_bounded<T: Payload>(
                cap: usize,
            ) -> Option<(impl AsyncSend<T>, impl AsyncRecv<T>)> {
                Some($bounded(cap))
            }
            fn tasks_unbounded<T: Payload>() -> Option<(impl AsyncSend<T>, impl AsyncRecv<T>)> {
                Some($unbounded())
            }
            fn threads_to_task_bounded<T: Payload>(
                cap: usize,
            ) -> Option<(impl BlockingSend<T>, impl AsyncRecv<T>)> {
                Some($bounded(cap))
            }
            fn threads_to_task_unbounded<T: Payload>(
            ) -> Option<(impl BlockingSend<T>, impl AsyncRecv<T>)> {
                Some($unbounded())
            }
            fn tasks_to_thread_bounded<T: Payload>(
                cap: usize,
            ) -> Option<(impl AsyncSend<T>, impl BlockingRecv<T>)> {
                Some($bounded(cap))
            }
            fn tasks_to_thread_unbounded<T: Payload>(
            ) -> Option<(impl AsyncSend<T>, impl BlockingRecv<T>)> {
                Some($unbounded())
            }
        }
    };
}

// ---------------------------------------------------------------------------------------------
// tidings: `Sender` and `Mailbox` serve threads and tasks alike.

/// tidings: the crate under test.
pub struct Tidings;

endpoints! {
    blocking_send tidings::Sender<T> => |tx, msg| tx.send_blocking(msg);
    async_send tidings::Sender<T> => |tx, msg| tx.send(msg).await;
    blocking_recv tidings::Mailbox<T> => |rx| rx.recv_blocking().ok();
    async_recv tidings::Mailbox<T> => |rx| rx.recv().await.ok();
}

uniform_peer!(Tidings, bounded: tidings::bounded, unbounded: tidings::unbounded);

/// tidings with [`Sender::send_handoff`](tidings::Sender::send_handoff) for its async
/// sends: a send that waits leaves its message with the mailbox, which is what flume's and
/// kanal's async sends do too (a cancelled one may have been sent). Only the modes with async
/// senders; threads send as in [`Tidings`].
pub struct TidingsHandoff;

/// A tidings sender whose async send is `send_handoff`.
pub struct HandoffSender<T>(tidings::Sender<T>);

impl<T> Clone for HandoffSender<T> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

endpoints! {
    async_send HandoffSender<T> => |tx, msg| tx.0.send_handoff(msg).await;
}

impl Peer for TidingsHandoff {
    fn tasks_bounded<T: Payload>(cap: usize) -> Option<(impl AsyncSend<T>, impl AsyncRecv<T>)> {
        let (tx, rx) = tidings::bounded(cap);
        Some((HandoffSender(tx), rx))
    }
    fn tasks_unbounded<T: Payload>() -> Option<(impl AsyncSend<T>, impl AsyncRecv<T>)> {
        let (tx, rx) = tidings::unbounded();
        Some((HandoffSender(tx), rx))
    }
    fn tasks_to_thread_bounded<T: Payload>(
        cap: usize,
    ) -> Option<(impl AsyncSend<T>, impl BlockingRecv<T>)> {
        let (tx, rx) = tidings::bounded(cap);
        Some((HandoffSender(tx), rx))
    }
    fn tasks_to_thread_unbounded<T: Payload>() -> Option<(impl AsyncSend<T>, impl BlockingRecv<T>)>
    {
        let (tx, rx) = tidings::unbounded();
        Some((HandoffSender(tx), rx))
    }
}

// ---------------------------------------------------------------------------------------------
// flume and async-channel: one channel type with blocking and async calls on both ends.

/// flume.
pub struct Flume;

endpoints! {
    blocking_send flume::Sender<T> => |tx, msg| tx.send(msg);
    async_send flume::Sender<T> => |tx, msg| tx.send_async(msg).await;
    blocking_recv flume::Receiver<T> => |rx| rx.recv().ok();
    async_recv flume::Receiver<T> => |rx| rx.recv_async().await.ok();
}

uniform_peer!(Flume, bounded: flume::bounded, unbounded: flume::unbounded);

/// async-channel (2.x has `send_blocking` / `recv_blocking`).
pub struct AsyncChannel;

endpoints! {
    blocking_send async_channel::Sender<T> => |tx, msg| tx.send_blocking(msg);
    async_send async_channel::Sender<T> => |tx, msg| tx.send(msg).await;
    blocking_recv async_channel::Receiver<T> => |rx| rx.recv_blocking().ok();
    async_recv async_channel::Receiver<T> => |rx| rx.recv().await.ok();
}

uniform_peer!(AsyncChannel, bounded: async_channel::bounded, unbounded: async_channel::unbounded);

// ---------------------------------------------------------------------------------------------
// tokio::sync::mpsc: `blocking_send` / `blocking_recv` on the bounded channel, and an unbounded
// channel of other types whose `send` never waits (so it serves threads and tasks).

/// tokio::sync::mpsc.
pub struct Tokio;

endpoints! {
    blocking_send tokio::sync::mpsc::Sender<T> => |tx, msg| tx.blocking_send(msg);
    async_send tokio::sync::mpsc::Sender<T> => |tx, msg| tx.send(msg).await;
    blocking_recv tokio::sync::mpsc::Receiver<T> => |rx| rx.blocking_recv();
    async_recv tokio::sync::mpsc::Receiver<T> => |rx| rx.recv().await;
    blocking_send tokio::sync::mpsc::UnboundedSender<T> => |tx, msg| tx.send(msg);
    async_send tokio::sync::mpsc::UnboundedSender<T> => |tx, msg| tx.send(msg);
    blocking_recv tokio::sync::mpsc::UnboundedReceiver<T> => |rx| rx.blocking_recv();
    async_recv tokio::sync::mpsc::UnboundedReceiver<T> => |rx| rx.recv().await;
}

uniform_peer!(
    Tokio,
    bounded: tokio::sync::mpsc::channel,
    unbounded: tokio::sync::mpsc::unbounded_channel
);

// ---------------------------------------------------------------------------------------------
// kanal: separate sync and async handle types, converted with `to_async` / `to_sync`.

/// kanal.
pub struct Kanal;

endpoints! {
    blocking_send kanal::Sender<T> => |tx, msg| tx.send(msg);
    async_send kanal::AsyncSender<T> => |tx, msg| tx.send(msg).await;
    blocking_recv kanal::Receiver<T> => |rx| rx.recv().ok();
    async_recv kanal::AsyncReceiver<T> => |rx| rx.recv().await.ok();
}

impl Peer for Kanal {
    fn threads_bounded<T: Payload>(
        cap: usize,
    ) -> Option<(impl BlockingSend<T>, impl BlockingRecv<T>)> {
        Some(kanal::bounded(cap))
    }
    fn threads_unbounded<T: Payload>() -> Option<(impl BlockingSend<T>, impl BlockingRecv<T>)> {
        Some(kanal::unbounded())
    }
    fn tasks_bounded<T: Payload>(cap: usize) -> Option<(impl AsyncSend<T>, impl AsyncRecv<T>)> {
        Some(kanal::bounded_async(cap))
    }
    fn tasks_unbounded<T: Payload>() -> Option<(impl AsyncSend<T>, impl AsyncRecv<T>)> {
        Some(kanal::unbounded_async())
    }
    fn threads_to_task_bounded<T: Payload>(
        cap: usize,
    ) -> Option<(impl BlockingSend<T>, impl AsyncRecv<T>)> {
        let (tx, rx) = kanal::bounded(cap);
        Some((tx, rx.to_async()))
    }
    fn threads_to_task_unbounded<T: Payload>() -> Option<(impl BlockingSend<T>, impl AsyncRecv<T>)>
    {
        let (tx, rx) = kanal::unbounded();
        Some((tx, rx.to_async()))
    }
    fn tasks_to_thread_bounded<T: Payload>(
        cap: usize,
    ) -> Option<(impl AsyncSend<T>, impl BlockingRecv<T>)> {
        let (tx, rx) = kanal::bounded(cap);
        Some((tx.to_async(), rx))
    }
    fn tasks_to_thread_unbounded<T: Payload>() -> Option<(impl AsyncSend<T>, impl BlockingRecv<T>)>
    {
        let (tx, rx) = kanal::unbounded();
        Some((tx.to_async(), rx))
    }
}

// ---------------------------------------------------------------------------------------------
// thingbuf: bounded only (no unbounded flavour), with a blocking channel and an async
// channel of separate types that cannot be converted. The mixed modes use the async channel
// and drive its thread side with `futures::executor::block_on` (`BlockOn`), which parks the
// thread until thingbuf's waker fires.

/// thingbuf (`thingbuf::mpsc`, bounded only).
pub struct Thingbuf;

endpoints! {
    blocking_send thingbuf::mpsc::blocking::Sender<T> => |tx, msg| tx.send(msg);
    async_send thingbuf::mpsc::Sender<T> => |tx, msg| tx.send(msg).await;
    blocking_recv thingbuf::mpsc::blocking::Receiver<T> => |rx| rx.recv();
    async_recv thingbuf::mpsc::Receiver<T> => |rx| rx.recv().await;
}

impl Peer for Thingbuf {
    fn threads_bounded<T: Payload>(
        cap: usize,
    ) -> Option<(impl BlockingSend<T>, impl BlockingRecv<T>)> {
        Some(thingbuf::mpsc::blocking::channel(cap))
    }
    fn tasks_bounded<T: Payload>(cap: usize) -> Option<(impl AsyncSend<T>, impl AsyncRecv<T>)> {
        Some(thingbuf::mpsc::channel(cap))
    }
    fn threads_to_task_bounded<T: Payload>(
        cap: usize,
    ) -> Option<(impl BlockingSend<T>, impl AsyncRecv<T>)> {
        let (tx, rx) = thingbuf::mpsc::channel(cap);
        Some((BlockOn(tx), rx))
    }
    fn tasks_to_thread_bounded<T: Payload>(
        cap: usize,
    ) -> Option<(impl AsyncSend<T>, impl BlockingRecv<T>)> {
        let (tx, rx) = thingbuf::mpsc::channel(cap);
        Some((tx, BlockOn(rx)))
    }
}

// ---------------------------------------------------------------------------------------------
// crossbeam-channel and std::sync::mpsc: threads only. They have no async side: a task could
// only call their blocking functions, which ties up a runtime worker (and in tasks → task,
// producers blocked on a full channel would occupy both workers and starve the consumer task:
// a deadlock), or spin on `try_*` with `yield_now`, which measures busy-polling rather than the
// channel. So every mode with a task in it is skipped for them.

/// crossbeam-channel.
pub struct Crossbeam;

endpoints! {
    blocking_send crossbeam_channel::Sender<T> => |tx, msg| tx.send(msg);
    blocking_recv crossbeam_channel::Receiver<T> => |rx| rx.recv().ok();
}

impl Peer for Crossbeam {
    fn threads_bounded<T: Payload>(
        cap: usize,
    ) -> Option<(impl BlockingSend<T>, impl BlockingRecv<T>)> {
        Some(crossbeam_channel::bounded(cap))
    }
    fn threads_unbounded<T: Payload>() -> Option<(impl BlockingSend<T>, impl BlockingRecv<T>)> {
        Some(crossbeam_channel::unbounded())
    }
}

/// std::sync::mpsc: `sync_channel` (bounded) and `channel` (unbounded), threads only.
pub struct Std;

endpoints! {
    blocking_send std::sync::mpsc::SyncSender<T> => |tx, msg| tx.send(msg);
    blocking_send std::sync::mpsc::Sender<T> => |tx, msg| tx.send(msg);
    blocking_recv std::sync::mpsc::Receiver<T> => |rx| rx.recv().ok();
}

impl Peer for Std {
    fn threads_bounded<T: Payload>(
        cap: usize,
    ) -> Option<(impl BlockingSend<T>, impl BlockingRecv<T>)> {
        Some(std::sync::mpsc::sync_channel(cap))
    }
    fn threads_unbounded<T: Payload>() -> Option<(impl BlockingSend<T>, impl BlockingRecv<T>)> {
        Some(std::sync::mpsc::channel())
    }
}
