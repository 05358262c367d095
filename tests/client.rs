//! The client against the sandbox over loopback: every endpoint, the exchange records, errors,
//! pacing, retries and paging.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

mod common;

use common::StoreView;

use std::collections::HashSet;
use std::time::Duration;

use ghl_console::ghl::models::{
    ContactUpdate, NewContact, NewTask, NoteInput, SearchFilter, SearchRequest, TaskUpdate,
};
use ghl_console::ghl::{ClientConfig, GhlClient, GhlError, ListQuery, Secret};
use ghl_console::sandbox::{self, SandboxConfig};
use serde_json::json;

fn new_contact(email: &str) -> NewContact {
    NewContact {
        first_name: Some("Ada".into()),
        last_name: Some("Lovelace".into()),
        email: Some(email.into()),
        phone: Some("+15550101234".into()),
        tags: vec!["vip".into()],
        ..NewContact::default()
    }
}

#[tokio::test]
async fn contact_lifecycle_round_trips() {
    let (_sandbox, client) = common::start(20).await;

    let created = client
        .create_contact(&new_contact("ada@example.test"))
        .await
        .unwrap();
    assert_eq!(created.exchange.status, Some(201));
    let id = created.value.id.clone();
    assert!(!id.is_empty());

    let read = client.get_contact(&id).await.unwrap().value;
    assert_eq!(read.email.as_deref(), Some("ada@example.test"));
    assert_eq!(read.tags, vec!["vip".to_string()]);
    let before = read.date_updated.clone();

    let update = ContactUpdate {
        city: Some("London".into()),
        ..Default::default()
    };
    let updated = client.update_contact(&id, &update).await.unwrap().value;
    assert!(updated.not_applied.is_empty(), "{:?}", updated.not_applied);
    assert_eq!(updated.contact.city.as_deref(), Some("London"));
    assert_ne!(
        updated.contact.date_updated, before,
        "dateUpdated moves on every write"
    );
    assert_eq!(
        updated.contact.tags,
        vec!["vip".to_string()],
        "an update keeps the tags"
    );

    let dup = client
        .find_duplicate(Some("ADA@example.test"), None)
        .await
        .unwrap()
        .value;
    assert_eq!(dup.map(|c| c.id), Some(id.clone()));

    let deleted = client.delete_contact(&id).await.unwrap();
    assert!(deleted.value);
    match client.get_contact(&id).await {
        Err(GhlError::NotFound { .. }) => {}
        other => panic!("expected not found, got {other:?}"),
    }
}

#[tokio::test]
async fn tasks_notes_tags_and_appointments() {
    let (sandbox, client) = common::start(20).await;
    let contact = client
        .create_contact(&new_contact("tasks@example.test"))
        .await
        .unwrap()
        .value;
    let cid = contact.id.as_str();

    let task = NewTask {
        title: "Call back".into(),
        body: Some("line one\nline two".into()),
        due_date: "2026-12-24T09:00:00Z".into(),
        completed: false,
        assigned_to: None,
    };
    let created = client.create_task(cid, &task).await.unwrap();
    assert_eq!(created.exchange.status, Some(201));
    let tid = created.value.id.clone();
    assert_eq!(
        client.task(cid, &tid).await.unwrap().value.title.as_deref(),
        Some("Call back")
    );

    let edit = TaskUpdate {
        title: Some("Call back Ada".into()),
        due_date: Some("2026-12-25T10:00:00Z".into()),
        ..TaskUpdate::default()
    };
    let edited = client.update_task(cid, &tid, &edit).await.unwrap().value;
    assert_eq!(edited.title.as_deref(), Some("Call back Ada"));
    assert!(
        client
            .complete_task(cid, &tid, true)
            .await
            .unwrap()
            .value
            .completed
    );
    assert!(
        !client
            .complete_task(cid, &tid, false)
            .await
            .unwrap()
            .value
            .completed
    );
    let tasks = client.tasks(cid).await.unwrap().value;
    assert_eq!(tasks.len(), 1);
    assert!(client.delete_task(cid, &tid).await.unwrap().value);
    assert!(client.tasks(cid).await.unwrap().value.is_empty());

    let note = NoteInput {
        body: "Prefers email".into(),
        ..NoteInput::default()
    };
    let created = client.create_note(cid, &note).await.unwrap();
    assert_eq!(created.exchange.status, Some(201));
    let nid = created.value.id.clone();
    let changed = NoteInput {
        body: "Prefers phone".into(),
        ..NoteInput::default()
    };
    assert_eq!(
        client
            .update_note(cid, &nid, &changed)
            .await
            .unwrap()
            .value
            .body
            .as_deref(),
        Some("Prefers phone")
    );
    assert_eq!(
        client.note(cid, &nid).await.unwrap().value.body.as_deref(),
        Some("Prefers phone")
    );
    assert_eq!(client.notes(cid).await.unwrap().value.len(), 1);
    assert!(client.delete_note(cid, &nid).await.unwrap().value);

    let tags = client.add_tags(cid, &["new".into()]).await.unwrap();
    assert_eq!(tags.exchange.status, Some(201));
    let tags = client
        .remove_tags(cid, &["vip".into()])
        .await
        .unwrap()
        .value;
    assert_eq!(tags, vec!["new".to_string()]);
    assert_eq!(
        client.get_contact(cid).await.unwrap().value.tags,
        vec!["new".to_string()]
    );

    let seeded = sandbox.contacts_with_appointments();
    let with_events = seeded.first().expect("the seed has appointments");
    let events = client.appointments(with_events).await.unwrap().value;
    assert!(!events.is_empty());
}

