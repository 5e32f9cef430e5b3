//! [`WaitQueue`]: many waiters, woken one at a time in arrival order.
//!
//! The list of waiters is allocated by the first registration: a queue nobody ever waits on
//! (the senders' queue of an unbounded mailbox, or of a bounded one that never fills) costs two
//! words and no allocation, and its notifiers pay what they always paid: a fence and a load of
//! `waiting`.
//!
//! # Parcels
//!
//! A waiter may leave a *parcel* with the queue: the value it waits to deliver (the message
//! of a blocking sender, or of an async `send_handoff`). The notifier that makes room then
//! delivers it itself, under the lock ([`WaitQueue::hand_over`], after
//! [`WaitQueue::has_waiters`]), and wakes the waiter to a finished job: the consumer of a full
//! mailbox goes on receiving while the sender is still waking up, instead of waiting for the
//! sender to run and push. A parcel is only ever moved under the lock, so it is in exactly one
//! place at a time: the waiter's hands, the queue's node, or the ring. A waiter that is
//! notified without a delivery (a close, or a wake-up passed on) gets its parcel back
//! ([`WaitQueue::check_parcel`], [`WaitQueue::poll_parcel`]) and tries again itself; one that
//! stops waiting takes it back with [`WaitQueue::withdraw_parcel`], unless it was delivered.

use std::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed, SeqCst};
use std::task::Waker;
use std::{mem, ptr};

use super::lock::{ShortGuard, ShortLock};
use super::{Waiter, WaiterRef};
use crate::loom::{fence, AtomicPtr, AtomicUsize};

/// "No node" in the intrusive list.
const NIL: usize = usize::MAX;

/// A waiter's place in a [`WaitQueue`]: owned by one waiting operation (a future, or a blocking
/// call's stack frame), which must hand it back with [`WaitQueue::unregister`] when it stops
/// waiting, for whatever reason.
#[derive(Debug, Default)]
pub(crate) struct Registration {
    key: Option<usize>,
}

impl Registration {
    pub(crate) const fn new() -> Self {
        Self { key: None }
    }

    pub(crate) fn is_registered(&self) -> bool {
        self.key.is_some()
    }
}

/// FIFO list of waiters with pass-on-drop notifications, and parcels of type `T` (see
/// "Parcels"; a queue whose waiters never leave one uses `()`).
#[derive(Debug)]
pub(crate) struct WaitQueue<T = ()> {
    /// How many nodes are `Waiting` (linked in the list). Read without the lock by notifiers
    /// after their fence; written under the lock.
    waiting: AtomicUsize,
    /// The list, null until the first registration installs it; then fixed until the queue is
    /// dropped (which frees it).
    list: AtomicPtr<ShortLock<List<T>>>,
}

#[derive(Debug)]
enum State {
    /// The slot is unused (on the free list).
    Free,
    /// Linked in the list, waiting to be woken.
    Waiting(Waiter),
    /// Woken and unlinked; the owner has not looked yet.
    Notified,
    /// Unlinked after the notifier delivered the node's parcel; the owner has not looked yet.
    Delivered,
}

#[derive(Debug)]
struct Node<T> {
    prev: usize,
    next: usize,
    state: State,
    /// What the waiter left to be delivered for it, if anything (see "Parcels").
    parcel: Option<T>,
}

/// Where a waiter that left a parcel stands (see [`WaitQueue::check_parcel`]).
#[derive(Debug)]
pub(crate) enum Parcel<T> {
    /// Still waiting; the queue keeps the parcel.
    Waiting,
    /// The notifier delivered the parcel; the registration is given back.
    Delivered,
    /// Notified without a delivery (or given up): here is the parcel, the registration is given
    /// back.
    Returned(T),
}

/// A slab of nodes with a doubly linked FIFO of the `Waiting` ones: O(1) register, notify and
/// unregister, however many waiters there are.
#[derive(Debug)]
struct List<T> {
    nodes: Vec<Node<T>>,
    free: Vec<usize>,
    head: usize,
    tail: usize,
}

