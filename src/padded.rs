//! [`CachePadded`]: keeps a hot atomic on a cache line of its own.

use std::ops::Deref;

/// Aligns `T` to 128 bytes, so that the producers' `tail` and the consumer's `head` never share
/// a cache line (x86's adjacent-line prefetcher pairs 64-byte lines, hence 128).
#[derive(Debug, Default)]
#[repr(align(128))]
pub(crate) struct CachePadded<T>(T);

impl<T> CachePadded<T> {
    pub(crate) const fn new(value: T) -> Self {
        Self(value)
    }
}

impl<T> Deref for CachePadded<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}
