//! The one place internal code takes atomics, cells, locks and threads from.
//!
//! Under `--cfg tidings_loom` (unit tests only) everything comes from [loom], which explores every
//! interleaving of the lock-free protocols in `ring`, `wait`, `chan` and the registry's per-tag
//! queue. Otherwise it is `std`, wrapped where needed so that both sides expose the same API
//! (loom's `UnsafeCell::with`).
//!
//! [loom]: https://docs.rs/loom

#[cfg(all(test, tidings_loom))]
mod imp {
    pub(crate) use loom::cell::{MutPtr, UnsafeCell};
    pub(crate) use loom::sync::atomic::{fence, AtomicBool, AtomicPtr, AtomicUsize};
    pub(crate) use loom::sync::{Arc, Condvar, Mutex, MutexGuard};

    /// Loom cannot model timeouts: a timed park is an untimed park, which is what a model needs
    /// (every wake-up must come from a notification, or the model reports a deadlock).
    pub(crate) fn park_timeout(_timeout: std::time::Duration) {
        thread::park();
    }

    /// `std::thread` with std's park/unpark semantics, modelled with a loom `Mutex` and
    /// `Condvar`.
    ///
    /// `std` keeps an unpark token whatever the target thread is doing, so its next `park`
    /// returns at once. Loom 0.7's own `park`/`unpark` drop an unpark aimed at a thread that is
    /// blocked on something else at that moment (tokio-rs/loom#249), which reports deadlocks
    /// that cannot happen with `std`. A token behind a modelled lock has std's semantics.
    pub(crate) mod thread {
        use loom::sync::{Arc, Condvar, Mutex};

        pub(crate) use loom::thread::{spawn, yield_now, ThreadId};

        #[derive(Debug)]
        struct Parker {
            token: Mutex<bool>,
            unparked: Condvar,
        }

        loom::thread_local! {
            static PARKER: Arc<Parker> =
                Arc::new(Parker { token: Mutex::new(false), unparked: Condvar::new() });
        }

        /// A handle to a thread, with std's unpark semantics.
        #[derive(Clone, Debug)]
        pub(crate) struct Thread {
            id: ThreadId,
            parker: Arc<Parker>,
        }

        impl Thread {
            pub(crate) fn id(&self) -> ThreadId {
                self.id
            }

            pub(crate) fn unpark(&self) {
                *self.parker.token.lock().unwrap() = true;
                self.parker.unparked.notify_one();
            }
        }

        pub(crate) fn current() -> Thread {
            Thread { id: loom::thread::current().id(), parker: PARKER.with(Arc::clone) }
        }

        pub(crate) fn park() {
            let parker = PARKER.with(Arc::clone);
            let mut token = parker.token.lock().unwrap();
            while !*token {
                token = parker.unparked.wait(token).unwrap();
            }
            *token = false;
        }
    }
}

#[cfg(not(all(test, tidings_loom)))]
mod imp {
    pub(crate) use std::sync::atomic::{fence, AtomicPtr, AtomicUsize};
    pub(crate) use std::sync::{Arc, Condvar, Mutex, MutexGuard};
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

        /// An exclusive raw pointer to the contents, for access that outlives a closure (a
        /// lock guard); loom tracks it until it is dropped.
        #[inline(always)]
        pub(crate) fn get_mut(&self) -> MutPtr<T> {
            MutPtr(self.0.get())
        }
    }

    /// loom's `MutPtr`: an exclusive raw pointer handed out by [`UnsafeCell::get_mut`].
    #[derive(Debug)]
    pub(crate) struct MutPtr<T>(*mut T);

    impl<T> MutPtr<T> {
        /// The contents.
        ///
        /// # Safety
        ///
        /// The caller has exclusive access to the cell, for as long as the reference lives.
        #[inline(always)]
        #[allow(clippy::mut_from_ref)]
        pub(crate) unsafe fn deref(&self) -> &mut T {
            // SAFETY: forwarded contract.
            unsafe { &mut *self.0 }
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
