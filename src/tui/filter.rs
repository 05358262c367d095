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
//! added, so most haystacks become ASCII and take the matcher's fast path, and the rest can be
//! matched case-sensitively, without the matcher folding each of their characters again; the
//! text of a chunk of entries is stored back to back, so a pass reads memory in order instead
//! of following a pointer per contact into a heap shared with the contact rows; an entry whose
//! letters and digits lack one the query needs is skipped without calling the matcher; a pass
//! hands its chunks out to the cores in turn, so a core that gets less of the CPU takes fewer;
//! and the results of the queries typed so far are kept, so a query that extends one of them
//! scores only what it matched, and a backspace back to one of them costs nothing.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use nucleo_matcher::chars::{graphemes, normalize, to_lower_case};
use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

/// Entries per chunk of the index. A snapshot shares the chunks; changing an entry copies only
/// its chunk, and only when a pass still holds it. A pass hands out its work a chunk at a time.
const CHUNK: usize = 1_024;

/// How many queries typed in a row are remembered, to narrow from and to go back to.
const REMEMBERED: usize = 24;

/// Below this many candidates a pass stays on one thread: starting another costs more.
const SPLIT_FROM: usize = 8_192;

/// An entry's length field with this bit set counts `char`s in the chunk's wide text; without
/// it, bytes of its ASCII text.
const WIDE: u32 = 1 << 31;

/// The searchable text of many contacts, entry `i` for contact `i` of the list, folded and
/// converted for the matcher once, when added.
///
/// Cloning it is cheap (the chunks are shared): a clone is the snapshot a filter pass searches
/// while the console goes on adding entries to its own copy.
#[derive(Clone)]
pub struct FuzzyIndex {
    chunks: Vec<Arc<Chunk>>,
    len: usize,
    /// Changes whenever an entry changes, so results remembered from before are not reused.
    epoch: u64,
}

/// Up to [`CHUNK`] entries, their text back to back (so a pass reads memory in order rather
/// than chasing a pointer per entry): ASCII text as bytes, any other as `char`s.
#[derive(Clone, Default)]
struct Chunk {
    entries: Vec<Entry>,
    ascii: Vec<u8>,
    wide: Vec<char>,
    /// Bytes and `char`s no entry uses any more (their entry was replaced).
    unused: usize,
}

/// Where an entry's text is in its chunk, and which letters and digits it has.
#[derive(Clone, Copy)]
struct Entry {
    start: u32,
    /// The length, with [`WIDE`] set for text in `wide`.
    len: u32,
    /// The ASCII letters and digits in the text (see [`bit`]).
    has: u64,
}

impl Chunk {
    fn push(&mut self, text: Utf32Str<'_>) {
        let entry = self.store(text);
        self.entries.push(entry);
        if self.entries.len() == CHUNK {
            // Full: it grows no more, so it need not hold room to.
            self.ascii.shrink_to_fit();
            self.wide.shrink_to_fit();
        }
    }

    /// Appends `text` to the chunk's text; returns the entry for it.
    fn store(&mut self, text: Utf32Str<'_>) -> Entry {
        let (start, len) = match text {
            Utf32Str::Ascii(bytes) => {
                let start = self.ascii.len();
                self.ascii.extend_from_slice(bytes);
                (start, bytes.len())
            }
            Utf32Str::Unicode(chars) => {
                let start = self.wide.len();
                self.wide.extend_from_slice(chars);
                (start, chars.len() | WIDE as usize)
            }
        };
        Entry {
            start: u32::try_from(start).unwrap_or(u32::MAX),
            len: u32::try_from(len).unwrap_or(u32::MAX),
            has: letters_of(text.chars()),
        }
    }

    fn get(&self, offset: usize) -> Option<(Utf32Str<'_>, u64)> {
        let entry = self.entries.get(offset)?;
        Some((self.text(entry)?, entry.has))
    }

