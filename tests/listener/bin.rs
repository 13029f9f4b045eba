//! Placeholder until the listener lands.
fn main() {}
