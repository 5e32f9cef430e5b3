//! Compile-time contracts: every messenger and worker handle, builder and future can move to
//! another task or thread (`Send`) when its message and channel types can; the futures are
//! `Unpin`.

use std::future::IntoFuture;

use tidings::messenger::{
    ByPriority, Channel, Fifo, Message, PriorityQueue, Receiving, ReceivingFuture, Remaining,
    RemainingIter,
};
use tidings::worker::{Join, JoinFuture};
use tidings::{Messenger, MessengerError, PriorityMessenger, RequestCounter, Worker, WorkerError};

fn send<T: Send>() {}
fn sync<T: Sync>() {}
fn unpin<T: Unpin>() {}

/// A channel type that is `Send` but not `Sync`: the futures must not need `C: Sync`.
#[derive(Clone, Default, PartialEq, Eq)]
struct NotSync(std::cell::Cell<u8>);

impl std::hash::Hash for NotSync {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.get().hash(state);
    }
}

#[test]
fn handles_builders_and_futures_are_send() {
    send::<Messenger<u8, String>>();
    send::<PriorityMessenger<u8, String>>();
    send::<Channel<'static, u8, String, Fifo>>();
    send::<Receiving<'static, u8, String, Fifo, String>>();
    send::<ReceivingFuture<'static, u8, String, ByPriority<String>, Message<String>>>();
    send::<Remaining<'static, u8, String, Fifo>>();
    send::<RemainingIter<'static, u8, String, Fifo>>();
    send::<Worker<u8, String, Result<(), MessengerError>>>();
    send::<Worker<u8, String, (), ByPriority<String>>>();
    send::<Join<'static, String>>();
    send::<JoinFuture<'static, String>>();
    send::<PriorityQueue<String>>();

    // Channels that are Send but not Sync still give Send futures.
    send::<Messenger<NotSync, String>>();
    send::<ReceivingFuture<'static, NotSync, String, Fifo, String>>();
}

#[test]
fn errors_and_counters_are_send_and_sync() {
    send::<MessengerError>();
    sync::<MessengerError>();
    send::<WorkerError>();
    sync::<WorkerError>();
    sync::<RequestCounter>();
}

#[test]
fn futures_are_unpin() {
    unpin::<ReceivingFuture<'static, u8, String, Fifo, String>>();
    unpin::<Remaining<'static, u8, String, Fifo>>();
    unpin::<JoinFuture<'static, String>>();
}

#[tokio::test]
async fn a_receive_future_can_be_spawned() {
    let (mut a, mut b) = Messenger::<NotSync, u32>::pair();
    a.send_norequest(1).unwrap();
    let got = tokio::spawn(async move {
        let fut = b.receive().into_future();
        fut.await
    })
    .await
    .unwrap();
    assert_eq!(got.unwrap(), 1);
}
