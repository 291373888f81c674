//! The command line (`cli`: every command and flag, parsed once) and the
//! commands that are more than one engine call: `serve` (rebuild on change,
//! serve the pages) and `figures` (export every figure by number). Input:
//! the book's root and flags; output: a served or exported book.

pub mod cli;
pub mod export;
pub mod serve;