impl<T> List<T> {
    fn alloc(&mut self, state: State) -> usize {
        let node = Node { prev: NIL, next: NIL, state, parcel: None };
        match self.free.pop() {
            Some(key) => {
                self.nodes[key] = node;
                key
            }
            None => {
                self.nodes.push(node);
                self.nodes.len() - 1
            }
        }
    }

    /// Frees the node of `key` (whose parcel, if it had one, the caller took): returns its
    /// state and puts it on the free list.
    fn release(&mut self, key: usize) -> State {
        debug_assert!(self.nodes[key].parcel.is_none(), "a parcel is given back by check_parcel");
        self.free.push(key);
        mem::replace(&mut self.nodes[key].state, State::Free)
    }

    fn push_back(&mut self, key: usize) {
        self.nodes[key].prev = self.tail;
        self.nodes[key].next = NIL;
        match self.tail {
            NIL => self.head = key,
            tail => self.nodes[tail].next = key,
        }
        self.tail = key;
    }

    fn unlink(&mut self, key: usize) {
        let Node { prev, next, .. } = self.nodes[key];
        match prev {
            NIL => self.head = next,
            prev => self.nodes[prev].next = next,
        }
        match next {
            NIL => self.tail = prev,
            next => self.nodes[next].prev = prev,
        }
    }
}

impl<T> WaitQueue<T> {
    pub(crate) fn new() -> Self {
        Self { waiting: AtomicUsize::new(0), list: AtomicPtr::new(ptr::null_mut()) }
    }

    /// The list, installed by the first caller. Every caller gets the same one: the install is
    /// a compare-and-swap from null, and the pointer never changes after it.
    #[inline]
    fn list(&self) -> &ShortLock<List<T>> {
        // Acquire: pairs with the install's Release, so the list's initialisation is visible.
        let list = self.list.load(Acquire);
        if list.is_null() {
            return self.install_list();
        }
        // SAFETY: a non-null `list` was installed by `install_list` from a live `Box`, is never
        // replaced, and is freed only by `drop`, which has `&mut self`.
        unsafe { &*list }
    }

    #[cold]
    fn install_list(&self) -> &ShortLock<List<T>> {
        let new = Box::into_raw(Box::new(ShortLock::new(List {
            nodes: Vec::new(),
            free: Vec::new(),
            head: NIL,
            tail: NIL,
        })));
        // Release: publishes the initialised list; Acquire: we may use another caller's.
        match self.list.compare_exchange(ptr::null_mut(), new, AcqRel, Acquire) {
            // SAFETY: we installed `new`; see `list` for why it stays valid as long as `self`.
            Ok(_) => unsafe { &*new },
            Err(current) => {
                // SAFETY: `new` came from `Box::into_raw` above and never became reachable.
                drop(unsafe { Box::from_raw(new) });
                // SAFETY: `current` was installed by another caller; as in `list`.
                unsafe { &*current }
            }
        }
    }

    /// Links `key` at the back of the list and counts it as waiting (under the lock; the
    /// caller's fence publishes the count).
    fn link_waiting(&self, list: &mut List<T>, key: usize) {
        list.push_back(key);
        // Relaxed: written under the lock, published by the caller's fence.
        self.waiting.store(self.waiting.load(Relaxed) + 1, Relaxed);
    }

    /// Unlinks `key`, a waiting node, and stops counting it (under the lock).
    fn unlink_waiting(&self, list: &mut List<T>, key: usize) {
        list.unlink(key);
        self.waiting.store(self.waiting.load(Relaxed) - 1, Relaxed);
    }