    fn text(&self, entry: &Entry) -> Option<Utf32Str<'_>> {
        let start = entry.start as usize;
        let len = (entry.len & !WIDE) as usize;
        Some(if entry.len & WIDE == 0 {
            Utf32Str::Ascii(self.ascii.get(start..start + len)?)
        } else {
            Utf32Str::Unicode(self.wide.get(start..start + len)?)
        })
    }

    fn replace(&mut self, offset: usize, text: Utf32Str<'_>) {
        if offset >= self.entries.len() {
            return;
        }
        let old = self.entries[offset];
        let (start, room) = (old.start as usize, (old.len & !WIDE) as usize);
        // Text that fits where the old text was takes its place (GHL's copy of a stored
        // contact usually has the very same text); any other goes after the rest.
        let in_place = match text {
            Utf32Str::Ascii(bytes) if old.len & WIDE == 0 && bytes.len() <= room => self
                .ascii
                .get_mut(start..start + bytes.len())
                .map(|slot| slot.copy_from_slice(bytes)),
            Utf32Str::Unicode(chars) if old.len & WIDE != 0 && chars.len() <= room => self
                .wide
                .get_mut(start..start + chars.len())
                .map(|slot| slot.copy_from_slice(chars)),
            _ => None,
        };
        let entry = match in_place {
            Some(()) => Entry {
                start: old.start,
                len: u32::try_from(text.len()).unwrap_or(u32::MAX) | (old.len & WIDE),
                has: letters_of(text.chars()),
            },
            None => self.store(text),
        };
        self.entries[offset] = entry;
        // What of the old text's room no entry uses now.
        self.unused += match in_place {
            Some(()) => room - text.len(),
            None => room,
        };
        // Text left behind by replaced entries is dropped once it outweighs the text in use.
        let held = self.ascii.len() + self.wide.len();
        if self.unused > CHUNK * 16 && self.unused * 2 > held {
            let mut compact = Chunk::default();
            for entry in &self.entries {
                if let Some(text) = self.text(entry) {
                    compact.push(text);
                }
            }
            *self = compact;
        }
    }
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
        fold(text, |folded| self.push_folded(folded));
    }

    /// Changes the text of the entry at `position`.
    pub fn replace(&mut self, position: usize, text: &str) {
        if let Some(chunk) = self.chunks.get_mut(position / CHUNK)
            && position < self.len
        {
            fold(text, |folded| {
                Arc::make_mut(chunk).replace(position % CHUNK, folded);
            });
            self.epoch = next_epoch();
        }
    }

    /// Keeps only the entries `keep` says yes to, in order; entry positions close up.
    pub fn retain(&mut self, keep: impl Fn(usize) -> bool) {
        let mut kept = Self::new();
        for (at, chunk) in std::mem::take(&mut self.chunks).iter().enumerate() {
            for offset in 0..chunk.entries.len() {
                if keep(at * CHUNK + offset)
                    && let Some((text, _)) = chunk.get(offset)
                {
                    kept.push_folded(text);
                }
            }
        }
        *self = kept;
    }

    fn push_folded(&mut self, text: Utf32Str<'_>) {
        if self.len.is_multiple_of(CHUNK) {
            self.chunks.push(Arc::new(Chunk::default()));
        }
        if let Some(last) = self.chunks.last_mut() {
            Arc::make_mut(last).push(text);
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
    /// The same positions as a bit set (bit `p % 64` of word `p / 64`), to narrow from in
    /// entry order.
    matched: Vec<u64>,
}

/// Runs queries over an index: a matcher per thread, and the results of the queries typed
/// lately, to narrow from or return to.
pub struct Matching {
    matchers: Vec<Matcher>,
    remembered: Vec<Remembered>,
    /// The index epoch the remembered results belong to.
    epoch: u64,
}

/// A query ready to run: its atoms, and the letters and digits an entry must have to match.
struct Search {
    pattern: Pattern,
    needs: u64,
}

/// The entries a pass looks at: those `within` says (every one when `None`) among the first
/// `covers`, and every entry from `covers` on.
#[derive(Clone, Copy)]
struct Candidates<'a> {
    within: Option<&'a [u64]>,
    covers: usize,
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
        let search = Search::of(&query);
        if search.pattern.atoms.is_empty() {
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
            let base = self
                .remembered
                .iter()
                .filter(|r| r.query == query || narrows(&r.query, &query))
                .min_by_key(|r| r.ranked.rows.len());
            let (candidates, count) = match base {
                Some(r) => (
                    Candidates {
                        within: Some(&r.matched),
                        covers: r.ranked.covers,
                    },
                    r.ranked.rows.len() + index.len().saturating_sub(r.ranked.covers),
                ),
                None => (
                    Candidates {
                        within: None,
                        covers: 0,
                    },
                    index.len(),
                ),
            };
            let threads = if count < SPLIT_FROM {
                1
            } else {
                self.matchers.len()
            };
            let matchers = &mut self.matchers[..threads];
            let keys = score(index, &search, candidates, matchers, cancelled)?;
            Ranked {
                rows: keys.iter().map(|&key| position_of(key)).collect(),
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

    /// Keeps `query`'s result with the remembered queries it extends (the ones typed on the way
    /// to it), so typing on narrows and backspace goes back for free.
    fn remember(&mut self, query: String, ranked: Ranked) {
        self.remembered
            .retain(|r| r.query != query && query.starts_with(&r.query));
        if self.remembered.len() >= REMEMBERED {
            self.remembered.remove(0);
        }
        let mut matched = vec![0; ranked.covers.div_ceil(64)];
        for &position in ranked.rows.iter() {
            if let Some(word) = matched.get_mut(position as usize / 64) {
                *word |= 1 << (position % 64);
            }
        }
        self.remembered.push(Remembered {
            query,
            ranked,
            matched,
        });
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

impl Search {
    /// The search for a folded query.
    ///
    /// Entries are folded as the query is, so a fuzzy or substring atom matches case-sensitively
    /// (the same matches and scores: folded text has nothing left to fold), which spares the
    /// matcher folding every character of non-ASCII text. A `^`, `$` or exact atom stays
    /// case-insensitive: nucleo-matcher 0.3 compares the whole haystack, not the matched part,
    /// in a case-sensitive one.
    fn of(query: &str) -> Self {
        let mut pattern = Pattern::parse(query, CaseMatching::Ignore, Normalization::Never);
        let respect = Pattern::parse(query, CaseMatching::Respect, Normalization::Never);
        if respect.atoms.len() == pattern.atoms.len() {
            for (atom, exact_case) in pattern.atoms.iter_mut().zip(respect.atoms) {
                if matches!(atom.kind, AtomKind::Fuzzy | AtomKind::Substring)
                    && atom.kind == exact_case.kind
                    && atom.negative == exact_case.negative
                {
                    *atom = exact_case;
                }
            }
        }
        Self {
            pattern,
            needs: needs(query),
        }
    }
}

/// The bit of an ASCII letter (either case) or digit: an entry's `has` and a query's `needs`.
fn bit(c: char) -> u64 {
    match c {
        'a'..='z' => 1 << (c as u32 - 'a' as u32),
        'A'..='Z' => 1 << (c as u32 - 'A' as u32),
        '0'..='9' => 1 << (26 + c as u32 - '0' as u32),
        _ => 0,
    }
}

/// The ASCII letters and digits among `chars`.
fn letters_of(chars: impl Iterator<Item = char>) -> u64 {
    chars.fold(0, |has, c| has | bit(c))
}

/// The ASCII letters and digits an entry must have to match `query`: those of its atoms that
/// are not negated. Atoms are split as nucleo-matcher splits them (at spaces not escaped with
/// `\`), and a character counts only where the matcher keeps it in the atom (the first of a
/// grapheme). The syntax characters are neither letters nor digits.
fn needs(query: &str) -> u64 {
    let mut escaped = false;
    let atoms = query.split(move |c| {
        let split = c == ' ' && !escaped;
        escaped = c == '\\' && !split;
        split
    });
    atoms
        .filter(|atom| !atom.starts_with('!'))
        .map(|atom| letters_of(graphemes(atom)))
        .fold(0, |needs, has| needs | has)
}

/// Scores the candidates, the chunks handed out in turn to the matchers' threads (so a thread
/// that gets less of the CPU takes fewer), each thread sorting its own; then merges them. The
/// answer is keys, best first: the score inverted above the entry's position, so that equal
/// scores keep entry order. `None` when cancelled partway.
fn score(
    index: &FuzzyIndex,
    search: &Search,
    candidates: Candidates<'_>,
    matchers: &mut [Matcher],
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Option<Vec<u64>> {
    let next = AtomicUsize::new(0);
    let work = |matcher: &mut Matcher| -> Option<Vec<u64>> {
        let mut keys = Vec::new();
        loop {
            let at = next.fetch_add(1, Ordering::Relaxed);
            let Some(chunk) = index.chunks.get(at) else {
                break;
            };
            if cancelled() {
                return None;
            }
            score_chunk(chunk, at * CHUNK, search, candidates, matcher, &mut keys);
        }
        keys.sort_unstable();
        Some(keys)
    };
    let parts: Vec<Option<Vec<u64>>> = std::thread::scope(|scope| {
        let (first, others) = matchers.split_first_mut()?;
        let others: Vec<_> = others
            .iter_mut()
            .map(|matcher| scope.spawn(|| work(matcher)))
            .collect();
        let mut done = vec![work(first)];
        done.extend(others.into_iter().map(|h| h.join().ok().flatten()));
        Some(done)
    })?;
    let mut merged: Vec<u64> = Vec::new();
    for part in parts {
        merged = merge(merged, part?);
    }
    Some(merged)
}

/// The entry position in a key of [`score`]'s answer.
fn position_of(key: u64) -> u32 {
    u32::try_from(key & u64::from(u32::MAX)).unwrap_or(u32::MAX)
}

/// Scores the candidates of one chunk, whose first entry is at `from`, into `keys`.
fn score_chunk(
    chunk: &Chunk,
    from: usize,
    search: &Search,
    candidates: Candidates<'_>,
    matcher: &mut Matcher,
    keys: &mut Vec<u64>,
) {
    let mut one = |offset: usize| {
        let Some(entry) = chunk.entries.get(offset) else {
            return;
        };
        if entry.has & search.needs != search.needs {
            return;
        }
        if let Some(text) = chunk.text(entry)
            && let Some(score) = search.pattern.score(text, matcher)
        {
            let position = (from + offset) as u64;
            keys.push(u64::from(u32::MAX - score) << 32 | position);
        }
    };
    let Some(within) = candidates.within else {
        (0..chunk.entries.len()).for_each(&mut one);
        return;
    };
    for word in 0..chunk.entries.len().div_ceil(64) {
        let first = from + word * 64;
        let mut bits = within.get(first / 64).copied().unwrap_or(0);
        // Entries from `covers` on were not searched then: every one is a candidate.
        if candidates.covers < first + 64 {
            bits |= u64::MAX << candidates.covers.saturating_sub(first);
        }
        while bits != 0 {
            let bit = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            one(word * 64 + bit);
        }
    }
}

/// Two ascending runs of keys as one.
fn merge(a: Vec<u64>, b: Vec<u64>) -> Vec<u64> {
    if a.is_empty() {
        return b;
    }
    if b.is_empty() {
        return a;
    }
    let mut merged = Vec::with_capacity(a.len() + b.len());
    let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
    while let (Some(x), Some(y)) = (a.peek(), b.peek()) {
        if x <= y {
            merged.extend(a.next());
        } else {
            merged.extend(b.next());
        }
    }
    merged.extend(a);
    merged.extend(b);
    merged
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

/// Hands `text` folded and converted for the matcher to `store`: ASCII when folding made it so.
fn fold(text: &str, store: impl FnOnce(Utf32Str<'_>)) {
    let folded = fold_text(text);
    if folded.is_ascii() {
        store(Utf32Str::Ascii(folded.as_bytes()));
    } else {
        let chars: Vec<char> = folded.chars().collect();
        store(Utf32Str::Unicode(&chars));
    }
}

#[cfg(test)]
mod tests;
