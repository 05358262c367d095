//! The gate every API request passes, in GHL's order: the bearer token (401), the rate limits
//! of the token's location (429, and the `X-RateLimit-*` headers on every answer), then the
//! `Version` header (400).

use std::collections::HashMap;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, header};

use super::error::ApiError;
use super::ratelimit::Verdict;
use super::state::SharedState;

/// The `Version` header values the sandbox serves. The spec lists only `2021-07-28`; the
/// official JavaScript SDK sends `2023-02-21` on contacts calls and GHL serves it (C33).
pub const ACCEPTED_VERSIONS: &[&str] = &["2021-07-28", "2023-02-21"];

/// Which location each known token opens.
#[derive(Debug, Default)]
pub(crate) struct Access {
    tokens: HashMap<String, String>,
}

impl Access {
    pub(crate) fn new(pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        Self {
            tokens: pairs.into_iter().collect(),
        }
    }

    fn location_of(&self, token: &str) -> Option<&str> {
        self.tokens.get(token).map(String::as_str)
    }
}

/// Who is calling: the location their token opens. Handlers read it from the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Caller {
    pub(crate) location_id: String,
}

impl Caller {
    /// Refuses a `locationId` named in a request that is not the token's (403).
    pub(crate) fn check(&self, named: Option<&str>) -> Result<(), ApiError> {
        match named {
            Some(named) if named != self.location_id => Err(ApiError::wrong_location()),
            _ => Ok(()),
        }
    }
}

/// Middleware: token, rate limits, version; then the handler.
pub(crate) async fn gate(
    State(app): State<SharedState>,
    mut request: Request,
    next: Next,
) -> Response {
    let token = bearer(request.headers());
    let location = token
        .and_then(|t| app.access.location_of(t))
        .map(str::to_string)
        .or_else(|| {
            token
                .and_then(|t| app.oauth.grant_of(t))
                .and_then(|g| g.location)
        });
    let Some(location) = location else {
        return ApiError::unauthorized().into_response();
    };
    let headers = match app.limiter.check(&location) {
        Verdict::Allowed(headers) => headers,
        Verdict::Refused {
            retry_after_secs,
            headers,
        } => {
            let mut response = ApiError::too_many_requests(retry_after_secs).into_response();
            response.headers_mut().extend(headers);
            return response;
        }
    };
    let mut response = if let Err(error) = check_version(request.headers()) {
        error.into_response()
    } else {
        request.extensions_mut().insert(Caller {
            location_id: location,
        });
        next.run(request).await
    };
    // A header an injected fault set (a daily 429 says nothing is left) stays as it is.
    for (name, value) in &headers {
        if !response.headers().contains_key(name) {
            response.headers_mut().insert(name, value.clone());
        }
    }
    response
}

/// The token of an `Authorization: Bearer <token>` header.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

fn check_version(headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(value) = headers.get("version") else {
        return Err(ApiError::bad_request("Version header was not found"));
    };
    let value = value.to_str().unwrap_or_default().trim();
    if ACCEPTED_VERSIONS.contains(&value) {
        Ok(())
    } else {
        Err(ApiError::bad_request("Version header is invalid"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn reads_bearer_tokens() {
        let mut headers = HeaderMap::new();
        assert_eq!(bearer(&headers), None);
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("bearer  abc "),
        );
        assert_eq!(bearer(&headers), Some("abc"));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer(&headers), None);
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer "));
        assert_eq!(bearer(&headers), None);
    }

    #[test]
    fn accepts_published_versions_only() {
        let mut headers = HeaderMap::new();
        assert!(check_version(&headers).is_err());
        for version in ACCEPTED_VERSIONS {
            headers.insert("version", HeaderValue::from_static(version));
            assert!(check_version(&headers).is_ok());
        }
        headers.insert("version", HeaderValue::from_static("2021-04-15"));
        assert!(check_version(&headers).is_err());
    }

    #[test]
    fn caller_refuses_other_locations() {
        let caller = Caller {
            location_id: "a".into(),
        };
        assert!(caller.check(None).is_ok());
        assert!(caller.check(Some("a")).is_ok());
        assert_eq!(
            caller.check(Some("b")).map_err(|e| e.status()),
            Err(http::StatusCode::FORBIDDEN)
        );
    }
}