    /// Registers (or refreshes) a waiter. A fresh or already-notified registration goes to the
    /// back of the queue; one still waiting keeps its place. The caller must try its operation
    /// again afterwards, before it sleeps.
    pub(crate) fn register(&self, reg: &mut Registration, waiter: WaiterRef<'_>) {
        let mut list = self.list().lock();
        match reg.key {
            Some(key) => {
                let relink = match &mut list.nodes[key].state {
                    State::Waiting(old) => {
                        old.refresh(waiter);
                        false
                    }
                    State::Notified => true,
                    State::Free | State::Delivered => {
                        unreachable!("register: the node is {:?}", list.nodes[key].state)
                    }
                };
                if relink {
                    list.nodes[key].state = State::Waiting(waiter.to_waiter());
                    self.link_waiting(&mut list, key);
                }
            }
            None => {
                let key = list.alloc(State::Waiting(waiter.to_waiter()));
                self.link_waiting(&mut list, key);
                reg.key = Some(key);
            }
        }
        drop(list);
        // SeqCst: pairs with the fence in `notify_one` / `notify_all`.
        fence(SeqCst);
    }

    /// Gives a registration back. If it had been notified and `consumed` says false (the
    /// waiter did not use what it was woken for: it timed out, was cancelled, gave up, or did
    /// its job with something else), the notification passes to the next waiter. `consumed`
    /// runs under the lock, only for a notified waiter, so it sees the notifier's change.
    #[inline]
    pub(crate) fn unregister(&self, reg: &mut Registration, consumed: impl FnOnce() -> bool) {
        if let Some(key) = reg.key.take() {
            self.withdraw(key, consumed, false);
        }
    }

    /// Frees the node of `key`, and with `take_parcel` gives back its parcel if it still has
    /// one (a waiter whose parcel was delivered gets `None`; waiters that never leave one pass
    /// false, which spares them moving a large `T` around). A waiting node is unlinked; a
    /// notification the waiter got without a delivery passes on unless `consumed`.
    #[cold]
    fn withdraw(
        &self,
        key: usize,
        consumed: impl FnOnce() -> bool,
        take_parcel: bool,
    ) -> Option<T> {
        let mut list = self.list().lock();
        let pass_on = match list.nodes[key].state {
            State::Waiting(_) => {
                self.unlink_waiting(&mut list, key);
                false
            }
            State::Notified => !consumed(),
            State::Delivered => false,
            State::Free => unreachable!("withdraw: the node is free"),
        };
        let parcel = if take_parcel { list.nodes[key].parcel.take() } else { None };
        let state = list.release(key);
        drop(list);
        drop(state);
        if pass_on {
            self.notify_one();
        }
        parcel
    }

    /// Registers `waiter` (a thread, or a task's waker) at the back of the queue as a waiter
    /// that leaves `parcel` to be delivered for it (see "Parcels"), then makes the rule's
    /// second try: after the fence that pairs with [`has_waiters`](Self::has_waiters)'s,
    /// `room` looks whether a notifier made room meanwhile (so either the look sees that room,
    /// or that notifier sees this waiter). Only if it did, `retry` gets the parcel back, under
    /// the lock, unless a notifier moved it meanwhile. The lock is not held over the fence
    /// and the look: a notifier delivering to the waiters ahead does not wait for them.
    ///
    /// `Ok(done)` from `retry`: the job is done, the registration withdrawn, and `Some(done)`
    /// returned. Otherwise the queue keeps the parcel and `None` says the waiter is
    /// registered: it sleeps, and looks with [`check_parcel`](Self::check_parcel) after every
    /// wake-up (a task with [`poll_parcel`](Self::poll_parcel)), which may find it delivered
    /// already.
    pub(crate) fn register_parcel<R>(
        &self,
        reg: &mut Registration,
        waiter: WaiterRef<'_>,
        parcel: T,
        room: impl FnOnce() -> bool,
        retry: impl FnOnce(T) -> Result<R, T>,
    ) -> Option<R> {
        debug_assert!(!reg.is_registered(), "register_parcel: already registered");
        let key = {
            let mut list = self.list().lock();
            let key = list.alloc(State::Waiting(waiter.to_waiter()));
            list.nodes[key].parcel = Some(parcel);
            self.link_waiting(&mut list, key);
            key
        };
        reg.key = Some(key);
        // SeqCst: pairs with the fence in `has_waiters` / `notify_one` / `notify_all`.
        fence(SeqCst);
        if !room() {
            return None;
        }
        let mut list = self.list().lock();
        if !matches!(list.nodes[key].state, State::Waiting(_)) {
            // Delivered or notified meanwhile: the next look says which.
            return None;
        }
        let parcel = list.nodes[key].parcel.take().expect("a waiting node keeps its parcel");
        match retry(parcel) {
            Ok(done) => {
                self.unlink_waiting(&mut list, key);
                let state = list.release(key);
                reg.key = None;
                drop(list);
                drop(state);
                Some(done)
            }
            Err(parcel) => {
                list.nodes[key].parcel = Some(parcel);
                None
            }
        }
    }

