//! `POST /contacts/search`: reading the body (422 for a malformed one, C10; 400 for an unknown
//! filter field or operator, C11), then filtering, sorting and paging.
//!
//! Paging is by `page` (capped at 10,000 records, as GHL caps it) or by `searchAfter`, the
//! `[sortValue, id]` pair each hit carries, which has no cap. Sorting is by `dateAdded` or
//! `dateUpdated`, ties broken by id, so `searchAfter` never repeats or skips a contact.

use serde_json::{Map, Value, json};

use super::error::ApiError;
use super::filter::{Filter, compile_all, matches_query};
use super::store::{Data, DateField, Record, parse_ms};

/// How many records `page`-based paging can reach.
pub const PAGE_CAP: usize = 10_000;
/// The largest `pageLimit`.
pub const MAX_PAGE_LIMIT: usize = 500;

const PROPERTIES: &[&str] = &[
    "locationId",
    "pageLimit",
    "page",
    "searchAfter",
    "query",
    "filters",
    "sort",
];

/// A checked search request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Search {
    pub(crate) location_id: String,
    page_limit: usize,
    start: Start,
    query: Option<String>,
    filters: Vec<Filter>,
    field: DateField,
    descending: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum Start {
    Page(usize),
    After(i64, String),
}

/// Reads a search body: 422 for missing or malformed properties, 400 for the rest.
pub(crate) fn read(body: &Map<String, Value>) -> Result<Search, ApiError> {
    let mut errors: Vec<String> = body
        .keys()
        .filter(|k| !PROPERTIES.contains(&k.as_str()))
        .map(|k| format!("property {k} should not exist"))
        .collect();
    let location_id = match body.get("locationId") {
        Some(Value::String(l)) if !l.is_empty() => l.clone(),
        Some(Value::String(_)) | None => {
            errors.push("locationId should not be empty".into());
            String::new()
        }
        Some(_) => {
            errors.push("locationId must be a string".into());
            String::new()
        }
    };
    let page_limit = whole(body, "pageLimit", 1, MAX_PAGE_LIMIT, &mut errors);
    let page = whole(body, "page", 1, usize::MAX, &mut errors);
    if body
        .get("query")
        .is_some_and(|q| !q.is_string() && !q.is_null())
    {
        errors.push("query must be a string".into());
    }
    for key in ["filters", "sort", "searchAfter"] {
        if body.get(key).is_some_and(|v| !v.is_array() && !v.is_null()) {
            errors.push(format!("{key} must be an array"));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::unprocessable(errors));
    }
    let page_limit = page_limit.unwrap_or(MAX_PAGE_LIMIT);
    let start = start(body, page.unwrap_or(1), page_limit)?;
    let (field, descending) = sort(body.get("sort"))?;
    Ok(Search {
        location_id,
        page_limit,
        start,
        query: body
            .get("query")
            .and_then(Value::as_str)
            .map(|q| q.trim().to_lowercase())
            .filter(|q| !q.is_empty()),
        filters: compile_all(body.get("filters"))?,
        field,
        descending,
    })
}

/// A whole number property within bounds; `pageLimit` is required.
fn whole(
    body: &Map<String, Value>,
    key: &str,
    min: usize,
    max: usize,
    errors: &mut Vec<String>,
) -> Option<usize> {
    let Some(value) = body.get(key).filter(|v| !v.is_null()) else {
        if key == "pageLimit" {
            errors.push("pageLimit should not be empty".into());
        }
        return None;
    };
    let Some(number) = value.as_u64().and_then(|n| usize::try_from(n).ok()) else {
        errors.push(format!("{key} must be an integer number"));
        return None;
    };
    if number < min {
        errors.push(format!("{key} must not be less than {min}"));
    } else if number > max {
        errors.push(format!("{key} must not be greater than {max}"));
    }
    Some(number)
}

fn start(body: &Map<String, Value>, page: usize, page_limit: usize) -> Result<Start, ApiError> {
    if let Some(after) = body.get("searchAfter").and_then(Value::as_array) {
        let bad = || {
            ApiError::bad_request(
                "searchAfter must be the [sortValue, id] pair of the last contact of a page",
            )
        };
        let [value, Value::String(id)] = after.as_slice() else {
            return Err(bad());
        };
        let ms = match value {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.parse().ok().or_else(|| parse_ms(s)),
            _ => None,
        };
        return ms.map(|ms| Start::After(ms, id.clone())).ok_or_else(bad);
    }
    if page.saturating_mul(page_limit) > PAGE_CAP {
        return Err(ApiError::bad_request(format!(
            "page * pageLimit must not exceed {PAGE_CAP}; use searchAfter to page past \
             {PAGE_CAP} records"
        )));
    }
    Ok(Start::Page(page))
}

