//! Where each key of a config file stands, read from the TOML parser's own spans: a key set in
//! an inline table, by a dotted key or in an array of tables is found where it is written, not
//! guessed from the text's lines.

use toml::de::{DeTable, DeValue};

/// Every key of a file with its dotted path (`api.base_url`, `locations[1].id`,
/// `ui.keys.task.toggle`: segments joined as written, unquoted) and the byte offset of the key.
pub struct KeySpans {
    entries: Vec<(String, usize)>,
}

impl KeySpans {
    /// Reads `text`; a file that is not whole TOML gives the keys read before the fault.
    pub fn read(text: &str) -> Self {
        let (table, _) = DeTable::parse_recoverable(text);
        let mut entries = Vec::new();
        walk("", table.get_ref(), &mut entries);
        entries.sort_by_key(|(_, offset)| *offset);
        Self { entries }
    }

    /// The offset of the key at `path`, else of the nearest table above it that is written in
    /// the file (a missing required key belongs to the table that should hold it).
    pub fn offset_of(&self, path: &str) -> Option<usize> {
        let mut wanted = path;
        loop {
            if let Some((_, offset)) = self.entries.iter().find(|(p, _)| p == wanted) {
                return Some(*offset);
            }
            let cut = wanted.rfind(['.', '['])?;
            wanted = &wanted[..cut];
        }
    }

    /// The path of the key an error at `offset` belongs to: the last key written at or before
    /// it (the key of the value the offset points into).
    pub fn key_before(&self, offset: usize) -> Option<&str> {
        self.entries
            .iter()
            .rev()
            .find(|(_, at)| *at <= offset)
            .map(|(path, _)| path.as_str())
    }
}

fn walk(prefix: &str, table: &DeTable<'_>, out: &mut Vec<(String, usize)>) {
    for (key, value) in table {
        let path = if prefix.is_empty() {
            key.get_ref().to_string()
        } else {
            format!("{prefix}.{}", key.get_ref())
        };
        out.push((path.clone(), key.span().start));
        match value.get_ref() {
            DeValue::Table(inner) => walk(&path, inner, out),
            DeValue::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    let item_path = format!("{path}[{index}]");
                    if let DeValue::Table(inner) = item.get_ref() {
                        // An entry of an array of tables stands at its `[[name]]` header.
                        out.push((item_path.clone(), item.span().start));
                        walk(&item_path, inner, out);
                    }
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::KeySpans;

    fn line(text: &str, offset: usize) -> usize {
        text[..offset].matches('\n').count() + 1
    }

    #[test]
    fn keys_are_found_where_they_are_written() {
        let text = "[api]\nbase_url = \"x\"\n\n[ui]\nkeys = { \"task.toggle\" = \"x\", quit = [\"q\"] }\n\
                    \n[[locations]]\nid = \"a\"\n\n[[locations]]\nname = \"b\"\n\
                    [sync]\nwebhook.port = 3\n";
        let spans = KeySpans::read(text);
        let at = |path: &str| spans.offset_of(path).map(|o| line(text, o));
        assert_eq!(at("api.base_url"), Some(2));
        assert_eq!(at("ui.keys.task.toggle"), Some(5));
        assert_eq!(at("ui.keys.quit"), Some(5));
        assert_eq!(at("locations[0].id"), Some(8));
        assert_eq!(at("sync.webhook.port"), Some(13));
        // Missing keys belong to the table that should hold them.
        assert_eq!(at("api.location_id"), Some(1));
        assert_eq!(at("locations[1].id"), Some(10));
        assert_eq!(at("nowhere.at_all"), None);
        // An error inside a value belongs to the key written before it.
        let quit = text.find("[\"q\"]").unwrap();
        assert_eq!(spans.key_before(quit), Some("ui.keys.quit"));
    }

    #[test]
    fn a_file_cut_short_still_names_the_keys_before_the_fault() {
        let text = "[api]\nbase_url = \"x\"\ntimeout_secs = \n";
        let spans = KeySpans::read(text);
        assert_eq!(
            spans.offset_of("api.base_url").map(|o| line(text, o)),
            Some(2)
        );
    }
}
