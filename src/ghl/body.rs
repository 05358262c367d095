//! Reading and decoding a response body: bounded in size, UTF-8 checked, and told apart as
//! spoiled on the way (worth reading again) or JSON of an unexpected shape (the server's
//! answer).

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;

use super::client::{RawResponse, transport_error};
use super::error::GhlError;

/// Responses larger than this are refused as a decode error rather than read into memory. The
/// largest answer the API gives (a search page of 500 contacts with custom fields, or every
/// note of a busy contact) is a few megabytes; anything past this is a broken server or proxy.
pub const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

impl RawResponse {
    /// Whether a 2xx body is not JSON at all (empty, cut off, a proxy's HTML page, bytes that
    /// are not UTF-8), as opposed to JSON of an unexpected shape or depth: the first kind is
    /// spoiled on the way, and reading again may give the real answer.
    pub fn is_damaged(&self) -> bool {
        (200..300).contains(&self.status)
            && (self.invalid_utf8_at.is_some()
                || serde_json::from_str::<serde::de::IgnoredAny>(&self.body).is_err())
    }
}

/// A body as text, and where its first byte that is not UTF-8 was, if any.
type Text = (String, Option<usize>);

/// Reads a response fully, mapping transport failures to typed errors.
pub(super) async fn read_response(
    sent: Result<reqwest::Response, reqwest::Error>,
) -> Result<(StatusCode, HeaderMap, Text), GhlError> {
    let response = sent.map_err(|e| transport_error(&e))?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = read_capped(response, MAX_RESPONSE_BYTES).await?;
    Ok((status, headers, body))
}

