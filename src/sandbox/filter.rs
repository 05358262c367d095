//! Search filters: `{field, operator, value}` leaves and `{group: "AND"|"OR", filters}`
//! groups, compiled once (400 for an unknown field or operator, C11) and then matched against
//! records. Text compares ignoring case; phones compare by their digits.

use serde_json::Value;

use super::error::ApiError;
use super::store::{Record, parse_ms, phone_digits};
use crate::ghl::models::Contact;

/// A compiled filter.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Filter {
    All(Vec<Filter>),
    Any(Vec<Filter>),
    Leaf(Field, Op),
}

/// A field a filter can test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    Id,
    Email,
    Phone,
    FirstName,
    LastName,
    Tags,
    Type,
    Dnd,
    AssignedTo,
    BusinessId,
    DateAdded,
    DateUpdated,
}

/// What a filter tests a field for.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Op {
    Eq(Vec<String>),
    NotEq(Vec<String>),
    Contains(Vec<String>),
    NotContains(Vec<String>),
    Exists,
    NotExists,
    Range {
        low: Option<(i64, bool)>,
        high: Option<(i64, bool)>,
    },
}

/// Compiles the top-level `filters` array; its entries all have to match.
pub(crate) fn compile_all(filters: Option<&Value>) -> Result<Vec<Filter>, ApiError> {
    filters
        .and_then(Value::as_array)
        .map_or(Ok(Vec::new()), |items| items.iter().map(compile).collect())
}

fn compile(filter: &Value) -> Result<Filter, ApiError> {
    if let Some(group) = filter.get("group") {
        let inner = compile_all(filter.get("filters"))?;
        return match group.as_str().map(str::to_ascii_uppercase).as_deref() {
            Some("AND") => Ok(Filter::All(inner)),
            Some("OR") => Ok(Filter::Any(inner)),
            _ => Err(ApiError::bad_request(format!(
                "Invalid filter group: {group}"
            ))),
        };
    }
    let name = filter
        .get("field")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let field = field(name)
        .ok_or_else(|| ApiError::bad_request(format!("Invalid filter field: {name}")))?;
    let operator = filter
        .get("operator")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let value = filter.get("value").unwrap_or(&Value::Null);
    let op = operation(field, operator, value)?;
    Ok(Filter::Leaf(field, op))
}

fn field(name: &str) -> Option<Field> {
    Some(match name {
        "id" => Field::Id,
        "email" => Field::Email,
        "phone" => Field::Phone,
        "firstNameLowerCase" => Field::FirstName,
        "lastNameLowerCase" => Field::LastName,
        "tags" => Field::Tags,
        "type" => Field::Type,
        "dnd" => Field::Dnd,
        "assignedTo" => Field::AssignedTo,
        "businessId" => Field::BusinessId,
        "dateAdded" => Field::DateAdded,
        "dateUpdated" => Field::DateUpdated,
        _ => return None,
    })
}

fn operation(field: Field, operator: &str, value: &Value) -> Result<Op, ApiError> {
    let is_date = matches!(field, Field::DateAdded | Field::DateUpdated);
    let unsupported = || {
        ApiError::bad_request(format!(
            "Operator {operator} is not supported for {field:?}"
        ))
    };
    let values = || {
        texts(field, value).ok_or_else(|| {
            ApiError::bad_request(format!("Filter value for operator {operator} is invalid"))
        })
    };
    match operator {
        "exists" => Ok(Op::Exists),
        "not_exists" => Ok(Op::NotExists),
        "range" if is_date => range(value),
        "range" => Err(unsupported()),
        "contains" | "not_contains" if is_date || field == Field::Dnd => Err(unsupported()),
        "eq" => Ok(Op::Eq(values()?)),
        "not_eq" => Ok(Op::NotEq(values()?)),
        "contains" => Ok(Op::Contains(values()?)),
        "not_contains" => Ok(Op::NotContains(values()?)),
        _ => Err(ApiError::bad_request(format!(
            "Invalid filter operator: {operator}"
        ))),
    }
}

/// The comparable forms of a filter value: one or a list of strings, numbers or booleans.
fn texts(field: Field, value: &Value) -> Option<Vec<String>> {
    let items = match value {
        Value::Array(items) => items.clone(),
        Value::Null => return None,
        other => vec![other.clone()],
    };
    items
        .iter()
        .map(|item| {
            let text = match item {
                Value::String(s) => s.clone(),
                Value::Bool(b) => b.to_string(),
                Value::Number(n) => n.to_string(),
                _ => return None,
            };
            Some(normalise(field, &text))
        })
        .collect::<Option<Vec<_>>>()
        .filter(|v| !v.is_empty())
}

