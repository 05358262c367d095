//! The sandbox over real loopback HTTP: auth, versions, locations, contacts, search, paging,
//! paging and tags, named after the user cases they cover.

mod support;

use std::collections::HashSet;

use ghl_console::ghl::models::Contact;
use ghl_console::sandbox::{PAGE_CAP, SAME_MILLISECOND_GROUP};
use serde_json::{Value, json};
use support::{LOC, config, start};

#[tokio::test]
async fn auth_missing_or_unknown_token_is_401() {
    let (handle, mut api) = start(config(5)).await;
    api.token = None;
    let answer = api.get(&format!("/contacts/?locationId={LOC}")).await;
    assert_eq!(answer.status, 401);
    assert_eq!(
        answer.body["message"],
        "Invalid token: access token is invalid"
    );
    assert_eq!(answer.body["error"], "Unauthorized");
    api.token = Some("pit-not-a-real-token".into());
    assert_eq!(api.get("/contacts/anything").await.status, 401);
    handle.shutdown().await;
}

#[tokio::test]
async fn c32_c33_version_header_required_and_both_published_versions_served() {
    let (handle, mut api) = start(config(5)).await;
    let path = format!("/contacts/?locationId={LOC}&limit=1");
    api.version = None;
    let missing = api.get(&path).await;
    assert_eq!(missing.status, 400);
    assert_eq!(missing.body["message"], "Version header was not found");
    assert!(missing.body["traceId"].is_string());
    api.version = Some("2020-01-01".into());
    assert_eq!(api.get(&path).await.status, 400);
    for version in ["2021-07-28", "2023-02-21"] {
        api.version = Some(version.into());
        assert_eq!(api.get(&path).await.status, 200, "{version}");
    }
    api.version = Some(" 2023-02-21 ".into());
    assert_eq!(api.get(&path).await.status, 200);
    // The stats count requests per version, so a test can see what a client sent.
    let versions = handle.stats().versions;
    let counted: Vec<(&str, u64)> = versions.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(
        counted,
        [
            ("(missing)", 1),
            ("(other)", 1),
            ("2021-07-28", 1),
            ("2023-02-21", 2)
        ]
    );
    handle.shutdown().await;
}

#[tokio::test]
async fn other_locations_are_403_and_their_contacts_invisible() {
    let mut cfg = config(5);
    cfg.extra_locations = vec![("pit-other".into(), "oThErLocation0000001".into())];
    let (handle, mut api) = start(cfg).await;
    let answer = api.get("/contacts/?locationId=oThErLocation0000001").await;
    assert_eq!(answer.status, 403);
    assert_eq!(
        answer.body["message"],
        "The token does not have access to this location"
    );
    let search = json!({"locationId": "oThErLocation0000001", "pageLimit": 10});
    assert_eq!(api.post("/contacts/search", &search).await.status, 403);
    let one = handle.store().contacts(LOC).remove(0);
    api.token = Some("pit-other".into());
    assert_eq!(api.get(&format!("/contacts/{}", one.id)).await.status, 404);
    handle.shutdown().await;
}

#[tokio::test]
async fn create_is_201_reads_back_and_refuses_duplicates() {
    let (handle, api) = start(config(5)).await;
    let body = json!({"locationId": LOC, "firstName": "Zoë", "lastName": "Núñez",
        "email": "Zoe.Nunez@Example.test", "phone": "(555) 123-4567", "tags": ["VIP"]});
    let created = api.post("/contacts/", &body).await;
    assert_eq!(created.status, 201);
    let contact: Contact = serde_json::from_value(created.body["contact"].clone()).unwrap();
    assert_eq!(contact.phone.as_deref(), Some("+15551234567"));
    assert_eq!(contact.tags, ["vip"]);
    let read = api.get(&format!("/contacts/{}", contact.id)).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.body["contact"]["name"], "Zoë Núñez");
    assert_eq!(
        read.body["contact"]["emailLowerCase"],
        "zoe.nunez@example.test"
    );
    let again = json!({"locationId": LOC, "email": "zoe.nunez@example.test"});
    let refused = api.post("/contacts/", &again).await;
    assert_eq!(refused.status, 400);
    assert_eq!(refused.body["meta"]["contactId"], contact.id.as_str());
    assert_eq!(refused.body["meta"]["matchingField"], "email");
    handle.shutdown().await;
}

#[tokio::test]
async fn c02_c05_upsert_matches_either_identifier_and_keeps_email_owner() {
    let (handle, api) = start(config(0)).await;
    let a = json!({"locationId": LOC, "firstName": "A", "phone": "+15550000001"});
    let b = json!({"locationId": LOC, "firstName": "B", "email": "pat@example.test"});
    let a_id = api.post("/contacts/", &a).await.body["contact"]["id"].clone();
    let b_id = api.post("/contacts/", &b).await.body["contact"]["id"].clone();
    let both = json!({"locationId": LOC, "email": "Pat@Example.test", "phone": "+15550000001"});
    let answer = api.post("/contacts/upsert", &both).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body["new"], false);
    assert_eq!(answer.body["contact"]["id"], b_id);
    assert!(
        answer.body["contact"].get("phone").is_none(),
        "phone not applied (C02)"
    );
    assert!(answer.body["traceId"].is_string());
    let by_phone = json!({"locationId": LOC, "phone": "+1 555 000 0001", "lastName": "Lee"});
    let answer = api.post("/contacts/upsert", &by_phone).await;
    assert_eq!(
        (
            answer.body["new"].clone(),
            answer.body["contact"]["id"].clone()
        ),
        (json!(false), a_id)
    );
    let fresh = json!({"locationId": LOC, "email": "new@example.test"});
    assert_eq!(api.post("/contacts/upsert", &fresh).await.body["new"], true);
    handle.shutdown().await;
}