#[tokio::test]
async fn exchanges_are_recorded_with_the_token_masked() {
    let (_sandbox, client) = common::start(5).await;
    let mut recorder = common::Recorder::new(&client);
    let page = client
        .search_contacts(SearchRequest {
            page_limit: 2,
            ..Default::default()
        })
        .await;
    let reply = page.unwrap();
    let ex = &reply.exchange;
    assert_eq!(ex.method, "POST");
    assert_eq!(ex.status, Some(200));
    assert!(ex.url.ends_with("/contacts/search"));
    let header = |n: &str| {
        ex.request_headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(n))
    };
    assert_eq!(header("authorization").unwrap().1, "Bearer ****");
    assert_eq!(header("version").unwrap().1, "2021-07-28");
    assert_eq!(header("accept").unwrap().1, "application/json");
    assert!(header("user-agent").unwrap().1.starts_with("ghl-console/"));
    let body: serde_json::Value =
        serde_json::from_str(ex.request_body.as_deref().unwrap()).unwrap();
    assert_eq!(body["locationId"], sandbox::DEMO_LOCATION_ID);
    assert!(ex.response_body.as_deref().unwrap().contains("contacts"));
    let log = recorder.drain();
    assert_eq!(log.len(), 1);
    let all = serde_json::to_string(&*log[0]).unwrap();
    assert!(!all.contains(sandbox::DEMO_TOKEN));
    assert!(ex.to_curl().contains("$GHL_TOKEN"));
}

#[tokio::test]
async fn bad_tokens_and_ids_are_typed_errors() {
    let (sandbox, client) = common::start(5).await;
    let mut config = ClientConfig::new(
        sandbox.base_url(),
        Secret::new("wrong-token"),
        sandbox::DEMO_LOCATION_ID,
    );
    config.rate_limit = None;
    let wrong = GhlClient::new(config).unwrap();
    match wrong.get_contact("abc").await {
        Err(GhlError::Unauthorized { message, .. }) => assert!(!message.is_empty()),
        other => panic!("expected 401, got {other:?}"),
    }

    let mut recorder = common::Recorder::new(&client);
    assert!(matches!(
        client.get_contact("  ").await,
        Err(GhlError::Invalid(_))
    ));
    assert!(matches!(
        client.delete_task("c", "").await,
        Err(GhlError::Invalid(_))
    ));
    assert!(recorder.drain().is_empty(), "an empty id sends nothing");

    // A hostile id stays one path segment.
    let err = client
        .get_contact("../contacts/search?x=1")
        .await
        .unwrap_err();
    assert!(
        matches!(err, GhlError::NotFound { .. } | GhlError::BadRequest { .. }),
        "{err:?}"
    );
    let sent = recorder.drain();
    assert!(
        sent[0].url.contains("..%2Fcontacts%2Fsearch%3Fx=1"),
        "{}",
        sent[0].url
    );
}

#[tokio::test]
async fn burst_429s_are_waited_out_and_retried() {
    let config = SandboxConfig {
        contacts: 5,
        rate_limit: Some(sandbox::RateLimit {
            max: 5,
            window: Duration::from_millis(500),
        }),
        ..SandboxConfig::default()
    };
    let (sandbox, client) = common::start_with(config).await;
    let mut recorder = common::Recorder::new(&client);
    let id = sandbox.contact_ids()[0].clone();
    for _ in 0..12 {
        client.get_contact(&id).await.unwrap();
    }
    let statuses: Vec<_> = recorder.drain().iter().map(|e| e.status).collect();
    assert!(
        statuses.contains(&Some(429)),
        "the storm was provoked: {statuses:?}"
    );
    assert_eq!(statuses.iter().filter(|s| **s == Some(200)).count(), 12);
}

#[tokio::test]
async fn pacing_keeps_under_the_limit_without_429s() {
    let config = SandboxConfig {
        contacts: 5,
        rate_limit: Some(sandbox::RateLimit {
            max: 10,
            window: Duration::from_millis(500),
        }),
        ..SandboxConfig::default()
    };
    let (sandbox, _) = common::start_with(config).await;
    let mut config = ClientConfig::new(
        sandbox.base_url(),
        Secret::new(sandbox::DEMO_TOKEN),
        sandbox::DEMO_LOCATION_ID,
    );
    config.rate_limit = Some((10, Duration::from_millis(500)));
    let client = GhlClient::new(config).unwrap();
    let mut recorder = common::Recorder::new(&client);
    let id = sandbox.contact_ids()[0].clone();
    for _ in 0..30 {
        client.get_contact(&id).await.unwrap();
    }
    // What the client controls: no 11 requests leave within one window. (The server counts
    // arrivals, which a loaded machine can bunch past the client's 10 ms margin; the rare 429
    // that follows is retried, and every call above succeeded.)
    let sent: Vec<chrono::DateTime<chrono::Utc>> = recorder
        .drain()
        .iter()
        .map(|e| e.started_at.parse().unwrap())
        .collect();
    assert!(sent.len() >= 30, "{} exchanges", sent.len());
    for (first, eleventh) in sent.iter().zip(sent.iter().skip(10)) {
        let apart = (*eleventh - *first).num_milliseconds();
        assert!(apart >= 500, "11 requests within {apart} ms");
    }
    assert!(
        sandbox.stats().throttled <= 1,
        "{} throttled",
        sandbox.stats().throttled
    );
}

