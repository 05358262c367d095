//! Input generators shared by the fuzz targets.

use proptest::prelude::*;
use serde_json::{Map, Number, Value};

/// Characters that have broken text handling somewhere: multi-byte, wide, zero-width,
/// combining, right-to-left, case-folding oddities, controls and escapes.
const TRICKY: &[&str] = &[
    "\u{0}",
    "\u{1b}[2J",
    "\u{9b}",
    "\u{7f}",
    "\t",
    "\r\n",
    "\n",
    "\\",
    "\"",
    "\u{202E}",
    "\u{2066}",
    "\u{2028}",
    "\u{200D}",
    "\u{FEFF}",
    "e\u{301}",
    "\u{0627}\u{0644}\u{0639}\u{0631}\u{0628}\u{064A}\u{0629}",
    "\u{05E9}\u{05DC}\u{05D5}\u{05DD}",
    "👩\u{200D}💻",
    "🇳🇴",
    "李",
    "\u{212A}",
    "\u{130}",
    "ß",
    "ǅ",
    "\u{FFFD}",
    "\u{10FFFF}",
];

/// Text mixing plain words, arbitrary Unicode and the [`TRICKY`] pieces.
pub fn text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => "[a-zA-Z0-9 _.:@+-]{0,8}",
        2 => any::<String>(),
        2 => proptest::sample::select(TRICKY).prop_map(str::to_string),
    ];
    proptest::collection::vec(piece, 0..6).prop_map(|pieces| pieces.concat())
}

/// Object keys: mostly the field names the models know, sometimes anything.
pub fn key() -> impl Strategy<Value = String> {
    const KNOWN: &[&str] = &[
        "id",
        "contact",
        "contacts",
        "tasks",
        "task",
        "notes",
        "note",
        "events",
        "tags",
        "customFields",
        "value",
        "key",
        "field_value",
        "meta",
        "total",
        "count",
        "nextPageUrl",
        "startAfterId",
        "startAfter",
        "currentPage",
        "searchAfter",
        "dndSettings",
        "dnd",
        "type",
        "name",
        "firstName",
        "lastName",
        "email",
        "phone",
        "dueDate",
        "completed",
        "pinned",
        "body",
        "title",
        "succeded",
        "succeeded",
        "new",
        "traceId",
        "locationId",
        "contactId",
        "dateAdded",
        "dateUpdated",
        "startTime",
        "appointment",
        "timestamp",
        "webhookId",
        "message",
    ];
    prop_oneof![
        6 => proptest::sample::select(KNOWN).prop_map(str::to_string),
        1 => text(),
    ]
}

/// Any JSON value, a few levels deep, with the keys the models read.
pub fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| Number::from_f64(f).map(Value::Number)),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 96, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            proptest::collection::vec((key(), inner), 0..10)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// One change to a document, its indexes taken modulo what the document has.
#[derive(Debug, Clone)]
pub enum Mutation {
    /// Replaces the value at the n-th node with another value.
    Replace(usize, Value),
    /// Removes the n-th node from its object or array.
    Remove(usize),
    /// Cuts the text after this many bytes.
    Truncate(usize),
    /// Overwrites one byte.
    Byte(usize, u8),
    /// Inserts bytes.
    Insert(usize, Vec<u8>),
}

/// A few mutations, structural ones most often.
pub fn mutations() -> impl Strategy<Value = Vec<Mutation>> {
    let one = prop_oneof![
        6 => (any::<usize>(), json()).prop_map(|(at, v)| Mutation::Replace(at, v)),
        3 => any::<usize>().prop_map(Mutation::Remove),
        1 => any::<usize>().prop_map(Mutation::Truncate),
        1 => (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Mutation::Byte(at, b)),
        1 => (any::<usize>(), proptest::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(at, bytes)| Mutation::Insert(at, bytes)),
    ];
    proptest::collection::vec(one, 1..5)
}

/// Applies mutations in order to a JSON document given as bytes.
pub fn mutate(original: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    let mut bytes = original.to_vec();
    for mutation in mutations {
        bytes = match mutation {
            Mutation::Replace(at, value) => structural(&bytes, *at, Some(value)),
            Mutation::Remove(at) => structural(&bytes, *at, None),
            Mutation::Truncate(at) => {
                let mut cut = bytes.clone();
                cut.truncate(at % (bytes.len() + 1));
                cut
            }
            Mutation::Byte(at, byte) => {
                let mut changed = bytes.clone();
                if let Some(slot) = changed.get_mut(at % bytes.len().max(1)) {
                    *slot = *byte;
                }
                changed
            }
            Mutation::Insert(at, extra) => {
                let mut grown = bytes.clone();
                let at = at % (bytes.len() + 1);
                grown.splice(at..at, extra.iter().copied());
                grown
            }
        };
    }
    bytes
}

/// Replaces (or removes, when `value` is `None`) the node numbered `at` in document order; text
/// that is not JSON is returned unchanged.
fn structural(bytes: &[u8], at: usize, value: Option<&Value>) -> Vec<u8> {
    let Ok(mut doc) = serde_json::from_slice::<Value>(bytes) else {
        return bytes.to_vec();
    };
    let count = count_nodes(&doc);
    let target = at % count;
    if target == 0 {
        doc = value.cloned().unwrap_or(Value::Null);
    } else {
        let mut seen = 0;
        edit(&mut doc, target, &mut seen, value);
    }
    serde_json::to_vec(&doc).unwrap()
}

fn count_nodes(value: &Value) -> usize {
    1 + match value {
        Value::Array(items) => items.iter().map(count_nodes).sum(),
        Value::Object(map) => map.values().map(count_nodes).sum(),
        _ => 0,
    }
}

/// Walks the children of `value` in document order, counting nodes in `seen`, and edits the
/// child numbered `target`. Returns whether it was found.
fn edit(value: &mut Value, target: usize, seen: &mut usize, with: Option<&Value>) -> bool {
    match value {
        Value::Array(items) => {
            for index in 0..items.len() {
                *seen += 1;
                if *seen == target {
                    match with {
                        Some(v) => items[index] = v.clone(),
                        None => {
                            items.remove(index);
                        }
                    }
                    return true;
                }
                if edit(&mut items[index], target, seen, with) {
                    return true;
                }
            }
            false
        }
        Value::Object(map) => {
            let keys: Vec<String> = map.keys().cloned().collect();
            for key in keys {
                *seen += 1;
                if *seen == target {
                    match with {
                        Some(v) => {
                            map.insert(key, v.clone());
                        }
                        None => {
                            map.remove(&key);
                        }
                    }
                    return true;
                }
                if map
                    .get_mut(&key)
                    .is_some_and(|child| edit(child, target, seen, with))
                {
                    return true;
                }
            }
            false
        }
        _ => false,
    }
}