fn range(value: &Value) -> Result<Op, ApiError> {
    let bound = |key: &str| -> Result<Option<i64>, ApiError> {
        match value.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => date_ms(v).map(Some).ok_or_else(|| {
                ApiError::bad_request(format!("range {key} must be an RFC 3339 date or epoch ms"))
            }),
        }
    };
    let (gt, gte, lt, lte) = (bound("gt")?, bound("gte")?, bound("lt")?, bound("lte")?);
    let low = gt.map(|v| (v, false)).or(gte.map(|v| (v, true)));
    let high = lt.map(|v| (v, false)).or(lte.map(|v| (v, true)));
    if low.is_none() && high.is_none() {
        return Err(ApiError::bad_request("range needs one of gt, gte, lt, lte"));
    }
    Ok(Op::Range { low, high })
}

fn date_ms(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok().or_else(|| parse_ms(s)),
        _ => None,
    }
}

/// The form two values of a field are compared in.
fn normalise(field: Field, text: &str) -> String {
    match field {
        Field::Id | Field::AssignedTo | Field::BusinessId => text.to_string(),
        Field::Phone => phone_digits(text),
        Field::DateAdded | Field::DateUpdated => {
            date_ms(&Value::String(text.to_string())).map_or_else(String::new, |ms| ms.to_string())
        }
        _ => text.trim().to_lowercase(),
    }
}

/// The values a record has for a field, in compared form; empty when it has none.
fn values(field: Field, record: &Record) -> Vec<String> {
    let c = &record.contact;
    let one = |v: Option<&String>| v.map(|s| normalise(field, s)).into_iter().collect();
    match field {
        Field::Id => vec![c.id.clone()],
        Field::Email => one(c.email.as_ref()),
        Field::Phone => one(c.phone.as_ref()),
        Field::FirstName => one(c.first_name.as_ref()),
        Field::LastName => one(c.last_name.as_ref()),
        Field::Tags => c.tags.iter().map(|t| normalise(field, t)).collect(),
        Field::Type => one(c.contact_type.as_ref()),
        Field::Dnd => c.dnd.map(|d| d.to_string()).into_iter().collect(),
        Field::AssignedTo => one(c.assigned_to.as_ref()),
        Field::BusinessId => one(c.business_id.as_ref()),
        Field::DateAdded => vec![record.added.to_string()],
        Field::DateUpdated => vec![record.updated.to_string()],
    }
    .into_iter()
    .filter(|v: &String| !v.is_empty())
    .collect()
}

impl Filter {
    /// Whether a record passes the filter.
    pub(crate) fn matches(&self, record: &Record) -> bool {
        match self {
            Self::All(inner) => inner.iter().all(|f| f.matches(record)),
            Self::Any(inner) => inner.iter().any(|f| f.matches(record)),
            Self::Leaf(field, op) => leaf(*field, op, record),
        }
    }
}

fn leaf(field: Field, op: &Op, record: &Record) -> bool {
    let have = values(field, record);
    let equal = |wanted: &[String]| wanted.iter().any(|w| have.contains(w));
    let contains = |wanted: &[String]| {
        wanted
            .iter()
            .any(|w| have.iter().any(|h| h.contains(w.as_str())))
    };
    match op {
        Op::Eq(wanted) => equal(wanted),
        Op::NotEq(wanted) => !equal(wanted),
        Op::Contains(wanted) => contains(wanted),
        Op::NotContains(wanted) => !contains(wanted),
        Op::Exists => !have.is_empty(),
        Op::NotExists => have.is_empty(),
        Op::Range { low, high } => {
            let at = match field {
                Field::DateUpdated => record.updated,
                _ => record.added,
            };
            let above = low.is_none_or(|(v, inclusive)| at > v || (inclusive && at == v));
            let below = high.is_none_or(|(v, inclusive)| at < v || (inclusive && at == v));
            above && below
        }
    }
}

