//! DATA and WARNING channels over one messenger, from coproc's "Message Channels" example.
//!
//! The host sends requests on the DATA channel and waits for the echo there; the worker also
//! sends warnings, unasked, on the WARNING channel, which the host reads on the side. Each
//! channel has its own queue and its own request counter. The worker is a tokio task.
//!
//! Run: `cargo run --example channels`

use std::time::Duration;

use tidings::{Messenger, MessengerError, Worker};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
enum Channel {
    #[default]
    Data,
    Warning,
}

const TIMEOUT: Duration = Duration::from_secs(5);

/// The worker: echoes DATA requests, and warns on WARNING about short ones.
async fn echo_with_warnings(mut m: Messenger<Channel, String>) -> Result<(), MessengerError> {
    loop {
        let data = match m.receive().await {
            Ok(data) => data,
            Err(MessengerError::CloseRequested) => return Ok(()),
            Err(err) => return Err(err),
        };
        if data.len() < 10 {
            m.channel(Channel::Warning)
                .send_norequest(format!("warning: {data:?} has fewer than 10 characters"))?;
        }
        m.send_reply(data)?;
    }
}

/// coproc's `receive_print_warnings`: one request on DATA, then whatever warnings came.
async fn request_and_print_warnings(
    m: &mut Messenger<Channel, String>,
    text: &str,
) -> Result<String, MessengerError> {
    m.send_request(text.to_string())?;
    println!("  remaining(DATA) = {}", m.remaining());
    let echo = m.receive().timeout(TIMEOUT).await?;
    println!("  remaining(DATA) = {}", m.remaining());
    for warning in m.channel(Channel::Warning).receive_available()? {
        println!("  {warning}");
    }
    Ok(echo)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut worker = Worker::spawn(echo_with_warnings);
    let m = worker.messenger();

    println!("one request at a time:");
    for text in ["hello", "world", "hello world!"] {
        let echo = request_and_print_warnings(m, text).await?;
        println!("  echo: {echo}");
    }

    println!("a batch, reading both channels as messages arrive:");
    m.send_request_multiple(["a", "bb", "a long enough text"].map(String::from))?;
    let (mut echoes, mut warnings) = (0, 0);
    while m.remaining() > 0 {
        // Wakes for a message on any channel.
        m.await_available().timeout(TIMEOUT).await?;
        // Echoes first: a warning is sent before its echo, so once an echo is here, so is
        // its warning.
        let batch = m.receive_available()?;
        for warning in m.channel(Channel::Warning).receive_available()? {
            println!("  {warning}");
            warnings += 1;
        }
        for echo in &batch {
            println!("  echo: {echo}");
        }
        echoes += batch.len();
        println!("  remaining(DATA) = {}", m.remaining());
    }
    println!(
        "DATA counters: {:?}; WARNING counters: {:?}",
        m.counters(),
        m.channel(Channel::Warning).counters()
    );
    assert_eq!((echoes, warnings), (3, 2));

    worker.stop().timeout(TIMEOUT).await??;
    println!("worker stopped");
    Ok(())
}
