//! Error answers in GHL's shape: `{statusCode, message, error?, traceId}`, `message` a list of
//! strings on 422.

use axum::Json;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use rand::Rng;
use serde_json::{Map, Value, json};

/// One error answer of the emulated API (boxed: results carrying it stay small).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ApiError(Box<Parts>);

#[derive(Debug, Clone, PartialEq)]
struct Parts {
    status: StatusCode,
    message: Value,
    error: Option<&'static str>,
    extra: Map<String, Value>,
    retry_after_secs: Option<u64>,
}

impl ApiError {
    /// An error with a single message and no `error` label.
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self(Box::new(Parts {
            status,
            message: Value::String(message.into()),
            error: None,
            extra: Map::new(),
            retry_after_secs: None,
        }))
    }

    fn labelled(mut self, label: &'static str) -> Self {
        self.0.error = Some(label);
        self
    }

    /// 400 with a single message.
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// 422 with the list of everything wrong with the input.
    pub(crate) fn unprocessable(messages: Vec<String>) -> Self {
        let mut error = Self::new(StatusCode::UNPROCESSABLE_ENTITY, "");
        error.0.message = Value::from(messages);
        error.labelled("Unprocessable Entity")
    }

    /// 422 with one message.
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::unprocessable(vec![message.into()])
    }

    /// 401: no token, or one the sandbox does not know.
    pub(crate) fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "Invalid token: access token is invalid",
        )
        .labelled("Unauthorized")
    }

    /// 403: the token is valid but names another location.
    pub(crate) fn wrong_location() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "The token does not have access to this location",
        )
    }

    /// 404 for a record that does not exist (or lives in another location).
    pub(crate) fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, format!("{what} not found")).labelled("Not Found")
    }

    /// 404 for a path or method the API does not have, worded like GHL's framework does.
    pub(crate) fn no_route(method: &http::Method, path: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, format!("Cannot {method} {path}")).labelled("Not Found")
    }

    /// 429 with `Retry-After`.
    pub(crate) fn too_many_requests(retry_after_secs: u64) -> Self {
        let mut error = Self::new(StatusCode::TOO_MANY_REQUESTS, "Too many requests");
        error.0.retry_after_secs = Some(retry_after_secs.max(1));
        error
    }

    /// Adds a top-level field after `message`, such as the `meta` of a duplicate refusal.
    pub(crate) fn with(mut self, key: &str, value: Value) -> Self {
        self.0.extra.insert(key.to_string(), value);
        self
    }

    /// The status this error answers with.
    #[cfg(test)]
    pub(crate) fn status(&self) -> StatusCode {
        self.0.status
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let parts = *self.0;
        let mut body = Map::new();
        body.insert("statusCode".into(), json!(parts.status.as_u16()));
        body.insert("message".into(), parts.message);
        if let Some(error) = parts.error {
            body.insert("error".into(), json!(error));
        }
        body.extend(parts.extra);
        body.insert("traceId".into(), json!(trace_id()));
        let mut response = (parts.status, Json(Value::Object(body))).into_response();
        if let Some(secs) = parts.retry_after_secs {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

/// A fresh random trace id, shaped like a UUID v4.
pub(crate) fn trace_id() -> String {
    let bits: u128 = rand::rng().random();
    let hex = format!("{bits:032x}");
    format!(
        "{}-{}-4{}-a{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_ids_look_like_uuids() {
        let id = trace_id();
        let parts: Vec<usize> = id.split('-').map(str::len).collect();
        assert_eq!(parts, [8, 4, 4, 4, 12]);
        assert_ne!(id, trace_id());
    }

    #[tokio::test]
    async fn unprocessable_has_a_message_list_and_trace() {
        let response = ApiError::invalid("property id should not exist").into_response();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let bytes = axum::body::to_bytes(response.into_body(), 10_000)
            .await
            .unwrap();
        let body: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(body["statusCode"], 422);
        assert_eq!(body["message"], json!(["property id should not exist"]));
        assert_eq!(body["error"], "Unprocessable Entity");
        assert!(body["traceId"].is_string());
    }
}