/// Whether a contact matches a free-text query (already lower-cased): in its name, email,
/// company, or, for a query with digits, its phone.
pub(crate) fn matches_query(contact: &Contact, query: &str) -> bool {
    let texts = [
        contact.name.as_deref(),
        contact.first_name.as_deref(),
        contact.last_name.as_deref(),
        contact.email.as_deref(),
        contact.company_name.as_deref(),
    ];
    // Accents and case set aside on both sides, as the sort does: "agnes" finds "Ágnes".
    let folded = super::search::collation_key(query);
    if texts
        .into_iter()
        .flatten()
        .any(|t| super::search::collation_key(t).contains(&folded))
    {
        return true;
    }
    let digits = phone_digits(query);
    !digits.is_empty()
        && digits.len() * 2 >= query.len()
        && contact
            .phone
            .as_deref()
            .is_some_and(|p| phone_digits(p).contains(&digits))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record() -> Record {
        Record {
            contact: Contact {
                id: "Abc".into(),
                email: Some("Pat@Example.test".into()),
                phone: Some("+15550000001".into()),
                tags: vec!["vip".into(), "trial".into()],
                dnd: Some(false),
                ..Contact::default()
            },
            added: 1_000,
            updated: 2_000,
            ..Record::default()
        }
    }

    fn check(filter: Value) -> Result<bool, u16> {
        let filters =
            compile_all(Some(&Value::Array(vec![filter]))).map_err(|e| e.status().as_u16())?;
        Ok(filters.iter().all(|f| f.matches(&record())))
    }

    #[test]
    fn the_query_sets_accents_and_case_aside_on_both_sides() {
        let contact = Contact {
            id: "c".into(),
            first_name: Some("Ágnes".into()),
            last_name: Some("Wąsowski".into()),
            name: Some("Zoe\u{308} Ágnes Wąsowski".into()),
            ..Contact::default()
        };
        for query in ["agnes", "ágnes", "AGNES", "wasowski", "zoë", "zoe"] {
            let query = query.to_lowercase();
            assert!(matches_query(&contact, &query), "{query}");
        }
        assert!(!matches_query(&contact, "agnesx"));
    }

    #[test]
    fn leaves_match_as_documented() {
        assert_eq!(
            check(json!({"field": "email", "operator": "eq", "value": "pat@example.TEST"})),
            Ok(true)
        );
        assert_eq!(
            check(json!({"field": "phone", "operator": "eq", "value": "+1 555 000 0001"})),
            Ok(true)
        );
        assert_eq!(
            check(json!({"field": "tags", "operator": "eq", "value": ["x", "vip"]})),
            Ok(true)
        );
        assert_eq!(
            check(json!({"field": "tags", "operator": "not_contains", "value": "tri"})),
            Ok(false)
        );
        assert_eq!(
            check(json!({"field": "dnd", "operator": "eq", "value": false})),
            Ok(true)
        );
        assert_eq!(
            check(json!({"field": "businessId", "operator": "not_exists"})),
            Ok(true)
        );
        assert_eq!(
            check(json!({"field": "id", "operator": "eq", "value": "abc"})),
            Ok(false)
        );
    }

    #[test]
    fn ranges_take_dates_and_millis() {
        let range =
            |value: Value| json!({"field": "dateUpdated", "operator": "range", "value": value});
        assert_eq!(check(range(json!({"gte": 2_000, "lt": "3000"}))), Ok(true));
        assert_eq!(check(range(json!({"gt": 2_000}))), Ok(false));
        assert_eq!(
            check(range(json!({"lte": "1970-01-01T00:00:02.000Z"}))),
            Ok(true)
        );
        assert_eq!(check(range(json!({}))), Err(400));
        let on_email = json!({"field": "email", "operator": "range", "value": {"gt": 1}});
        assert_eq!(check(on_email), Err(400));
    }

    #[test]
    fn groups_and_unknowns() {
        let group = json!({"group": "OR", "filters": [
            {"field": "type", "operator": "eq", "value": "customer"},
            {"field": "tags", "operator": "contains", "value": "vi"}]});
        assert_eq!(check(group), Ok(true));
        assert_eq!(
            check(json!({"field": "shoeSize", "operator": "eq", "value": 9})),
            Err(400)
        );
        assert_eq!(
            check(json!({"field": "email", "operator": "like", "value": "x"})),
            Err(400)
        );
        assert_eq!(check(json!({"field": "email", "operator": "eq"})), Err(400));
        assert_eq!(check(json!({"group": "XOR", "filters": []})), Err(400));
    }

    #[test]
    fn free_text_query() {
        let contact = record().contact;
        assert!(matches_query(&contact, "example"));
        assert!(matches_query(&contact, "555000"));
        assert!(!matches_query(&contact, "nobody"));
    }
}