#[tokio::test]
async fn search_pager_streams_25000_contacts_each_once() {
    let (_sandbox, client) = common::start(25_000).await;
    let mut pager = client.search_pager(SearchRequest {
        page_limit: 500,
        ..Default::default()
    });
    let mut seen = HashSet::new();
    let mut page_count = 0;
    while let Some(page) = pager.next_page().await.unwrap() {
        page_count += 1;
        for contact in page.value.contacts {
            assert!(seen.insert(contact.id.clone()), "{} twice", contact.id);
        }
    }
    assert_eq!(seen.len(), 25_000);
    assert!(page_count >= 50);
}

/// Sorted by name, a walk by `searchAfter` gives every contact once, in name order, the ones
/// without a first name last.
#[tokio::test]
async fn search_pager_walks_contacts_by_name() {
    let (_sandbox, client) = common::start(1_000).await;
    for email in ["no.name@example.com", "second.no.name@example.com"] {
        let contact = NewContact {
            email: Some(email.into()),
            ..NewContact::default()
        };
        client.create_contact(&contact).await.unwrap();
    }
    let by = |field: &str| ghl_console::ghl::models::SearchSort {
        field: field.into(),
        direction: "asc".into(),
    };
    let mut pager = client.search_pager(SearchRequest {
        page_limit: 37,
        sort: vec![by("firstNameLowerCase"), by("lastNameLowerCase")],
        ..Default::default()
    });
    let mut keys = Vec::new();
    let mut seen = HashSet::new();
    while let Some(page) = pager.next_page().await.unwrap() {
        for contact in page.value.contacts {
            assert!(seen.insert(contact.id.clone()), "{} twice", contact.id);
            let lower = |s: &Option<String>| {
                s.as_deref().map(|s| {
                    let lower = s.to_lowercase();
                    (sandbox::collation_key(&lower), lower)
                })
            };
            keys.push((
                lower(&contact.first_name).is_none(),
                lower(&contact.first_name),
                lower(&contact.last_name).is_none(),
                lower(&contact.last_name),
            ));
        }
    }
    assert_eq!(seen.len(), 1_002);
    assert!(keys.windows(2).all(|w| w[0] <= w[1]), "not in name order");
    assert!(keys[..1_000].iter().all(|k| !k.0), "named contacts first");
    assert!(keys[1_000..].iter().all(|k| k.0), "nameless contacts last");
}

#[tokio::test]
async fn search_filters_and_sorts() {
    let (_sandbox, client) = common::start(200).await;
    let req = SearchRequest {
        page_limit: 100,
        filters: vec![SearchFilter {
            field: "tags".into(),
            operator: "eq".into(),
            value: json!("vip"),
        }],
        sort: vec![ghl_console::ghl::models::SearchSort {
            field: "dateUpdated".into(),
            direction: "desc".into(),
        }],
        ..Default::default()
    };
    let page = client.search_contacts(req).await.unwrap().value;
    assert!(!page.contacts.is_empty());
    assert!(
        page.contacts
            .iter()
            .all(|c| c.tags.iter().any(|t| t == "vip"))
    );
    let dates: Vec<_> = page
        .contacts
        .iter()
        .map(|c| c.date_updated.clone().unwrap())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted);
}

#[tokio::test]
async fn list_and_business_listing() {
    let (sandbox, client) = common::start(300).await;
    let mut pager = client.list_pager(ListQuery {
        limit: Some(100),
        ..ListQuery::default()
    });
    let mut seen = HashSet::new();
    while let Some(page) = pager.next_page().await.unwrap() {
        for c in page.value.contacts {
            assert!(seen.insert(c.id));
        }
    }
    assert_eq!(seen.len(), 300);

    let business = sandbox.business_ids()[0].clone();
    let page = client
        .contacts_by_business(&business, 100, 0, None)
        .await
        .unwrap()
        .value;
    assert!(!page.contacts.is_empty());
    assert!(
        page.contacts
            .iter()
            .all(|c| c.business_id.as_deref() == Some(business.as_str()))
    );
}

#[tokio::test]
async fn a_sandbox_of_100000_contacts_answers_a_search() {
    let (sandbox, client) = common::start(100_000).await;
    let page = client
        .search_contacts(SearchRequest {
            page_limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(page.value.total, 100_000);
    assert_eq!(page.value.contacts.len(), 100);
    assert_eq!(sandbox.contact_ids().len(), 100_000);
}
