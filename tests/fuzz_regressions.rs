//! Regressions found by the fuzz targets in `fuzz/`, each reduced to the operations that
//! matter and written as a plain test (single thread, futures polled by hand: deterministic).

use std::future::{Future, IntoFuture};
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use tidings::Registry;

/// A waker that records that it was woken.
struct Flag(AtomicBool);

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, SeqCst);
    }
}

fn flag() -> (Arc<Flag>, Waker) {
    let flag = Arc::new(Flag(AtomicBool::new(false)));
    (flag.clone(), Waker::from(flag))
}

/// Found by `registry_ops` (lost wake-up). A plain receive over two tags, one without a queue
/// yet, is woken when that tag gets its queue, and then woken again by a send on its other
/// tag. When it runs, it takes the older message (on the new tag), so the wake-up it got for
/// the other tag must pass on to the next receiver waiting there. It used to be lost: looking
/// the new tag up re-registered every tag, turning the received wake-up back into waiting.
#[test]
fn a_wake_up_passes_on_after_a_receive_looked_its_tags_up_again() {
    let reg = Registry::<u32>::new();
    reg.set_tags(["shared"]).unwrap();

    let (first_woken, first_waker) = flag();
    let mut first_cx = Context::from_waker(&first_waker);
    let mut first = pin!(reg.receive(["late", "shared"]).into_future());
    assert!(first.as_mut().poll(&mut first_cx).is_pending());

    // "late" gets its queue: `first` is woken to look it up.
    reg.send("late", 1).unwrap();
    assert!(first_woken.0.load(SeqCst));

    let (second_woken, second_waker) = flag();
    let mut second_cx = Context::from_waker(&second_waker);
    let mut second = pin!(reg.receive("shared").into_future());
    assert!(second.as_mut().poll(&mut second_cx).is_pending());

    // One wake-up on "shared": it goes to `first`, registered there first.
    reg.send("shared", 2).unwrap();

    // `first` takes 1, which arrived first; the wake-up for 2 is not what it used.
    match first.as_mut().poll(&mut first_cx) {
        Poll::Ready(Ok((tag, n))) => assert_eq!((tag.as_str(), n), ("late", 1)),
        other => panic!("expected the message on \"late\", got {other:?}"),
    }
    assert!(second_woken.0.load(SeqCst), "the wake-up on \"shared\" was not passed on");
    match second.as_mut().poll(&mut second_cx) {
        Poll::Ready(Ok((tag, n))) => assert_eq!((tag.as_str(), n), ("shared", 2)),
        other => panic!("expected the message on \"shared\", got {other:?}"),
    }
}
