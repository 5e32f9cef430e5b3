//! Workers: coproc's `WorkerResource`, as a tokio task or an OS thread that owns one end of a
//! messenger pair.
//!
//! [`Worker::spawn`] runs an async function on a tokio task, [`Worker::spawn_thread`] a plain
//! function on a new thread; each gets a fresh [`Messenger`] end, and the [`Worker`] handle
//! keeps the other ([`Worker::messenger`]). The handle can [`join`](Worker::join) the worker
//! (its return value, or [`WorkerError::Panicked`] with the panic message),
//! [`stop`](Worker::stop) it (a close request, then join) or [`terminate`](Worker::terminate)
//! it; dropping the handle terminates a worker that is still running.
//!
//! ```
//! use std::time::Duration;
//! use tidings::{Messenger, MessengerError, Worker};
//!
//! // A thread that echoes requests until it is asked to close.
//! let mut worker = Worker::spawn_thread(|mut m: Messenger<(), String>| {
//!     let mut echoed = 0;
//!     loop {
//!         match m.receive_blocking() {
//!             Ok(text) => {
//!                 m.send_reply(text).unwrap();
//!                 echoed += 1;
//!             }
//!             Err(MessengerError::CloseRequested) => return echoed,
//!             Err(err) => panic!("{err}"),
//!         }
//!     }
//! });
//!
//! worker.messenger().send_request("hello".to_string()).unwrap();
//! assert_eq!(worker.messenger().receive_blocking().unwrap(), "hello");
//! assert_eq!(worker.stop().timeout(Duration::from_secs(5)).wait(), Ok(1));
//! ```
//!
//! # How this differs from coproc's `WorkerResource`, and why
//!
//! * **Tasks and threads, not processes.** A worker is a tokio task (cheap, `async`) or an OS
//!   thread (for blocking code); both talk through the same messenger, which is `Send` and
//!   works from either side (see the [`messenger`](crate::messenger) module for the
//!   messenger's own differences: priority default, timeouts, cancel safety, thread safety).
//! * **`stop` exists.** coproc has `terminate` and `join`, and its users send a close request
//!   and join by hand; [`Worker::stop`] does exactly that, with a timeout, so a worker that
//!   never reads its messenger cannot hang the caller.
//! * **Timeouts.** `join` and `stop` take `.timeout(d)`; a timed-out join leaves the worker
//!   running and joinable (terminate it if need be).
//! * **`join` keeps data.** Joining never touches the host's messenger end: the replies and
//!   errors the worker sent before it finished stay receivable (coproc drops its pipe and
//!   what is in it when the process is joined).
//! * **Results and panics.** `join` returns the worker function's return value, or
//!   `WorkerError::Panicked(message)`; coproc's `join` returns nothing and a crashed process is
//!   only seen as a broken pipe. Joining twice, or after `terminate`, is a clear error
//!   (`AlreadyJoined`, `Terminated`), not a panic.
//! * **Terminating a thread.** A tokio task can be aborted; an OS thread cannot be killed
//!   safely. So `terminate` on a thread worker sends a close request and detaches the
//!   thread: it ends when it next receives (or when it sees its messenger disconnected, once
//!   the handle is dropped). A thread that never looks at its messenger runs on; `is_alive`
//!   tells.

mod error;
mod join;
mod unwind;

pub use error::WorkerError;
pub use join::{Join, JoinFuture};

use std::fmt;
use std::future::Future;
use std::hash::Hash;

use crate::messenger::{Discipline, Fifo, Messenger};
use join::{Handle, Outcome, Run, State};
use unwind::CatchUnwind;

/// A task or thread that owns one end of a messenger pair, and the handle that owns the other
/// (coproc's `WorkerResource`).
///
/// `C` and `T` are the messenger's channel and message types, `R` what the worker's function
/// returns, `Q` the messenger's ordering ([`Fifo`] unless made with
/// [`spawn_with`](Worker::spawn_with) / [`spawn_thread_with`](Worker::spawn_thread_with)).
/// See the [module docs](crate::worker) for an example and for how it differs from coproc.
///
/// Dropping the handle terminates a worker that was not joined ([`terminate`](Worker::terminate)).
pub struct Worker<C, T, R, Q: Discipline<T> = Fifo> {
    messenger: Messenger<C, T, Q>,
    run: Run<R>,
}