#[tokio::test]
async fn c03_put_with_read_only_fields_is_422_with_messages() {
    let (handle, api) = start(config(3)).await;
    let id = handle.store().contacts(LOC)[0].id.clone();
    let read = api.get(&format!("/contacts/{id}")).await.body["contact"].clone();
    let answer = api.put(&format!("/contacts/{id}"), &read).await;
    assert_eq!(answer.status, 422);
    assert_eq!(answer.body["statusCode"], 422);
    assert_eq!(answer.body["error"], "Unprocessable Entity");
    let messages: Vec<&str> = answer.body["message"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        messages.contains(&"property id should not exist"),
        "{messages:?}"
    );
    assert!(messages.contains(&"property dateAdded should not exist"));
    let ok = api
        .put(&format!("/contacts/{id}"), &json!({"firstName": "Renée"}))
        .await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.body["succeded"], true);
    assert_eq!(ok.body["contact"]["firstName"], "Renée");
    handle.shutdown().await;
}

#[tokio::test]
async fn c10_search_without_location_or_page_limit_is_422() {
    let (handle, api) = start(config(5)).await;
    for body in [json!({"pageLimit": 10}), json!({"locationId": LOC})] {
        let answer = api.post("/contacts/search", &body).await;
        assert_eq!(answer.status, 422, "{body}");
        assert!(answer.body["message"].is_array());
    }
    handle.shutdown().await;
}

#[tokio::test]
async fn c11_unknown_filter_field_is_400_with_trace_id() {
    let (handle, api) = start(config(5)).await;
    let body = json!({"locationId": LOC, "pageLimit": 10,
        "filters": [{"field": "favouriteFood", "operator": "eq", "value": "x"}]});
    let answer = api.post("/contacts/search", &body).await;
    assert_eq!(answer.status, 400);
    assert_eq!(answer.body["statusCode"], 400);
    assert!(
        answer.body["message"]
            .as_str()
            .unwrap()
            .contains("favouriteFood")
    );
    assert!(
        answer.body["traceId"]
            .as_str()
            .is_some_and(|t| t.len() == 36)
    );
    handle.shutdown().await;
}

/// Pages the legacy list; `both` carries `startAfterId` too, else only `startAfter`.
#[expect(
    clippy::unwrap_used,
    reason = "a test helper: a malformed page fails the test"
)]
async fn list_all(api: &support::Api, both: bool) -> Vec<String> {
    let mut ids = Vec::new();
    let mut cursor = String::new();
    for _ in 0..200 {
        let page = api
            .get(&format!("/contacts/?locationId={LOC}&limit=7{cursor}"))
            .await;
        assert_eq!(page.status, 200);
        let contacts = page.body["contacts"].as_array().unwrap();
        ids.extend(
            contacts
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_string()),
        );
        let meta = &page.body["meta"];
        if meta["nextPageUrl"].is_null() {
            break;
        }
        cursor = format!("&startAfter={}", meta["startAfter"]);
        if both {
            cursor = format!(
                "{cursor}&startAfterId={}",
                meta["startAfterId"].as_str().unwrap()
            );
        }
    }
    ids
}

#[tokio::test]
async fn c13_list_paging_with_both_cursors_returns_each_id_once() {
    let (handle, api) = start(config(200)).await;
    let ids = list_all(&api, true).await;
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!((ids.len(), unique.len()), (200, 200));
    let naive = list_all(&api, false).await;
    assert!(
        naive.len() < 200,
        "timestamp-only paging skips the shared millisecond"
    );
    assert!(naive.len() > 200 - SAME_MILLISECOND_GROUP);
    handle.shutdown().await;
}

