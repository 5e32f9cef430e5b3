//! The one place internal code takes atomics, cells, locks and threads from.
//!
//! Under `--cfg tidings_loom` (unit tests only) everything comes from [loom], which explores every
//! interleaving of the lock-free protocols in `ring`, `wait` and `chan`. Otherwise it is `std`,
//! wrapped where needed so that both sides expose the same API (loom's `UnsafeCell::with`).
//!
//! [loom]: https://docs.rs/loom

#[cfg(all(test, tidings_loom))]
mod imp {
    pub(crate) use loom::cell::UnsafeCell;
    pub(crate) use loom::sync::atomic::{fence, AtomicBool, AtomicPtr, AtomicUsize};
    pub(crate) use loom::sync::{Arc, Mutex, MutexGuard};
    pub(crate) use loom::thread;

    /// Loom cannot model timeouts: a timed park is an untimed park, which is what a model needs
    /// (every wake-up must come from a notification, or the model reports a deadlock).
    pub(crate) fn park_timeout(_timeout: std::time::Duration) {
        loom::thread::park();
    }
}

#[cfg(not(all(test, tidings_loom)))]
mod imp {
    pub(crate) use std::sync::atomic::{fence, AtomicBool, AtomicPtr, AtomicUsize};
    pub(crate) use std::sync::{Arc, Mutex, MutexGuard};
    pub(crate) use std::thread;
    pub(crate) use std::thread::park_timeout;

    /// `std::cell::UnsafeCell` with loom's closure-based API, so one body of code serves both.
    #[derive(Debug)]
    #[repr(transparent)]
    pub(crate) struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

    impl<T> UnsafeCell<T> {
        pub(crate) const fn new(value: T) -> Self {
            Self(std::cell::UnsafeCell::new(value))
        }

        /// Runs `f` with a shared raw pointer to the contents.
        #[inline(always)]
        pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
            f(self.0.get())
        }

        /// Runs `f` with an exclusive raw pointer to the contents.
        #[inline(always)]
        pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
            f(self.0.get())
        }
    }
}

pub(crate) use imp::*;

/// Locks `mutex`, ignoring poisoning: the data behind our locks (waiter lists) stays consistent
/// even if a user's waker panicked while we held the lock, because we never run user code
/// between two updates of that data.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    match mutex.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}
