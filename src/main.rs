//! The `ghl-console` binary: parses the command line and runs the chosen subcommand.

use clap::{Parser, Subcommand};
use ghl_console::sandbox::{self, SandboxArgs};

/// A terminal console for the HighLevel (GHL) Contacts API.
#[derive(Debug, Parser)]
#[command(name = "ghl-console", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// What to run.
#[derive(Debug, Subcommand)]
enum Command {
    /// Run a local GHL emulator on loopback until Ctrl-C.
    Sandbox(SandboxArgs),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Sandbox(args) => sandbox::run(args).await,
    }
}