#[tokio::test]
async fn legacy_list_meta_counts_pages() {
    let (handle, api) = start(config(12)).await;
    let first = api
        .get(&format!("/contacts/?locationId={LOC}&limit=5"))
        .await;
    let meta = &first.body["meta"];
    assert_eq!(
        (meta["total"].clone(), meta["currentPage"].clone()),
        (json!(12), json!(1))
    );
    assert_eq!(
        (meta["nextPage"].clone(), meta["prevPage"].clone()),
        (json!(2), Value::Null)
    );
    let next_url = meta["nextPageUrl"].as_str().unwrap();
    let path = next_url.strip_prefix(&handle.base_url()).unwrap();
    let second = api.get(path).await;
    assert_eq!(second.body["meta"]["currentPage"], 2);
    assert_eq!(second.body["meta"]["prevPage"], 1);
    let cursor = format!(
        "&startAfter={}&startAfterId={}",
        second.body["meta"]["startAfter"],
        second.body["meta"]["startAfterId"].as_str().unwrap()
    );
    let last = api
        .get(&format!("/contacts/?locationId={LOC}&limit=5{cursor}"))
        .await;
    assert_eq!(last.body["contacts"].as_array().unwrap().len(), 2);
    assert_eq!(last.body["meta"]["nextPageUrl"], Value::Null);
    assert_eq!(last.body["meta"]["nextPage"], Value::Null);
    let too_many = api
        .get(&format!("/contacts/?locationId={LOC}&limit=101"))
        .await;
    assert_eq!(too_many.status, 422);
    assert_eq!(api.get("/contacts/").await.status, 422);
    handle.shutdown().await;
}

#[tokio::test]
async fn search_after_streams_25000_contacts_each_once() {
    let (handle, api) = start(config(25_000)).await;
    let mut seen = HashSet::new();
    let mut after: Option<Value> = None;
    loop {
        let mut body = json!({"locationId": LOC, "pageLimit": 500,
            "sort": [{"field": "dateUpdated", "direction": "asc"}]});
        if let Some(after) = &after {
            body["searchAfter"] = after.clone();
        }
        let page = api.post("/contacts/search", &body).await;
        assert_eq!(page.status, 200);
        assert_eq!(page.body["total"], 25_000);
        let contacts = page.body["contacts"].as_array().unwrap();
        let Some(last) = contacts.last() else { break };
        for contact in contacts {
            assert!(seen.insert(contact["id"].as_str().unwrap().to_string()));
        }
        after = Some(last["searchAfter"].clone());
    }
    assert_eq!(seen.len(), 25_000);
    handle.shutdown().await;
}

#[tokio::test]
async fn page_paging_is_capped_at_10000_records() {
    let (handle, api) = start(config(5)).await;
    let at = |page: usize| json!({"locationId": LOC, "pageLimit": 100, "page": page});
    assert_eq!(
        api.post("/contacts/search", &at(PAGE_CAP / 100))
            .await
            .status,
        200
    );
    let over = api.post("/contacts/search", &at(PAGE_CAP / 100 + 1)).await;
    assert_eq!(over.status, 400);
    assert!(
        over.body["message"]
            .as_str()
            .unwrap()
            .contains("searchAfter")
    );
    handle.shutdown().await;
}

#[tokio::test]
async fn search_filters_sorts_and_finds_duplicates() {
    let (handle, api) = start(config(300)).await;
    let body = json!({"locationId": LOC, "pageLimit": 500, "filters": [{"group": "OR",
        "filters": [{"field": "tags", "operator": "eq", "value": "vip"},
                    {"field": "type", "operator": "eq", "value": "customer"}]}]});
    let answer = api.post("/contacts/search", &body).await;
    let expected = handle
        .store()
        .contacts(LOC)
        .iter()
        .filter(|c| {
            c.tags.iter().any(|t| t == "vip") || c.contact_type.as_deref() == Some("customer")
        })
        .count();
    assert_eq!(answer.body["total"], expected);
    let dates: Vec<&str> = answer.body["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["dateAdded"].as_str().unwrap())
        .collect();
    assert!(
        dates.windows(2).all(|w| w[0] >= w[1]),
        "default sort is dateAdded desc"
    );
    let with_email = handle
        .store()
        .contacts(LOC)
        .into_iter()
        .find(|c| c.email.is_some())
        .unwrap();
    let email = with_email.email.unwrap().to_uppercase();
    let dup = api
        .get(&format!(
            "/contacts/search/duplicate?locationId={LOC}&email={email}"
        ))
        .await;
    assert_eq!(dup.body["contact"]["id"], with_email.id.as_str());
    let none = api
        .get(&format!(
            "/contacts/search/duplicate?locationId={LOC}&email=no@example.test"
        ))
        .await;
    assert_eq!(none.body, json!({"contact": null}));
    handle.shutdown().await;
}

#[tokio::test]
async fn c20_tags_add_remove_and_put_replaces() {
    let (handle, api) = start(config(0)).await;
    let body = json!({"locationId": LOC, "email": "t@example.test", "tags": ["a", "b"]});
    let id = api.post("/contacts/", &body).await.body["contact"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let added = api
        .post(&format!("/contacts/{id}/tags"), &json!({"tags": ["c"]}))
        .await;
    assert_eq!(
        (added.status, added.body.clone()),
        (201, json!({"tags": ["a", "b", "c"]}))
    );
    let removed = api
        .delete(
            &format!("/contacts/{id}/tags"),
            Some(&json!({"tags": ["a"]})),
        )
        .await;
    assert_eq!(
        (removed.status, removed.body.clone()),
        (200, json!({"tags": ["b", "c"]}))
    );
    let put = api
        .put(&format!("/contacts/{id}"), &json!({"tags": ["z"]}))
        .await;
    assert_eq!(put.body["contact"]["tags"], json!(["z"]));
    handle.shutdown().await;
}
