//! The webhook receiver: arbitrary bytes and headers never panic and never verify; a signed
//! body changed in any way no longer verifies; what parses as an event is fresh and typed.

use std::sync::{Arc, OnceLock};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, TimeZone, Utc};
use ed25519_dalek::Signer as _;
use ghl_console::rankr::{RankrStore, SqliteStore};
use ghl_console::sync::webhook::signature::{ED25519_HEADER, RSA_HEADER};
use ghl_console::sync::webhook::{
    EventError, MAX_AGE, Receiver, ReceiverSettings, SignatureError, Verifier, parse_event,
};
use http::{HeaderMap, HeaderName, HeaderValue};
use proptest::prelude::*;
use rsa::signature::SignatureEncoding as _;
use serde_json::{Value, json};

use crate::strategies::{json, text};

/// Our own keys: an Ed25519 key and a small RSA key, made once.
struct Keys {
    ed25519: ed25519_dalek::SigningKey,
    rsa: rsa::pkcs1v15::SigningKey<rsa::sha2::Sha256>,
    rsa_pem: String,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        use rsa::pkcs8::EncodePublicKey as _;
        let private = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 1024).unwrap();
        let rsa_pem = private
            .to_public_key()
            .to_public_key_pem(rsa::pkcs8::LineEnding::LF)
            .unwrap();
        Keys {
            ed25519: ed25519_dalek::SigningKey::from_bytes(&[42; 32]),
            rsa: rsa::pkcs1v15::SigningKey::new(private),
            rsa_pem,
        }
    })
}

/// GHL's shipped key, and one also taking our Ed25519 key; and one with our RSA key.
fn verifiers() -> [Verifier; 3] {
    let public = STANDARD.encode(keys().ed25519.verifying_key().to_bytes());
    [
        Verifier::ghl().unwrap(),
        Verifier::ghl().unwrap().with_ed25519(&public).unwrap(),
        Verifier::with_rsa_pem(&keys().rsa_pem).unwrap(),
    ]
}

/// Header values: base64 of random bytes (the right alphabet, the wrong signature), base64 of
/// 64 or 256 random bytes (the right length), or any bytes a header may carry.
fn signature_value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..300)
            .prop_map(|b| STANDARD.encode(b).into_bytes()),
        proptest::collection::vec(any::<u8>(), 64..=64)
            .prop_map(|b| STANDARD.encode(b).into_bytes()),
        proptest::collection::vec(any::<u8>(), 128..=128)
            .prop_map(|b| STANDARD.encode(b).into_bytes()),
        proptest::collection::vec(any::<u8>(), 0..64),
        text().prop_map(String::into_bytes),
    ]
}

fn headers() -> impl Strategy<Value = HeaderMap> {
    let name = prop_oneof![
        Just(RSA_HEADER.to_string()),
        Just(ED25519_HEADER.to_string()),
        Just("X-WH-SIGNATURE".to_string()),
        "[a-z-]{1,20}",
    ];
    proptest::collection::vec((name, signature_value()), 0..4).prop_map(|pairs| {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_bytes(&value),
            ) {
                map.append(name, value);
            }
        }
        map
    })
}

/// Bodies: arbitrary bytes, or JSON events of every type with fresh or stale timestamps.
fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..512),
        event().prop_map(|e| serde_json::to_vec(&e).unwrap()),
        json().prop_map(|v| serde_json::to_vec(&v).unwrap()),
    ]
}

/// A webhook event, sometimes with fields missing, of the wrong type or out of date.
fn event() -> impl Strategy<Value = Value> {
    let kind = prop_oneof![
        proptest::sample::select(ghl_console::sync::webhook::EVENT_TYPES).prop_map(Value::from),
        json(),
    ];
    let stamp = prop_oneof![
        // Clear of the five-minute edge, so the test and the receiver agree on freshness.
        prop_oneof![-290i64..290, 310i64..400, -400i64..-310]
            .prop_map(|s| Value::from((Utc::now() + chrono::Duration::seconds(s)).to_rfc3339())),
        any::<i64>().prop_map(|s| {
            let at = Utc
                .timestamp_opt(s % 253_402_300_799, 0)
                .single()
                .unwrap_or_default();
            Value::from(at.to_rfc3339())
        }),
        json(),
    ];
    (kind, stamp, json(), proptest::option::of(text())).prop_map(|(kind, stamp, record, id)| {
        let mut event = json!({"type": kind, "timestamp": stamp, "locationId": "L"});
        if let (Some(map), Value::Object(extra)) = (event.as_object_mut(), record) {
            for (k, v) in extra {
                map.entry(k).or_insert(v);
            }
        }
        if let Some(id) = id {
            event["webhookId"] = Value::from(id);
        }
        event
    })
}

