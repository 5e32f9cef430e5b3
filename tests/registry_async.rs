//! The registry from async code: `.await`ed receives (one tag, several, with `matching`,
//! timeouts and `after`), `send_async` waiting for room, tasks and threads on one registry,
//! and the clear refusal to block a runtime thread with `.wait()`.

use std::time::{Duration, Instant};

use tidings::{RecvError, Registry, Tag};

/// How late a timed-out wait may return: generous, since the CI machine is small and shared;
/// the failures ruled out here (a timer that never fires) take far longer.
const SLACK: Duration = Duration::from_secs(3);
const WATCHDOG: Duration = Duration::from_secs(10);

#[tokio::test]
async fn a_task_receives_what_another_task_sends() {
    let reg = Registry::new();
    let sender = {
        let reg = reg.clone();
        tokio::spawn(async move {
            for i in 0..100 {
                reg.send("numbers", i).unwrap();
                tokio::task::yield_now().await;
            }
        })
    };
    let mut got = Vec::new();
    for _ in 0..100 {
        got.push(tokio::time::timeout(WATCHDOG, reg.receive("numbers")).await.unwrap().unwrap().1);
    }
    sender.await.unwrap();
    assert_eq!(got, (0..100).collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_awaited_multi_tag_receive_wakes_on_any_tag() {
    let reg = Registry::new();
    reg.set_tags(["order-ready", "order-cancelled"]).unwrap();
    for (tag, n) in [("order-cancelled", 1), ("order-ready", 2)] {
        let receiver = {
            let reg = reg.clone();
            tokio::spawn(async move { reg.receive(["order-ready", "order-cancelled"]).await })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        reg.send(tag, n).unwrap();
        let got = tokio::time::timeout(WATCHDOG, receiver).await.expect("not woken").unwrap();
        assert_eq!(got, Ok((Tag::from(tag), n)));
    }
}

#[tokio::test]
async fn an_awaited_selective_receive_waits_for_a_match() {
    let reg = Registry::<String>::new();
    reg.set_tags(["events"]).unwrap();
    let receiver = {
        let reg = reg.clone();
        tokio::spawn(
            async move { reg.receive("events").matching(|_, e| e.starts_with("done")).await },
        )
    };
    for e in ["start", "progress", "done: 42"] {
        tokio::task::yield_now().await;
        reg.send("events", e.to_string()).unwrap();
    }
    let got = tokio::time::timeout(WATCHDOG, receiver).await.expect("not woken").unwrap();
    assert_eq!(got, Ok((Tag::from("events"), "done: 42".to_string())));
    let rest = vec![reg.receive("events").await.unwrap().1, reg.receive("events").await.unwrap().1];
    assert_eq!(rest, ["start", "progress"]);
}

#[tokio::test]
async fn an_awaited_timeout_is_accurate() {
    let reg = Registry::<u8>::new();
    let timeout = Duration::from_millis(100);
    let start = Instant::now();
    assert_eq!(reg.receive(["a", "b"]).timeout(timeout).await, Err(RecvError::Timeout));
    let elapsed = start.elapsed();
    assert!(elapsed >= timeout, "returned early: {elapsed:?}");
    assert!(elapsed <= timeout + SLACK, "returned late: {elapsed:?}");
}

#[tokio::test]
async fn an_awaited_after_returns_the_fallback() {
    let reg = Registry::<&str>::new();
    let got = reg
        .receive("heartbeat")
        .after(Duration::from_millis(20), || (Tag::from("heartbeat"), "self-tick"))
        .await;
    assert_eq!(got, Ok((Tag::from("heartbeat"), "self-tick")));
    reg.send("heartbeat", "beat").unwrap();
    let got = reg
        .receive("heartbeat")
        .after(Duration::from_millis(20), || (Tag::from("heartbeat"), "self-tick"))
        .await;
    assert_eq!(got, Ok((Tag::from("heartbeat"), "beat")));
}

#[tokio::test]
async fn an_awaited_receive_on_no_tags_is_no_tags() {
    let reg = Registry::<u8>::new();
    assert_eq!(reg.receive(Vec::<Tag>::new()).await, Err(RecvError::NoTags));
}

#[tokio::test]
async fn send_async_waits_for_room_on_a_bounded_tag() {
    let reg = Registry::builder().capacity(2).build();
    let sender = {
        let reg = reg.clone();
        tokio::spawn(async move {
            for i in 0..10 {
                reg.send_async("slow", i).await.unwrap();
            }
        })
    };
    let mut got = Vec::new();
    for _ in 0..10 {
        tokio::time::sleep(Duration::from_millis(1)).await;
        assert!(reg.stats().iter().all(|s| s.len <= 2), "the capacity was exceeded");
        got.push(tokio::time::timeout(WATCHDOG, reg.receive("slow")).await.unwrap().unwrap().1);
    }
    tokio::time::timeout(WATCHDOG, sender).await.unwrap().unwrap();
    assert_eq!(got, (0..10).collect::<Vec<_>>());
}

#[tokio::test]
async fn send_async_on_a_tag_over_the_limit_returns_the_message() {
    let reg = Registry::builder().max_tags(1).build();
    reg.send("one", 1).unwrap();
    let err = reg.send_async("two", 2).await.unwrap_err();
    assert!(err.is_tag_limit());
    assert_eq!(err.into_inner(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn threads_send_and_tasks_receive_and_back() {
    let reg = Registry::new();
    let echo = {
        let reg = reg.clone();
        std::thread::spawn(move || {
            for _ in 0..100 {
                let (_, n) = reg.receive("to-thread").wait().unwrap();
                reg.send("to-task", n * 2).unwrap();
            }
        })
    };
    for n in 0..100 {
        reg.send("to-thread", n).unwrap();
        let got = tokio::time::timeout(WATCHDOG, reg.receive("to-task")).await.expect("not woken");
        assert_eq!(got, Ok((Tag::from("to-task"), n * 2)));
    }
    echo.join().unwrap();
}

#[test]
#[should_panic(expected = "would block a thread that drives a tokio runtime")]
fn waiting_inside_a_runtime_panics_clearly() {
    let reg = Registry::<u8>::new();
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    rt.block_on(async { reg.receive("nothing").wait() }).ok();
}

#[tokio::test]
async fn waiting_inside_spawn_blocking_is_fine() {
    let reg = Registry::new();
    let receiver = {
        let reg = reg.clone();
        tokio::task::spawn_blocking(move || reg.receive("blocking").wait())
    };
    tokio::time::sleep(Duration::from_millis(20)).await;
    reg.send("blocking", 9).unwrap();
    let got = tokio::time::timeout(WATCHDOG, receiver).await.expect("not woken").unwrap();
    assert_eq!(got, Ok((Tag::from("blocking"), 9)));
}
