//! The terminal user interface: widgets, theming and the small helpers the panes share.

pub mod clipboard;
pub mod dates;
pub mod filter;
pub mod text;
pub mod theme;
pub mod widgets;
