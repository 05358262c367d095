//! Tasks, notes and appointments of a contact over loopback HTTP, and how writes move
//! `dateUpdated`, named after the user cases they cover.

mod support;

use ghl_console::ghl::models::Task;
use serde_json::json;
use support::{LOC, config, start};

#[tokio::test]
async fn c21_tasks_create_complete_and_refuse_status() {
    let (handle, api) = start(config(1)).await;
    let id = handle.store().contacts(LOC)[0].id.clone();
    let path = format!("/contacts/{id}/tasks");
    assert_eq!(api.post(&path, &json!({"title": "Call"})).await.status, 422);
    let body = json!({"title": "Call", "dueDate": "2026-12-24T09:00:00Z", "completed": false});
    let created = api.post(&path, &body).await;
    assert_eq!(created.status, 201);
    let task: Task = serde_json::from_value(created.body["task"].clone()).unwrap();
    assert_eq!(task.due_date.as_deref(), Some("2026-12-24T09:00:00.000Z"));
    let done = api
        .put(
            &format!("{path}/{}/completed", task.id),
            &json!({"completed": true}),
        )
        .await;
    assert_eq!(
        (done.status, done.body["task"]["completed"].clone()),
        (200, json!(true))
    );
    let status = api
        .put(
            &format!("{path}/{}", task.id),
            &json!({"status": "completed"}),
        )
        .await;
    assert_eq!(status.status, 422);
    assert_eq!(
        status.body["message"],
        json!(["property status should not exist"])
    );
    let gone = api.delete(&format!("{path}/{}", task.id), None).await;
    assert_eq!(gone.body, json!({"succeded": true}));
    assert_eq!(api.get(&format!("{path}/{}", task.id)).await.status, 404);
    handle.shutdown().await;
}

#[tokio::test]
async fn notes_and_appointments_and_business() {
    let (handle, api) = start(config(60)).await;
    let id = handle.store().contacts(LOC)[0].id.clone();
    let path = format!("/contacts/{id}/notes");
    assert_eq!(
        api.post(&path, &json!({"title": "no body"})).await.status,
        422
    );
    let note = api
        .post(&path, &json!({"body": "Привет 👋", "pinned": true}))
        .await;
    assert_eq!(note.status, 201);
    let note_id = note.body["note"]["id"].as_str().unwrap().to_string();
    let edited = api
        .put(&format!("{path}/{note_id}"), &json!({"body": "שלום"}))
        .await;
    assert_eq!(edited.body["note"]["body"], "שלום");
    let listed = api.get(&path).await;
    assert!(
        listed.body["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["id"] == note_id.as_str())
    );
    let events = api.get(&format!("/contacts/{id}/appointments")).await;
    assert!(events.body["events"].is_array());
    let member = handle
        .store()
        .contacts(LOC)
        .into_iter()
        .find(|c| c.business_id.is_some())
        .unwrap();
    let business = member.business_id.unwrap();
    let answer = api
        .get(&format!("/contacts/business/{business}?locationId={LOC}"))
        .await;
    assert!(answer.body["count"].as_u64().unwrap() >= 1);
    handle.shutdown().await;
}

#[tokio::test]
async fn every_write_moves_date_updated_strictly() {
    let (handle, api) = start(config(1)).await;
    let store = handle.store();
    let id = store.contacts(LOC)[0].id.clone();
    let mut last = store.contact(&id).unwrap().date_updated.unwrap();
    let writes = [
        ("PUT", format!("/contacts/{id}"), json!({"city": "Haifa"})),
        (
            "POST",
            format!("/contacts/{id}/tags"),
            json!({"tags": ["x"]}),
        ),
        (
            "POST",
            format!("/contacts/{id}/notes"),
            json!({"body": "n"}),
        ),
        (
            "POST",
            format!("/contacts/{id}/tasks"),
            json!({"title": "t", "dueDate": "2027-01-01T00:00:00Z", "completed": false}),
        ),
    ];
    for (method, path, body) in writes {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let answer = api.send(method, &path, Some(&body)).await;
        assert!(answer.status < 300, "{path}: {}", answer.text);
        let now = store.contact(&id).unwrap().date_updated.unwrap();
        assert!(now > last, "{path}: {now} > {last}");
        last = now;
    }
    let direct = store
        .update_contact(&id, |c| c.first_name = Some("Direct".into()))
        .unwrap();
    assert!(direct.date_updated.unwrap() > last);
    let over_http = api.get(&format!("/contacts/{id}")).await;
    assert_eq!(over_http.body["contact"]["firstName"], "Direct");
    assert!(store.delete_contact(&id));
    assert_eq!(api.get(&format!("/contacts/{id}")).await.status, 404);
    handle.shutdown().await;
}
