//! Verifying and keeping outputs: fresh outputs against the committed store
//! (masks, tolerances), what each mode caches, writes or removes, and the
//! book's [`report::Report`]. Input: a plan and its outputs; output: the
//! settlement, the store on disk and the report the pages read.

pub mod compare;
pub mod report;
pub mod settle;
pub mod store;
