//! Blocking a thread: parking, driving a future by parking between its polls, and refusing to
//! block a thread that drives a tokio runtime.

use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Instant;

use crate::backoff::Backoff;
use crate::loom::park_timeout;
use crate::loom::thread::{self, Thread};

/// Parks the current thread until it is unparked or `deadline` passes. Wake-ups can be
/// spurious (a stale unpark): callers always loop and re-check their condition.
pub(crate) fn park(deadline: Option<Instant>) {
    match deadline {
        None => thread::park(),
        Some(deadline) => {
            let now = Instant::now();
            if deadline > now {
                park_timeout(deadline - now);
            }
        }
    }
}

/// Wakes a parked thread.
struct ThreadWaker(Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// Polls `fut` on this thread until it is ready, parking the thread while it is pending; `None`
/// once `deadline` passes first. The future is polled once more after every wake-up, and at
/// least once, so a deadline is reported only after a last look.
///
/// The caller checks [`blocking_allowed`] first: this parks unconditionally.
pub(crate) fn poll_until<F: Future + Unpin>(
    fut: &mut F,
    deadline: Option<Instant>,
) -> Option<F::Output> {
    let waker = Waker::from(Arc::new(ThreadWaker(thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(out) = Pin::new(&mut *fut).poll(&mut cx) {
            return Some(out);
        }
        if deadline.is_some_and(|deadline| Instant::now() >= deadline) {
            return None;
        }
        park(deadline);
    }
}

/// Runs `fut` to completion on this thread, parking it while the future is pending.
pub(crate) fn block_on<F: Future>(fut: F) -> F::Output {
    let mut fut = pin!(fut);
    poll_until(&mut fut, None).expect("no deadline was set")
}

/// False when blocking the current thread could deadlock a tokio runtime: the thread is a
/// runtime worker, or is inside `block_on`. True on plain threads and in
/// `tokio::task::spawn_blocking` — the same rule as tokio's own `blocking_recv`.
///
/// Tokio exposes no query for this, so the check asks a tokio blocking call that applies the
/// rule itself: an uncontended `Mutex::blocking_lock`, which panics where blocking is not
/// allowed (tokio's panic message is printed, then ours). It only runs on a thread that has a
/// runtime context, and only when the caller is about to park.
pub(crate) fn blocking_allowed() -> bool {
    if cfg!(all(test, tidings_loom)) || tokio::runtime::Handle::try_current().is_err() {
        return true;
    }
    std::panic::catch_unwind(|| {
        let probe = tokio::sync::Mutex::const_new(());
        drop(probe.blocking_lock());
    })
    .is_ok()
}

/// Panics, naming `what`, if blocking here could deadlock a tokio runtime (see
/// [`blocking_allowed`]).
#[track_caller]
pub(crate) fn assert_blocking_allowed(what: &str) {
    if !blocking_allowed() {
        panic!(
            "{what} would block a thread that drives a tokio runtime, which can deadlock it: \
             use `.await` in async code (or move the blocking call into \
             `tokio::task::spawn_blocking`)"
        );
    }
}

/// Blocks the current thread until `attempt` succeeds (`Some`), or `deadline` passes (`None`).
///
/// The wait follows the crate's rule: try; spin and yield a little (`backoff`: a receiver
/// passes [`Backoff::patient`], which spins longer before its first yield, because the answer
/// to its own message is often a few hundred nanoseconds away; anything else
/// [`Backoff::new`]); then `register` (which must register the current thread as a waiter),
/// try again — spinning a little more while registered — and park until woken. `attempt`
/// always runs once more after a wake-up, so a deadline is reported only after a last try —
/// also for a deadline that has already passed. Before the first park it checks that blocking
/// is allowed here ([`assert_blocking_allowed`], naming `what`).
///
/// Both closures get `state`, so that they can share mutable state without capturing it twice.
#[track_caller]
#[inline]
pub(crate) fn block_until<S, R>(
    backoff: Backoff,
    what: &'static str,
    deadline: Option<Instant>,
    state: &mut S,
    mut attempt: impl FnMut(&mut S) -> Option<R>,
    register: impl FnMut(&mut S),
) -> Option<R> {
    // Fast path, inlined into the caller: most calls find what they wait for at once.
    if let Some(done) = attempt(state) {
        return Some(done);
    }
    block_until_slow(what, deadline, state, attempt, register, backoff)
}

#[track_caller]
#[inline(never)]
fn block_until_slow<S, R>(
    what: &'static str,
    deadline: Option<Instant>,
    state: &mut S,
    mut attempt: impl FnMut(&mut S) -> Option<R>,
    mut register: impl FnMut(&mut S),
    mut backoff: Backoff,
) -> Option<R> {
    if deadline.is_some_and(|deadline| Instant::now() >= deadline) {
        return None;
    }
    backoff.snooze();
    let mut checked = false;
    loop {
        if let Some(done) = attempt(state) {
            return Some(done);
        }
        if deadline.is_some_and(|deadline| Instant::now() >= deadline) {
            return None;
        }
        if !backoff.is_completed() {
            backoff.snooze();
            continue;
        }
        if !checked {
            assert_blocking_allowed(what);
            checked = true;
        }
        register(state);
        // Spin a little more while registered: a notification that comes now finds us awake,
        // which costs the notifier an atomic swap in `unpark` instead of a futex wake.
        let mut registered = Backoff::new();
        loop {
            if let Some(done) = attempt(state) {
                return Some(done);
            }
            if registered.is_completed() {
                break;
            }
            registered.snooze();
        }
        park(deadline);
    }
}
