//! A small HTTP client for the sandbox tests: real requests over loopback with reqwest.

#![allow(dead_code, reason = "each test file uses a different part")]

use ghl_console::sandbox::{self, DEMO_LOCATION_ID, DEMO_TOKEN, SandboxConfig, SandboxHandle};
use http::HeaderMap;
use reqwest::Method;
use serde_json::Value;

/// One answer: status, headers and the body as JSON (`Value::Null` when it is not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Answer {
    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A client for one sandbox with one token.
pub struct Api {
    pub client: reqwest::Client,
    pub base: String,
    pub token: Option<String>,
    pub version: Option<String>,
}

impl Api {
    #[expect(clippy::expect_used, reason = "a test helper: no client, no test")]
    pub fn new(handle: &SandboxHandle) -> Self {
        // reqwest with `rustls-no-provider` refuses to build a client, even for plain http,
        // until a process-wide crypto provider is installed; the first test to get here does.
        rustls::crypto::ring::default_provider()
            .install_default()
            .ok();
        Self {
            client: reqwest::Client::builder().build().expect("http client"),
            base: handle.base_url(),
            token: Some(DEMO_TOKEN.to_string()),
            version: Some("2021-07-28".to_string()),
        }
    }

    /// Sends a request; `body` is sent as JSON when given.
    #[expect(
        clippy::expect_used,
        reason = "a test helper: a failed request fails the test"
    )]
    pub async fn send(&self, method: Method, path: &str, body: Option<&Value>) -> Answer {
        self.try_send(method, path, body).await.expect("request")
    }

    /// Sends a request and reports transport errors (for the fault tests).
    pub async fn try_send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> reqwest::Result<Answer> {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(version) = &self.version {
            request = request.header("Version", version);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await?;
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(Answer {
            status,
            headers,
            body,
            text,
        })
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Answer {
        self.send(Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: &Value) -> Answer {
        self.send(Method::PUT, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str, body: Option<&Value>) -> Answer {
        self.send(Method::DELETE, path, body).await
    }
}

/// A config with `contacts` seeded contacts and no rate limits.
pub fn config(contacts: usize) -> SandboxConfig {
    SandboxConfig {
        contacts,
        rate_limit: None,
        daily_limit: None,
        ..SandboxConfig::default()
    }
}

/// Starts a sandbox on a free loopback port.
#[expect(clippy::expect_used, reason = "a test helper: no sandbox, no test")]
pub async fn start(config: SandboxConfig) -> (SandboxHandle, Api) {
    let handle = sandbox::spawn(config, "127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("sandbox starts");
    let api = Api::new(&handle);
    (handle, api)
}

/// The demo location id, for query strings and bodies.
pub const LOC: &str = DEMO_LOCATION_ID;
