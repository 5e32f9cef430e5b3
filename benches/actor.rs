//! Actor benchmarks.
fn main() {}
