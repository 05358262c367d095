//! Decode throughput: search pages of 100 contacts, as the sandbox answers them, parsed into the
//! client's models, beside `serde_json`'s own speed on the same bytes (to `Value`, and skipped
//! with `IgnoredAny`) as the ceiling.

#![allow(
    clippy::cast_precision_loss,
    reason = "byte counts become f64 only for printed figures, far below 2^52"
)]

mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use common::{Sandbox, Table, pick};
use ghl_console::ghl::Call;
use ghl_console::ghl::models::SearchPage;
use ghl_console::sandbox::DEMO_LOCATION_ID;
use reqwest::Method;
use serde::de::IgnoredAny;
use serde_json::{Value, json};

const PAGE: u64 = 100;

fn main() -> anyhow::Result<()> {
    common::header("Decode throughput: search pages of 100 contacts");
    let pages = pick(20, 2);
    let sandbox = Sandbox::unlimited(usize::try_from(PAGE * pages)?)?;
    let runtime = common::console_runtime()?;
    let bodies = runtime.block_on(fetch(&sandbox.handle.base_url(), pages))?;
    drop(runtime);
    sandbox.stop();

    let bytes: usize = bodies.iter().map(String::len).sum();
    let least = pick(Duration::from_secs(2), Duration::from_millis(50));
    let models = throughput(&bodies, least, |b| {
        serde_json::from_str::<SearchPage>(b).map(|p| p.contacts.len())
    })?;
    let values = throughput(&bodies, least, |b| {
        serde_json::from_str::<Value>(b).map(|v| v.is_object().into())
    })?;
    let skipped = throughput(&bodies, least, |b| {
        serde_json::from_str::<IgnoredAny>(b).map(|_| 0)
    })?;

    let mut table = Table::default();
    table.context(
        "input",
        format!(
            "{pages} pages of {PAGE} contacts, {:.1} KB a page",
            bytes as f64 / pages as f64 / 1000.0
        ),
    );
    table.context(
        "into `SearchPage` (the client's decode)",
        format!("{models:.1} MB/s"),
    );
    table.context("into `serde_json::Value`", format!("{values:.1} MB/s"));
    table.context(
        "skipped as `IgnoredAny` (ceiling)",
        format!("{skipped:.1} MB/s"),
    );
    table.context("models / Value", format!("{:.2}", models / values));
    table.context("models / IgnoredAny", format!("{:.2}", models / skipped));
    table.print();
    Ok(())
}

/// Fetches `pages` raw search pages through the client, as the console's listing asks for them.
async fn fetch(base_url: &str, pages: u64) -> anyhow::Result<Vec<String>> {
    let client = common::client(base_url, None)?;
    let mut bodies = Vec::new();
    for page in 1..=pages {
        let call = Call::new(Method::POST, &["contacts", "search"])
            .body(json!({
                "locationId": DEMO_LOCATION_ID,
                "pageLimit": PAGE,
                "page": page,
                "sort": [{"field": "dateUpdated", "direction": "desc"}],
            }))
            .retry_safe();
        let reply = client.send_raw(call).await.context("fetching a page")?;
        anyhow::ensure!(
            reply.value.status == 200,
            "search answered {}",
            reply.value.status
        );
        bodies.push(reply.value.body);
    }
    Ok(bodies)
}

/// Parses every body over and over for at least `least`; returns MB (10^6 bytes) per second.
fn throughput(
    bodies: &[String],
    least: Duration,
    parse: impl Fn(&str) -> serde_json::Result<usize>,
) -> anyhow::Result<f64> {
    let mut parsed = 0usize;
    let began = Instant::now();
    while began.elapsed() < least {
        for body in bodies {
            black_box(parse(black_box(body)).context("parsing a page")?);
            parsed += body.len();
        }
    }
    Ok(parsed as f64 / began.elapsed().as_secs_f64() / 1e6)
}
