//! Self-contained widgets the panes draw with.

pub mod chips;
pub mod json_view;

pub use json_view::{JsonView, JsonViewWidget};
