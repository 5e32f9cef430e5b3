//! A plain thread and a tokio task share mailboxes in both directions.
//!
//! The thread is a "sensor" that blocks on its mailbox for commands and reports readings; the
//! task is a "controller" that awaits readings, uses selective receive to handle alarms first,
//! and Erlang's `after` to notice when the sensor goes quiet.
//!
//! Run with `cargo run --example thread_and_task`.

use std::time::Duration;

#[derive(Debug)]
enum Report {
    Reading(u32),
    Alarm(&'static str),
}

#[derive(Debug)]
enum Command {
    Measure(u32),
    Stop,
}

fn report(when: &str, report: &Report) {
    match report {
        Report::Reading(v) => println!("controller task: {when}: reading {v}"),
        Report::Alarm(why) => println!("controller task: {when}: alarm ({why})"),
    }
}

#[tokio::main]
async fn main() {
    let (to_controller, mut controller) = tidings::bounded::<Report>(16);
    let (to_sensor, sensor) = tidings::unbounded::<Command>();

    // The sensor: a plain OS thread using blocking calls.
    let sensor = std::thread::spawn(move || {
        let mut sensor = sensor;
        while let Ok(Command::Measure(n)) = sensor.recv_blocking() {
            for i in 0..n {
                to_controller.send_blocking(Report::Reading(i * 10)).unwrap();
            }
            to_controller.send_blocking(Report::Alarm("batch done")).unwrap();
        }
        println!("sensor thread: stopped");
    });

    // The controller: this task, using `.await` on the same kind of mailbox.
    to_sensor.send(Command::Measure(5)).await.unwrap();
    // Selective receive: the alarm comes last, but we ask for it first; the readings it skips
    // stay queued, in order.
    let alarm = controller.recv().matching(|r| matches!(r, Report::Alarm(_))).await.unwrap();
    report("first handled", &alarm);
    for reading in controller.drain() {
        report("then", &reading);
    }

    // Nothing more is coming: `after` turns the timeout into a value.
    let quiet = controller
        .recv()
        .after(Duration::from_millis(50), || Report::Alarm("sensor quiet"))
        .await
        .unwrap();
    report("after 50 ms of silence", &quiet);

    to_sensor.send(Command::Stop).await.unwrap();
    tokio::task::spawn_blocking(move || sensor.join().unwrap()).await.unwrap();
    // The sensor dropped its sender: the mailbox is closed and empty.
    println!("controller task: mailbox now reports {:?}", controller.recv().await);
}
