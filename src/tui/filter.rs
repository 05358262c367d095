//! Fuzzy filtering of the loaded contacts as the user types, ranked best match first.
//!
//! The query follows fzf's syntax through `nucleo-matcher`: words are matched separately and
//! all must match; `'word` asks for an exact substring, `^word` for a prefix, `word$` for a
//! suffix and `!word` excludes. Case and accents are always ignored, since names get typed
//! either way, so "jose" finds "José" and "JOSÉ" finds "Jose".
//!
//! Speed, for 100,000 contacts within a keystroke: text is folded (lower case, accents off)
//! once, when an entry is added, so most haystacks become ASCII and take the matcher's fast
//! path; and a query that extends the previous one scores only what the previous one matched.

use nucleo_matcher::chars::{graphemes, normalize, to_lower_case};
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32String};

/// A search index over the text of many contacts, filled as they load and queried on every
/// keystroke.
///
/// Haystacks are folded and converted for matching when they are added; the matcher, the
/// parsed query and the score buffer are kept and reused, so a query allocates only its result.
pub struct FuzzyIndex {
    /// The caller's key for each entry, in the order given.
    keys: Vec<usize>,
    /// The searchable text of each entry, folded and converted for the matcher.
    haystacks: Vec<Utf32String>,
    matcher: Matcher,
    pattern: Pattern,
    /// Score and position of each entry that matched the last query.
    scored: Vec<(u32, usize)>,
    /// The last query and what it matched, to narrow from.
    last: Option<LastQuery>,
}

/// A query and the positions it matched, in ascending order, among the first `covers` entries.
struct LastQuery {
    query: String,
    matched: Vec<usize>,
    covers: usize,
}

impl FuzzyIndex {
    /// Builds an index from `(key, haystack)` pairs. The key is the caller's own handle on the
    /// entry, usually its index in the contact list; the haystack is the text to search,
    /// such as name, email and phone joined with spaces.
    pub fn new(entries: &[(usize, String)]) -> Self {
        let mut config = Config::DEFAULT;
        config.prefer_prefix = true;

        let mut index = Self {
            keys: Vec::with_capacity(entries.len()),
            haystacks: Vec::with_capacity(entries.len()),
            matcher: Matcher::new(config),
            pattern: Pattern::default(),
            scored: Vec::new(),
            last: None,
        };
        for (key, text) in entries {
            index.push(*key, text);
        }
        index
    }

    /// Adds an entry after the others.
    pub fn push(&mut self, key: usize, text: &str) {
        self.keys.push(key);
        self.haystacks.push(fold(text));
    }

    /// Changes the text of the entry at `position` (in the order added).
    pub fn replace(&mut self, position: usize, text: &str) {
        if let Some(slot) = self.haystacks.get_mut(position) {
            *slot = fold(text);
            self.last = None;
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
        let query = fold_text(query);
        // Both sides are folded already, so case need not be ignored; but nucleo-matcher 0.3
        // compares the whole haystack in a case-sensitive `^`, `$` or exact match, so it is.
        self.pattern
            .reparse(&query, CaseMatching::Ignore, Normalization::Never);
        if self.pattern.atoms.is_empty() {
            self.last = None;
            return self.keys.clone();
        }

        self.scored.clear();
        match self.last.take().filter(|last| narrows(&last.query, &query)) {
            Some(last) => {
                let added = last.covers..self.haystacks.len();
                self.score(last.matched.into_iter().chain(added));
            }
            None => self.score(0..self.haystacks.len()),
        }
        self.last = Some(LastQuery {
            query,
            matched: self.scored.iter().map(|&(_, position)| position).collect(),
            covers: self.haystacks.len(),
        });

        self.scored
            .sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        self.scored
            .iter()
            .map(|&(_, position)| self.keys[position])
            .collect()
    }

    /// Scores the entries at `positions` against the parsed query, keeping those that match.
    fn score(&mut self, positions: impl Iterator<Item = usize>) {
        for position in positions {
            let haystack = self.haystacks[position].slice(..);
            if let Some(score) = self.pattern.score(haystack, &mut self.matcher) {
                self.scored.push((score, position));
            }
        }
    }
}

impl Default for FuzzyIndex {
    fn default() -> Self {
        Self::new(&[])
    }
}

/// Whether every entry `new` matches also matched `old`, so `new` need only look at those:
/// `new` extends `old` without a negation, and `old` does not end in a character whose meaning
/// changes when more follows (`^`, `'`, `$`, `\`).
fn narrows(old: &str, new: &str) -> bool {
    new.starts_with(old) && !new.contains('!') && !old.ends_with(['^', '\'', '$', '\\'])
}

/// Text as the matcher compares it: the first character of each grapheme, accents off, lower
/// case.
fn fold_text(text: &str) -> String {
    graphemes(text)
        .map(|c| to_lower_case(normalize(c)))
        .collect()
}

/// A haystack folded and converted for the matcher: ASCII when folding made it so.
fn fold(text: &str) -> Utf32String {
    let folded = fold_text(text);
    if folded.is_ascii() {
        Utf32String::Ascii(folded.into_boxed_str())
    } else {
        Utf32String::Unicode(folded.chars().collect())
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
    fn narrowing_gives_what_a_fresh_search_gives() {
        let mut typed = index(&PEOPLE);
        for query in [
            "a", "ad", "ada", "ada ", "ada 7", "e", "ex", "exa$", "'ex", "'exa",
        ] {
            let mut fresh = index(&PEOPLE);
            assert_eq!(typed.filter(query), fresh.filter(query), "{query:?}");
        }
    }

    #[test]
    fn operators_that_widen_are_not_narrowed() {
        let mut index = index(&PEOPLE);
        assert!(index.filter("!a").is_empty(), "every entry has an a");
        assert_eq!(index.filter("!ad"), vec![1, 2, 3, 4]);
        assert!(!narrows("^", "^a") && !narrows("e$", "e$x") && !narrows("a", "a !b"));
        assert!(narrows("a", "ab c") && narrows("'ab", "'abc"));
    }

    #[test]
    fn entries_added_or_changed_after_a_query_are_searched() {
        let mut index = index(&PEOPLE);
        assert!(index.filter("gr").contains(&2));
        index.push(9, "Greta Garbo greta@example.se");
        let mut hits = index.filter("gre");
        hits.sort_unstable();
        assert_eq!(hits, vec![2, 9]);
        index.replace(0, "Ada Greco");
        let mut hits = index.filter("gre");
        hits.sort_unstable();
        assert_eq!(hits, vec![0, 2, 9]);
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
