//! Many contacts: the legacy list, search, the duplicate lookup and contacts of a business.

use axum::Extension;
use axum::extract::{Path, RawQuery, State};
use bytes::Bytes;
use serde_json::{Value, json};

use super::{ApiResult, object_body, ok, query_location, query_map, query_number};
use crate::sandbox::auth::Caller;
use crate::sandbox::error::ApiError;
use crate::sandbox::filter::matches_query;
use crate::sandbox::search;
use crate::sandbox::state::SharedState;
use crate::sandbox::store::{Data, DateField, Record};

/// An id greater than every real id (ids are alphanumeric), for naive timestamp paging.
const PAST_EVERY_ID: &str = "~";

/// `GET /contacts/`: the deprecated list, ordered by `(dateAdded, id)`. With `startAfter` and
/// `startAfterId` it pages exactly (C13). With `startAfter` alone it pages naively like GHL:
/// it continues after the millisecond, so contacts sharing the last millisecond of a page are
/// skipped.
pub(super) async fn list(
    State(app): State<SharedState>,
    Extension(caller): Extension<Caller>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let query = query_map(raw.as_deref());
    let location = query_location(&query, &caller)?;
    let limit = query_number(&query, "limit", 20, 1..=100)?;
    let start_after = match query.get("startAfter").filter(|s| !s.is_empty()) {
        None => None,
        Some(text) => Some(text.trim().parse::<i64>().map_err(|_| {
            ApiError::invalid("startAfter must be a number conforming to the specified constraints")
        })?),
    };
    let start_after_id = query.get("startAfterId").filter(|s| !s.is_empty());
    let text = query
        .get("query")
        .map(|q| q.trim().to_lowercase())
        .filter(|q| !q.is_empty());
    let body = app.store.read(|d| {
        let cursor = match (start_after, start_after_id) {
            (Some(ms), Some(id)) => Some((ms, id.clone())),
            (Some(ms), None) => Some((ms, PAST_EVERY_ID.to_string())),
            (None, Some(id)) => {
                let record = d
                    .get_in(location, id)
                    .ok_or_else(|| ApiError::bad_request("startAfterId is invalid"))?;
                Some((record.added, id.clone()))
            }
            (None, None) => None,
        };
        let page = ListPage {
            location,
            limit,
            cursor,
            text: text.as_deref(),
        };
        Ok::<_, ApiError>(page.answer(d, &app.base_url))
    })?;
    Ok(ok(body))
}

struct ListPage<'a> {
    location: &'a str,
    limit: usize,
    cursor: Option<(i64, String)>,
    text: Option<&'a str>,
}

impl ListPage<'_> {
    fn keep(&self, record: &Record) -> bool {
        self.text.is_none_or(|q| matches_query(&record.contact, q))
    }

    fn answer(&self, d: &Data, base_url: &str) -> Value {
        let mut rest = d
            .ordered(self.location, DateField::Added, false, self.cursor.clone())
            .filter(|r| self.keep(r));
        let page: Vec<&Record> = rest.by_ref().take(self.limit).collect();
        let more = rest.next().is_some();
        let matching = || {
            d.ordered(self.location, DateField::Added, false, None)
                .filter(|r| self.keep(r))
        };
        let total = if self.text.is_none() {
            d.count(self.location)
        } else {
            matching().count()
        };
        let before = self.cursor.as_ref().map_or(0, |cursor| match self.text {
            None => d.rank(self.location, DateField::Added, cursor),
            Some(_) => matching()
                .take_while(|r| (r.added, &r.contact.id) <= (cursor.0, &cursor.1))
                .count(),
        });
        let current = before / self.limit + 1;
        let last = page.last().map(|r| (r.added, r.contact.id.clone()));
        let next_url = last.as_ref().filter(|_| more).map(|(ms, id)| {
            let mut url = format!(
                "{base_url}/contacts/?locationId={}&startAfter={ms}&startAfterId={id}",
                self.location
            );
            if self.limit != 20 {
                url = format!("{url}&limit={}", self.limit);
            }
            if let Some(q) = self.text {
                let encoded: String = url::form_urlencoded::byte_serialize(q.as_bytes()).collect();
                url = format!("{url}&query={encoded}");
            }
            url
        });
        json!({
            "contacts": page.iter().map(|r| r.json()).collect::<Vec<_>>(),
            "meta": {
                "total": total,
                "nextPageUrl": next_url,
                "startAfterId": last.as_ref().map(|(_, id)| id.clone()),
                "startAfter": last.as_ref().map(|(ms, _)| *ms),
                "currentPage": current,
                "nextPage": more.then_some(current + 1),
                "prevPage": (current > 1).then(|| current - 1),
            }
        })
    }
}

/// `POST /contacts/search`: `{contacts, total}`, each contact with its `searchAfter`.
pub(super) async fn search(
    State(app): State<SharedState>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> ApiResult {
    let request = search::read(&object_body(&body)?)?;
    caller.check(Some(&request.location_id))?;
    if app.faults.get().quirks.search_misses_phone && search_names_phone(&body) {
        return Ok(ok(json!({ "contacts": [], "total": 0 })));
    }
    let (contacts, total) = app.store.read(|d| search::run(d, &request));
    Ok(ok(json!({ "contacts": contacts, "total": total })))
}

/// Whether a search body filters on the phone (for the C12 quirk).
fn search_names_phone(body: &Bytes) -> bool {
    serde_json::from_slice::<Value>(body).ok().is_some_and(|v| {
        v.get("filters").and_then(Value::as_array).is_some_and(|f| {
            f.iter()
                .any(|f| f.get("field").and_then(Value::as_str) == Some("phone"))
        })
    })
}

/// `GET /contacts/search/duplicate`: the contact with this email (ignoring case), else with
/// this phone number; `{contact: null}` when there is none.
pub(super) async fn duplicate(
    State(app): State<SharedState>,
    Extension(caller): Extension<Caller>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let query = query_map(raw.as_deref());
    let location = query_location(&query, &caller)?;
    let contact = app.store.read(|d| {
        let by_email = query
            .get("email")
            .and_then(|e| d.find_by_email(location, e));
        by_email
            .or_else(|| {
                query
                    .get("number")
                    .and_then(|n| d.find_by_phone(location, n))
            })
            .map(Record::json)
    });
    Ok(ok(json!({ "contact": contact })))
}

/// `GET /contacts/business/{businessId}`: `{contacts, count}`, paged by `skip` and `limit`.
pub(super) async fn business(
    State(app): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Path(business_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let query = query_map(raw.as_deref());
    let location = query_location(&query, &caller)?;
    let limit = query_number(&query, "limit", 25, 1..=100)?;
    let skip = query_number(&query, "skip", 0, 0..=usize::MAX)?;
    let text = query
        .get("query")
        .map(|q| q.trim().to_lowercase())
        .filter(|q| !q.is_empty());
    let (contacts, count) = app.store.read(|d| {
        let members: Vec<&Record> = d
            .ordered(location, DateField::Added, false, None)
            .filter(|r| r.contact.business_id.as_deref() == Some(business_id.as_str()))
            .filter(|r| text.as_deref().is_none_or(|q| matches_query(&r.contact, q)))
            .collect();
        let page: Vec<Value> = members
            .iter()
            .skip(skip)
            .take(limit)
            .map(|r| r.json())
            .collect();
        (page, members.len())
    });
    Ok(ok(json!({ "contacts": contacts, "count": count })))
}
