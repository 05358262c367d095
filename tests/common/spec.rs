//! Validates recorded exchanges against the official `OpenAPI` spec with the `jsonschema` crate.
//!
//! The spec is `OpenAPI` 3.0, whose schemas are JSON Schema draft 4 plus `nullable`. Two
//! mechanical steps make them plain draft 4: `nullable: true` becomes a `null` alternative in
//! `type`, and `$ref`s into `../common/common-schemas.json` point at copies of those schemas
//! placed beside the spec's own. Nothing else of the spec is changed.

use std::path::PathBuf;

use serde_json::{Map, Value, json};

/// The spec files, copied unchanged into `assets/ghl-api`.
fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/ghl-api")
}

fn load(rel: &str) -> Value {
    let path = shared().join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// The Contacts spec (current), with the typed search response of the historical spec.
pub struct Spec {
    paths: Map<String, Value>,
    components: Value,
}

impl Spec {
    pub fn load() -> Self {
        let current = load("apps/contacts.json");
        let history = load("history/de87e88a92953c2f69a661a3265a6187d71004da/apps/contacts.json");
        let common = load("common/common-schemas.json");
        let mut schemas = current["components"]["schemas"]
            .as_object()
            .unwrap()
            .clone();
        for (name, schema) in common["components"]["schemas"].as_object().unwrap() {
            schemas.insert(name.clone(), schema.clone());
        }
        // The current spec's search 200 is untyped; the historical one types it (SOURCE.md).
        for name in [
            "SearchContactSuccessResponseDto",
            "Contact",
            "ContactOpportunity",
        ] {
            if let Some(schema) = history["components"]["schemas"].get(name) {
                schemas.insert(name.to_string(), schema.clone());
            }
        }
        let mut components = json!({ "schemas": schemas });
        normalise(&mut components);
        let mut paths = current["paths"].as_object().unwrap().clone();
        let search_200 = &history["paths"]["/contacts/search"]["post"]["responses"]["200"];
        paths["/contacts/search"]["post"]["responses"]["200"] = search_200.clone();
        let mut paths = Value::Object(paths);
        normalise(&mut paths);
        Self {
            paths: paths.as_object().unwrap().clone(),
            components,
        }
    }

    /// The operation for a method and a concrete path, preferring literal segments.
    fn operation(&self, method: &str, path: &str) -> Option<(&str, &Value)> {
        let want: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        let mut best: Option<(usize, &str, &Value)> = None;
        for (template, ops) in &self.paths {
            let Some(op) = ops.get(method.to_ascii_lowercase()) else {
                continue;
            };
            let have: Vec<&str> = template.trim_end_matches('/').split('/').collect();
            if have.len() != want.len() {
                continue;
            }
            let mut literals = 0;
            let fits = have.iter().zip(&want).all(|(h, w)| {
                if h.starts_with('{') {
                    true
                } else {
                    literals += 1;
                    h == w
                }
            });
            if fits && best.is_none_or(|(n, _, _)| literals > n) {
                best = Some((literals, template, op));
            }
        }
        best.map(|(_, t, op)| (t, op))
    }

    /// Every way the request and response of an exchange break the spec.
    pub fn violations(
        &self,
        method: &str,
        path: &str,
        request: Option<&Value>,
        status: u16,
        response: Option<&Value>,
    ) -> Vec<String> {
        let Some((template, op)) = self.operation(method, path) else {
            return vec![format!("{method} {path}: no such operation in the spec")];
        };
        let mut out = Vec::new();
        let req_schema = op.pointer("/requestBody/content/application~1json/schema");
        if let (Some(schema), Some(body)) = (req_schema, request) {
            out.extend(
                self.check(schema, body)
                    .into_iter()
                    .map(|e| format!("{method} {template} request: {e}")),
            );
        }
        let responses = &op["responses"];
        let Some(declared) = responses.get(status.to_string()) else {
            out.push(format!(
                "{method} {template}: status {status} is not declared"
            ));
            return out;
        };
        let resp_schema = declared.pointer("/content/application~1json/schema");
        if let (Some(schema), Some(body)) = (resp_schema, response) {
            out.extend(
                self.check(schema, body)
                    .into_iter()
                    .map(|e| format!("{method} {template} {status}: {e}")),
            );
        }
        out
    }

    fn check(&self, schema: &Value, instance: &Value) -> Vec<String> {
        let mut root = schema.clone();
        root["components"] = self.components.clone();
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft4)
            .build(&root)
            .unwrap();
        validator
            .iter_errors(instance)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect()
    }
}

/// Makes `OpenAPI` 3.0 schemas plain draft 4 (see the module docs).
fn normalise(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get_mut("$ref")
                && let Some(rest) = r.strip_prefix("../common/common-schemas.json")
            {
                *r = rest.to_string();
            }
            if map.get("nullable") == Some(&Value::Bool(true))
                && let Some(Value::String(t)) = map.get("type").cloned()
            {
                map.insert("type".into(), json!([t, "null"]));
            }
            map.values_mut().for_each(normalise);
        }
        Value::Array(items) => items.iter_mut().for_each(normalise),
        _ => {}
    }
}
