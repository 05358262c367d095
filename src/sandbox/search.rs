//! `POST /contacts/search`: reading the body (422 for a malformed one, C10; 400 for an unknown
//! filter field or operator, C11), then filtering, sorting and paging.
//!
//! Paging is by `page` (capped at 10,000 records, as GHL caps it) or by `searchAfter`, the
//! sort values and id each hit carries (`[sortValue, id]`), which has no cap. Sorting is by
//! `dateAdded` or `dateUpdated` (one field), or by names (`firstNameLowerCase`,
//! `lastNameLowerCase`, `fullNameLowerCase`, `emailLowerCase`, up to two fields; a contact
//! without the value sorts last either way), ties broken by id, so `searchAfter` never repeats
//! or skips a contact.

use serde_json::{Map, Value};

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
    order: Order,
}

/// What a search is ordered by.
#[derive(Debug, Clone, PartialEq)]
enum Order {
    /// One date, on the store's index.
    Date { field: DateField, descending: bool },
    /// Up to two text fields, each ascending or descending.
    Text(Vec<(TextField, bool)>),
}

/// The lower-case text fields GHL derives and sorts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TextField {
    FirstName,
    LastName,
    FullName,
    Email,
}

impl TextField {
    fn named(name: &str) -> Option<Self> {
        Some(match name {
            "firstNameLowerCase" => Self::FirstName,
            "lastNameLowerCase" => Self::LastName,
            "fullNameLowerCase" => Self::FullName,
            "emailLowerCase" => Self::Email,
            _ => return None,
        })
    }

