//! [`RequestCounter`]: coproc's per-channel request / reply bookkeeping.

/// What one end of a messenger has sent and received on one channel (coproc's `RequestCtr`).
///
/// * `requests`: messages sent with `send_request` (counted when the send succeeds);
/// * `replies`: messages that arrived as replies (`send_reply` on the peer), counted when a
///   receive *takes* them, not when they arrive;
/// * `sent`: every data message sent (requests, replies and norequests);
/// * `received`: every data message taken by a receive.
///
/// Special messages (errors, close requests) are never counted.
///
/// ```
/// use tidings::Messenger;
///
/// let (mut host, mut worker) = Messenger::<(), &str>::pair();
/// host.send_request("ping").unwrap();
/// assert_eq!(host.remaining(), 1);
/// assert_eq!(worker.receive_blocking().unwrap(), "ping");
/// worker.send_reply("pong").unwrap();
/// assert_eq!(host.remaining(), 1); // the reply is queued, not taken yet
/// assert_eq!(host.receive_blocking().unwrap(), "pong");
///
/// let c = host.counters();
/// assert_eq!((c.requests, c.replies, c.sent, c.received), (1, 1, 1, 1));
/// assert_eq!(c.remaining(), 0);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct RequestCounter {
    /// Requests sent on the channel.
    pub requests: u64,
    /// Replies taken from the channel's queue.
    pub replies: u64,
    /// Data messages sent on the channel (of every kind).
    pub sent: u64,
    /// Data messages taken from the channel's queue (of every kind).
    pub received: u64,
}

impl RequestCounter {
    /// `requests - replies`: how many replies are still expected. Negative when the peer sent
    /// more replies than there were requests (coproc allows that too).
    pub fn remaining(&self) -> i64 {
        // Saturating: a u64 count above i64::MAX cannot happen in practice, but must not wrap.
        let requests = i64::try_from(self.requests).unwrap_or(i64::MAX);
        let replies = i64::try_from(self.replies).unwrap_or(i64::MAX);
        requests.saturating_sub(replies)
    }
}
