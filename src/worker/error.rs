//! [`WorkerError`]: why joining a worker gave no result.

use std::fmt;

/// Why [`Worker::join`](crate::Worker::join) (or `stop`) returned no result.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WorkerError {
    /// The worker panicked; this is its panic message (or a note that the payload was not a
    /// string). Its messenger end was dropped when it panicked, so the host's receives report
    /// `Disconnected` once the data it sent is consumed.
    Panicked(String),
    /// The timeout or deadline passed before the worker finished. It is still running: join
    /// again, or [`terminate`](crate::Worker::terminate) it.
    Timeout,
    /// The worker was terminated (by [`terminate`](crate::Worker::terminate)) before it could
    /// be joined, or its tokio runtime shut down before it finished: there is no result.
    Terminated,
    /// The worker was already joined; its result was returned then.
    AlreadyJoined,
}

impl fmt::Display for WorkerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorkerError::Panicked(msg) => write!(f, "the worker panicked: {msg}"),
            WorkerError::Timeout => f.write_str("timed out waiting for the worker to finish"),
            WorkerError::Terminated => f.write_str("the worker was terminated before it finished"),
            WorkerError::AlreadyJoined => f.write_str("the worker was already joined"),
        }
    }
}

impl std::error::Error for WorkerError {}
