//! Decoding every response model: arbitrary JSON, and real sandbox answers mutated, never
//! panic; what decodes survives a round trip; the client turns an undecodable 2xx body into a
//! `Decode` error.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use ghl_console::ghl::models::{
    Appointment, Contact, ContactUpdate, CustomFieldValue, Deleted, ListMeta, ListPage, Note,
    SearchPage, SearchRequest, Task, UpsertOutcome, parse_date,
};
use ghl_console::ghl::{ClientConfig, GhlClient, GhlError, ListQuery, Secret};
use ghl_console::sandbox::{DEMO_LOCATION_ID, DEMO_TOKEN, SandboxConfig};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::strategies::{json, mutate, mutations};

/// Decodes `bytes` as `T`; when it decodes, encoding and decoding again gives the same value.
fn round_trips<T>(bytes: &[u8]) -> Result<Option<T>, TestCaseError>
where
    T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug,
{
    let Ok(value) = serde_json::from_slice::<T>(bytes) else {
        return Ok(None);
    };
    let encoded = serde_json::to_vec(&value).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let again: T = serde_json::from_slice(&encoded)
        .map_err(|e| TestCaseError::fail(format!("re-decoding {value:?}: {e}")))?;
    prop_assert_eq!(&again, &value);
    Ok(Some(value))
}

/// Checks what the console does with a decoded contact: its name, and an edit of nothing.
fn contact_holds(contact: &Contact) -> Result<(), TestCaseError> {
    let _ = contact.display_name();
    for date in [&contact.date_added, &contact.date_updated]
        .into_iter()
        .flatten()
    {
        let _ = parse_date(date);
    }
    prop_assert!(ContactUpdate::changes(contact, contact).is_empty());
    Ok(())
}

/// Decodes `bytes` as every model.
fn decode_all(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Some(contact) = round_trips::<Contact>(bytes)? {
        contact_holds(&contact)?;
    }
    if let Some(page) = round_trips::<SearchPage>(bytes)? {
        page.contacts.iter().try_for_each(contact_holds)?;
    }
    if let Some(page) = round_trips::<ListPage>(bytes)? {
        page.contacts.iter().try_for_each(contact_holds)?;
    }
    if let Some(upsert) = round_trips::<UpsertOutcome>(bytes)? {
        contact_holds(&upsert.contact)?;
    }
    round_trips::<Task>(bytes)?;
    round_trips::<Vec<Task>>(bytes)?;
    round_trips::<Note>(bytes)?;
    round_trips::<Vec<Note>>(bytes)?;
    round_trips::<Appointment>(bytes)?;
    round_trips::<ListMeta>(bytes)?;
    round_trips::<Deleted>(bytes)?;
    round_trips::<CustomFieldValue>(bytes)?;
    Ok(())
}

/// Decodes `bytes` and, when it is JSON, every object and array inside it, as every model.
fn decode_everywhere(bytes: &[u8]) -> Result<(), TestCaseError> {
    decode_all(bytes)?;
    let Ok(doc) = serde_json::from_slice::<Value>(bytes) else {
        return Ok(());
    };
    let mut stack = vec![&doc];
    let mut visited = 0;
    while let Some(node) = stack.pop() {
        visited += 1;
        if visited > 200 {
            break;
        }
        match node {
            Value::Array(items) => stack.extend(items),
            Value::Object(map) => stack.extend(map.values()),
            _ => continue,
        }
        decode_all(&serde_json::to_vec(node).unwrap())?;
    }
    Ok(())
}

/// Real answers of the sandbox, one per endpoint the console reads.
fn corpus() -> &'static [Vec<u8>] {
    static CORPUS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(fetch_corpus())
    })
}

async fn fetch_corpus() -> Vec<Vec<u8>> {
    let listen = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    let config = SandboxConfig {
        contacts: 20,
        ..SandboxConfig::default()
    };
    let sandbox = ghl_console::sandbox::spawn(config, listen).await.unwrap();
    let client = GhlClient::new(ClientConfig::new(
        sandbox.base_url(),
        Secret::new(DEMO_TOKEN),
        DEMO_LOCATION_ID,
    ))
    .unwrap();

    let search = SearchRequest {
        page_limit: 5,
        ..SearchRequest::default()
    };
    let page = client.search_contacts(search).await.unwrap();
    let mut bodies = vec![page.exchange.response_body.clone()];
    let list = ListQuery {
        limit: Some(5),
        ..ListQuery::default()
    };
    bodies.push(
        client
            .list_contacts(&list)
            .await
            .unwrap()
            .exchange
            .response_body,
    );
    for contact in page.value.contacts.iter().take(5) {
        let id = contact.id.as_str();
        bodies.push(client.get_contact(id).await.unwrap().exchange.response_body);
        bodies.push(client.tasks(id).await.unwrap().exchange.response_body);
        bodies.push(client.notes(id).await.unwrap().exchange.response_body);
        bodies.push(
            client
                .appointments(id)
                .await
                .unwrap()
                .exchange
                .response_body,
        );
    }
    sandbox.shutdown().await;
    let bodies: Vec<Vec<u8>> = bodies
        .into_iter()
        .flatten()
        .map(String::into_bytes)
        .collect();
    assert!(bodies.len() >= 10, "the sandbox answered too little");
    bodies
}

