//! The mdBook preprocessor and its page passes: outputs spliced under
//! snippets, figure and exercise numbers, published values, Korean particles,
//! math and prose lints. Input: mdBook's chapters and the engine's report;
//! output: chapter markdown for mdBook, or problems at `file:line`. The
//! book's settings and the CLI's flags set up the engine in `config`.

pub mod config;
pub mod exercises;
pub mod figures;
pub mod lint;
pub mod math;
pub mod page;
pub mod particle;
pub mod preprocess;
pub mod render;
pub mod values;
