//! Fuzzy filtering of the loaded contacts as the user types, ranked best match first.
//!
//! The query follows fzf's syntax through `nucleo-matcher`: words are matched separately and
//! all must match; `'word` asks for an exact substring, `^word` for a prefix, `word$` for a
//! suffix and `!word` excludes. Case and accents are always ignored, since names get typed
//! either way, so "jose" finds "José" and "JOSÉ" finds "Jose".
//!
//! Two halves: [`FuzzyIndex`], the searchable text of every contact, which the console extends
//! as pages arrive and hands out as a cheap snapshot; and [`Matching`], which runs a query over
//! a snapshot, away from the console's thread (see `filter_task`).
//!
//! Speed, for 100,000 contacts: text is folded (lower case, accents off) once, when an entry is
//! added, so most haystacks become ASCII and take the matcher's fast path; a pass is split
//! across the cores; and the results of the queries typed so far are kept, so a query that
//! extends one of them scores only what it matched, and a backspace back to one of them costs
//! nothing.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use nucleo_matcher::chars::{graphemes, normalize, to_lower_case};
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32String};

/// Entries per chunk of the index. A snapshot shares the chunks; changing an entry copies only
/// its chunk, and only when a pass still holds it.
const CHUNK: usize = 1_024;

/// How many queries typed in a row are remembered, to narrow from and to go back to.
const REMEMBERED: usize = 24;

/// Below this many candidates a pass stays on one thread: starting another costs more.
const SPLIT_FROM: usize = 8_192;

/// How often (in entries) a pass checks whether it is still wanted.
const CHECK_EVERY: usize = 1_024;

/// The searchable text of many contacts, entry `i` for contact `i` of the list, folded and
/// converted for the matcher once, when added.
///
/// Cloning it is cheap (the chunks are shared): a clone is the snapshot a filter pass searches
/// while the console goes on adding entries to its own copy.
#[derive(Clone)]
pub struct FuzzyIndex {
    chunks: Vec<Arc<Vec<Utf32String>>>,
    len: usize,
    /// Changes whenever an entry changes, so results remembered from before are not reused.
    epoch: u64,
}

/// Hands out epochs unique across every index of the process.
fn next_epoch() -> u64 {
    static EPOCHS: AtomicU64 = AtomicU64::new(1);
    EPOCHS.fetch_add(1, Ordering::Relaxed)
}

impl FuzzyIndex {
    /// An index with no entries.
    pub fn new() -> Self {
        Self {
            chunks: Vec::new(),
            len: 0,
            epoch: next_epoch(),
        }
    }

    /// An index of `texts`, in order.
    pub fn of<'a>(texts: impl IntoIterator<Item = &'a str>) -> Self {
        let mut index = Self::new();
        for text in texts {
            index.push(text);
        }
        index
    }

    /// Adds an entry after the others.
    pub fn push(&mut self, text: &str) {
        if self.len.is_multiple_of(CHUNK) {
            self.chunks.push(Arc::new(Vec::with_capacity(CHUNK)));
        }
        if let Some(last) = self.chunks.last_mut() {
            Arc::make_mut(last).push(fold(text));
            self.len += 1;
        }
    }

    /// Changes the text of the entry at `position`.
    pub fn replace(&mut self, position: usize, text: &str) {
        if let Some(chunk) = self.chunks.get_mut(position / CHUNK)
            && let Some(slot) = Arc::make_mut(chunk).get_mut(position % CHUNK)
        {
            *slot = fold(text);
            self.epoch = next_epoch();
        }
    }

    /// Keeps only the entries `keep` says yes to, in order; entry positions close up.
    pub fn retain(&mut self, keep: impl Fn(usize) -> bool) {
        let mut kept = Self::new();
        for (at, chunk) in std::mem::take(&mut self.chunks).into_iter().enumerate() {
            let entries = Arc::try_unwrap(chunk).unwrap_or_else(|shared| (*shared).clone());
            for (offset, entry) in entries.into_iter().enumerate() {
                if keep(at * CHUNK + offset) {
                    kept.push_folded(entry);
                }
            }
        }
        *self = kept;
    }

    fn push_folded(&mut self, entry: Utf32String) {
        if self.len.is_multiple_of(CHUNK) {
            self.chunks.push(Arc::new(Vec::with_capacity(CHUNK)));
        }
        if let Some(last) = self.chunks.last_mut() {
            Arc::make_mut(last).push(entry);
            self.len += 1;
        }
    }

    /// How many entries the index holds.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the index holds no entries.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn get(&self, position: usize) -> Option<&Utf32String> {
        self.chunks.get(position / CHUNK)?.get(position % CHUNK)
    }
}

