//! What the book's markdown says: the ```` ```rust ```` snippets with their
//! info strings (kinds, sessions, figures, comparison rules) and the
//! `{{#...}}` directives in prose. Input: a chapter's text; output: typed
//! snippets and directives at `file:line`, or errors there.

pub mod attrs;
pub mod directive;
pub mod snippet;