impl<C, T, R> Worker<C, T, R>
where
    C: Hash + Eq + Clone + Default,
{
    /// Runs `f` on a new tokio task with one end of a fresh [`Messenger`] pair; the returned
    /// handle holds the other end.
    ///
    /// `f` is called here, to make the future; the future runs on the task.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime (as `tokio::spawn`).
    ///
    /// # Examples
    ///
    /// ```
    /// use tidings::{Messenger, Worker};
    ///
    /// # tokio_test::block_on(async {
    /// let mut doubler = Worker::spawn(|mut m: Messenger<(), u32>| async move {
    ///     let n = m.receive().await?;
    ///     m.send_reply(n * 2)?;
    ///     Ok::<_, tidings::MessengerError>(())
    /// });
    /// doubler.messenger().send_request(21).unwrap();
    /// assert_eq!(doubler.messenger().receive().await.unwrap(), 42);
    /// assert!(doubler.join().await.unwrap().is_ok());
    /// # });
    /// ```
    pub fn spawn<F, Fut>(f: F) -> Self
    where
        F: FnOnce(Messenger<C, T>) -> Fut,
        Fut: Future<Output = R> + Send + 'static,
        R: Send + 'static,
    {
        Self::spawn_with(Messenger::<C, T>::pair(), f)
    }

    /// Runs `f` on a new OS thread with one end of a fresh [`Messenger`] pair; the returned
    /// handle holds the other end. Use it for workers that block (blocking receives, heavy
    /// computation).
    ///
    /// # Panics
    ///
    /// If the OS cannot create a thread.
    ///
    /// # Examples
    ///
    /// ```
    /// use tidings::{Messenger, Worker};
    ///
    /// let mut summer = Worker::spawn_thread(|mut m: Messenger<(), u64>| {
    ///     let mut sum = 0;
    ///     // Until the host asks to close (or drops its end).
    ///     while let Ok(n) = m.receive_blocking() {
    ///         sum += n;
    ///         m.send_reply(sum).unwrap();
    ///     }
    ///     sum
    /// });
    /// summer.messenger().send_request_multiple([1, 2, 3]).unwrap();
    /// let running: Vec<u64> = summer.messenger().receive_remaining().into_iter().map(Result::unwrap).collect();
    /// assert_eq!(running, [1, 3, 6]);
    /// assert_eq!(summer.stop().wait(), Ok(6));
    /// ```
    pub fn spawn_thread<F>(f: F) -> Self
    where
        F: FnOnce(Messenger<C, T>) -> R + Send + 'static,
        Messenger<C, T>: Send + 'static,
        R: Send + 'static,
    {
        Self::spawn_thread_with(Messenger::<C, T>::pair(), f)
    }
}

impl<C, T, R, Q: Discipline<T>> Worker<C, T, R, Q> {
    /// Like [`spawn`](Worker::spawn), on a messenger pair made by the caller — a
    /// [`PriorityMessenger`](crate::PriorityMessenger), or another default channel. The
    /// worker gets the second end, the handle keeps the first.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime.
    ///
    /// # Examples
    ///
    /// ```
    /// use tidings::{PriorityMessenger, Worker};
    ///
    /// # tokio_test::block_on(async {
    /// let pair = PriorityMessenger::<(), i64>::pair_with_key(|n| Some(*n));
    /// let mut w = Worker::spawn_with(pair, |mut m| async move {
    ///     for n in [3, 1, 2] {
    ///         m.send_norequest(n).unwrap();
    ///     }
    /// });
    /// w.join().await.unwrap();
    /// assert_eq!(w.messenger().receive_available().unwrap(), [1, 2, 3]);
    /// # });
    /// ```
    pub fn spawn_with<F, Fut>(pair: (Messenger<C, T, Q>, Messenger<C, T, Q>), f: F) -> Self
    where
        F: FnOnce(Messenger<C, T, Q>) -> Fut,
        Fut: Future<Output = R> + Send + 'static,
        R: Send + 'static,
    {
        let (host, worker) = pair;
        let (done_tx, done) = crate::bounded::<Outcome<R>>(1);
        let body = CatchUnwind::new(f(worker));
        let task = tokio::spawn(async move {
            // Room for one, and this is the only send: it cannot fail for lack of room, and if
            // the handle is gone nobody wants the outcome.
            let _ = done_tx.try_send(body.await);
        });
        Self {
            messenger: host,
            run: Run { done, handle: Handle::Task(task), state: State::Running },
        }
    }

