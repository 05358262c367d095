//! The local GHL emulator: an HTTP server on loopback that answers the Contacts API v2
//! endpoints the console uses, on the same paths and methods, with the same status codes and
//! JSON shapes as the official spec (`apps/contacts.json`), from deterministic seeded data.
//!
//! Start one in-process with [`spawn`] (tests do, on `127.0.0.1:0`), or from the command line
//! with `ghl-console sandbox` ([`run`]). Besides the API it serves a control API under
//! `/_sandbox/` (no auth): `GET /_sandbox/stats`, `POST /_sandbox/reset-stats`, `GET` and
//! `PUT /_sandbox/faults`. The [`SandboxHandle`] does the same in-process and gives direct
//! access to the data through [`SandboxStore`].
//!
//! # Behaviour the spec leaves open, and what the sandbox does
//! - **Search answer.** The current spec leaves the 200 of `POST /contacts/search` untyped; the
//!   sandbox answers the older typed shape `{contacts, total}`, each contact with a
//!   `searchAfter` cursor `[sortValue, id]`.
//! - **Errors.** Every error body has `statusCode`, `message` (a list of strings on 422) and a
//!   random `traceId`; 401, 404 and 422 also carry `error`. Unknown body properties are a 422
//!   `property X should not exist`, as GHL's validation answers (C03).
//! - **Not found.** A contact, task or note that does not exist, or lives in another location,
//!   is a 404 `"Contact not found"` (or Task, Note).
//! - **Duplicates.** Locations behave as if "Allow Duplicate Contact" were off: a create whose
//!   email (ignoring case) or phone (by digits) is taken is a 400 with
//!   `meta: {contactId, matchingField}`. Upsert matches email first, then phone; when they
//!   point at different contacts, the email's contact is updated and the phone is not applied
//!   (C02).
//! - **Normalised writes.** Phones are stored as E.164 (numbers without a country code are read
//!   as US numbers); tags are trimmed and lower-cased; task due dates are answered with
//!   milliseconds; custom fields are written as `{id | key, field_value}` (`fieldValue` is
//!   accepted too) and read as `{id, value}`.
//! - **Legacy list.** `GET /contacts/` is ordered by `(dateAdded, id)`, ascending. With both
//!   `startAfter` and `startAfterId` it pages exactly; with `startAfter` alone it continues after
//!   that millisecond, so contacts sharing it are skipped, which is how the C13 fault shows.
//! - **Search.** Filters cover the fields in [`crate::ghl::models::SEARCH_FILTER_FIELDS`] with
//!   the operators in [`crate::ghl::models::SEARCH_OPERATORS`]; others are a 400 (C11). Sorting
//!   is by one of `dateAdded` or `dateUpdated` (default `dateAdded` desc), ties broken by id.
//! - **Update properties.** A PUT accepts exactly the properties of `UpdateContactDto`, which
//!   does not list `companyName`; a PUT naming it is a 422 like any read-only field.
//!
//! # Faults
//! [`Faults`] add latency, server errors (every Nth request or by a seeded probability), 429
//! bursts (of the burst or the daily limit), connections cut mid-body, 200 HTML pages,
//! truncated JSON, requests never answered, empty bodies, known fields of the wrong type, bytes
//! that are not UTF-8, JSON nested [`NEST_DEPTH`] deep, answers padded to many megabytes, a
//! failing OAuth token endpoint, and the C01 and C04 quirks. They act on requests that passed
//! the token, rate limit and version checks and hit a route; errors, 429s, hangs and nesting
//! are answered without running the handler, while the other damaged answers happen after it
//! ran, so the write they answer did happen.
//!
//! # Deliberate deviations from the spec
//! - **`Version` header.** The spec's enum lists only `2021-07-28`; the sandbox also accepts
//!   `2023-02-21`, which the official JavaScript SDK sends and GHL serves (C33). A missing or
//!   other value is a 400 (C32).
//! - **`dateUpdated`** moves on every write, including task, note and tag writes, and is
//!   strictly increasing: a write in the same millisecond as the last one is stamped one
//!   millisecond later, so `dateUpdated` can be used as a reconciliation cursor.
//! - **Loopback only.** [`spawn`] refuses to listen on anything but a loopback address, since the
//!   control API has no auth.
//! - **Rate limit headers** are sent only for limits that are on; the burst limit counts in
//!   fixed windows starting at a location's first request, the daily limit resets at midnight
//!   UTC, and refused requests count against neither.
//! - **Where the spec is wrong**, the sandbox follows the API as it is used: a custom field's
//!   `value` is any JSON (a list for multi-select, a number for numeric fields), where the spec
//!   types it as a string; a search hit's `searchAfter` is `[number, string]`, as the spec's own
//!   example shows, where its schema says an array of strings; and a missing record is a 404,
//!   a status the spec does not declare for these paths. `tests/conformance.rs` names each of
//!   these and fails on any other difference.
//! - **Endpoints not emulated:** followers, campaigns, workflows and the bulk endpoints; a
//!   request to them is a 404 `Cannot METHOD /path`.
//!
//! # Limits of the emulation
//! Custom field definitions are a fixed set ([`CUSTOM_FIELDS`]) shared by all locations. An
//! update may give a contact an email or phone another contact has; only create refuses
//! duplicates. Searches with filters scan the whole location to count `total`, which takes
//! tens of milliseconds on 100,000 contacts in a debug build. Data lives in memory only and is
//! gone when the sandbox stops.

mod auth;
mod children;
mod cli;
mod config;
mod contact_body;
mod control;
mod custom_fields;
mod damage;
mod error;
mod faults;
mod filter;
mod oauth;
mod ratelimit;
mod routes;
mod search;
mod seed;
mod seed_pools;
mod server;
mod state;
mod store;
mod webhooks;

pub use auth::ACCEPTED_VERSIONS;
pub use cli::{SandboxArgs, run};
pub use config::{
    DEMO_LOCATION_ID, DEMO_TOKEN, GHL_DAILY_LIMIT, RateLimit, RateLimitParseError, SandboxConfig,
    parse_daily_limit, parse_rate_limit,
};
pub use control::Stats;
pub use damage::NEST_DEPTH;
pub use faults::{Faults, Quirks};
pub use oauth::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_COMPANY_ID, OAuthSettings, OAuthStats};
pub use search::{MAX_PAGE_LIMIT, PAGE_CAP, collation_key};
pub use seed::SAME_MILLISECOND_GROUP;
pub use seed_pools::{CUSTOM_FIELDS, CustomFieldDef, CustomFieldKind};
pub use server::{SandboxError, SandboxHandle, spawn};
pub use store::{SandboxStore, StoreError};
pub use webhooks::WebhookKey;
