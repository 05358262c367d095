//! `ghl-console`: a terminal console for the `HighLevel` (GHL) Contacts API and its sync into `Rankr`.

pub mod auth;
pub mod cli;
pub mod config;
pub mod ghl;
pub mod logging;
pub mod rankr;
pub mod sandbox;
pub mod sync;
pub mod tui;
pub mod worker;
