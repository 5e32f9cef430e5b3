//! [`Tag`], the name of a queue, and [`IntoTags`], the lists of tags the registry accepts.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// The name of a registry queue: a shared, immutable string.
///
/// Cloning a `Tag` copies a pointer, not the string. It compares with `&str`, `str` and
/// `String`, prints as the string, and is what a registry receive returns next to each message,
/// so a receive over several tags can `match` on where the message came from.
///
/// ```
/// use tidings::Tag;
///
/// let tag = Tag::from("calculator");
/// assert_eq!(tag, "calculator");
/// assert_eq!(tag.to_string(), "calculator");
/// assert_eq!(format!("[{tag:>12}]"), "[  calculator]");
/// assert_eq!(tag.as_str().len(), 10);
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tag(Arc<str>);

impl Tag {
    /// A tag with the name `name`.
    pub fn new(name: &str) -> Self {
        Tag(Arc::from(name))
    }

    /// The tag's name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for Tag {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Tag {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Lets a `HashMap<Tag, _>` be searched with a `&str`; `Tag`'s `Hash` and `Eq` are those of
/// its string, as `Borrow` requires.
impl Borrow<str> for Tag {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Tag {
    fn from(name: &str) -> Self {
        Tag::new(name)
    }
}

impl From<&String> for Tag {
    fn from(name: &String) -> Self {
        Tag::new(name)
    }
}

impl From<String> for Tag {
    fn from(name: String) -> Self {
        Tag(Arc::from(name))
    }
}

impl From<Arc<str>> for Tag {
    fn from(name: Arc<str>) -> Self {
        Tag(name)
    }
}

impl From<&Tag> for Tag {
    fn from(tag: &Tag) -> Self {
        tag.clone()
    }
}

impl PartialEq<str> for Tag {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for Tag {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<String> for Tag {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<Tag> for str {
    fn eq(&self, other: &Tag) -> bool {
        *self == *other.0
    }
}

impl PartialEq<Tag> for &str {
    fn eq(&self, other: &Tag) -> bool {
        **self == *other.0
    }
}

impl PartialEq<Tag> for String {
    fn eq(&self, other: &Tag) -> bool {
        **self == *other.0
    }
}

impl fmt::Display for Tag {
    /// The name, padded and aligned as a `str` would be (`{:<8}` works).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

impl fmt::Debug for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

/// A short tag name copied into a fixed buffer: a single-tag receive keeps the caller's tag
/// this way until its first attempt (no allocation, no reference count, no lifetime).
#[derive(Clone, Copy)]
pub(super) struct ShortTag {
    len: u8,
    bytes: [u8; ShortTag::MAX],
}

impl ShortTag {
    /// The longest name kept inline.
    pub(super) const MAX: usize = 32;

    /// A copy of `name`, if it is at most [`MAX`](ShortTag::MAX) bytes long.
    #[inline]
    pub(super) fn new(name: &str) -> Option<Self> {
        let len = name.len();
        if len > Self::MAX {
            return None;
        }
        let mut bytes = [0; Self::MAX];
        bytes[..len].copy_from_slice(name.as_bytes());
        Some(ShortTag { len: len as u8, bytes })
    }

    /// The name's bytes (what the per-thread cache compares).
    #[inline]
    pub(super) fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    /// The name (validated again: a copy of a `str` always is valid UTF-8).
    pub(super) fn as_str(&self) -> &str {
        std::str::from_utf8(self.as_bytes()).expect("copied from a str")
    }
}

impl fmt::Debug for ShortTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

/// A list of tags: one tag (`&str`, `String`, [`Tag`]) or a sequence of them (arrays, slices,
/// `Vec`s, of any of those).
///
/// Taken by [`Registry::receive`](crate::Registry::receive),
/// [`Registry::drain`](crate::Registry::drain) and
/// [`Registry::set_tags`](crate::Registry::set_tags). A tag listed twice counts once. Order does
/// not matter to a receive: the message that arrived first wins, whichever tag it is on.
///
/// ```
/// use tidings::{Registry, Tag};
///
/// let reg = Registry::<u32>::new();
/// reg.send("a", 1).unwrap();
/// reg.send("b", 2).unwrap();
/// reg.send("c", 3).unwrap();
/// let names = vec![String::from("b"), String::from("c")];
/// assert_eq!(reg.drain(&names), 2);     // &Vec<String>
/// assert_eq!(reg.drain(["a", "b"]), 1); // [&str; 2]
/// assert_eq!(reg.drain(Tag::from("a")), 0);
/// ```
pub trait IntoTags {
    /// One tag of the list.
    type Tag: AsRef<str>;
    /// The tags, in order.
    type IntoIter: Iterator<Item = Self::Tag>;

    /// The tags of the list.
    fn into_tags(self) -> Self::IntoIter;
}

macro_rules! single_tag {
    ($($(#[$doc:meta])* [$($lt:lifetime)?] $ty:ty;)*) => {$(
        $(#[$doc])*
        impl<$($lt)?> IntoTags for $ty {
            type Tag = $ty;
            type IntoIter = std::iter::Once<$ty>;

            fn into_tags(self) -> Self::IntoIter {
                std::iter::once(self)
            }
        }
    )*};
}

single_tag! {
    /// One tag.
    ['a] &'a str;
    /// One tag.
    [] String;
    /// One tag.
    ['a] &'a String;
    /// One tag.
    [] Tag;
    /// One tag.
    ['a] &'a Tag;
}

impl<S: AsRef<str>, const N: usize> IntoTags for [S; N] {
    type Tag = S;
    type IntoIter = std::array::IntoIter<S, N>;

    fn into_tags(self) -> Self::IntoIter {
        self.into_iter()
    }
}

impl<'a, S: AsRef<str>, const N: usize> IntoTags for &'a [S; N] {
    type Tag = &'a S;
    type IntoIter = std::slice::Iter<'a, S>;

    fn into_tags(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'a, S: AsRef<str>> IntoTags for &'a [S] {
    type Tag = &'a S;
    type IntoIter = std::slice::Iter<'a, S>;

    fn into_tags(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<S: AsRef<str>> IntoTags for Vec<S> {
    type Tag = S;
    type IntoIter = std::vec::IntoIter<S>;

    fn into_tags(self) -> Self::IntoIter {
        self.into_iter()
    }
}

impl<'a, S: AsRef<str>> IntoTags for &'a Vec<S> {
    type Tag = &'a S;
    type IntoIter = std::slice::Iter<'a, S>;

    fn into_tags(self) -> Self::IntoIter {
        self.iter()
    }
}

/// The hasher of the tag table: a multiply-rotate hash in the style of rustc's FxHash.
///
/// Every send and receive hashes its tag names, and the standard SipHash cost about a third of
/// a registry round trip. Tags are names a program chooses (bocpy's are a handful of
/// constants), so the table does not need SipHash's resistance to adversarial keys; a program
/// that builds tags from untrusted input can bound the table with
/// [`max_tags`](super::RegistryBuilder::max_tags).
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct TagHasher {
    hash: u64,
}

impl TagHasher {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(Self::SEED);
    }
}

impl std::hash::Hasher for TagHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(last));
        }
    }

    #[inline]
    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// Builds [`TagHasher`]s for the tag table.
pub(super) type TagHash = std::hash::BuildHasherDefault<TagHasher>;