fn sort(sort: Option<&Value>) -> Result<(DateField, bool), ApiError> {
    let entries = sort
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let [entry] = entries else {
        return if entries.is_empty() {
            Ok((DateField::Added, true))
        } else {
            Err(ApiError::bad_request("sort takes one field in the sandbox"))
        };
    };
    let field = match entry.get("field").and_then(Value::as_str) {
        Some("dateAdded") => DateField::Added,
        Some("dateUpdated") => DateField::Updated,
        other => {
            let name = other.unwrap_or("(none)");
            return Err(ApiError::bad_request(format!("Invalid sort field: {name}")));
        }
    };
    let descending = match entry.get("direction").and_then(Value::as_str) {
        Some("asc") => false,
        Some("desc") | None => true,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "Invalid sort direction: {other}"
            )));
        }
    };
    Ok((field, descending))
}

/// Runs a search: the page of contacts (each with its `searchAfter`) and the total of
/// matches.
pub(crate) fn run(data: &Data, search: &Search) -> (Vec<Value>, usize) {
    let keep = |r: &&Record| {
        search
            .query
            .as_deref()
            .is_none_or(|q| matches_query(&r.contact, q))
            && search.filters.iter().all(|f| f.matches(r))
    };
    let (after, skip) = match &search.start {
        Start::After(ms, id) => (Some((*ms, id.clone())), 0),
        Start::Page(page) => (None, (page - 1) * search.page_limit),
    };
    let hits: Vec<Value> = data
        .ordered(&search.location_id, search.field, search.descending, after)
        .filter(keep)
        .skip(skip)
        .take(search.page_limit)
        .map(|r| hit(r, search.field))
        .collect();
    let total = if search.query.is_none() && search.filters.is_empty() {
        data.count(&search.location_id)
    } else {
        data.ordered(&search.location_id, search.field, false, None)
            .filter(keep)
            .count()
    };
    (hits, total)
}

fn hit(record: &Record, field: DateField) -> Value {
    let mut contact = record.json();
    if let Some(object) = contact.as_object_mut() {
        let cursor = json!([record.date(field), record.contact.id]);
        object.insert("searchAfter".into(), cursor);
    }
    contact
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            other => panic!("not an object: {other}"),
        }
    }

    fn status(result: Result<Search, ApiError>) -> u16 {
        result.map_or_else(|e| e.status().as_u16(), |_| 200)
    }

    #[test]
    fn missing_location_or_limit_is_422() {
        assert_eq!(status(read(&body(json!({"pageLimit": 10})))), 422);
        assert_eq!(status(read(&body(json!({"locationId": "l"})))), 422);
        assert_eq!(
            status(read(&body(json!({"locationId": "l", "pageLimit": 501})))),
            422
        );
        assert_eq!(
            status(read(&body(json!({"locationId": "l", "pageLimit": 500})))),
            200
        );
    }

    #[test]
    fn page_paging_is_capped_but_search_after_is_not() {
        let at = |page: u64| json!({"locationId": "l", "pageLimit": 100, "page": page});
        assert_eq!(status(read(&body(at(100)))), 200);
        assert_eq!(status(read(&body(at(101)))), 400);
        let after = json!({"locationId": "l", "pageLimit": 100, "page": 500,
            "searchAfter": [1_700_000_000_000_i64, "abc"]});
        assert_eq!(status(read(&body(after))), 200);
        let bad = json!({"locationId": "l", "pageLimit": 100, "searchAfter": ["x"]});
        assert_eq!(status(read(&body(bad))), 400);
    }

    #[test]
    fn sort_takes_dates_only() {
        let with = |sort: Value| json!({"locationId": "l", "pageLimit": 1, "sort": sort});
        let ok = read(&body(with(
            json!([{"field": "dateUpdated", "direction": "asc"}]),
        )))
        .unwrap();
        assert_eq!((ok.field, ok.descending), (DateField::Updated, false));
        assert_eq!(
            status(read(&body(with(
                json!([{"field": "email", "direction": "asc"}])
            )))),
            400
        );
        assert_eq!(
            status(read(&body(with(
                json!([{"field": "dateAdded", "direction": "up"}])
            )))),
            400
        );
    }
}
