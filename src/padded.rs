//! Keeping hot atomics apart: [`CachePadded`] (alignment) and, cheaper, [`Gap`]s of
//! [`LINE_GAP`] or [`PAIR_GAP`] bytes of explicit padding between groups of fields.
//!
//! A `#[repr(align(128))]` wrapper keeps two fields apart too, but rounds the size of every
//! structure that holds it (and the header of the `Arc` around it) up to 128 bytes: most of a
//! small channel's memory was alignment. Two bytes at least 64 apart can never share a 64-byte
//! cache line, and two bytes at least 128 apart can never share the 128-byte pair of lines that
//! x86's adjacent-line prefetcher fetches together, *whatever the address of the allocation*.
//! So a `#[repr(C)]` structure that puts a gap of that many bytes between two groups of
//! 8-aligned fields keeps them apart with only the gap as overhead, and fills no more.
//!
//! The rings use it as: read-mostly fields (both sides read them) | [`LINE_GAP`] | the
//! consumer's end | [`PAIR_GAP`] | the producers' end (and what producers read after a push).

use std::mem::MaybeUninit;
use std::ops::Deref;

/// Aligns `T` to 128 bytes, so that it never shares a cache line or a prefetch pair with
/// anything else (x86's adjacent-line prefetcher pairs 64-byte lines, hence 128). For a few
/// large, long-lived structures (the registry's shards); the rings use [`Gap`]s instead.
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

/// Bytes between two groups of 8-aligned fields so that no cache line holds bytes of both:
/// the last byte before the gap and the first after it are 64 + 1 bytes apart.
pub(crate) const LINE_GAP: usize = 64;

/// Bytes between two groups of 8-aligned fields so that no 128-byte prefetch pair holds bytes
/// of both: for the producers' and the consumer's ends, which are written all the time.
pub(crate) const PAIR_GAP: usize = 128;

/// `N` bytes of padding: never read or written (uninitialised, so building it costs nothing).
#[derive(Clone, Copy)]
pub(crate) struct Gap<const N: usize>([MaybeUninit<u8>; N]);

impl<const N: usize> Gap<N> {
    pub(crate) const fn new() -> Self {
        Self([MaybeUninit::uninit(); N])
    }
}

impl<const N: usize> std::fmt::Debug for Gap<N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Gap<{N}>")
    }
}