impl Default for FuzzyIndex {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for FuzzyIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FuzzyIndex")
            .field("entries", &self.len)
            .field("epoch", &self.epoch)
            .finish_non_exhaustive()
    }
}

/// What a query matched: entry positions, best match first (equal scores in entry order), over
/// the first `covers` entries of the index it ran on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranked {
    /// The positions.
    pub rows: Arc<[u32]>,
    /// How many entries were searched.
    pub covers: usize,
}

/// A query remembered with what it matched.
struct Remembered {
    query: String,
    ranked: Ranked,
}

/// Runs queries over an index: a matcher per thread, and the results of the queries typed
/// lately, to narrow from or return to.
pub struct Matching {
    matchers: Vec<Matcher>,
    remembered: Vec<Remembered>,
    /// The index epoch the remembered results belong to.
    epoch: u64,
}

impl Matching {
    /// A matching that splits a pass over up to `threads` threads (at least one).
    pub fn new(threads: usize) -> Self {
        let mut config = Config::DEFAULT;
        config.prefer_prefix = true;
        Self {
            matchers: (0..threads.max(1))
                .map(|_| Matcher::new(config.clone()))
                .collect(),
            remembered: Vec::new(),
            epoch: 0,
        }
    }

    /// The entries of `index` that match `query`, best first; a blank query matches every entry
    /// in order. Returns `None` when `cancelled` says so partway: a newer query is waiting.
    pub fn run(
        &mut self,
        index: &FuzzyIndex,
        query: &str,
        cancelled: &(dyn Fn() -> bool + Sync),
    ) -> Option<Ranked> {
        let query = fold_text(query);
        // Both sides are folded already, so case need not be ignored; but nucleo-matcher 0.3
        // compares the whole haystack in a case-sensitive `^`, `$` or exact match, so it is.
        let pattern = Pattern::parse(&query, CaseMatching::Ignore, Normalization::Never);
        if pattern.atoms.is_empty() {
            let rows = (0..index.len()).filter_map(|p| u32::try_from(p).ok());
            return Some(Ranked {
                rows: rows.collect(),
                covers: index.len(),
            });
        }
        if index.epoch != self.epoch {
            self.remembered.clear();
            self.epoch = index.epoch;
        }

        let ranked = if let Some(ranked) = self.reusable(&query, index.len()) {
            ranked
        } else {
            let candidates = self.candidates(&query, index.len());
            let scored = self.score(index, &pattern, &candidates, cancelled)?;
            Ranked {
                rows: scored.into_iter().map(|(_, position)| position).collect(),
                covers: index.len(),
            }
        };
        self.remember(query, ranked.clone());
        Some(ranked)
    }

    /// Every match of `query`, best first, as positions: the whole pass on this thread's
    /// terms, never cancelled.
    pub fn filter(&mut self, index: &FuzzyIndex, query: &str) -> Vec<usize> {
        self.run(index, query, &|| false)
            .map(|ranked| ranked.rows.iter().map(|&p| p as usize).collect())
            .unwrap_or_default()
    }

