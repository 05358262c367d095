//! The `ghl-console` binary: parses arguments and runs the chosen command.

use std::process::ExitCode;

use clap::Parser;
use ghl_console::cli::{Cli, Command};

fn main() -> ExitCode {
    ghl_console::logging::mark_start();
    let cli = Cli::parse();
    if let Some(usage) = cli.usage_error() {
        usage.exit();
    }
    let _log = match ghl_console::logging::init("info") {
        Ok(guard) => Some(guard),
        Err(why) => {
            eprintln!("warning: {why}; running without a log file");
            None
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(run(cli));
    // Blocking readers (a stdin prompt nobody answered) must not keep the process alive.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Whether the error is stdout closing early (`| head`): the reader has what it wanted.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
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
        None => ghl_console::tui::launch::launch(cli.settings(), cli.demo, cli.read_only()).await,
    }
}
