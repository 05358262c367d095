//! The sandbox's rate limits, injected faults, quirks and control API, over loopback HTTP.

mod support;

use std::time::{Duration, Instant};

use ghl_console::sandbox::{Faults, Quirks, RateLimit};
use serde_json::json;
use support::{LOC, config, start};

fn list_path() -> String {
    format!("/contacts/?locationId={LOC}&limit=1")
}

#[tokio::test]
async fn burst_limit_answers_429_with_headers() {
    let mut cfg = config(3);
    cfg.rate_limit = Some(RateLimit {
        max: 3,
        window: Duration::from_secs(10),
    });
    cfg.daily_limit = Some(1_000);
    let (handle, api) = start(cfg).await;
    for left in ["2", "1", "0"] {
        let answer = api.get(&list_path()).await;
        assert_eq!(answer.status, 200);
        assert_eq!(answer.header("x-ratelimit-remaining"), Some(left));
        assert_eq!(answer.header("x-ratelimit-max"), Some("3"));
        assert_eq!(
            answer.header("x-ratelimit-interval-milliseconds"),
            Some("10000")
        );
        assert_eq!(answer.header("x-ratelimit-limit-daily"), Some("1000"));
    }
    let refused = api.get(&list_path()).await;
    assert_eq!(refused.status, 429);
    assert_eq!(refused.body["message"], "Too many requests");
    assert_eq!(refused.body["statusCode"], 429);
    assert_eq!(refused.header("x-ratelimit-remaining"), Some("0"));
    assert_eq!(refused.header("x-ratelimit-daily-remaining"), Some("997"));
    let retry: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=10).contains(&retry));
    assert_eq!(handle.stats().throttled, 1);
    handle.shutdown().await;
}

#[tokio::test]
async fn daily_limit_answers_429_with_nothing_left() {
    let mut cfg = config(3);
    cfg.daily_limit = Some(2);
    let (handle, api) = start(cfg).await;
    assert_eq!(api.get(&list_path()).await.status, 200);
    let last = api.get(&list_path()).await;
    assert_eq!(last.header("x-ratelimit-daily-remaining"), Some("0"));
    let refused = api.get(&list_path()).await;
    assert_eq!(refused.status, 429);
    assert_eq!(refused.header("x-ratelimit-daily-remaining"), Some("0"));
    assert!(refused.header("retry-after").is_some());
    handle.shutdown().await;
}

#[tokio::test]
async fn latency_delays_answers() {
    let (handle, api) = start(config(1)).await;
    handle.set_faults(Faults {
        latency_ms: 150,
        ..Faults::default()
    });
    let started = Instant::now();
    assert_eq!(api.get(&list_path()).await.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(150));
    handle.shutdown().await;
}

#[tokio::test]
async fn every_nth_request_is_a_server_error_and_not_handled() {
    let (handle, api) = start(config(0)).await;
    handle.set_faults(Faults {
        error_every: Some(2),
        ..Faults::default()
    });
    let mut statuses = Vec::new();
    for n in 0..6 {
        let body = json!({"locationId": LOC, "email": format!("e{n}@example.test")});
        statuses.push(api.post("/contacts/", &body).await.status);
    }
    assert_eq!(statuses, [201, 500, 201, 502, 201, 503]);
    assert_eq!(handle.store().contact_count(LOC), 3);
    assert_eq!(handle.stats().faults_injected, 3);
    handle.shutdown().await;
}

#[tokio::test]
async fn connection_reset_mid_body_after_the_write() {
    let (handle, api) = start(config(0)).await;
    handle.set_faults(Faults {
        reset_every: Some(1),
        ..Faults::default()
    });
    let body = json!({"locationId": LOC, "email": "reset@example.test"});
    let result = api
        .try_send(reqwest::Method::POST, "/contacts/", Some(&body))
        .await;
    assert!(result.is_err(), "the body never completes: {result:?}");
    assert_eq!(handle.store().contact_count(LOC), 1, "the create happened");
    handle.shutdown().await;
}

