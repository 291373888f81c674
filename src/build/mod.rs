//! Building and running: the plan's generated code is written as one
//! registry crate and compiled (errors attributed to snippets), and each
//! program runs in a child process. Input: a plan; output: per cell an
//! output (text, figures, values, arrays) or a failure at `file:line`.

pub mod lock;
pub mod outcome;
pub mod output;
pub mod pool;
pub mod progress;
pub mod registry;
pub mod runner;