    /// The remembered result of this very query, when it covers every entry.
    fn reusable(&self, query: &str, len: usize) -> Option<Ranked> {
        self.remembered
            .iter()
            .find(|r| r.query == query && r.ranked.covers == len)
            .map(|r| r.ranked.clone())
    }

    /// The entries that can match `query`: what a remembered query it narrows matched, plus
    /// the entries added since; else every entry.
    fn candidates(&self, query: &str, len: usize) -> Vec<u32> {
        let base = self
            .remembered
            .iter()
            .filter(|r| r.query == query || narrows(&r.query, query))
            .min_by_key(|r| r.ranked.rows.len());
        let all = |from: usize| (from..len).filter_map(|p| u32::try_from(p).ok());
        match base {
            Some(r) => r
                .ranked
                .rows
                .iter()
                .copied()
                .chain(all(r.ranked.covers))
                .collect(),
            None => all(0).collect(),
        }
    }

    /// Scores the candidates, split across the matchers' threads, and sorts them best first.
    fn score(
        &mut self,
        index: &FuzzyIndex,
        pattern: &Pattern,
        candidates: &[u32],
        cancelled: &(dyn Fn() -> bool + Sync),
    ) -> Option<Vec<(u32, u32)>> {
        let threads = if candidates.len() < SPLIT_FROM {
            1
        } else {
            self.matchers.len()
        };
        let share = candidates.len().div_ceil(threads).max(1);
        let parts: Vec<Option<Vec<(u32, u32)>>> = std::thread::scope(|scope| {
            let mut matchers = self.matchers.iter_mut();
            let mut parts = candidates.chunks(share);
            let first = parts.next().zip(matchers.next());
            let others: Vec<_> = parts
                .zip(matchers)
                .map(|(part, matcher)| {
                    scope.spawn(move || score_part(index, pattern, part, matcher, cancelled))
                })
                .collect();
            // No candidates at all is an answer too: nothing matches.
            let mut done = vec![first.map_or(Some(Vec::new()), |(part, matcher)| {
                score_part(index, pattern, part, matcher, cancelled)
            })];
            done.extend(others.into_iter().map(|h| h.join().ok().flatten()));
            done
        });

        let mut scored = Vec::new();
        for part in parts {
            scored.extend(part?);
        }
        scored.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        Some(scored)
    }

    /// Keeps `query`'s result with the remembered queries it extends (the ones typed on the way
    /// to it), so typing on narrows and backspace goes back for free.
    fn remember(&mut self, query: String, ranked: Ranked) {
        self.remembered
            .retain(|r| r.query != query && query.starts_with(&r.query));
        if self.remembered.len() >= REMEMBERED {
            self.remembered.remove(0);
        }
        self.remembered.push(Remembered { query, ranked });
    }
}

impl std::fmt::Debug for Matching {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Matching")
            .field("threads", &self.matchers.len())
            .field("remembered", &self.remembered.len())
            .finish_non_exhaustive()
    }
}

/// Scores one share of the candidates; `None` when cancelled partway.
fn score_part(
    index: &FuzzyIndex,
    pattern: &Pattern,
    part: &[u32],
    matcher: &mut Matcher,
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Option<Vec<(u32, u32)>> {
    let mut scored = Vec::new();
    for (n, &position) in part.iter().enumerate() {
        if n % CHECK_EVERY == 0 && cancelled() {
            return None;
        }
        let Some(haystack) = index.get(position as usize) else {
            continue;
        };
        if let Some(score) = pattern.score(haystack.slice(..), matcher) {
            scored.push((score, position));
        }
    }
    Some(scored)
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
    // ASCII is its own graphemes but for "\r\n", has no accents, and lowers on its own.
    if text.is_ascii() && !text.contains('\r') {
        return text.to_ascii_lowercase();
    }
    fold_graphemes(text)
}

fn fold_graphemes(text: &str) -> String {
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

#[cfg(test)]
mod tests;
