//! The engine's integration tests, in one binary: `cargo test` links it
//! once, and its tests share the cores (the real book's check runs beside
//! the small books' failure tests).

mod common;

mod book;
mod device;
mod export;
mod failures;
mod outputs;
mod serve;
