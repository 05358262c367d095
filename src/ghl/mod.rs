//! The GHL API v2 client: requests, auth headers, pacing, retries, paging, typed models and
//! errors, and the masked record of every HTTP exchange.

pub mod api;
mod body;
pub mod client;
pub mod directory;
pub mod error;
pub mod exchange;
pub mod limiter;
pub mod models;
pub mod paging;
pub mod secret;
pub mod verify;

pub use api::ListQuery;
pub(crate) use body::read_capped;
pub use client::{Call, ClientConfig, GhlClient, RawResponse, Reply};
pub use error::{GhlError, RateLimitKind};
pub use exchange::Exchange;
pub use limiter::RateBudget;
pub use paging::{ListPager, SearchPager};
pub use secret::Secret;
pub use verify::WriteOutcome;

/// The API version this client speaks, sent as the `Version` header.
pub const API_VERSION: &str = "2021-07-28";

/// The production base URL of the GHL API v2.
pub const DEFAULT_BASE_URL: &str = "https://services.leadconnectorhq.com";
