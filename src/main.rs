//! The `ghl-console` binary: parses arguments and runs the chosen command.

use std::process::ExitCode;

use clap::Parser;
use ghl_console::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let _log = ghl_console::logging::init("info");
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<u8> {
    match &cli.command {
        Some(Command::Sandbox(args)) => ghl_console::sandbox::run((**args).clone())
            .await
            .map(|()| 0),
        Some(Command::Api(args)) => {
            let settings = cli.settings()?;
            let code = ghl_console::cli::run_api(&settings, args).await?;
            Ok(u8::try_from(code).unwrap_or(1))
        }
        Some(Command::Auth(args)) => {
            ghl_console::cli::auth::run(&cli.settings()?, &args.command).await
        }
        Some(Command::Doctor(_)) => {
            let settings = cli.settings().map_err(|e| format!("{e:#}"));
            let checks =
                ghl_console::cli::doctor::run_checks(settings, cli.config.as_deref()).await;
            Ok(ghl_console::cli::doctor::print(&checks))
        }
        Some(Command::Sync(args)) => ghl_console::cli::sync::run(&cli.settings()?, args).await,
        Some(Command::Webhook(args)) => {
            ghl_console::cli::webhook::run(&cli.settings()?, args).await
        }
        Some(Command::Config(command)) => ghl_console::cli::run_config(&cli, command),
        Some(Command::Completions { shell }) => {
            ghl_console::cli::print_completions(*shell);
            Ok(0)
        }
        None => ghl_console::tui::launch::launch(cli.settings(), cli.demo, cli.read_only).await,
    }
}