    /// Where the waiter of `reg`, registered with [`register_parcel`](Self::register_parcel),
    /// stands. Unless it is still waiting and `give_up` is false, the registration is given
    /// back: after a delivery, after a notification without one (the parcel comes back, and
    /// the waiter must try its job itself: that try is what uses the notification, so a
    /// waiter that got one never gives up without trying), or when it gives up.
    pub(crate) fn check_parcel(&self, reg: &mut Registration, give_up: bool) -> Parcel<T> {
        self.look_parcel(reg, give_up, None)
    }

    /// [`check_parcel`](Self::check_parcel) for a task, which never gives up here (a dropped
    /// future uses [`withdraw_parcel`](Self::withdraw_parcel)): a task still waiting has `waker`
    /// registered in place of the one it registered with, unless they wake the same task.
    pub(crate) fn poll_parcel(&self, reg: &mut Registration, waker: &Waker) -> Parcel<T> {
        self.look_parcel(reg, false, Some(WaiterRef::Task(waker)))
    }

    fn look_parcel(
        &self,
        reg: &mut Registration,
        give_up: bool,
        refresh: Option<WaiterRef<'_>>,
    ) -> Parcel<T> {
        let key = reg.key.expect("check_parcel: not registered");
        let mut list = self.list().lock();
        match &mut list.nodes[key].state {
            State::Waiting(waiter) if !give_up => {
                if let Some(new) = refresh {
                    waiter.refresh(new);
                }
                return Parcel::Waiting;
            }
            State::Waiting(_) => self.unlink_waiting(&mut list, key),
            State::Notified | State::Delivered => {}
            State::Free => unreachable!("check_parcel: the node is free"),
        }
        let parcel = list.nodes[key].parcel.take();
        let state = list.release(key);
        reg.key = None;
        drop(list);
        match (state, parcel) {
            (_, Some(parcel)) => Parcel::Returned(parcel),
            (State::Delivered, None) => Parcel::Delivered,
            (state, None) => unreachable!("check_parcel: no parcel in a {state:?} node"),
        }
    }

    /// Withdraws the waiter of `reg`, registered with [`register_parcel`](Self::register_parcel),
    /// that will not try its job again (a dropped future): its parcel, unless it was
    /// delivered (`None`). A notification it got without a delivery passes on to the next
    /// waiter, as [`unregister`](Self::unregister) does for a waiter that did not use it.
    pub(crate) fn withdraw_parcel(&self, reg: &mut Registration) -> Option<T> {
        reg.key.take().and_then(|key| self.withdraw(key, || false, true))
    }

    /// True if anyone may be waiting: the notifier's half of the rule, for a notifier that
    /// goes on to [`hand_over`](Self::hand_over) only then (one fence and one load, no lock).
    /// Call after the change that waiters should see.
    #[inline(always)]
    pub(crate) fn has_waiters(&self) -> bool {
        // SeqCst: pairs with the fence in `register` / `register_parcel`.
        fence(SeqCst);
        // Relaxed: the fences order it (see `register`).
        self.waiting.load(Relaxed) != 0
    }

