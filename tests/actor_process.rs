//! Process actors: an Erlang-style body owns its mailbox and uses selective receive
//! (`matching`, `after`); stopping closes the mailbox, panics are reported, monitors work.

use std::time::{Duration, Instant};

use tidings::actor::{spawn, spawn_process, Actor, Context, Down, Handler, Recipient, StopReason};
use tidings::RecvError;
use tokio::sync::oneshot;

#[derive(Debug)]
enum Msg {
    Data(u32),
    Urgent(u32),
    Report(oneshot::Sender<Vec<u32>>),
    Down(Down),
}

impl From<Down> for Msg {
    fn from(down: Down) -> Self {
        Msg::Down(down)
    }
}

#[tokio::test]
async fn process_selective_receive_takes_the_matching_message_first_and_keeps_the_rest_in_order() {
    let (report, seen) = oneshot::channel();
    let pid = spawn_process(move |mut mailbox, _ctx| async move {
        let mut order = Vec::new();
        // Wait for the urgent one, whatever is queued before it.
        if let Ok(Msg::Urgent(n)) = mailbox.recv().matching(|m| matches!(m, Msg::Urgent(_))).await {
            order.push(n);
        }
        // Then the rest, in the order they came.
        while let Ok(Msg::Data(n)) = mailbox.recv().timeout(Duration::from_secs(5)).await {
            order.push(n);
            if order.len() == 4 {
                break;
            }
        }
        let _ = report.send(order);
    });
    for n in [1, 2, 3] {
        pid.tell(Msg::Data(n)).unwrap();
    }
    pid.tell(Msg::Urgent(9)).unwrap();
    assert_eq!(seen.await.unwrap(), [9, 1, 2, 3]);
}

#[tokio::test]
async fn process_receive_after_returns_the_fallback_when_nothing_matches_in_time() {
    let (report, outcome) = oneshot::channel();
    let pid = spawn_process(move |mut mailbox: tidings::Mailbox<Msg>, _ctx| async move {
        let began = Instant::now();
        let got = mailbox
            .recv()
            .matching(|m| matches!(m, Msg::Urgent(_)))
            .after(Duration::from_millis(50), || Msg::Urgent(0))
            .await;
        let waited = began.elapsed();
        // The data message stays queued.
        let left = mailbox.try_recv().ok();
        let _ =
            report.send((got.map(|m| format!("{m:?}")), waited, left.map(|m| format!("{m:?}"))));
    });
    pid.tell(Msg::Data(1)).unwrap();
    let (got, waited, left) = outcome.await.unwrap();
    assert_eq!(got.unwrap(), "Urgent(0)");
    assert!(waited >= Duration::from_millis(50), "returned early: {waited:?}");
    assert!(waited < Duration::from_secs(3), "returned late: {waited:?}");
    assert_eq!(left.as_deref(), Some("Data(1)"));
}

#[tokio::test]
async fn stopping_a_process_closes_its_mailbox_and_the_body_still_receives_what_was_queued() {
    let (report, received) = oneshot::channel();
    let pid = spawn_process(move |mut mailbox, _ctx| async move {
        let mut got = Vec::new();
        let end = loop {
            match mailbox.recv().await {
                Ok(Msg::Data(n)) => got.push(n),
                Ok(_) => {}
                Err(end) => break end,
            }
        };
        let _ = report.send((got, end));
    });
    for n in 0..5 {
        pid.tell(Msg::Data(n)).unwrap();
    }
    pid.stop();
    assert!(pid.tell(Msg::Data(5)).is_err(), "a stopped process takes no more messages");
    let (got, end) = received.await.unwrap();
    assert_eq!(got, [0, 1, 2, 3, 4]);
    assert_eq!(end, RecvError::Closed);
    assert_eq!(pid.wait_stopped().await.unwrap().reason, StopReason::Normal);
}