    /// Like [`spawn_thread`](Worker::spawn_thread), on a messenger pair made by the caller.
    /// The worker gets the second end, the handle keeps the first.
    ///
    /// # Panics
    ///
    /// If the OS cannot create a thread.
    pub fn spawn_thread_with<F>(pair: (Messenger<C, T, Q>, Messenger<C, T, Q>), f: F) -> Self
    where
        F: FnOnce(Messenger<C, T, Q>) -> R + Send + 'static,
        Messenger<C, T, Q>: Send + 'static,
        R: Send + 'static,
    {
        let (host, worker) = pair;
        let (done_tx, done) = crate::bounded::<Outcome<R>>(1);
        let thread = std::thread::Builder::new()
            .name("tidings-worker".to_owned())
            .spawn(move || {
                // `f` consumes the messenger end: it is dropped (even by a panic) before the
                // outcome is sent, so the host sees `Disconnected` by the time it joins.
                let outcome = unwind::catch(move || f(worker));
                let _ = done_tx.try_send(outcome);
            })
            .expect("tidings: the OS could not create a worker thread");
        Self {
            messenger: host,
            run: Run { done, handle: Handle::Thread(Some(thread)), state: State::Running },
        }
    }

    /// The handle's end of the messenger: talk to the worker through it. It stays usable
    /// after the worker finished, and keeps what the worker sent.
    pub fn messenger(&mut self) -> &mut Messenger<C, T, Q> {
        &mut self.messenger
    }

    /// True while the worker's task or thread is still running (also after `terminate`, until
    /// it actually ends; false once it was joined).
    pub fn is_alive(&self) -> bool {
        match &self.run.handle {
            Handle::Task(task) => !task.is_finished(),
            Handle::Thread(thread) => thread.as_ref().is_some_and(|t| !t.is_finished()),
        }
    }

    /// Waits for the worker to finish and returns its result: `.await` it or `.wait()`, with
    /// an optional `.timeout(d)`. See [`Join`].
    ///
    /// # Cancel safety
    ///
    /// The future is cancel-safe: dropping it leaves the worker running and joinable.
    pub fn join(&mut self) -> Join<'_, R> {
        Join::new(&mut self.run)
    }

    /// Asks the worker to close (a close request, which its next receive returns as
    /// `Err(MessengerError::CloseRequested)`) and waits for it to finish: `.await` it or
    /// `.wait()`, with an optional `.timeout(d)`. The close request is sent now, when `stop`
    /// is called. If the worker does not finish in time the result is
    /// [`WorkerError::Timeout`] and the worker keeps running.
    ///
    /// Like every special message, the close request overtakes data still queued for the
    /// worker; that data stays, so a worker that must finish its queue can take it with
    /// `receive_available` after it sees `CloseRequested`.
    ///
    /// # Cancel safety
    ///
    /// The future is cancel-safe: dropping it leaves the worker joinable (the close request
    /// has been sent).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use tidings::{Messenger, Worker, WorkerError};
    ///
    /// // A worker that never reads its messenger: it is busy until released.
    /// let (release, held) = std::sync::mpsc::channel::<()>();
    /// let mut busy = Worker::spawn_thread(move |_m: Messenger<(), ()>| {
    ///     let _ = held.recv();
    /// });
    /// assert_eq!(busy.stop().timeout(Duration::from_millis(10)).wait(), Err(WorkerError::Timeout));
    /// release.send(()).unwrap();
    /// assert_eq!(busy.join().wait(), Ok(()));
    /// ```
    pub fn stop(&mut self) -> Join<'_, R> {
        if self.run.state == State::Running {
            // The worker may have ended already and dropped its end: nothing to ask then.
            let _ = self.messenger.send_close_request();
        }
        self.join()
    }

    /// Ends the worker without waiting: a task is aborted (at its next `.await`); a thread,
    /// which cannot be killed safely, is sent a close request and detached. Later joins return
    /// [`WorkerError::Terminated`]. Does nothing if the worker was already joined or
    /// terminated.
    pub fn terminate(&mut self) {
        if self.run.state != State::Running {
            return;
        }
        self.run.state = State::Terminated;
        match &self.run.handle {
            Handle::Task(task) => task.abort(),
            Handle::Thread(_) => {
                let _ = self.messenger.send_close_request();
            }
        }
    }
}

impl<C, T, R, Q: Discipline<T>> Drop for Worker<C, T, R, Q> {
    fn drop(&mut self) {
        self.terminate();
    }
}

impl<C, T, R, Q: Discipline<T>> fmt::Debug for Worker<C, T, R, Q> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.run.handle {
            Handle::Task(_) => "task",
            Handle::Thread(_) => "thread",
        };
        f.debug_struct("Worker")
            .field("kind", &kind)
            .field("state", &self.run.state)
            .field("alive", &self.is_alive())
            .field("messenger", &self.messenger)
            .finish()
    }
}
