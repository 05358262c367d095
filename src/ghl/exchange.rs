//! The record of one HTTP request and its response, with every secret already masked.
//!
//! The raw inspector, the activity log and the sync log read these; nothing in an `Exchange`
//! may ever hold a token, so masking happens here, before the record leaves the client.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::secret::{MASK, Secret};

/// Header names whose values are secrets.
const SECRET_HEADERS: &[&str] = &["authorization", "x-api-key", "cookie", "set-cookie"];

/// JSON and form keys whose values are secrets.
const SECRET_KEYS: &[&str] = &[
    "access_token",
    "refresh_token",
    "client_secret",
    "token",
    "password",
    "apiKey",
    "api_key",
];

/// Form keys that are secrets only in a form body (the OAuth code grant); in JSON `code` is
/// ordinary data, such as a DND setting's code.
const SECRET_FORM_KEYS: &[&str] = &["code"];

/// Bodies longer than this are cut in the record (the caller still gets the whole value).
pub const MAX_RECORDED_BODY: usize = 2 * 1024 * 1024;

/// The path and query of `url` as the log file gets it: a path segment that holds an email or
/// a phone number (`/contacts/ann@x.io`) and the query values that could name a person (an
/// email, a phone, a search text) are replaced by `***`; the ids, the keys and the paging values
/// stay, so a log line still says which call it was.
pub fn log_path(url: &url::Url) -> String {
    const PLAIN: [&str; 8] = [
        "locationId",
        "model",
        "limit",
        "skip",
        "page",
        "pageLimit",
        "startAfter",
        "startAfterId",
    ];
    let path = url.path_segments().map_or_else(
        || url.path().to_string(),
        |segments| {
            segments.fold(String::new(), |mut path, segment| {
                path.push('/');
                path.push_str(if is_personal(segment) {
                    MASKED
                } else {
                    segment
                });
                path
            })
        },
    );
    if url.query().is_none() {
        return path;
    }
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in url.query_pairs() {
        if PLAIN.iter().any(|k| k.eq_ignore_ascii_case(&key)) {
            query.append_pair(&key, &value);
        } else {
            query.append_pair(&key, MASKED);
        }
    }
    format!("{path}?{}", query.finish().replace("%2A%2A%2A", MASKED))
}

/// What a personal value is written as in the log.
const MASKED: &str = "***";

/// Whether a path segment (percent-encoded as in a URL) holds an email or a phone number: it
/// has an `@`, or it is made only of digits and a phone's punctuation with 7 to 15 digits
/// (E.164's most).
fn is_personal(segment: &str) -> bool {
    let text = percent_encoding::percent_decode_str(segment).decode_utf8_lossy();
    if text.contains('@') {
        return true;
    }
    let digits = text.chars().filter(char::is_ascii_digit).count();
    (7..=15).contains(&digits)
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '(' | ')' | '.' | ' '))
}

/// One HTTP request and its response (or the error that replaced the response).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Exchange {
    /// A number unique within the process, in the order requests were sent.
    pub id: u64,
    /// When the request was sent, RFC 3339.
    pub started_at: String,
    pub method: String,
    pub url: String,
    pub request_headers: Vec<(String, String)>,
    pub request_body: Option<String>,
    /// The status, or `None` when no response came (network error, timeout).
    pub status: Option<u16>,
    pub response_headers: Vec<(String, String)>,
    pub response_body: Option<String>,
    #[serde(with = "duration_ms")]
    pub elapsed: Duration,
    /// The server's `traceId` (from the body or the headers).
    pub trace_id: Option<String>,
    /// Which try of the same call this was (1 for the first).
    pub attempt: u32,
    /// The error, when the call failed.
    pub error: Option<String>,
}

impl Exchange {
    /// The path and query of the URL, for compact lists.
    pub fn path(&self) -> String {
        url::Url::parse(&self.url).map_or_else(
            |_| self.url.clone(),
            |u| match u.query() {
                Some(q) => format!("{}?{q}", u.path()),
                None => u.path().to_string(),
            },
        )
    }

    /// The path and query as the log file gets it: see [`log_path`].
    pub fn log_path(&self) -> String {
        url::Url::parse(&self.url).map_or_else(|_| "(unparsable url)".to_string(), |u| log_path(&u))
    }