#[tokio::test]
async fn process_panic_is_reported_to_whoever_waits() {
    let pid = spawn_process(|mut mailbox: tidings::Mailbox<Msg>, _ctx| async move {
        if let Ok(Msg::Data(n)) = mailbox.recv().await {
            panic!("bad data {n}");
        }
    });
    pid.tell(Msg::Data(4)).unwrap();
    let stopped = pid.wait_stopped().await.unwrap();
    assert_eq!(stopped.reason, StopReason::Panicked("bad data 4".into()));
}

/// An actor that panics on demand.
struct Fragile;
impl Actor for Fragile {}
impl Handler<()> for Fragile {
    type Reply = ();
    async fn handle(&mut self, _: (), _ctx: &mut Context<Self>) {
        panic!("fragile broke");
    }
}

#[tokio::test]
async fn process_monitors_an_actor_and_gets_down_in_its_mailbox() {
    let fragile = spawn(Fragile);
    let (report, got) = oneshot::channel();
    let target = fragile.clone();
    // Keep the pid: a process whose last address is gone has a closed mailbox, and a monitor
    // does not keep it open.
    let _pid = spawn_process(move |mut mailbox: tidings::Mailbox<Msg>, ctx| async move {
        ctx.monitor(&target);
        drop(target);
        if let Ok(Msg::Down(down)) = mailbox.recv().matching(|m| matches!(m, Msg::Down(_))).await {
            let _ = report.send(down);
        }
    });
    fragile.tell(()).unwrap();
    let down = got.await.unwrap();
    assert_eq!(
        (down.id, down.reason),
        (fragile.id(), StopReason::Panicked("fragile broke".into()))
    );
}

/// An actor that sends results to a recipient: here, a process.
struct Producer;
impl Actor for Producer {}
impl Handler<Recipient<Msg>> for Producer {
    type Reply = ();
    async fn handle(&mut self, to: Recipient<Msg>, ctx: &mut Context<Self>) {
        for n in 1..=3 {
            ctx.tell(&to, Msg::Data(n)).unwrap();
        }
    }
}

#[tokio::test]
async fn process_can_be_an_actors_recipient() {
    let pid = spawn_process(|mut mailbox, _ctx| async move {
        let mut got = Vec::new();
        while let Ok(msg) = mailbox.recv().await {
            match msg {
                Msg::Data(n) => got.push(n),
                Msg::Report(to) => {
                    let _ = to.send(got.clone());
                }
                _ => {}
            }
        }
    });
    spawn(Producer).ask(pid.recipient()).await.unwrap();
    let (tx, rx) = oneshot::channel();
    pid.tell(Msg::Report(tx)).unwrap();
    assert_eq!(rx.await.unwrap(), [1, 2, 3]);
}

#[tokio::test]
async fn untyped_send_to_a_process_takes_its_type_and_gives_back_any_other() {
    use tidings::actor::Address;
    let pid = spawn_process(|mut mailbox, _ctx| async move {
        while let Ok(msg) = mailbox.recv().await {
            if let Msg::Report(to) = msg {
                let _ = to.send(vec![]);
            }
        }
    });
    let any = pid.any_addr();
    assert_eq!(any.tell(42_u8).unwrap_err().into_inner(), 42, "not a Msg: given back");
    let (tx, rx) = oneshot::channel();
    any.tell(Msg::Report(tx)).unwrap();
    assert_eq!(rx.await.unwrap(), Vec::<u32>::new());
}

#[test]
fn bridge_stops_a_process_and_collects_its_confirmation() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let _context = runtime.enter();
    let pid = spawn_process(|mut mailbox: tidings::Mailbox<Msg>, _ctx| async move {
        while mailbox.recv().await.is_ok() {}
    });
    let bridge = tidings::actor::Bridge::new();
    let stopped = bridge.stop(&[&pid], Duration::from_secs(5)).unwrap();
    let stopped = stopped[0].as_ref().expect("the process confirmed");
    assert_eq!((stopped.id, &stopped.reason), (pid.id(), &StopReason::Normal));
}
