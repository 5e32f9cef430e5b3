//! The process-wide registry and bocpy's free functions: `tidings::send`, `receive`, `drain`
//! and `set_tags` over `Message = Box<dyn Any + Send>`, the typed downcast and its error.
//!
//! The tests share one registry (that is its point) and `set_tags` clears all of it, so they
//! take turns through a lock.

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use tidings::registry::{global, Downcast, Message};
use tidings::{RecvError, Tag};

static TURN: Mutex<()> = Mutex::new(());

fn turn() -> MutexGuard<'static, ()> {
    TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[test]
fn free_functions_send_and_receive_any_type() {
    let _turn = turn();
    tidings::send("g-calc", ('+', 2.5f64)).unwrap();
    tidings::send("g-calc", String::from("print")).unwrap();
    let (tag, (op, x)) =
        tidings::receive("g-calc").wait().unwrap().downcast::<(char, f64)>().unwrap();
    assert_eq!((tag.as_str(), op, x), ("g-calc", '+', 2.5));
    let (_, print) = tidings::receive("g-calc").wait().unwrap().downcast::<String>().unwrap();
    assert_eq!(print, "print");
}

#[test]
fn the_wrong_type_is_a_clear_error_that_keeps_the_message() {
    let _turn = turn();
    tidings::send("g-typed", 42u32).unwrap();
    let err = tidings::receive("g-typed").wait().unwrap().downcast::<i64>().unwrap_err();
    assert_eq!(err.tag(), "g-typed");
    assert_eq!(err.expected(), "i64");
    assert_eq!(
        err.to_string(),
        "the message on tag \"g-typed\" is not a `i64` (it was sent as another type)"
    );
    let (tag, n) = err.into_inner().downcast::<u32>().unwrap();
    assert_eq!((tag.as_str(), n), ("g-typed", 42));
}

#[test]
fn a_boxed_message_is_not_boxed_twice() {
    let _turn = turn();
    let msg: Message = Box::new(7u8);
    tidings::send("g-boxed", msg).unwrap();
    assert_eq!(tidings::receive("g-boxed").wait().unwrap().downcast::<u8>().unwrap().1, 7);
}

#[test]
fn free_receive_supports_tag_lists_matching_and_after() {
    let _turn = turn();
    tidings::send("g-a", 1i32).unwrap();
    tidings::send("g-b", 2i32).unwrap();
    let (tag, n) = global()
        .receive(["g-a", "g-b"])
        .matching(|_, m| m.downcast_ref::<i32>() == Some(&2))
        .wait()
        .unwrap()
        .downcast::<i32>()
        .unwrap();
    assert_eq!((tag.as_str(), n), ("g-b", 2));
    let (tag, n) = tidings::receive(["g-a", "g-b"]).wait().unwrap().downcast::<i32>().unwrap();
    assert_eq!((tag.as_str(), n), ("g-a", 1));
    let fallback = tidings::receive("g-a")
        .after(Duration::from_millis(10), || (Tag::from("g-a"), Box::new("tick") as Message))
        .wait()
        .unwrap()
        .downcast::<&str>()
        .unwrap();
    assert_eq!(fallback.1, "tick");
    assert_eq!(
        tidings::receive("g-a").timeout(Duration::ZERO).wait().map(|_| ()),
        Err(RecvError::Timeout)
    );
}

#[test]
fn free_drain_and_set_tags_act_on_the_process_wide_registry() {
    let _turn = turn();
    for i in 0..3 {
        tidings::send("g-drain", i).unwrap();
    }
    assert_eq!(tidings::drain("g-drain"), 3);
    tidings::send("g-stale", ()).unwrap();
    tidings::set_tags(["g-one", "g-two"]).unwrap();
    let tags: Vec<Tag> = global().stats().into_iter().map(|s| s.tag).collect();
    assert_eq!(tags, ["g-one", "g-two"]);
    assert_eq!(
        tidings::receive("g-stale").timeout(Duration::ZERO).wait().map(|_| ()),
        Err(RecvError::Timeout)
    );
}

#[test]
fn the_process_wide_registry_is_one_registry_for_threads_and_tasks() {
    let _turn = turn();
    let worker = std::thread::spawn(|| {
        let (_, n) = tidings::receive("g-ping").wait().unwrap().downcast::<u64>().unwrap();
        tidings::send("g-pong", n + 1).unwrap();
    });
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let n = rt.block_on(async {
        tidings::send("g-ping", 41u64).unwrap();
        tidings::receive("g-pong")
            .timeout(Duration::from_secs(10))
            .await
            .unwrap()
            .downcast::<u64>()
            .unwrap()
            .1
    });
    worker.join().unwrap();
    assert_eq!(n, 42);
}