/// Reads a body of at most `max` bytes: a larger one is refused as soon as its
/// `Content-Length`, or the bytes read so far, pass `max`, so it never sits in memory whole.
pub(crate) async fn read_capped(
    mut response: reqwest::Response,
    max: usize,
) -> Result<Text, GhlError> {
    let status = response.status().as_u16();
    let too_large = |seen: &[u8], size: String| GhlError::Decode {
        status,
        message: format!(
            "the response is {size}, over the limit of {} MiB; it was not read",
            max / (1024 * 1024)
        ),
        body: String::from_utf8_lossy(&seen[..seen.len().min(4096)]).into_owned(),
    };
    if let Some(length) = response.content_length().filter(|l| *l > max as u64) {
        return Err(too_large(&[], format!("{length} bytes")));
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| transport_error(&e))? {
        if bytes.len() + chunk.len() > max {
            return Err(too_large(&bytes, format!("more than {max} bytes")));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(match String::from_utf8(bytes) {
        Ok(text) => (text, None),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            (String::from_utf8_lossy(e.as_bytes()).into_owned(), Some(at))
        }
    })
}

/// Decodes a 2xx body as `T`; a body that is not UTF-8 is refused, not guessed at.
pub(super) fn decode<T: DeserializeOwned>(raw: &RawResponse) -> Result<T, GhlError> {
    let refuse = |message: String| GhlError::Decode {
        status: raw.status,
        message,
        body: raw.body.clone(),
    };
    if let Some(at) = raw.invalid_utf8_at {
        return Err(refuse(format!(
            "the response is not valid UTF-8 (byte {at}), so it is not JSON"
        )));
    }
    serde_json::from_str::<T>(&raw.body).map_err(|e| {
        if e.is_syntax() || e.is_eof() {
            refuse(not_json(&raw.body, &e))
        } else {
            refuse(with_path::<T>(&raw.body, &e))
        }
    })
}

/// Says that a body is not JSON, with how it starts (an HTML error page, an empty answer, a
/// body cut off), rather than the parser's position alone.
fn not_json(body: &str, error: &serde_json::Error) -> String {
    let start = body.trim_start();
    if start.is_empty() {
        return "the answer has an empty body, not JSON".to_string();
    }
    let shown: String = start
        .chars()
        .take(40)
        .collect::<String>()
        .escape_debug()
        .to_string();
    let more = if start.chars().count() > 40 {
        "…"
    } else {
        ""
    };
    if start.starts_with('{') || start.starts_with('[') {
        format!("the answer is not whole JSON ({error}; it starts `{shown}{more}`)")
    } else {
        format!("the answer is not JSON (it starts `{shown}{more}`)")
    }
}

/// A decode error with the path of the field at fault (`tasks[3].title: invalid type: ...`).
/// The path is found by decoding again, only once the fast decode has failed.
fn with_path<T: DeserializeOwned>(body: &str, error: &serde_json::Error) -> String {
    let mut deserializer = serde_json::Deserializer::from_str(body);
    match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
        Err(e) if e.path().iter().next().is_some() => format!("field `{}`: {error}", e.path()),
        _ => error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(status: u16, body: &str, invalid_utf8_at: Option<usize>) -> RawResponse {
        RawResponse {
            status,
            headers: Vec::new(),
            body: body.to_string(),
            invalid_utf8_at,
        }
    }

    #[test]
    fn spoiled_bodies_are_told_from_json_of_another_shape() {
        assert!(raw(200, "<!DOCTYPE html><h1>Bad Gateway</h1>", None).is_damaged());
        assert!(raw(200, "{\"contacts\":[{\"id\":", None).is_damaged());
        assert!(raw(201, "", None).is_damaged());
        assert!(raw(200, "{\"name\":\"\u{FFFD}\"}", Some(9)).is_damaged());
        assert!(!raw(200, "{\"email\":42}", None).is_damaged());
        assert!(
            !raw(502, "<html>", None).is_damaged(),
            "errors are not decoded"
        );
    }

    #[test]
    fn a_field_of_the_wrong_type_is_named_by_its_path() {
        #[derive(Debug, serde::Deserialize)]
        struct Page {
            #[allow(dead_code, reason = "only decoded")]
            tasks: Vec<crate::ghl::models::Task>,
        }
        let body = r#"{"tasks":[{"id":"t1","title":"ok"},{"id":"t2","title":42}]}"#;
        let refused = decode::<Page>(&raw(200, body, None)).unwrap_err();
        let said = refused.to_string();
        assert!(
            said.contains("field `tasks[1].title`: invalid type: integer `42`"),
            "{said}"
        );
        // Through the flattened extra fields of a search page's contacts too.
        let body = r#"{"contacts":[{"id":"c1"},{"id":"c2","email":42}],"total":2}"#;
        let refused = decode::<crate::ghl::models::SearchPage>(&raw(200, body, None)).unwrap_err();
        let said = refused.to_string();
        assert!(said.contains("contacts[1].email"), "{said}");
    }

    #[test]
    fn a_body_that_is_not_json_says_how_it_starts() {
        let html = raw(200, "<!DOCTYPE html><h1>Bad Gateway</h1>", None);
        let said = decode::<serde_json::Value>(&html).unwrap_err().to_string();
        assert!(
            said.contains("not JSON (it starts `<!DOCTYPE html><h1>Bad Gateway</h1>`)"),
            "{said}"
        );
        let cut = raw(200, "{\"contacts\":[{\"id\":", None);
        let said = decode::<serde_json::Value>(&cut).unwrap_err().to_string();
        assert!(said.contains("not whole JSON"), "{said}");
        let empty = raw(201, "  ", None);
        let said = decode::<serde_json::Value>(&empty).unwrap_err().to_string();
        assert!(said.contains("empty body"), "{said}");
    }

    #[test]
    fn a_body_that_is_not_utf8_is_refused() {
        let spoiled = raw(200, "{\"tasks\":[]}", Some(3));
        let refused = decode::<serde_json::Value>(&spoiled).unwrap_err();
        assert!(refused.to_string().contains("not valid UTF-8 (byte 3)"));
        assert!(decode::<serde_json::Value>(&raw(200, "{\"tasks\":[]}", None)).is_ok());
    }
}
