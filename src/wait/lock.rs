//! [`ShortLock`]: the lock of a [`WaitQueue`](super::WaitQueue)'s list.
//!
//! Every critical section under it is a few dozen instructions: link or unlink a node, move a
//! parcel into the ring, clone a waker (a reference count). Wakers are woken, and dropped,
//! after the lock is released. `std`'s `Mutex` is made for longer sections: once two threads
//! meet on it, it stays marked contended until a holder finds nobody waiting, and every unlock
//! meanwhile makes a `futex` system call, whether anyone sleeps or not (`perf`, 4 tasks →
//! 1 task at capacity 1 with `send_handoff`: a fifth of the time in its contended path).
//!
//! This lock spins first: a thread that finds it taken checks it with loads while it spins
//! (about the length of a section), then yields a few times. Only then does it sleep, on a
//! condition variable, counted in the lock's word; an unlock goes to the kernel only if the
//! word counts a sleeper. Never sleeping (kanal's lock spins and yields until it gets in) cost
//! 4 tasks → 1 thread at capacity 1 two thirds of its speed, where three threads share two
//! cores: a holder descheduled inside its section is waited for by the others' yields, which
//! do not hand it their core.
//!
//! # The handshake between an unlock and a sleeper
//!
//! One word holds both the lock bit and the count of sleepers, and every change to it is a
//! read-modify-write, so all of them are in one order. A sleeper counts itself, then tries the
//! lock once more, and only then waits, all under `park`'s mutex. An unlock clears the bit and
//! reads the count in one step: if it comes after the count, it notifies (under `park`, so
//! the sleeper is waiting, or has yet to try and will find the lock free); if it comes before,
//! the sleeper's try finds the lock free.

use std::mem::ManuallyDrop;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};

use crate::backoff::Backoff;
use crate::loom::{lock, thread, AtomicUsize, Condvar, MutPtr, Mutex, UnsafeCell};

/// The lock bit of [`ShortLock::state`].
const LOCKED: usize = 1;
/// One sleeper in [`ShortLock::state`] (the count sits above the lock bit).
const SLEEPER: usize = 2;

/// How many times a thread that found the lock taken yields before it sleeps (under loom
/// none: the models go to the sleepers' handshake at once).
#[inline]
fn yields() -> u32 {
    if cfg!(all(test, tidings_loom)) {
        0
    } else {
        4
    }
}

/// A lock for critical sections of a few dozen instructions (see the module docs).
#[derive(Debug)]
pub(crate) struct ShortLock<T> {
    /// `LOCKED` while held, plus `SLEEPER` for every thread that sleeps on `wake` (or is
    /// about to), counted under `park`.
    state: AtomicUsize,
    park: Mutex<()>,
    wake: Condvar,
    /// Touched only through a [`ShortGuard`], by the thread that set `LOCKED`.
    data: UnsafeCell<T>,
}

// SAFETY: the lock hands `data` to one thread at a time (Acquire on taking it pairs with the
// Release that gave it back), so sharing the lock shares `T` only by moving it between
// threads: `T: Send` is enough, as for `std::sync::Mutex`.
unsafe impl<T: Send> Sync for ShortLock<T> {}
// SAFETY: as above; the lock owns its `T`.
unsafe impl<T: Send> Send for ShortLock<T> {}

impl<T> ShortLock<T> {
    pub(crate) fn new(value: T) -> Self {
        Self {
            state: AtomicUsize::new(0),
            park: Mutex::new(()),
            wake: Condvar::new(),
            data: UnsafeCell::new(value),
        }
    }

    /// Takes the lock: spins, yields, and then sleeps while another thread holds it.
    #[inline]
    pub(crate) fn lock(&self) -> ShortGuard<'_, T> {
        // Acquire: pairs with the Release in `unlock`, so the last holder's changes to `data`
        // are visible to us.
        if self.state.compare_exchange(0, LOCKED, Acquire, Relaxed).is_err() {
            self.lock_contended();
        }
        ShortGuard { lock: self, data: ManuallyDrop::new(self.data.get_mut()) }
    }

    /// Sets the lock bit if it is clear, whatever the count of sleepers; true if it did.
    /// Acquire: as in `lock`.
    #[inline]
    fn try_take(&self) -> bool {
        self.state.fetch_or(LOCKED, Acquire) & LOCKED == 0
    }

    #[cold]
    #[inline(never)]
    fn lock_contended(&self) {
        // Loads until it looks free, so that the waiters do not take the line away from the
        // holder with failing read-modify-writes. Relaxed: `try_take` orders.
        let free_and_taken = || self.state.load(Relaxed) & LOCKED == 0 && self.try_take();
        let mut backoff = Backoff::new();
        while backoff.is_spinning() {
            backoff.snooze();
            if free_and_taken() {
                return;
            }
        }
        for _ in 0..yields() {
            thread::yield_now();
            if free_and_taken() {
                return;
            }
        }
        let mut park = lock(&self.park);
        // Relaxed: the handshake needs only the order of the word's read-modify-writes.
        self.state.fetch_add(SLEEPER, Relaxed);
        while !self.try_take() {
            park = self.wake.wait(park).unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        self.state.fetch_sub(SLEEPER, Relaxed);
    }

    /// Frees the lock and wakes a sleeper, if there is one.
    #[inline(always)]
    fn unlock(&self) {
        // Release: the next holder (Acquire) sees our changes to `data`.
        if self.state.fetch_sub(LOCKED, Release) != LOCKED {
            self.wake_sleeper();
        }
    }

    #[cold]
    #[inline(never)]
    fn wake_sleeper(&self) {
        // Under `park`: a sleeper that counted itself is waiting on `wake` by now, or has yet
        // to try the lock, which it will find free.
        let _park = lock(&self.park);
        self.wake.notify_one();
    }
}

/// The holder's access to a [`ShortLock`]'s `T`; gives the lock back when dropped.
pub(crate) struct ShortGuard<'a, T> {
    lock: &'a ShortLock<T>,
    /// Our access to `data` (under loom, a tracked one), ended before the lock is given back.
    data: ManuallyDrop<MutPtr<T>>,
}

impl<T> Deref for ShortGuard<'_, T> {
    type Target = T;

    #[inline(always)]
    fn deref(&self) -> &T {
        // SAFETY: we hold the lock, so nobody else touches `data`; the borrow of `self` keeps
        // this reference from outliving the guard or overlapping one from `deref_mut`.
        unsafe { MutPtr::deref(&self.data) }
    }
}

impl<T> DerefMut for ShortGuard<'_, T> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`, with `&mut self` for the exclusive borrow.
        unsafe { MutPtr::deref(&self.data) }
    }
}

impl<T> Drop for ShortGuard<'_, T> {
    #[inline(always)]
    fn drop(&mut self) {
        // SAFETY: dropped once, here, and not used after.
        unsafe { ManuallyDrop::drop(&mut self.data) };
        self.lock.unlock();
    }
}
