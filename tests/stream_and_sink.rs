//! `Mailbox` is a `Stream` (ending when every sender is gone), `SendSink` a `Sink`.

use futures::stream::FusedStream;
use futures::{SinkExt, StreamExt};
use tidings::{bounded, unbounded};

#[tokio::test]
async fn mailbox_streams_until_the_last_sender_goes() {
    let (tx, mailbox) = unbounded();
    for i in 0..10 {
        tx.send(i).await.unwrap();
    }
    drop(tx);
    assert!(!mailbox.is_terminated());
    let all: Vec<i32> = mailbox.collect().await;
    assert_eq!(all, (0..10).collect::<Vec<_>>());
}

#[tokio::test]
async fn stream_ends_once_closed_and_empty() {
    let (tx, mut mailbox) = unbounded::<u8>();
    tx.send(1).await.unwrap();
    mailbox.close();
    assert_eq!(mailbox.next().await, Some(1));
    assert_eq!(mailbox.next().await, None);
    assert!(mailbox.is_terminated());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forward_a_stream_through_a_bounded_sink() {
    let (tx, mailbox) = bounded(3);
    let producer = tokio::spawn(async move {
        let mut sink = tx.into_sink();
        sink.send_all(&mut futures::stream::iter(0..1000).map(Ok)).await.unwrap();
        sink.close().await.unwrap();
        assert!(sink.get_ref().is_none(), "close drops the sender");
    });
    let got: Vec<u32> = mailbox.collect().await;
    producer.await.unwrap();
    assert_eq!(got, (0..1000).collect::<Vec<_>>());
}

#[tokio::test]
async fn a_sink_from_a_borrowed_sender_keeps_the_original_usable() {
    let (tx, mut mailbox) = unbounded();
    let mut sink = tx.sink();
    sink.send("via sink").await.unwrap();
    tx.send("via sender").await.unwrap();
    sink.close().await.unwrap();
    assert_eq!(mailbox.recv().await, Ok("via sink"));
    assert_eq!(mailbox.recv().await, Ok("via sender"));
    drop(tx);
    assert!(mailbox.recv().await.is_err());
}

#[test]
fn drain_takes_what_is_queued_now_save_queue_first() {
    let (tx, mut mailbox) = bounded(8);
    for i in 0..6 {
        tx.try_send(i).unwrap();
    }
    assert_eq!(mailbox.recv().matching(|n| *n == 3).wait(), Ok(3));
    {
        let mut drain = mailbox.drain();
        assert_eq!(drain.size_hint(), (3, Some(5)));
        assert_eq!(drain.next(), Some(0));
    } // dropped early: the rest stays
    assert_eq!(mailbox.len(), 4);
    assert_eq!(mailbox.drain().collect::<Vec<_>>(), [1, 2, 4, 5]);
    assert_eq!(mailbox.drain().next(), None);
}
