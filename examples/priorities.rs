//! A `PriorityMessenger`, from coproc's "Custom Messages and Priorities" example: warnings
//! (priority 0) overtake data (priority 1), equal priorities keep their order, and a message
//! without a priority goes last.
//!
//! Run: `cargo run --example priorities`

use std::time::Duration;

use tidings::{Prioritized, PriorityMessenger, Worker};

#[derive(Debug, Clone, PartialEq)]
enum Msg {
    Warning(String),
    Data(i64),
    Note(String),
}

impl Prioritized for Msg {
    fn priority(&self) -> Option<i64> {
        match self {
            Msg::Warning(_) => Some(0), // lower is more important
            Msg::Data(_) => Some(1),
            Msg::Note(_) => None, // behind everything with a priority
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("-- a worker echoes data and warns about negative numbers:");
    let numbers = [1, -1, 2];
    let mut worker =
        Worker::spawn_thread_with(PriorityMessenger::<(), Msg>::pair(), move |mut m| {
            for _ in numbers {
                let Ok(Msg::Data(n)) = m.receive_blocking() else { return };
                m.send_reply(Msg::Data(n)).unwrap();
                if n < 0 {
                    m.send_norequest(Msg::Warning(format!("negative number: {n}"))).unwrap();
                }
            }
        });
    worker.messenger().send_request_multiple(numbers.map(Msg::Data))?;
    // Joining keeps what the worker sent: everything is queued here now, and read in
    // priority order — the warning was sent after the replies, and comes first.
    worker.join().timeout(Duration::from_secs(5)).wait()?;
    let got = worker.messenger().receive_available()?;
    for msg in &got {
        println!("   {msg:?}");
    }
    assert_eq!(got[0], Msg::Warning("negative number: -1".into()));
    assert_eq!(&got[1..], numbers.map(Msg::Data));
    println!("   remaining replies: {}", worker.messenger().remaining());

    println!("-- interleaved sends come out by priority, each priority in sending order:");
    let (mut a, mut b) = PriorityMessenger::<(), Msg>::pair();
    a.send_norequest(Msg::Note("no priority".into()))?;
    for i in 0..3 {
        a.send_norequest(Msg::Data(i))?;
        a.send_norequest(Msg::Warning(format!("warning {i}")))?;
    }
    let got = b.receive_available()?;
    for msg in &got {
        println!("   {msg:?}");
    }
    let want: Vec<Msg> = (0..3)
        .map(|i| Msg::Warning(format!("warning {i}")))
        .chain((0..3).map(Msg::Data))
        .chain([Msg::Note("no priority".into())])
        .collect();
    assert_eq!(got, want);
    Ok(())
}
