//! The sync engine against the sandbox over loopback: full and incremental runs, propagation,
//! dry run, limit, interrupted runs, the store's migrations, the daily limit and pacing.

mod sync_support;

use ghl_console::rankr::{LogFilter, RankrStore};
use ghl_console::sandbox::DEMO_LOCATION_ID;
use ghl_console::sync::{Action, SyncMode};
use sync_support::{World, config, content, integrity, store_counts};

#[tokio::test]
async fn full_then_incremental_counts_equal_the_sandbox() {
    let world = World::new(120).await;
    let first = world.sync(SyncMode::Auto).await;
    assert_eq!(first.mode, "full");
    assert!(first.is_ok(), "{first:?}");
    assert_eq!(first.counts.created, 120);
    assert_eq!(store_counts(world.store.as_ref()), world.sandbox_counts());

    let again = world.sync(SyncMode::Auto).await;
    assert_eq!(again.mode, "incremental");
    assert_eq!((again.counts.seen, again.counts.created, again.counts.updated), (0, 0, 0));

    let before = content(world.store.path());
    let full = world.sync(SyncMode::Full).await;
    assert_eq!((full.counts.created, full.counts.updated, full.counts.deleted), (0, 0, 0));
    assert_eq!(full.counts.unchanged, 120);
    assert_eq!(full.counts.children, 0);
    assert_eq!(content(world.store.path()), before);
}