    /// [`notify_one`](Self::notify_one) for a notifier that can deliver, after
    /// [`has_waiters`](Self::has_waiters) said yes: the waiter that registered first gets its
    /// parcel delivered by `deliver` (and wakes to a finished job), or, if it left none, is
    /// woken.
    ///
    /// `deliver` runs under the lock. `Ok(done)`: delivered, and `Some(done)` is returned.
    /// `Err(parcel)`: no room after all (a sender that was not waiting took it, or the ring
    /// closed): the parcel stays, its waiter keeps waiting and keeps its place. The next change
    /// that makes room tries again; a close notifies every waiter.
    #[inline(always)]
    pub(crate) fn hand_over<R>(&self, deliver: impl FnOnce(T) -> Result<R, T>) -> Option<R> {
        let mut list = self.list().lock();
        let key = list.head;
        if key == NIL {
            return None;
        }
        let Some(parcel) = list.nodes[key].parcel.take() else {
            self.wake_head(list, State::Notified);
            return None;
        };
        match deliver(parcel) {
            Ok(done) => {
                self.wake_head(list, State::Delivered);
                Some(done)
            }
            Err(parcel) => {
                list.nodes[key].parcel = Some(parcel);
                None
            }
        }
    }

    /// Unlinks the head of a non-empty list, leaves it in state `next` and wakes its waiter,
    /// after releasing the lock.
    #[inline(always)]
    fn wake_head(&self, mut list: ShortGuard<'_, List<T>>, next: State) {
        let key = list.head;
        self.unlink_waiting(&mut list, key);
        let state = mem::replace(&mut list.nodes[key].state, next);
        drop(list);
        if let State::Waiting(waiter) = state {
            waiter.wake();
        }
    }

    /// Wakes the waiter that registered first. Call after the change it should see.
    #[inline]
    pub(crate) fn notify_one(&self) {
        if self.has_waiters() {
            self.notify_one_slow();
        }
    }

    #[cold]
    fn notify_one_slow(&self) {
        let list = self.list().lock();
        if list.head != NIL {
            self.wake_head(list, State::Notified);
        }
    }

    /// Wakes every waiter (on close). Call after the change they should see.
    pub(crate) fn notify_all(&self) {
        if !self.has_waiters() {
            return;
        }
        let mut woken = Vec::new();
        {
            let mut list = self.list().lock();
            while list.head != NIL {
                let key = list.head;
                list.unlink(key);
                if let State::Waiting(waiter) =
                    mem::replace(&mut list.nodes[key].state, State::Notified)
                {
                    woken.push(waiter);
                }
            }
            self.waiting.store(0, Relaxed);
        }
        for waiter in woken {
            waiter.wake();
        }
    }

    /// True if nobody was waiting at a recent moment: a hint without a fence, for a caller
    /// that only chooses a strategy by it (see `Chan::step_aside`), never whether to wake.
    #[inline(always)]
    pub(crate) fn seems_idle(&self) -> bool {
        self.waiting.load(Relaxed) == 0
    }

    /// How many waiters are registered and not yet notified (racy; for tests).
    #[cfg(all(test, not(tidings_loom)))]
    pub(crate) fn waiting(&self) -> usize {
        self.waiting.load(SeqCst)
    }

    /// True once the list is allocated (for tests of the lazy allocation).
    #[cfg(all(test, not(tidings_loom)))]
    pub(crate) fn has_list(&self) -> bool {
        !self.list.load(Acquire).is_null()
    }

    /// How many nodes the slab holds, free or not (for tests of node reuse).
    #[cfg(all(test, not(tidings_loom)))]
    pub(crate) fn nodes(&self) -> usize {
        if !self.has_list() {
            return 0;
        }
        self.list().lock().nodes.len()
    }
}

impl<T> Drop for WaitQueue<T> {
    fn drop(&mut self) {
        // `&mut self`: nobody else can reach the queue; Acquire for the list's contents.
        let list = self.list.load(Acquire);
        if !list.is_null() {
            // SAFETY: installed from `Box::into_raw` (see `install_list`), freed only here.
            drop(unsafe { Box::from_raw(list) });
        }
    }
}
