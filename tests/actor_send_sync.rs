//! Compile-time contracts: every handle and future of the actor layer is `Send` (and the
//! shareable handles `Sync`), so they can move between tasks and threads.

use tidings::actor::{
    Actor, Addr, AnyAddr, Ask, AskError, AskFuture, Bridge, Context, Down, Handler, Letter, Pid,
    ProcessContext, Recipient, Stopped, WaitStopped, WaitStoppedFuture,
};

struct A;
impl Actor for A {}
impl Handler<u8> for A {
    type Reply = u8;
    async fn handle(&mut self, n: u8, _ctx: &mut Context<Self>) -> u8 {
        n
    }
}

fn send<T: Send>() {}
fn sync<T: Sync>() {}
fn unpin<T: Unpin>() {}

#[test]
fn handles_and_futures_are_send_and_the_handles_sync() {
    send::<Addr<A>>();
    sync::<Addr<A>>();
    send::<AnyAddr>();
    sync::<AnyAddr>();
    send::<Recipient<u8>>();
    sync::<Recipient<u8>>();
    send::<Pid<u8>>();
    sync::<Pid<u8>>();
    send::<Context<A>>();
    send::<ProcessContext<u8>>();
    send::<Bridge>();
    send::<Letter>();
    send::<Ask<'static, A, u8>>();
    send::<AskFuture<'static, A, u8>>();
    unpin::<AskFuture<'static, A, u8>>();
    send::<WaitStopped>();
    send::<WaitStoppedFuture>();
    unpin::<WaitStoppedFuture>();
    send::<AskError<u8>>();
    send::<Stopped>();
    send::<Down>();
}
