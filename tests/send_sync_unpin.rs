//! Compile-time contracts: which handles and futures are `Send`, `Sync` and `Unpin`, for any
//! `T: Send` (even `T: !Sync` and `T: !Unpin`).
#![allow(dead_code)]

use std::cell::Cell;
use std::marker::PhantomPinned;

use tidings::receive::{After, AnyMessage, NoAfter, ReceiveFuture};
use tidings::{Drain, HandoffFuture, Mailbox, Receive, SendFuture, SendSink, Sender};

fn send<T: Send>() {}
fn sync<T: Sync>() {}
fn unpin<T: Unpin>() {}

/// Send but not Sync.
type NotSync = Cell<u8>;
/// Send and Sync but not Unpin.
type NotUnpin = PhantomPinned;

#[test]
fn handles() {
    send::<Sender<NotSync>>();
    sync::<Sender<NotSync>>();
    unpin::<Sender<NotUnpin>>();

    send::<Mailbox<NotSync>>();
    unpin::<Mailbox<NotUnpin>>();
    sync::<Mailbox<u8>>();

    send::<SendSink<NotSync>>();
    unpin::<SendSink<NotUnpin>>();
    send::<Drain<'static, NotSync>>();
}

type Pred = fn(&NotSync) -> bool;
type Fallback = fn() -> NotSync;

#[test]
fn futures() {
    send::<SendFuture<'static, NotSync>>();
    unpin::<SendFuture<'static, NotUnpin>>();
    send::<HandoffFuture<'static, NotSync>>();
    unpin::<HandoffFuture<'static, NotUnpin>>();

    send::<Receive<&'static mut Mailbox<NotSync>>>();
    send::<ReceiveFuture<&'static mut Mailbox<NotSync>, AnyMessage, NoAfter>>();
    send::<ReceiveFuture<&'static mut Mailbox<NotSync>, Pred, After<Fallback>>>();
    unpin::<ReceiveFuture<&'static mut Mailbox<NotUnpin>, AnyMessage, NoAfter>>();
}

/// The futures `async fn`-style callers build are `Send`, so they can be spawned.
#[test]
fn futures_from_methods_are_send() {
    fn assert_send<F: std::future::Future + Send>(_: F) {}
    let (tx, mut mailbox) = tidings::unbounded::<NotSync>();
    assert_send(tx.send(Cell::new(1)));
    assert_send(tx.send_handoff(Cell::new(1)));
    assert_send(std::future::IntoFuture::into_future(mailbox.recv()));
    assert_send(async move {
        let _ = mailbox.recv().matching(|c| c.get() == 1).timeout(std::time::Duration::ZERO).await;
    });
}