#[tokio::test]
async fn throttle_bursts_answer_429() {
    let (handle, api) = start(config(1)).await;
    handle.set_faults(Faults {
        throttle_every: Some(3),
        throttle_burst: 2,
        ..Faults::default()
    });
    let mut statuses = Vec::new();
    for _ in 0..8 {
        let answer = api.get(&list_path()).await;
        if answer.status == 429 {
            assert!(answer.header("retry-after").is_some());
        }
        statuses.push(answer.status);
    }
    assert_eq!(statuses, [200, 200, 429, 429, 200, 429, 429, 200]);
    assert_eq!(handle.stats().throttled, 4);
    handle.shutdown().await;
}

#[tokio::test]
async fn html_pages_and_truncated_json_answer_200() {
    let (handle, api) = start(config(1)).await;
    handle.set_faults(Faults {
        html_every: Some(1),
        ..Faults::default()
    });
    let html = api.get(&list_path()).await;
    assert_eq!(html.status, 200);
    assert!(
        html.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert!(html.text.starts_with("<!DOCTYPE html>"));
    handle.set_faults(Faults {
        truncate_every: Some(1),
        ..Faults::default()
    });
    let cut = api.get(&list_path()).await;
    assert_eq!(cut.status, 200);
    assert!(cut.text.starts_with("{\"contacts\""));
    assert!(serde_json::from_str::<serde_json::Value>(&cut.text).is_err());
    handle.shutdown().await;
}

#[tokio::test]
async fn c01_create_stores_and_answers_422() {
    let (handle, api) = start(config(0)).await;
    handle.set_faults(Faults {
        quirks: Quirks {
            create_stores_then_422: true,
            ..Quirks::default()
        },
        ..Faults::default()
    });
    let body = json!({"locationId": LOC, "email": "Maybe@Example.test"});
    let answer = api.post("/contacts/", &body).await;
    assert_eq!(answer.status, 422);
    assert!(answer.body["message"].is_array());
    let path = format!("/contacts/search/duplicate?locationId={LOC}&email=maybe%40example.test");
    let found = api.get(&path).await;
    assert_eq!(found.body["contact"]["email"], "Maybe@Example.test");
    handle.shutdown().await;
}

#[tokio::test]
async fn c04_update_silently_drops_a_field() {
    let (handle, api) = start(config(1)).await;
    let id = handle.store().contacts(LOC)[0].id.clone();
    let before = handle.store().contact(&id).unwrap();
    handle.set_faults(Faults {
        quirks: Quirks {
            put_drops_field: Some("lastName".into()),
            ..Quirks::default()
        },
        ..Faults::default()
    });
    let body = json!({"firstName": "Kept", "lastName": "Dropped"});
    let answer = api.put(&format!("/contacts/{id}"), &body).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body["contact"]["firstName"], "Kept");
    assert_eq!(
        answer.body["contact"]["lastName"].as_str(),
        before.last_name.as_deref()
    );
    handle.shutdown().await;
}

#[tokio::test]
async fn control_api_sets_faults_and_reports_stats() {
    let (handle, api) = start(config(2)).await;
    let faults = json!({"error_every": 1, "error_statuses": [503]});
    let set = api.put("/_sandbox/faults", &faults).await;
    assert_eq!(set.status, 200);
    assert_eq!(api.get(&list_path()).await.status, 503);
    assert_eq!(api.get("/_sandbox/faults").await.body["error_every"], 1);
    let bad = api.put("/_sandbox/faults", &json!({"nope": 1})).await;
    assert_eq!(bad.status, 400);
    api.put("/_sandbox/faults", &json!({})).await;
    assert_eq!(api.get("/contacts/nope/nothing/here").await.status, 404);
    let stats = api.get("/_sandbox/stats").await.body;
    assert_eq!(stats["total"], 2);
    assert_eq!(stats["routes"]["GET /contacts/"], 1);
    assert_eq!(stats["routes"]["GET (unmatched)"], 1);
    assert_eq!(stats["statuses"]["503"], 1);
    assert_eq!(
        api.post("/_sandbox/reset-stats", &json!({})).await.status,
        200
    );
    assert_eq!(handle.stats().total, 0);
    handle.shutdown().await;
}
