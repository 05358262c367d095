//! `ghl-console`: a terminal console for the `HighLevel` (GHL) Contacts API and its sync into `Rankr`.

pub mod ghl;
pub mod sandbox;
pub mod tui;
pub mod worker;
//pub mod cli;
pub mod auth;
pub mod config;
pub mod logging;