    /// Whether the call succeeded (a 2xx status).
    pub fn is_success(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }

    /// The request as a curl command, token replaced by `$GHL_TOKEN` so it can be pasted as is.
    pub fn to_curl(&self) -> String {
        let mut parts = vec![
            format!("curl -sS -X {}", self.method),
            shell_quote(&self.url),
        ];
        for (name, value) in &self.request_headers {
            let header = if name.eq_ignore_ascii_case("authorization") {
                "-H \"Authorization: Bearer $GHL_TOKEN\"".to_string()
            } else {
                format!("-H {}", shell_quote(&format!("{name}: {value}")))
            };
            parts.push(header);
        }
        if let Some(body) = &self.request_body {
            parts.push(format!("--data {}", shell_quote(body)));
        }
        parts.join(" \\\n  ")
    }

    /// Masks every secret left in the record: secret headers, secret JSON or form fields, and
    /// any occurrence of the given secrets anywhere.
    pub fn mask(&mut self, secrets: &[&Secret]) {
        let scrub = |text: &str| {
            secrets
                .iter()
                .fold(text.to_string(), |acc, s| s.scrub(&acc))
        };
        self.url = scrub(&self.url);
        for (name, value) in self
            .request_headers
            .iter_mut()
            .chain(&mut self.response_headers)
        {
            *value = mask_header(name, value);
            *value = scrub(value);
        }
        for body in [&mut self.request_body, &mut self.response_body]
            .into_iter()
            .flatten()
        {
            *body = scrub(&mask_body(body));
            // A JSON string can spell a secret with escapes (`\u0070it-...`) that the text
            // search above cannot see but the inspector would show decoded.
            if let Ok(mut value) = serde_json::from_str::<serde_json::Value>(body)
                && scrub_json(&mut value, &scrub)
                && let Ok(text) = serde_json::to_string(&value)
            {
                *body = text;
            }
        }
        if let Some(error) = &mut self.error {
            *error = scrub(error);
        }
    }
}

/// Masks a header value when the header carries a secret.
pub fn mask_header(name: &str, value: &str) -> String {
    if !SECRET_HEADERS.iter().any(|h| name.eq_ignore_ascii_case(h)) {
        return value.to_string();
    }
    match value.split_once(' ') {
        Some((scheme, _)) if name.eq_ignore_ascii_case("authorization") => {
            format!("{scheme} {MASK}")
        }
        _ => MASK.to_string(),
    }
}

/// Masks secret fields in a JSON or form-encoded body; any other text is returned unchanged.
pub fn mask_body(body: &str) -> String {
    if let Ok(mut value) = serde_json::from_str::<serde_json::Value>(body) {
        if mask_json(&mut value) {
            return serde_json::to_string(&value).unwrap_or_else(|_| body.to_string());
        }
        return body.to_string();
    }
    if body.contains('=') && !body.contains(char::is_whitespace) {
        return mask_form(body);
    }
    body.to_string()
}

fn mask_json(value: &mut serde_json::Value) -> bool {
    match value {
        serde_json::Value::Object(map) => {
            let mut changed = false;
            for (key, v) in map.iter_mut() {
                if SECRET_KEYS.contains(&key.as_str()) && v.is_string() {
                    *v = serde_json::Value::String(MASK.to_string());
                    changed = true;
                } else {
                    changed |= mask_json(v);
                }
            }
            changed
        }
        serde_json::Value::Array(items) => items.iter_mut().fold(false, |c, v| mask_json(v) | c),
        _ => false,
    }
}

/// Scrubs every string and key of a JSON value; returns whether anything changed.
fn scrub_json(value: &mut serde_json::Value, scrub: &dyn Fn(&str) -> String) -> bool {
    match value {
        serde_json::Value::String(text) => {
            let clean = scrub(text);
            let changed = clean != *text;
            *text = clean;
            changed
        }
        serde_json::Value::Array(items) => items
            .iter_mut()
            .fold(false, |changed, item| scrub_json(item, scrub) | changed),
        serde_json::Value::Object(map) => {
            let mut changed = false;
            for (key, mut item) in std::mem::take(map) {
                changed |= scrub_json(&mut item, scrub);
                let clean = scrub(&key);
                changed |= clean != key;
                map.insert(clean, item);
            }
            changed
        }
        _ => false,
    }
}

