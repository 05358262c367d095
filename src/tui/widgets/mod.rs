//! Self-contained widgets the panes draw with.

pub mod json_view;

pub use json_view::{JsonView, JsonViewWidget};
