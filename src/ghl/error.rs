//! The errors of a GHL call, one kind per way a call fails.

use std::time::Duration;

/// Which rate limit a 429 hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateLimitKind {
    /// The burst limit (100 requests per 10 s per location): waiting a few seconds helps.
    Burst,
    /// The daily limit: nothing helps until the day rolls over.
    Daily,
}

/// What went wrong in a call, with the server's status, message and `traceId` where it gave them.
#[derive(Debug, Clone, thiserror::Error)]
pub enum GhlError {
    /// A request the client refused to send (empty id, unknown filter field, ...).
    #[error("invalid request: {0}")]
    Invalid(String),
    #[error("bad request (400): {message}{}", trace_suffix(trace_id.as_deref()))]
    BadRequest {
        message: String,
        trace_id: Option<String>,
    },
    #[error("unauthorized (401): {message}{}", trace_suffix(trace_id.as_deref()))]
    Unauthorized {
        message: String,
        trace_id: Option<String>,
    },
    #[error("forbidden (403): {message}{}", trace_suffix(trace_id.as_deref()))]
    Forbidden {
        message: String,
        trace_id: Option<String>,
    },
    #[error("not found (404): {message}{}", trace_suffix(trace_id.as_deref()))]
    NotFound {
        message: String,
        trace_id: Option<String>,
    },
    /// A 422; `messages` is the server's message array, verbatim (C03).
    #[error("unprocessable (422): {}{}", messages.join("; "), trace_suffix(trace_id.as_deref()))]
    Unprocessable {
        messages: Vec<String>,
        trace_id: Option<String>,
    },
    #[error("rate limited ({kind:?}, 429){}", retry_suffix(*retry_after))]
    RateLimited {
        kind: RateLimitKind,
        retry_after: Option<Duration>,
        message: String,
        trace_id: Option<String>,
    },
    /// Any other non-success status (5xx and the rest).
    #[error("server error ({status}): {message}{}", trace_suffix(trace_id.as_deref()))]
    Server {
        status: u16,
        message: String,
        trace_id: Option<String>,
    },
    #[error("network error: {0}")]
    Network(String),
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    /// A create failed, yet a contact with its email or phone exists: the create may have been
    /// saved after all (C01). Not sent again; the operator decides.
    #[error("the create answered \"{cause}\", but a contact with this email or phone may already exist: {} ({})", existing.id, existing.display_name())]
    MayAlreadyExist {
        existing: Box<super::models::Contact>,
        cause: Box<GhlError>,
    },
    /// The body could not be read as the expected type; `body` is kept as received.
    #[error("could not decode the response ({status}): {message}")]
    Decode {
        status: u16,
        message: String,
        body: String,
    },
}

impl GhlError {
    /// The HTTP status behind the error, if a response came.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::BadRequest { .. } => Some(400),
            Self::Unauthorized { .. } => Some(401),
            Self::Forbidden { .. } => Some(403),
            Self::NotFound { .. } => Some(404),
            Self::Unprocessable { .. } => Some(422),
            Self::RateLimited { .. } => Some(429),
            Self::Server { status, .. } | Self::Decode { status, .. } => Some(*status),
            Self::MayAlreadyExist { cause, .. } => cause.status(),
            Self::Invalid(_) | Self::Network(_) | Self::Timeout(_) => None,
        }
    }

    /// The server's `traceId` for this failure, to quote to GHL support.
    pub fn trace_id(&self) -> Option<&str> {
        match self {
            Self::BadRequest { trace_id, .. }
            | Self::Unauthorized { trace_id, .. }
            | Self::Forbidden { trace_id, .. }
            | Self::NotFound { trace_id, .. }
            | Self::Unprocessable { trace_id, .. }
            | Self::RateLimited { trace_id, .. }
            | Self::Server { trace_id, .. } => trace_id.as_deref(),
            Self::MayAlreadyExist { cause, .. } => cause.trace_id(),
            _ => None,
        }
    }

    /// The server's message (or the client's), without status or trace.
    pub fn message(&self) -> String {
        match self {
            Self::BadRequest { message, .. }
            | Self::Unauthorized { message, .. }
            | Self::Forbidden { message, .. }
            | Self::NotFound { message, .. }
            | Self::RateLimited { message, .. }
            | Self::Server { message, .. }
            | Self::Decode { message, .. } => message.clone(),
            Self::Unprocessable { messages, .. } => messages.join("; "),
            Self::Invalid(m) | Self::Network(m) => m.clone(),
            Self::Timeout(d) => format!("timed out after {d:?}"),
            Self::MayAlreadyExist { .. } => self.to_string(),
        }
    }

    /// Whether a write was answered 2xx with a body that could not be read: the server did
    /// what was asked, so the write must count as done and never be sent again.
    pub fn was_applied(&self) -> bool {
        matches!(self, Self::Decode { status, .. } if (200..300).contains(status))
    }

    /// Whether the request may not have reached the server's data at all and a safe method
    /// could be tried again.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Network(_) | Self::Timeout(_))
            || matches!(self, Self::Server { status, .. } if *status >= 500)
    }
}

fn trace_suffix(trace_id: Option<&str>) -> String {
    trace_id
        .map(|t| format!(" [traceId {t}]"))
        .unwrap_or_default()
}

fn retry_suffix(retry_after: Option<Duration>) -> String {
    retry_after
        .map(|d| format!(", retry after {:.1}s", d.as_secs_f64()))
        .unwrap_or_default()
}