    fn of(self, contact: &crate::ghl::models::Contact) -> Option<String> {
        let lower = |s: &Option<String>| {
            s.as_deref()
                .map(str::to_lowercase)
                .filter(|s| !s.is_empty())
        };
        match self {
            Self::FirstName => lower(&contact.first_name),
            Self::LastName => lower(&contact.last_name),
            Self::Email => lower(&contact.email),
            Self::FullName => {
                let full = [lower(&contact.first_name), lower(&contact.last_name)]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ");
                Some(full).filter(|s| !s.is_empty())
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Start {
    Page(usize),
    /// After the hit whose `searchAfter` was these sort values and this id.
    After(Vec<Value>, String),
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
    let order = sort(body.get("sort"))?;
    let start = start(body, page.unwrap_or(1), page_limit, &order)?;
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
        order,
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

fn start(
    body: &Map<String, Value>,
    page: usize,
    page_limit: usize,
    order: &Order,
) -> Result<Start, ApiError> {
    if let Some(after) = body.get("searchAfter").and_then(Value::as_array) {
        let bad = || {
            ApiError::bad_request(
                "searchAfter must be the searchAfter of the last contact of a page: its sort \
                 values, then its id",
            )
        };
        let Some((Value::String(id), values)) = after.split_last() else {
            return Err(bad());
        };
        let values = match order {
            Order::Date { .. } => {
                let [value] = values else {
                    return Err(bad());
                };
                let ms = match value {
                    Value::Number(n) => n.as_i64(),
                    Value::String(s) => s.parse().ok().or_else(|| parse_ms(s)),
                    _ => None,
                };
                vec![Value::from(ms.ok_or_else(bad)?)]
            }
            Order::Text(fields) => {
                let text = |v: &Value| v.is_string() || v.is_null();
                if values.len() != fields.len() || !values.iter().all(text) {
                    return Err(bad());
                }
                values.to_vec()
            }
        };
        return Ok(Start::After(values, id.clone()));
    }
    if page.saturating_mul(page_limit) > PAGE_CAP {
        return Err(ApiError::bad_request(format!(
            "page * pageLimit must not exceed {PAGE_CAP}; use searchAfter to page past \
             {PAGE_CAP} records"
        )));
    }
    Ok(Start::Page(page))
}

fn sort(sort: Option<&Value>) -> Result<Order, ApiError> {
    let entries = sort
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    if entries.is_empty() {
        return Ok(Order::Date {
            field: DateField::Added,
            descending: true,
        });
    }
    let mut dates = Vec::new();
    let mut texts = Vec::new();
    for entry in entries {
        let name = entry.get("field").and_then(Value::as_str);
        let descending = match entry.get("direction").and_then(Value::as_str) {
            Some("asc") => false,
            Some("desc") | None => true,
            Some(other) => {
                return Err(ApiError::bad_request(format!(
                    "Invalid sort direction: {other}"
                )));
            }
        };
        match name {
            Some("dateAdded") => dates.push((DateField::Added, descending)),
            Some("dateUpdated") => dates.push((DateField::Updated, descending)),
            Some(text) if TextField::named(text).is_some() => {
                texts.extend(TextField::named(text).map(|f| (f, descending)));
            }
            other => {
                let name = other.unwrap_or("(none)");
                return Err(ApiError::bad_request(format!("Invalid sort field: {name}")));
            }
        }
    }
    match (dates.as_slice(), texts.len()) {
        ([(field, descending)], 0) => Ok(Order::Date {
            field: *field,
            descending: *descending,
        }),
        ([], 1 | 2) => Ok(Order::Text(texts)),
        _ => Err(ApiError::bad_request(
            "sort takes one date field, or up to two name fields, in the sandbox",
        )),
    }
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
    let skip = match &search.start {
        Start::After(..) => 0,
        Start::Page(page) => (page - 1) * search.page_limit,
    };
    match &search.order {
        Order::Date { field, descending } => {
            let after = match &search.start {
                Start::After(values, id) => values
                    .first()
                    .and_then(Value::as_i64)
                    .map(|ms| (ms, id.clone())),
                Start::Page(_) => None,
            };
            let hits: Vec<Value> = data
                .ordered(&search.location_id, *field, *descending, after)
                .filter(keep)
                .skip(skip)
                .take(search.page_limit)
                .map(|r| hit(r, vec![Value::from(r.date(*field))]))
                .collect();
            let total = if search.query.is_none() && search.filters.is_empty() {
                data.count(&search.location_id)
            } else {
                data.ordered(&search.location_id, *field, false, None)
                    .filter(keep)
                    .count()
            };
            (hits, total)
        }
        Order::Text(fields) => {
            let mut rows: Vec<(Vec<Option<String>>, &Record)> = data
                .ordered(&search.location_id, DateField::Added, false, None)
                .filter(keep)
                .map(|r| (fields.iter().map(|(f, _)| f.of(&r.contact)).collect(), r))
                .collect();
            let total = rows.len();
            let compare = |a: &[Option<String>], a_id: &str, b: &[Option<String>], b_id: &str| {
                text_order(fields, a, b).then_with(|| a_id.cmp(b_id))
            };
            rows.sort_by(|(a, ra), (b, rb)| compare(a, &ra.contact.id, b, &rb.contact.id));
            let start = match &search.start {
                Start::After(values, id) => {
                    let after: Vec<Option<String>> = values
                        .iter()
                        .map(|v| v.as_str().map(str::to_string))
                        .collect();
                    rows.partition_point(|(key, r)| compare(key, &r.contact.id, &after, id).is_le())
                }
                Start::Page(_) => skip,
            };
            let hits = rows
                .into_iter()
                .skip(start)
                .take(search.page_limit)
                .map(|(key, r)| hit(r, key.into_iter().map(Value::from).collect()))
                .collect();
            (hits, total)
        }
    }
}

/// A sort value as a person reads it: accents and combining marks set aside, so "Ágnes"
/// sorts with the A's and a name typed decomposed ("Zoë" as `e` + U+0308) beside the same
/// name composed.
pub fn collation_key(value: &str) -> String {
    value
        .chars()
        .filter(|c| !matches!(u32::from(*c), 0x300..=0x36F))
        .map(|c| nucleo_matcher::chars::to_lower_case(nucleo_matcher::chars::normalize(c)))
        .collect()
}

/// Compares two contacts' sort values field by field, by their collation keys, then as they
/// are (so the order is total); a missing value sorts last whatever the direction, as GHL's
/// search does.
fn text_order(
    fields: &[(TextField, bool)],
    a: &[Option<String>],
    b: &[Option<String>],
) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    for (((_, descending), a), b) in fields.iter().zip(a).zip(b) {
        let key = |s: &String| (collation_key(s), s.clone());
        let order = match (a, b) {
            (Some(a), Some(b)) if *descending => key(b).cmp(&key(a)),
            (Some(a), Some(b)) => key(a).cmp(&key(b)),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        if order.is_ne() {
            return order;
        }
    }
    Ordering::Equal
}

fn hit(record: &Record, mut cursor: Vec<Value>) -> Value {
    let mut contact = record.json();
    if let Some(object) = contact.as_object_mut() {
        cursor.push(Value::from(record.contact.id.clone()));
        object.insert("searchAfter".into(), Value::Array(cursor));
    }
    contact
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
    fn names_sort_as_read_accents_aside() {
        let fields = [(TextField::FirstName, false)];
        let mut names = vec!["zoë", "ágnes", "zoe\u{308}", "adam", "zoe", "bob"];
        names.sort_by(|a, b| {
            text_order(
                &fields,
                &[Some((*a).to_string())],
                &[Some((*b).to_string())],
            )
        });
        assert_eq!(names, ["adam", "ágnes", "bob", "zoe", "zoe\u{308}", "zoë"]);
        let none_last = text_order(&fields, &[None], &[Some("a".into())]);
        assert!(none_last.is_gt());
    }

    #[test]
    fn sort_takes_one_date_or_up_to_two_names() {
        let with = |sort: Value| json!({"locationId": "l", "pageLimit": 1, "sort": sort});
        let ok = read(&body(with(
            json!([{"field": "dateUpdated", "direction": "asc"}]),
        )))
        .unwrap();
        assert_eq!(
            ok.order,
            Order::Date {
                field: DateField::Updated,
                descending: false
            }
        );
        let names = read(&body(with(json!([
            {"field": "firstNameLowerCase", "direction": "asc"},
            {"field": "lastNameLowerCase", "direction": "desc"}
        ]))))
        .unwrap();
        assert_eq!(
            names.order,
            Order::Text(vec![
                (TextField::FirstName, false),
                (TextField::LastName, true)
            ])
        );
        for bad in [
            json!([{"field": "dateAdded"}, {"field": "dateUpdated"}]),
            json!([{"field": "dateAdded"}, {"field": "firstNameLowerCase"}]),
            json!([{"field": "emailLowerCase"}, {"field": "firstNameLowerCase"},
                {"field": "lastNameLowerCase"}]),
        ] {
            assert_eq!(status(read(&body(with(bad)))), 400);
        }
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