fn mask_form(body: &str) -> String {
    body.split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if SECRET_KEYS.contains(&key) || SECRET_FORM_KEYS.contains(&key) => {
                format!("{key}={MASK}")
            }
            _ => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Quotes a string for a POSIX shell.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

mod duration_ms {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        Ok(Duration::from_millis(u64::deserialize(d)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_headers_bodies_and_stray_copies() {
        let token = Secret::new("pit-abcdef123456");
        let mut ex = Exchange {
            method: "POST".into(),
            url: "http://127.0.0.1:1/oauth/token?x=pit-abcdef123456".into(),
            request_headers: vec![("Authorization".into(), "Bearer pit-abcdef123456".into())],
            request_body: Some("grant_type=refresh_token&refresh_token=r-1&client_secret=s".into()),
            response_body: Some(
                r#"{"access_token":"a-1","nested":{"refresh_token":"r-2"}}"#.into(),
            ),
            ..Exchange::default()
        };
        ex.mask(&[&token]);
        let all = serde_json::to_string(&ex).unwrap();
        for leaked in ["pit-abcdef123456", "r-1", "r-2", "a-1", "client_secret=s"] {
            assert!(!all.contains(leaked), "{leaked} leaked: {all}");
        }
        assert_eq!(ex.request_headers[0].1, "Bearer ****");
    }

    /// The log names the call, not the person: search texts, emails and phones in the query
    /// are masked, paging and location stay.
    #[test]
    fn the_logged_path_masks_personal_query_values() {
        let ex = Exchange {
            url: "https://h/contacts/search/duplicate?locationId=loc1&email=ann%40x.io&number=%2B15550100&limit=20".into(),
            ..Exchange::default()
        };
        assert_eq!(
            ex.log_path(),
            "/contacts/search/duplicate?locationId=loc1&email=***&number=***&limit=20"
        );
        let plain = Exchange {
            url: "https://h/locations/l1/customFields?model=contact".into(),
            ..Exchange::default()
        };
        assert_eq!(plain.log_path(), "/locations/l1/customFields?model=contact");
    }

    /// An email or a phone in the path is masked in the log like one in the query; ids and
    /// the other segments stay.
    #[test]
    fn the_logged_path_masks_emails_and_phones_in_path_segments() {
        let logged = |url: &str| {
            Exchange {
                url: url.into(),
                ..Exchange::default()
            }
            .log_path()
        };
        for (url, wanted) in [
            (
                "https://h/contacts/olga.ivanova14@example.com",
                "/contacts/***",
            ),
            (
                "https://h/contacts/olga.ivanova14%40example.com",
                "/contacts/***",
            ),
            (
                "https://h/contacts/+15550100123/tasks",
                "/contacts/***/tasks",
            ),
            (
                "https://h/contacts/%2B1%20(555)%20010-0123",
                "/contacts/***",
            ),
            (
                "https://h/contacts/555-010-0123?limit=5",
                "/contacts/***?limit=5",
            ),
            (
                "https://h/contacts/dILXeLT0Zv762xQpWm9a/tasks/t8Yw2kLmN0pQ/completed",
                "/contacts/dILXeLT0Zv762xQpWm9a/tasks/t8Yw2kLmN0pQ/completed",
            ),
            ("https://h/contacts/", "/contacts/"),
            ("https://h/contacts/123456", "/contacts/123456"),
        ] {
            assert_eq!(logged(url), wanted, "{url}");
        }
    }

    #[test]
    fn curl_uses_the_env_var() {
        let ex = Exchange {
            method: "GET".into(),
            url: "https://services.leadconnectorhq.com/contacts/abc".into(),
            request_headers: vec![
                ("Authorization".into(), "Bearer ****".into()),
                ("Version".into(), "2021-07-28".into()),
            ],
            ..Exchange::default()
        };
        let curl = ex.to_curl();
        assert!(curl.contains("Bearer $GHL_TOKEN"));
        assert!(curl.contains("'Version: 2021-07-28'"));
    }
}
