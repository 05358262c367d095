//! The OAuth token file: JSON, mode 0600, replaced atomically, locked for refreshes.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::TokenAnswer;
use crate::config::{check_private, write_private};
use crate::ghl::{GhlError, Secret};

/// The stored pair and what came with it.
#[derive(Debug, Clone)]
pub struct StoredTokens {
    pub access_token: Secret,
    pub refresh_token: Secret,
    pub expires_at: DateTime<Utc>,
    pub scopes: Vec<String>,
    pub user_type: Option<String>,
    pub location_id: Option<String>,
    pub company_id: Option<String>,
    pub user_id: Option<String>,
}

/// The file format. Secrets are plain here and only here: this struct never leaves this module.
#[derive(Serialize, Deserialize)]
struct OnDisk {
    access_token: String,
    refresh_token: String,
    expires_at: DateTime<Utc>,
    #[serde(default)]
    scopes: Vec<String>,
    user_type: Option<String>,
    location_id: Option<String>,
    company_id: Option<String>,
    user_id: Option<String>,
}

impl StoredTokens {
    pub(super) fn from_answer(answer: TokenAnswer, previous: Option<&Self>) -> Self {
        let expires_in = answer.expires_in.unwrap_or(86_399);
        let expires_at =
            Utc::now() + chrono::Duration::seconds(i64::try_from(expires_in).unwrap_or(86_399));
        let scopes = answer
            .scope
            .map(|s| s.split_whitespace().map(str::to_string).collect())
            .or_else(|| previous.map(|p| p.scopes.clone()))
            .unwrap_or_default();
        let keep = |new: Option<String>, old: fn(&Self) -> Option<String>| {
            new.or_else(|| previous.and_then(old))
        };
        Self {
            access_token: Secret::new(answer.access_token),
            refresh_token: answer
                .refresh_token
                .map(Secret::new)
                .or_else(|| previous.map(|p| p.refresh_token.clone()))
                .unwrap_or_default(),
            expires_at,
            scopes,
            user_type: keep(answer.user_type, |p| p.user_type.clone()),
            location_id: keep(answer.location_id, |p| p.location_id.clone()),
            company_id: keep(answer.company_id, |p| p.company_id.clone()),
            user_id: keep(answer.user_id, |p| p.user_id.clone()),
        }
    }

    /// Whether the access token expires within `margin` from now.
    pub fn expires_within(&self, margin: Duration) -> bool {
        let margin =
            chrono::Duration::from_std(margin).unwrap_or_else(|_| chrono::Duration::zero());
        self.expires_at <= Utc::now() + margin
    }
}

/// The token file and its lock file.
#[derive(Debug, Clone)]
pub struct TokenStore {
    path: PathBuf,
}

/// Holds the refresh lock until dropped.
#[derive(Debug)]
pub struct RefreshLock {
    _file: std::fs::File,
}

impl TokenStore {
    /// A store at `path` (a lock file `<path>.lock` sits beside it).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The token file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The stored tokens, `None` when there is no file yet. A file others can read is refused.
    pub fn load(&self) -> Result<Option<StoredTokens>, GhlError> {
        if !self.path.exists() {
            return Ok(None);
        }
        check_private(&self.path).map_err(|e| GhlError::Invalid(e.to_string()))?;
        let text = std::fs::read_to_string(&self.path)
            .map_err(|e| GhlError::Invalid(format!("{}: {e}", self.path.display())))?;
        let disk: OnDisk = serde_json::from_str(&text).map_err(|e| {
            GhlError::Invalid(format!("{}: not a token file: {e}", self.path.display()))
        })?;
        Ok(Some(StoredTokens {
            access_token: Secret::new(disk.access_token),
            refresh_token: Secret::new(disk.refresh_token),
            expires_at: disk.expires_at,
            scopes: disk.scopes,
            user_type: disk.user_type,
            location_id: disk.location_id,
            company_id: disk.company_id,
            user_id: disk.user_id,
        }))
    }

    /// Writes the tokens: temp file, fsync, rename, 0600.
    pub fn save(&self, tokens: &StoredTokens) -> Result<(), GhlError> {
        let disk = OnDisk {
            access_token: tokens.access_token.expose().to_string(),
            refresh_token: tokens.refresh_token.expose().to_string(),
            expires_at: tokens.expires_at,
            scopes: tokens.scopes.clone(),
            user_type: tokens.user_type.clone(),
            location_id: tokens.location_id.clone(),
            company_id: tokens.company_id.clone(),
            user_id: tokens.user_id.clone(),
        };
        let text =
            serde_json::to_vec_pretty(&disk).map_err(|e| GhlError::Invalid(e.to_string()))?;
        write_private(&self.path, &text).map_err(|e| GhlError::Invalid(e.to_string()))
    }

    /// Takes the cross-process refresh lock, waiting for another holder to finish.
    pub async fn lock(&self) -> Result<RefreshLock, GhlError> {
        let lock_path = self.path.with_extension("lock");
        let task = tokio::task::spawn_blocking(move || -> std::io::Result<std::fs::File> {
            if let Some(dir) = lock_path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let file = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&lock_path)?;
            file.lock()?;
            Ok(file)
        });
        match tokio::time::timeout(Duration::from_secs(60), task).await {
            Ok(Ok(Ok(file))) => Ok(RefreshLock { _file: file }),
            Ok(Ok(Err(e))) => Err(GhlError::Invalid(format!(
                "cannot lock the token store: {e}"
            ))),
            Ok(Err(e)) => Err(GhlError::Invalid(format!("lock task failed: {e}"))),
            Err(_) => Err(GhlError::Invalid(
                "waited 60 s for another process's token refresh".into(),
            )),
        }
    }
}
