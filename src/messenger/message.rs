//! What travels between the two ends: data [`Message`]s and special messages.

use std::error::Error;

/// How a data message was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageKind {
    /// Sent with `send_request`: the sender counts it and expects a reply.
    Request,
    /// Sent with `send_reply`: the receiver counts it against its requests when it takes it.
    Reply,
    /// Sent with `send_norequest`: not counted on either side.
    NoRequest,
}

/// A data message with its kind, as returned by
/// [`receive_message`](crate::Messenger::receive_message) (coproc's `DataMessage`).
///
/// ```
/// use tidings::messenger::MessageKind;
/// use tidings::Messenger;
///
/// let (mut host, mut worker) = Messenger::<(), u32>::pair();
/// host.send_request(1).unwrap();
/// host.send_norequest(2).unwrap();
/// let first = worker.receive_message().wait().unwrap();
/// assert_eq!((first.kind, first.payload), (MessageKind::Request, 1));
/// assert!(!worker.receive_message().wait().unwrap().is_request());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Message<T> {
    /// How the peer sent it.
    pub kind: MessageKind,
    /// The message itself.
    pub payload: T,
}

impl<T> Message<T> {
    /// True if the peer sent it with `send_request` (and so expects a reply).
    pub fn is_request(&self) -> bool {
        self.kind == MessageKind::Request
    }

    /// True if the peer sent it with `send_reply`.
    pub fn is_reply(&self) -> bool {
        self.kind == MessageKind::Reply
    }
}

/// One item in the mailbox of an end: data on a channel, or a special message.
pub(crate) enum Envelope<C, T> {
    Data { channel: C, msg: Message<T> },
    Error(Box<dyn Error + Send + Sync + 'static>),
    CloseRequest,
}
