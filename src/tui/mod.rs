//! The terminal user interface: widgets, theming and the small helpers the panes share.

pub mod clipboard;
pub mod dates;
pub mod filter;
pub mod filter_task;
pub mod text;
pub mod theme;
pub mod widgets;

pub mod actions;
pub mod app;
pub mod clock;
pub mod contact_list;
pub mod cursor;
pub mod demo;
pub mod directory;
pub mod edits;
pub mod events;
pub mod forms;
pub mod inspect;
pub mod keymap;
pub mod launch;
pub mod location;
pub mod mouse;
pub mod panes;
pub mod perform;
pub mod raw_body;
pub mod record;
pub mod run;
pub mod sync_log;
pub mod terminal;
#[cfg(test)]
mod tests;
pub mod update;
pub mod view;
pub mod worker_setup;