fn sign_ed25519(body: &[u8]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let signature = STANDARD.encode(keys().ed25519.sign(body).to_bytes());
    headers.insert(ED25519_HEADER, signature.parse().unwrap());
    headers
}

fn sign_rsa(body: &[u8]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let signature = STANDARD.encode(keys().rsa.sign(body).to_bytes());
    headers.insert(RSA_HEADER, signature.parse().unwrap());
    headers
}

/// What `parse_event` promises about an event it accepts.
fn accepted_event_holds(body: &[u8], now: DateTime<Utc>) -> Result<(), TestCaseError> {
    let Ok(event) = parse_event(body, now, MAX_AGE) else {
        return Ok(());
    };
    let value: Value = serde_json::from_slice(body).unwrap();
    prop_assert_eq!(value["type"].as_str(), Some(event.event_type.as_str()));
    let at = DateTime::parse_from_rfc3339(value["timestamp"].as_str().unwrap()).unwrap();
    let age = (now - at.with_timezone(&Utc)).abs();
    prop_assert!(
        age.to_std().unwrap() <= MAX_AGE,
        "a stale event was accepted"
    );
    prop_assert!(!event.webhook_id.is_empty());
    Ok(())
}

/// A receiver on a store of its own, kept for the whole test.
struct Receiving {
    _dir: tempfile::TempDir,
    /// A second connection to the store, to count the queue.
    counter: std::sync::Mutex<rusqlite::Connection>,
    receiver: Receiver,
}

impl Receiving {
    fn open() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqliteStore::open(&dir.path().join("rankr.sqlite3")).unwrap());
        let [_, verifier, _] = verifiers();
        let settings = ReceiverSettings::new(verifier, 256 * 1024);
        let shared: Arc<dyn RankrStore> = store.clone();
        let receiver = Receiver::new(shared, settings, Arc::new(tokio::sync::Notify::new()));
        let counter = rusqlite::Connection::open(store.path()).unwrap();
        Self {
            _dir: dir,
            counter: std::sync::Mutex::new(counter),
            receiver,
        }
    }

    fn queued(&self) -> usize {
        let counter = self.counter.lock().unwrap();
        let count: i64 = counter
            .query_row("SELECT count(*) FROM webhook_queue", [], |row| row.get(0))
            .unwrap();
        usize::try_from(count).unwrap()
    }
}

proptest! {
    #![proptest_config(crate::config(256))]

    #[test]
    fn unsigned_or_forged_deliveries_never_verify(headers in headers(), body in body()) {
        for verifier in verifiers() {
            let outcome = verifier.verify(&headers, &body);
            prop_assert!(outcome.is_err(), "{outcome:?} for {headers:?}");
        }
    }

    #[test]
    fn a_signed_body_changed_in_any_way_fails(
        body in body(),
        at in any::<usize>(),
        change in 1u8..=255,
        cut in any::<bool>(),
    ) {
        let mut changed = body.clone();
        if cut && !body.is_empty() {
            changed.truncate(at % body.len());
        } else if let Some(byte) = changed.get_mut(at % body.len().max(1)) {
            *byte ^= change;
        } else {
            changed.push(change);
        }
        let [_, ed_verifier, rsa_verifier] = verifiers();
        prop_assert!(ed_verifier.verify(&sign_ed25519(&body), &body).is_ok());
        prop_assert_eq!(
            ed_verifier.verify(&sign_ed25519(&body), &changed),
            Err(SignatureError::Invalid(ED25519_HEADER))
        );
        prop_assert!(rsa_verifier.verify(&sign_rsa(&body), &body).is_ok());
        prop_assert_eq!(
            rsa_verifier.verify(&sign_rsa(&body), &changed),
            Err(SignatureError::Invalid(RSA_HEADER))
        );
    }

    #[test]
    fn payloads_parse_or_err_and_only_fresh_typed_events_pass(body in body()) {
        accepted_event_holds(&body, Utc::now())?;
    }
}

/// Runs `check` over `strategy` against one receiver with a store of its own, removed after.
fn with_receiver<S: Strategy>(
    strategy: S,
    check: impl Fn(&Receiving, S::Value) -> Result<(), TestCaseError>,
) {
    let at = Receiving::open();
    let mut runner = proptest::test_runner::TestRunner::new(crate::config(256));
    runner.run(&strategy, |value| check(&at, value)).unwrap();
}