proptest! {
    #![proptest_config(crate::config(256))]

    #[test]
    fn arbitrary_json_decodes_or_errs(doc in json()) {
        decode_everywhere(&serde_json::to_vec(&doc).unwrap())?;
    }

    #[test]
    fn arbitrary_bytes_decode_or_err(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        decode_all(&bytes)?;
    }

    #[test]
    fn mutated_sandbox_answers_decode_or_err(pick in any::<usize>(), changes in mutations()) {
        let corpus = corpus();
        let original = &corpus[pick % corpus.len()];
        decode_everywhere(&mutate(original, &changes))?;
    }
}

/// The status and body the loopback server answers with.
type Reply = Arc<Mutex<(u16, Vec<u8>)>>;

/// A loopback server that answers every request with one status and body, set per case.
struct Answering {
    reply: Reply,
    client: GhlClient,
    runtime: tokio::runtime::Runtime,
}

impl Answering {
    fn start() -> Self {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let reply = Arc::new(Mutex::new((200, Vec::new())));
        let shared = Arc::clone(&reply);
        let base_url = runtime.block_on(async move {
            let app = axum::Router::new().fallback(answer).with_state(shared);
            let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
                .await
                .unwrap();
            let addr = listener.local_addr().unwrap();
            tokio::spawn(async move { axum::serve(listener, app).await });
            format!("http://{addr}")
        });
        let mut config = ClientConfig::new(base_url, Secret::new(DEMO_TOKEN), DEMO_LOCATION_ID);
        config.max_retries = 0;
        config.rate_limit = None;
        config.timeout = Duration::from_secs(10);
        let client = GhlClient::new(config).unwrap();
        Self {
            reply,
            client,
            runtime,
        }
    }
}

async fn answer(State(reply): State<Reply>) -> axum::response::Response {
    let (status, body) = reply.lock().unwrap().clone();
    let status = StatusCode::from_u16(status).unwrap();
    let headers = [(axum::http::header::CONTENT_TYPE, "application/json")];
    axum::response::IntoResponse::into_response((status, headers, body))
}

/// Asks every read endpoint once and checks each outcome: a value, or a typed error; a 2xx
/// whose body did not decode is a `Decode` error carrying that body.
async fn ask_everything(client: &GhlClient, status: u16) -> Result<(), TestCaseError> {
    let search = SearchRequest {
        page_limit: 5,
        ..SearchRequest::default()
    };
    let contact = client.get_contact("c1").await;
    if let Ok(reply) = &contact {
        contact_holds(&reply.value)?;
    }
    let outcomes: Vec<Result<(), GhlError>> = vec![
        contact.map(drop),
        client.search_contacts(search).await.map(drop),
        client.list_contacts(&ListQuery::default()).await.map(drop),
        client.tasks("c1").await.map(drop),
        client.task("c1", "t1").await.map(drop),
        client.notes("c1").await.map(drop),
        client.note("c1", "n1").await.map(drop),
        client.appointments("c1").await.map(drop),
        client.delete_contact("c1").await.map(drop),
    ];
    for outcome in outcomes {
        match outcome {
            Ok(()) => prop_assert!((200..300).contains(&status), "{status} taken as success"),
            Err(GhlError::Decode { status: got, .. }) => prop_assert_eq!(got, status),
            Err(error) => prop_assert!(
                !(200..300).contains(&status),
                "a {status} answer failed as {error:?} instead of a decode error"
            ),
        }
    }
    Ok(())
}

#[test]
fn the_client_turns_mutated_bodies_into_values_or_errors() {
    let server = Answering::start();
    let statuses = proptest::sample::select(vec![200u16, 201, 204, 400, 404, 422]);
    let strategy = (any::<usize>(), mutations(), statuses);
    let mut runner = proptest::test_runner::TestRunner::new(crate::config(32));
    runner
        .run(&strategy, |(pick, changes, status)| {
            let corpus = corpus();
            let body = mutate(&corpus[pick % corpus.len()], &changes);
            *server.reply.lock().unwrap() = (status, body);
            server
                .runtime
                .block_on(ask_everything(&server.client, status))
        })
        .unwrap();
}

/// Found by `arbitrary_json_decodes_or_errs`: without exact float parsing a number in a field
/// the models do not know came back one unit in the last place off after a read and a write.
#[test]
fn regression_a_float_in_unknown_fields_survives_a_round_trip() {
    let raw = br#"{"contacts":[],"id":{"id":-1.9547822739379136e+282},"total":1}"#;
    let page = round_trips::<SearchPage>(raw).unwrap().unwrap();
    assert_eq!(
        page.extra["id"]["id"].as_f64(),
        Some(-1.954_782_273_937_913_6e282)
    );
    let contact: Contact =
        serde_json::from_str(r#"{"id":"c","score":0.30000000000000004}"#).unwrap();
    assert_eq!(
        serde_json::to_string(&contact).unwrap(),
        r#"{"id":"c","tags":[],"customFields":[],"score":0.30000000000000004}"#
    );
}
