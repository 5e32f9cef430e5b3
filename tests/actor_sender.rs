//! Sender identity: every handler sees who sent its message (`ctx.sender()`) and can answer
//! it or send it something else; typed recipients carry results onward.

use std::time::Duration;

use tidings::actor::{spawn, Actor, Addr, AnyAddr, Bridge, Context, Handler, Recipient};

/// Records the id of the sender of every `Note`.
#[derive(Default)]
struct Recorder {
    senders: Vec<Option<u64>>,
}

struct Note;
struct Senders;

impl Actor for Recorder {}

impl Handler<Note> for Recorder {
    type Reply = ();
    async fn handle(&mut self, _: Note, ctx: &mut Context<Self>) {
        self.senders.push(ctx.sender().map(|s| s.id().as_u64()));
    }
}

impl Handler<Senders> for Recorder {
    type Reply = Vec<Option<u64>>;
    async fn handle(&mut self, _: Senders, _ctx: &mut Context<Self>) -> Vec<Option<u64>> {
        self.senders.clone()
    }
}

/// Forwards a `Note` to a recorder, with `ctx.tell` (so the recorder sees the relay).
struct Relay;
struct Forward(Addr<Recorder>);

impl Actor for Relay {}

impl Handler<Forward> for Relay {
    type Reply = ();
    async fn handle(&mut self, Forward(to): Forward, ctx: &mut Context<Self>) {
        ctx.tell(&to, Note).unwrap();
    }
}

#[tokio::test]
async fn handler_sees_the_actor_that_sent_with_ctx_tell_and_none_for_plain_tell() {
    let recorder = spawn(Recorder::default());
    let relay = spawn(Relay);
    relay.ask(Forward(recorder.clone())).await.unwrap();
    recorder.tell(Note).unwrap();
    let senders = recorder.ask(Senders).await.unwrap();
    assert_eq!(senders, [Some(relay.id().as_u64()), None]);
}

/// Answers a `Question` with its return value and also sends the asker an extra `String`.
struct Chatty;
struct Question;

impl Actor for Chatty {}

impl Handler<Question> for Chatty {
    type Reply = Option<u64>;
    async fn handle(&mut self, _: Question, ctx: &mut Context<Self>) -> Option<u64> {
        ctx.reply(format!("by the way, I am {}", ctx.id())).unwrap();
        ctx.sender().map(|s| s.id().as_u64())
    }
}

#[test]
fn bridge_call_names_the_bridge_as_sender_and_the_handler_can_reply_more() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let _context = runtime.enter();
    let chatty = spawn(Chatty);
    let mut bridge = Bridge::new();

    let seen = bridge.call(&chatty, Question, Duration::from_secs(5), None).unwrap();
    assert_eq!(seen, Some(bridge.id().as_u64()), "the handler saw the bridge as sender");

    let letter = bridge.recv().timeout(Duration::from_secs(5)).wait().unwrap();
    assert_eq!(letter.sender().map(AnyAddr::id), Some(chatty.id()));
    assert_eq!(letter.downcast::<String>().unwrap(), format!("by the way, I am {}", chatty.id()));
}

#[tokio::test]
async fn reply_without_a_sender_gives_the_message_back() {
    struct Lonely;
    impl Actor for Lonely {}
    impl Handler<()> for Lonely {
        type Reply = Option<&'static str>;
        async fn handle(&mut self, _: (), ctx: &mut Context<Self>) -> Option<&'static str> {
            ctx.reply("anyone?").err().map(|e| e.into_inner())
        }
    }
    assert_eq!(spawn(Lonely).ask(()).await.unwrap(), Some("anyone?"));
}

/// The post's worker: the result goes to the task's destination, a typed `Recipient`.
struct Doubler;
struct Task {
    input: i64,
    destination: Recipient<i64>,
}

impl Actor for Doubler {}

impl Handler<Task> for Doubler {
    type Reply = ();
    async fn handle(&mut self, task: Task, ctx: &mut Context<Self>) {
        ctx.tell(&task.destination, task.input * 2).unwrap();
    }
}

#[derive(Default)]
struct Store(Vec<(i64, Option<u64>)>);
struct Contents;

impl Actor for Store {}

impl Handler<i64> for Store {
    type Reply = ();
    async fn handle(&mut self, n: i64, ctx: &mut Context<Self>) {
        self.0.push((n, ctx.sender().map(|s| s.id().as_u64())));
    }
}

impl Handler<Contents> for Store {
    type Reply = Vec<(i64, Option<u64>)>;
    async fn handle(&mut self, _: Contents, _ctx: &mut Context<Self>) -> Self::Reply {
        self.0.clone()
    }
}

#[tokio::test]
async fn recipient_carries_results_to_the_destination_with_the_worker_as_sender() {
    let doubler = spawn(Doubler);
    let store = spawn(Store::default());
    for input in [1, 2, 3] {
        doubler.ask(Task { input, destination: store.recipient() }).await.unwrap();
    }
    let worker = Some(doubler.id().as_u64());
    assert_eq!(store.ask(Contents).await.unwrap(), [(2, worker), (4, worker), (6, worker)]);
}
