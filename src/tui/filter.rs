//! Fuzzy filtering of the loaded contacts as the user types, ranked best match first.
//!
//! The query follows fzf's syntax through `nucleo-matcher`: words are matched separately and
//! all must match; `'word` asks for an exact substring, `^word` for a prefix, `word$` for a
//! suffix and `!word` excludes. Case is always ignored, since names get typed either way, and
//! accents in the haystack are ignored for a plain-ASCII query, so "jose" finds "José".

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32String};

/// A search index over the text of many contacts, built once per load and queried on every
/// keystroke.
///
/// Haystacks are converted for matching when the index is built; the matcher, the parsed
/// query and the score buffer are kept and reused, so a query allocates only its result.
pub struct FuzzyIndex {
    /// The caller's key for each entry, in the order given.
    keys: Vec<usize>,
    /// The searchable text of each entry, converted for the matcher.
    haystacks: Vec<Utf32String>,
    matcher: Matcher,
    pattern: Pattern,
    /// Score and position of each entry that matched the last query.
    scored: Vec<(u32, usize)>,
}

impl FuzzyIndex {
    /// Builds an index from `(key, haystack)` pairs. The key is the caller's own handle on the
    /// entry, usually its index in the contact list; the haystack is the text to search,
    /// such as name, email and phone joined with spaces.
    pub fn new(entries: &[(usize, String)]) -> Self {
        let mut config = Config::DEFAULT;
        config.prefer_prefix = true;

        Self {
            keys: entries.iter().map(|(key, _)| *key).collect(),
            haystacks: entries
                .iter()
                .map(|(_, text)| Utf32String::from(text.as_str()))
                .collect(),
            matcher: Matcher::new(config),
            pattern: Pattern::default(),
            scored: Vec::new(),
        }
    }

    /// How many entries the index holds.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the index holds no entries.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Returns the keys of the entries that match `query`, best match first; entries that score
    /// the same keep their original order. A blank query returns every key in original order.
    pub fn filter(&mut self, query: &str) -> Vec<usize> {
        self.pattern
            .reparse(query, CaseMatching::Ignore, Normalization::Smart);
        if self.pattern.atoms.is_empty() {
            return self.keys.clone();
        }

        self.scored.clear();
        for (position, haystack) in self.haystacks.iter().enumerate() {
            if let Some(score) = self.pattern.score(haystack.slice(..), &mut self.matcher) {
                self.scored.push((score, position));
            }
        }

        self.scored
            .sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        self.scored
            .iter()
            .map(|&(_, position)| self.keys[position])
            .collect()
    }
}

impl std::fmt::Debug for FuzzyIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FuzzyIndex")
            .field("entries", &self.keys.len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(texts: &[&str]) -> FuzzyIndex {
        let entries: Vec<(usize, String)> = texts
            .iter()
            .enumerate()
            .map(|(i, text)| (i, (*text).to_owned()))
            .collect();
        FuzzyIndex::new(&entries)
    }

    const PEOPLE: [&str; 5] = [
        "Ada Lovelace ada@example.com +44 20 7946 0000",
        "José Ñúñez jose@example.es +34 600 000 000",
        "Grace Hopper grace@navy.example +1 555 0100",
        "李小龙 bruce@example.hk +852 5555 0000",
        "Alan Turing alan@example.org +44 161 000 0000",
    ];

    #[test]
    fn blank_query_returns_everything_in_order() {
        let mut index = index(&PEOPLE);
        assert_eq!(index.filter(""), vec![0, 1, 2, 3, 4]);
        assert_eq!(index.filter("   "), vec![0, 1, 2, 3, 4]);
    }

    #[test]
    fn finds_by_name_email_or_phone() {
        let mut index = index(&PEOPLE);
        assert_eq!(index.filter("hopper"), vec![2]);
        assert_eq!(index.filter("navy"), vec![2]);
        assert_eq!(index.filter("5555"), vec![3]);
        assert_eq!(index.filter("李小"), vec![3]);
    }

    #[test]
    fn ignores_case_and_accents() {
        let mut index = index(&PEOPLE);
        assert_eq!(index.filter("nunez"), vec![1]);
        assert_eq!(index.filter("JOSÉ"), vec![1]);
    }

    #[test]
    fn best_match_comes_first() {
        let mut index = index(&["Bob Alanson", "Alan Turing", "xaxlxaxn"]);
        let hits = index.filter("alan");
        assert_eq!(hits.first(), Some(&1));
        assert_eq!(hits.len(), 3);
    }

    #[test]
    fn words_must_all_match() {
        let mut index = index(&PEOPLE);
        assert_eq!(index.filter("ada 7946"), vec![0]);
        assert!(index.filter("ada hopper").is_empty());
    }

    #[test]
    fn returns_the_callers_keys() {
        let entries = vec![(40, "Ada".to_owned()), (7, "Grace".to_owned())];
        let mut index = FuzzyIndex::new(&entries);
        assert_eq!(index.filter("grace"), vec![7]);
        assert_eq!(index.filter(""), vec![40, 7]);
    }

    #[test]
    fn empty_index_is_fine() {
        let mut index = FuzzyIndex::new(&[]);
        assert!(index.is_empty());
        assert!(index.filter("x").is_empty());
    }

    #[test]
    fn hundred_thousand_entries() {
        let entries: Vec<(usize, String)> = (0..100_000)
            .map(|i| {
                (
                    i,
                    format!("Person {i:06} person{i}@example.com +1555{i:07}"),
                )
            })
            .collect();
        let mut index = FuzzyIndex::new(&entries);
        assert_eq!(index.len(), 100_000);

        assert_eq!(index.filter("").len(), 100_000);
        assert_eq!(index.filter("'person4242@"), vec![4242]);

        let hits = index.filter("'person99999");
        assert_eq!(hits, vec![99_999]);

        // Every entry ends with its own phone digits, so a suffix narrows to one.
        assert_eq!(index.filter("15550012345$"), vec![12_345]);
        let many = index.filter("person 12");
        assert!(many.contains(&12) && many.contains(&99_912));
    }
}