#[test]
fn the_receiver_queues_nothing_unsigned() {
    with_receiver((headers(), body()), |at, (headers, body)| {
        let (status, _) = at.receiver.accept(&headers, &body);
        prop_assert_eq!(status.as_u16(), 401);
        prop_assert_eq!(at.queued(), 0);
        Ok(())
    });
}

#[test]
fn the_receiver_queues_only_fresh_signed_events() {
    with_receiver(body(), |at, body| {
        let before = at.queued();
        let (status, word) = at.receiver.accept(&sign_ed25519(&body), &body);
        let parsed = parse_event(&body, Utc::now(), MAX_AGE);
        let added = at.queued() - before;
        match (status.as_u16(), word) {
            (200, "queued") => prop_assert!(parsed.is_ok() && added == 1, "{parsed:?}"),
            (200, "duplicate") => prop_assert!(parsed.is_ok() && added == 0, "{parsed:?}"),
            (400, _) => {
                prop_assert!(matches!(parsed, Err(EventError::NotAnEvent(_))) && added == 0);
            }
            (401, _) => prop_assert!(parsed.is_err() && added == 0),
            other => prop_assert!(false, "answered {other:?}"),
        }
        Ok(())
    });
}

/// Found by `payloads_parse_or_err_and_only_fresh_typed_events_pass`: an empty `webhookId`
/// was used as the key, so every later event with an empty id was dropped as a duplicate.
#[test]
fn regression_events_with_an_empty_webhook_id_are_not_duplicates() {
    let at = Receiving::open();
    let stamp = Utc::now().to_rfc3339();
    for id in ["c1", "c2"] {
        let body = serde_json::json!({
            "type": "ContactUpdate",
            "id": id,
            "timestamp": stamp,
            "locationId": "L",
            "webhookId": "",
        })
        .to_string();
        let (status, word) = at
            .receiver
            .accept(&sign_ed25519(body.as_bytes()), body.as_bytes());
        assert_eq!((status.as_u16(), word), (200, "queued"), "{id}");
    }
    assert_eq!(at.queued(), 2);
}

/// A receiver served on a loopback port, as `ghl-console webhook --listen` serves it, with a
/// 4 KiB body limit.
struct Served {
    runtime: tokio::runtime::Runtime,
    url: String,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl Served {
    fn start() -> Self {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn RankrStore> =
            Arc::new(SqliteStore::open(&dir.path().join("rankr.sqlite3")).unwrap());
        let [_, verifier, _] = verifiers();
        let settings = ReceiverSettings::new(verifier, 4096);
        let receiver = Arc::new(Receiver::new(
            store,
            settings,
            Arc::new(tokio::sync::Notify::new()),
        ));
        let url = runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let cancel = tokio_util::sync::CancellationToken::new();
            tokio::spawn(ghl_console::sync::webhook::serve(
                listener, receiver, cancel,
            ));
            format!("http://{addr}/webhook")
        });
        Self {
            runtime,
            url,
            http: reqwest::Client::new(),
            _dir: dir,
        }
    }
}

#[test]
fn deliveries_over_http_get_the_answer_their_signature_and_size_call_for() {
    let served = Served::start();
    let strategy = (
        headers(),
        prop_oneof![4 => body(), 1 => proptest::collection::vec(any::<u8>(), 4000..9000)],
        any::<bool>(),
    );
    let mut runner = proptest::test_runner::TestRunner::new(crate::config(64));
    runner
        .run(&strategy, |(mut headers, body, signed)| {
            if signed {
                headers.extend(sign_ed25519(&body));
            }
            let request = served
                .http
                .post(&served.url)
                .headers(headers)
                .body(body.clone());
            let status = served
                .runtime
                .block_on(async { request.send().await.map(|r| r.status().as_u16()) })
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let parsed = parse_event(&body, Utc::now(), MAX_AGE);
            let expected: &[u16] = if body.len() > 4096 {
                &[413]
            } else if !signed {
                &[401]
            } else {
                match parsed {
                    Ok(_) => &[200],
                    Err(EventError::NotAnEvent(_)) => &[400],
                    Err(_) => &[401],
                }
            };
            prop_assert!(
                expected.contains(&status),
                "answered {status}, expected {expected:?}"
            );
            Ok(())
        })
        .unwrap();
}
