//! The binary under test, hermetic: nothing from the environment of whoever runs `cargo test`
//! (a `GHL_TOKEN`, a `GHL_CONSOLE_CONFIG_DIR` holding a stored token, their XDG dirs) reaches
//! it. Every `GHL_*` and `RANKR_*` variable is removed and the config, data, state and log dirs
//! point into the test's own temp dir; a test then sets what it means to.

use std::path::Path;
use std::process::Command;

/// `ghl-console` with a clean environment whose dirs are under `dir`.
pub fn ghl_console(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ghl-console"));
    hermetic(&mut command, dir);
    command
}

/// Clears `GHL_*` and `RANKR_*` from `command` and points its dirs under `dir`.
pub fn hermetic<'c>(command: &'c mut Command, dir: &Path) -> &'c mut Command {
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name.starts_with("GHL_") || name.starts_with("RANKR_") {
            command.env_remove(name.as_ref());
        }
    }
    command
        .env("GHL_CONSOLE_CONFIG_DIR", dir.join("config-dir"))
        .env("GHL_CONSOLE_LOG_DIR", dir.join("logs"))
        .env("XDG_CONFIG_HOME", dir.join("xdg-config"))
        .env("XDG_DATA_HOME", dir.join("xdg-data"))
        .env("XDG_STATE_HOME", dir.join("xdg-state"))
        .env("XDG_CACHE_HOME", dir.join("xdg-cache"))
}
