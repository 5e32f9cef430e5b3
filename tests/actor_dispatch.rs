//! Handler dispatch: each message type reaches its own `Handler` impl, untyped messages are
//! routed by `Actor::routes` or fall back to `handle_other`, hooks run in order.

use std::any::Any;
use std::sync::{Arc, Mutex};

use tidings::actor::{spawn, Actor, Address, Context, Handler, Router, StopReason};

type Log = Arc<Mutex<Vec<String>>>;

fn log(log: &Log, line: impl Into<String>) {
    log.lock().unwrap().push(line.into());
}

struct Calc {
    value: i64,
    log: Log,
}

struct Add(i64);
struct Mul(i64);
struct Get;

impl Actor for Calc {
    async fn started(&mut self, _ctx: &mut Context<Self>) {
        log(&self.log, "started");
    }

    async fn stopped(&mut self, _ctx: &mut Context<Self>, reason: &StopReason) {
        log(&self.log, format!("stopped: {reason}"));
    }

    fn routes(router: Router<Self>) -> Router<Self> {
        router.route::<Add>().route::<Mul>()
    }

    async fn handle_other(&mut self, msg: Box<dyn Any + Send>, ctx: &mut Context<Self>) {
        let from = ctx.sender().map(|s| s.id());
        match msg.downcast::<String>() {
            Ok(text) => log(&self.log, format!("other: {text} from {from:?}")),
            Err(_) => log(&self.log, "other: something else"),
        }
    }
}

impl Handler<Add> for Calc {
    type Reply = ();
    async fn handle(&mut self, Add(n): Add, _ctx: &mut Context<Self>) {
        log(&self.log, format!("add {n}"));
        self.value += n;
    }
}

impl Handler<Mul> for Calc {
    type Reply = ();
    async fn handle(&mut self, Mul(n): Mul, _ctx: &mut Context<Self>) {
        log(&self.log, format!("mul {n}"));
        self.value *= n;
    }
}

impl Handler<Get> for Calc {
    type Reply = i64;
    async fn handle(&mut self, _: Get, _ctx: &mut Context<Self>) -> i64 {
        self.value
    }
}

fn calc() -> (Calc, Log) {
    let log = Log::default();
    (Calc { value: 0, log: log.clone() }, log)
}

#[tokio::test]
async fn each_message_type_goes_to_its_own_handler_in_send_order() {
    let (actor, log) = calc();
    let addr = spawn(actor);
    addr.tell(Add(2)).unwrap();
    addr.tell(Mul(5)).unwrap();
    addr.tell(Add(1)).unwrap();
    // (2) * 5 + 1, only in this order.
    assert_eq!(addr.ask(Get).await.unwrap(), 11);
    assert_eq!(log.lock().unwrap()[1..], ["add 2", "mul 5", "add 1"]);
}

#[tokio::test]
async fn untyped_message_of_a_routed_type_reaches_its_typed_handler() {
    let (actor, _log) = calc();
    let addr = spawn(actor);
    addr.tell_any(Box::new(Add(3))).unwrap();
    addr.any_addr().tell(Mul(4)).unwrap();
    assert_eq!(addr.ask(Get).await.unwrap(), 12);
}

#[tokio::test]
async fn untyped_message_no_handler_takes_goes_to_the_fallback() {
    let (actor, log) = calc();
    let addr = spawn(actor);
    addr.tell_any(Box::new("hello".to_string())).unwrap();
    addr.tell_any(Box::new(3.5_f64)).unwrap();
    // A typed handler still works after the fallback ran.
    addr.tell(Add(1)).unwrap();
    assert_eq!(addr.ask(Get).await.unwrap(), 1);
    assert_eq!(
        log.lock().unwrap()[1..],
        ["other: hello from None", "other: something else", "add 1"]
    );
}

#[tokio::test]
async fn started_runs_before_the_first_message_and_stopped_after_the_last() {
    let (actor, log) = calc();
    let addr = spawn(actor);
    addr.tell(Add(1)).unwrap();
    addr.tell(Add(2)).unwrap();
    addr.stop();
    let stopped = addr.wait_stopped().await.unwrap();
    assert_eq!(stopped.reason, StopReason::Normal);
    assert_eq!(*log.lock().unwrap(), ["started", "add 1", "add 2", "stopped: normal"]);
}
