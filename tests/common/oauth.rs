//! An OAuth login against the sandbox's consent page and token endpoint, and clients that
//! refresh through it.

use std::sync::Arc;

use ghl_console::auth::{OAuthApp, OAuthRefresh, TokenStore};
use ghl_console::ghl::{ClientConfig, GhlClient, Secret};
use ghl_console::sandbox::{self, SandboxHandle};

/// The sandbox's demo app, its tokens stored at `store`.
pub fn app(sandbox: &SandboxHandle, store: &std::path::Path) -> OAuthApp {
    OAuthApp {
        base_url: sandbox.base_url(),
        client_id: sandbox::DEMO_CLIENT_ID.into(),
        client_secret: Some(Secret::new(sandbox::DEMO_CLIENT_SECRET)),
        store: TokenStore::new(store),
    }
}

/// Goes through the consent page the way a browser would and returns the code.
pub async fn consent(sandbox: &SandboxHandle, user_type: &str) -> String {
    ghl_console::ghl::client::install_tls();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let url = format!(
        "{}/oauth/chooselocation?response_type=code&client_id={}&redirect_uri=http://127.0.0.1:9/cb&user_type={user_type}",
        sandbox.base_url(),
        sandbox::DEMO_CLIENT_ID
    );
    let answer = http.get(url).send().await.unwrap();
    assert_eq!(answer.status(), 302);
    let location = answer.headers()["location"].to_str().unwrap().to_string();
    ghl_console::cli::auth::code_from_paste(&location).unwrap()
}

/// A client of the demo location whose token comes from `app` (refreshed as it needs).
pub fn oauth_client(sandbox: &SandboxHandle, app: Arc<OAuthApp>) -> GhlClient {
    let mut config = ClientConfig::new(
        sandbox.base_url(),
        Secret::default(),
        sandbox::DEMO_LOCATION_ID,
    );
    config.rate_limit = None;
    GhlClient::with_refresh(config, Arc::new(OAuthRefresh(app))).unwrap()
}

/// Logs in to the demo location; the tokens are stored in `dir`.
pub async fn login(sandbox: &SandboxHandle, dir: &std::path::Path) -> Arc<OAuthApp> {
    let app = Arc::new(app(sandbox, &dir.join("oauth.json")));
    let code = consent(sandbox, "Location").await;
    app.exchange_code(&code, "http://127.0.0.1:9/cb")
        .await
        .unwrap();
    app
}
