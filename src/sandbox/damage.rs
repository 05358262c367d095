//! Damaged answers for the faults that keep the status and spoil the body: empty, wrong types,
//! bytes that are not UTF-8, nesting deeper than any parser should follow, and padding to a
//! size no client should read whole.

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::{HeaderValue, StatusCode, header};
use serde_json::Value;

use super::faults::body_bytes;

/// How deep the nested answer goes: far past any parser's recursion limit.
pub const NEST_DEPTH: usize = 100_000;

/// The chunk a padded answer is streamed in.
static PAD: [u8; 64 * 1024] = [b' '; 64 * 1024];

/// Keeps status and headers, drops the body.
pub(super) async fn empty(response: Response) -> Response {
    let (mut parts, _) = body_bytes(response).await;
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(0));
    Response::from_parts(parts, Body::empty())
}

/// Keeps status and headers, gives known fields of every record the wrong JSON type.
pub(super) async fn wrong_types(response: Response) -> Response {
    let (mut parts, bytes) = body_bytes(response).await;
    let Ok(mut value) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    mistype(&mut value);
    let bytes = Bytes::from(value.to_string());
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    Response::from_parts(parts, Body::from(bytes))
}

fn mistype(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, field) in map.iter_mut() {
                let wrong = match (key.as_str(), &*field) {
                    ("email" | "firstName" | "title", Value::String(_)) => Some(Value::from(42)),
                    ("tags", Value::Array(_)) => Some(Value::from("vip,renewal")),
                    ("completed" | "pinned", Value::Bool(_)) => Some(Value::from("yes")),
                    ("dateAdded" | "dateUpdated", Value::String(_)) => {
                        Some(Value::from(1_700_000_000_000_u64))
                    }
                    ("total", Value::Number(_)) => Some(Value::from("many")),
                    _ => None,
                };
                match wrong {
                    Some(wrong) => *field = wrong,
                    None => mistype(field),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mistype),
        _ => {}
    }
}

/// Keeps status and headers, puts two bytes that are not UTF-8 at the start of the first
/// string value.
pub(super) async fn bad_utf8(response: Response) -> Response {
    let (mut parts, bytes) = body_bytes(response).await;
    let at = bytes
        .windows(3)
        .position(|w| w == b"\":\"")
        .map_or(0, |p| p + 3);
    let mut spoiled = Vec::with_capacity(bytes.len() + 2);
    spoiled.extend_from_slice(&bytes[..at]);
    spoiled.extend_from_slice(&[0xFF, 0xFE]);
    spoiled.extend_from_slice(&bytes[at..]);
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(spoiled.len()));
    Response::from_parts(parts, Body::from(spoiled))
}

/// A 200 whose first contact's `id` is an array nested [`NEST_DEPTH`] deep.
pub(super) fn nested() -> Response {
    let mut body = String::with_capacity(NEST_DEPTH * 2 + 32);
    body.push_str("{\"contacts\":[{\"id\":");
    body.extend(std::iter::repeat_n('[', NEST_DEPTH));
    body.extend(std::iter::repeat_n(']', NEST_DEPTH));
    body.push_str("}]}");
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

/// Keeps status and headers, streams the JSON followed by whitespace up to `size` bytes in
/// all, with no `Content-Length`, so only a client that counts what it reads can stop early.
pub(super) async fn padded(response: Response, size: u64) -> Response {
    let (mut parts, bytes) = body_bytes(response).await;
    parts.headers.remove(header::CONTENT_LENGTH);
    let pad = size.saturating_sub(bytes.len() as u64);
    let whole = pad / PAD.len() as u64;
    let rest = usize::try_from(pad % PAD.len() as u64).unwrap_or(0);
    let head = std::iter::once(bytes);
    let chunks = (0..whole).map(|_| Bytes::from_static(&PAD));
    let tail = std::iter::once(Bytes::from_static(&PAD[..rest]));
    let stream = head.chain(chunks).chain(tail).map(Ok::<_, std::io::Error>);
    Response::from_parts(parts, Body::from_stream(futures_util::stream::iter(stream)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn mistyped_records_keep_their_shape_and_lose_their_types() {
        let mut value = json!({"contacts": [{"id": "c1", "email": "a@b.c", "tags": ["x"],
            "dateUpdated": "2024-01-01T00:00:00.000Z", "customFields": []}], "total": 1});
        mistype(&mut value);
        let contact = &value["contacts"][0];
        assert_eq!(contact["id"], "c1");
        assert_eq!(contact["email"], 42);
        assert_eq!(contact["tags"], "vip,renewal");
        assert!(contact["dateUpdated"].is_number());
        assert_eq!(value["total"], "many");
    }

    #[tokio::test]
    async fn padding_reaches_the_size_asked() {
        let response = (StatusCode::OK, "{\"a\":1}").into_response();
        let padded = padded(response, 200_000).await;
        let bytes = axum::body::to_bytes(padded.into_body(), usize::MAX)
            .await
            .unwrap();
        assert_eq!(bytes.len(), 200_000);
        assert!(serde_json::from_slice::<Value>(&bytes).is_ok());
    }
}
