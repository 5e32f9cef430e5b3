//! The printer controller from coproc's documentation ("An Inspirational Example"), on a
//! thread worker.
//!
//! The worker prints a character every period while it is printing. The host sends it
//! `Start`, `Stop` and `ChangeBehavior` requests; the printer answers every request with a
//! receipt, and complains with `send_error` when it is asked to start while printing or to
//! stop while not printing. The host catches those errors (they overtake the receipt, which
//! stays queued) and says so.
//!
//! Run: `cargo run --example printer`

use std::error::Error;
use std::fmt;
use std::io::Write;
use std::time::Duration;

use tidings::{Messenger, MessengerError, Worker};

/// Everything that travels between the host and the printer (one type for both directions).
#[derive(Debug)]
enum Msg {
    StartPrinting,
    StopPrinting,
    ChangePrintBehavior { period: Duration, ch: char },
    Receipt,
}

#[derive(Debug)]
struct AlreadyPrinting;

#[derive(Debug)]
struct AlreadyNotPrinting;

#[derive(Debug)]
struct UnknownMessage(String);

impl fmt::Display for AlreadyPrinting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("asked to start, but the printer is already printing")
    }
}

impl fmt::Display for AlreadyNotPrinting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("asked to stop, but the printer is already not printing")
    }
}

impl fmt::Display for UnknownMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown message: {}", self.0)
    }
}

impl Error for AlreadyPrinting {}
impl Error for AlreadyNotPrinting {}
impl Error for UnknownMessage {}

/// The printing worker (coproc's `PrintingProcess`).
struct Printer {
    period: Duration,
    ch: char,
    printing: bool,
    printed: usize,
}

impl Printer {
    /// The worker's loop; returns how many characters it printed.
    fn run(mut self, mut m: Messenger<(), Msg>) -> usize {
        loop {
            // Not printing: sleep until a message comes. Printing: wait at most one period
            // for a message, then print. (coproc polls with `receive_available` and sleeps.)
            let next = if self.printing {
                m.receive().timeout(self.period).wait()
            } else {
                m.receive_blocking()
            };
            match next {
                Ok(msg) => self.handle(&mut m, msg),
                Err(MessengerError::Timeout) => {
                    print!("{}", self.ch);
                    let _ = std::io::stdout().flush();
                    self.printed += 1;
                }
                // The host asked us to close, or is gone: stop here.
                Err(_) => return self.printed,
            }
        }
    }

    fn handle(&mut self, m: &mut Messenger<(), Msg>, msg: Msg) {
        // A failed send means the host is gone; the loop sees that at its next receive.
        match msg {
            Msg::StartPrinting => {
                if self.printing {
                    let _ = m.send_error(AlreadyPrinting);
                }
                self.printing = true;
            }
            Msg::StopPrinting => {
                if !self.printing {
                    let _ = m.send_error(AlreadyNotPrinting);
                }
                self.printing = false;
            }
            Msg::ChangePrintBehavior { period, ch } => {
                self.period = period;
                self.ch = ch;
            }
            other => {
                let _ = m.send_error(UnknownMessage(format!("{other:?}")));
            }
        }
        let _ = m.send_reply(Msg::Receipt);
    }
}

/// The host's side (coproc's `PrintProcessController`): one request, one receipt.
struct Controller<'a> {
    m: &'a mut Messenger<(), Msg>,
}

impl Controller<'_> {
    fn request(&mut self, msg: Msg) -> Result<(), MessengerError> {
        self.m.send_request(msg)?;
        match self.m.receive().timeout(Duration::from_secs(5)).wait() {
            Ok(Msg::Receipt) => Ok(()),
            Ok(other) => panic!("expected a receipt, got {other:?}"),
            Err(err @ MessengerError::Peer(_)) => {
                // The printer complained, and still sent its receipt: take it too, so that
                // the next request gets its own receipt and `remaining` stays right.
                println!("\n(remaining while the receipt is still queued: {})", self.m.remaining());
                self.m.receive().timeout(Duration::from_secs(5)).wait()?;
                Err(err)
            }
            Err(err) => Err(err),
        }
    }

    fn start_printing(&mut self) -> Result<(), MessengerError> {
        self.request(Msg::StartPrinting)
    }

    fn stop_printing(&mut self) -> Result<(), MessengerError> {
        self.request(Msg::StopPrinting)
    }

    fn change_behavior(&mut self, period: Duration, ch: char) -> Result<(), MessengerError> {
        self.request(Msg::ChangePrintBehavior { period, ch })
    }
}

fn pause() {
    std::thread::sleep(Duration::from_millis(100));
}

fn main() -> Result<(), Box<dyn Error>> {
    let printer =
        Printer { period: Duration::from_millis(20), ch: 'x', printing: false, printed: 0 };
    let mut worker = Worker::spawn_thread(move |m| printer.run(m));
    let mut caught = 0;
    {
        let mut p = Controller { m: worker.messenger() };
        println!("---- not printing yet");
        pause();
        println!("\n---- start printing 'x' every 20 ms");
        p.start_printing()?;
        pause();
        println!("\n---- change to 'y' every 10 ms");
        p.change_behavior(Duration::from_millis(10), 'y')?;
        pause();

        println!("\n---- start again (while printing)");
        match p.start_printing() {
            Err(err) if err.downcast_peer::<AlreadyPrinting>().is_some() => {
                println!("caught AlreadyPrinting from the printer: {}", err.source().unwrap());
                caught += 1;
            }
            other => return Err(format!("expected AlreadyPrinting, got {other:?}").into()),
        }

        println!("---- stop printing");
        p.stop_printing()?;
        pause();
        println!("---- stop again (while not printing)");
        match p.stop_printing() {
            Err(err) if err.downcast_peer::<AlreadyNotPrinting>().is_some() => {
                println!(
                    "caught AlreadyNotPrinting from the printer: already not printing! oh well."
                );
                caught += 1;
            }
            other => return Err(format!("expected AlreadyNotPrinting, got {other:?}").into()),
        }
    }
    println!("remaining requests: {}", worker.messenger().remaining());

    let printed = worker.stop().timeout(Duration::from_secs(5)).wait()?;
    println!("printer stopped after printing {printed} characters; caught {caught} errors from it");
    assert_eq!(caught, 2);
    Ok(())
}
