//! Opening a contact: its record, tasks, notes and appointments with 100 ms of latency on every
//! request. The console's worker runs the four loads at once, so the full view should take
//! about as long as the slowest one. Budget: full view / slowest single request <= 1.2. The
//! sequential sum (what `curl` + `jq` one request after another costs) is given beside it.

mod common;

use std::time::{Duration, Instant};

use anyhow::Context as _;
use common::{Sandbox, Spread, Table, Verdict, ms, pick};
use ghl_console::ghl::GhlClient;
use ghl_console::sandbox::{DEMO_LOCATION_ID, Faults, SandboxConfig};
use ghl_console::worker::messages::{Command, Event, Resource};
use ghl_console::worker::{self, WorkerHandle, WorkerOptions};

const LATENCY_MS: u64 = 100;

const RESOURCES: [Resource; 4] = [
    Resource::Contact,
    Resource::Tasks,
    Resource::Notes,
    Resource::Appointments,
];

/// One contact opened both ways.
struct Opening {
    sequential: Duration,
    slowest: Duration,
    concurrent: Duration,
}

fn main() -> anyhow::Result<()> {
    common::header("Opening a contact: record, tasks, notes, appointments at 100 ms each");
    let sandbox = Sandbox::start(SandboxConfig {
        contacts: 100,
        rate_limit: None,
        daily_limit: None,
        faults: Faults {
            latency_ms: LATENCY_MS,
            ..Faults::default()
        },
        ..SandboxConfig::default()
    })?;
    let ids: Vec<String> = sandbox
        .handle
        .store()
        .contacts(DEMO_LOCATION_ID)
        .into_iter()
        .take(pick(15, 2))
        .map(|c| c.id)
        .collect();
    let runtime = common::console_runtime()?;
    let openings = runtime.block_on(open_each(&sandbox.handle.base_url(), &ids))?;
    drop(runtime);
    sandbox.stop();

    report(&openings);
    Ok(())
}

async fn open_each(base_url: &str, ids: &[String]) -> anyhow::Result<Vec<Opening>> {
    let client = common::client(base_url, None)?;
    let mut worker = worker::spawn(client.clone(), WorkerOptions::default());
    let mut openings = Vec::new();
    for (seq, id) in (1..).zip(ids) {
        let (sequential, slowest) = one_by_one(&client, id).await?;
        // A pause, as between an operator opening one contact and the next.
        tokio::time::sleep(Duration::from_millis(400)).await;
        let concurrent = through_worker(&mut worker, seq, id).await?;
        openings.push(Opening {
            sequential,
            slowest,
            concurrent,
        });
    }
    Ok(openings)
}

/// The four requests one after another; returns their sum and the slowest.
async fn one_by_one(client: &GhlClient, id: &str) -> anyhow::Result<(Duration, Duration)> {
    let mut times = Vec::new();
    let began = Instant::now();
    client.get_contact(id).await?;
    times.push(began.elapsed());
    let at = Instant::now();
    client.tasks(id).await?;
    times.push(at.elapsed());
    let at = Instant::now();
    client.notes(id).await?;
    times.push(at.elapsed());
    let at = Instant::now();
    client.appointments(id).await?;
    times.push(at.elapsed());
    let slowest = times.iter().max().copied().unwrap_or_default();
    Ok((began.elapsed(), slowest))
}

/// The four loads sent to the console's worker at once, until all four answered.
async fn through_worker(worker: &mut WorkerHandle, seq: u64, id: &str) -> anyhow::Result<Duration> {
    let began = Instant::now();
    for resource in RESOURCES {
        worker
            .commands
            .send(Command::Load {
                seq,
                resource,
                contact_id: id.to_string(),
            })
            .context("the worker stopped")?;
    }
    let mut answered = 0;
    while answered < RESOURCES.len() {
        match worker.events.recv().await.context("the worker stopped")? {
            Event::Loaded { seq: s, .. } if s == seq => answered += 1,
            Event::Failed { what, error } => anyhow::bail!("{what}: {error}"),
            _ => {}
        }
    }
    Ok(began.elapsed())
}

fn report(openings: &[Opening]) {
    let ratios: Vec<f64> = openings
        .iter()
        .map(|o| o.concurrent.as_secs_f64() / o.slowest.as_secs_f64())
        .collect();
    let ratio = median(&ratios);
    let concurrent = Spread::of(&openings.iter().map(|o| o.concurrent).collect::<Vec<_>>());
    let slowest = Spread::of(&openings.iter().map(|o| o.slowest).collect::<Vec<_>>());
    let sequential = Spread::of(&openings.iter().map(|o| o.sequential).collect::<Vec<_>>());

    let mut table = Table::default();
    table.context("contacts opened", openings.len().to_string());
    table.judged(
        "full view / slowest single request (median of contacts)",
        format!("{ratio:.2}"),
        "<= 1.2",
        Verdict::at_most(ratio, 1.2),
    );
    table.context(
        "full view through the worker, median",
        format!("{:.0} ms", ms(concurrent.median)),
    );
    table.context(
        "slowest single request, median",
        format!("{:.0} ms", ms(slowest.median)),
    );
    table.context(
        "sequential sum (curl + jq), median",
        format!(
            "{:.0} ms ({:.2}x the full view)",
            ms(sequential.median),
            sequential.median.as_secs_f64() / concurrent.median.as_secs_f64()
        ),
    );
    table.print();
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len() / 2).copied().unwrap_or(f64::NAN)
}
