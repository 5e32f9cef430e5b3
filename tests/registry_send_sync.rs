//! Compile-time contracts of the registry: which handles, builders and futures are `Send`,
//! `Sync`, `Unpin` (as tokio's `tests/async_send_sync.rs` does for its types).

#![allow(dead_code)]

use std::future::IntoFuture;
use std::time::Duration;

use tidings::registry::{Message, RegistryBuilder, SendAsync, TagSource, WrongType};
use tidings::{QueueStats, Receive, Registry, RegistryError, Tag, TagError};

fn send<T: Send>(_: &T) {}
fn sync<T: Sync>(_: &T) {}
fn unpin<T: Unpin>(_: &T) {}
fn is_static<T: 'static>(_: &T) {}

/// Not `Sync`, but `Send`: a message type that may only move between threads.
struct OnlySend(std::cell::Cell<u8>);

#[test]
fn handles_are_send_and_sync() {
    let reg = Registry::<OnlySend>::new();
    send(&reg);
    sync(&reg);
    is_static(&reg);
    let tag = Tag::from("t");
    send(&tag);
    sync(&tag);
    let builder = Registry::<OnlySend>::builder();
    send(&builder);
    sync(&builder);
    let _: Option<RegistryBuilder<u8>> = None;
    let stats: Vec<QueueStats> = reg.stats();
    send(&stats);
    sync(&stats);
}

#[test]
fn errors_are_send_and_sync() {
    let err: RegistryError<OnlySend> = RegistryError::Full(OnlySend(0.into()));
    send(&err);
    let tag_err = TagError::TooMany { max: 1 };
    send(&tag_err);
    sync(&tag_err);
    fn wrong_type_is_send(_: Option<WrongType>)
    where
        WrongType: Send + std::error::Error,
    {
    }
    wrong_type_is_send(None);
}

#[test]
fn receive_builders_and_futures_are_send_and_unpin() {
    let reg = Registry::<OnlySend>::new();
    let receive: Receive<TagSource<'_, OnlySend>> = reg.receive(["a", "b"]);
    send(&receive);
    let future =
        reg.receive("a").matching(|_, _| true).timeout(Duration::from_secs(1)).into_future();
    send(&future);
    unpin(&future);
    let with_after = reg
        .receive("a")
        .after(Duration::ZERO, || (Tag::from("a"), OnlySend(0.into())))
        .into_future();
    send(&with_after);
    unpin(&with_after);
    let global = tidings::receive("a").into_future();
    send(&global);
    is_static(&global);
    let _: Option<Message> = None;
}

#[test]
fn send_futures_are_send_and_unpin() {
    let reg = Registry::<OnlySend>::new();
    let sending: SendAsync<'_, OnlySend> = reg.send_async("a", OnlySend(0.into()));
    send(&sending);
    unpin(&sending);
}
