use std::fmt::Write as _;
use std::sync::atomic::AtomicBool;

use super::*;

fn index(texts: &[&str]) -> FuzzyIndex {
    FuzzyIndex::of(texts.iter().copied())
}

fn one() -> Matching {
    Matching::new(1)
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
    let index = index(&PEOPLE);
    assert_eq!(one().filter(&index, ""), vec![0, 1, 2, 3, 4]);
    assert_eq!(one().filter(&index, "   "), vec![0, 1, 2, 3, 4]);
}

#[test]
fn finds_by_name_email_or_phone() {
    let index = index(&PEOPLE);
    let mut matching = one();
    assert_eq!(matching.filter(&index, "hopper"), vec![2]);
    assert_eq!(matching.filter(&index, "navy"), vec![2]);
    assert_eq!(matching.filter(&index, "5555"), vec![3]);
    assert_eq!(matching.filter(&index, "李小"), vec![3]);
}

#[test]
fn ignores_case_and_accents() {
    let index = index(&PEOPLE);
    let mut matching = one();
    assert_eq!(matching.filter(&index, "nunez"), vec![1]);
    assert_eq!(matching.filter(&index, "JOSÉ"), vec![1]);
    assert_eq!(
        matching.filter(&FuzzyIndex::of(["JOSE"]), "josé"),
        vec![0],
        "both ways"
    );
}

#[test]
fn ascii_folds_as_its_graphemes_do() {
    for text in [
        "Ada LOVELACE ada@Example.COM +44 (20) 7946-0000 vip,news_letter",
        "tab\there ~!#$%^&*{}[]|\\:;\"'<>?/`",
        "line\nbreak",
    ] {
        assert_eq!(fold_text(text), fold_graphemes(text), "{text:?}");
    }
    assert_eq!(fold_text("a\r\nb"), fold_graphemes("a\r\nb"));
}

#[test]
fn best_match_comes_first() {
    let index = index(&["Bob Alanson", "Alan Turing", "xaxlxaxn"]);
    let hits = one().filter(&index, "alan");
    assert_eq!(hits.first(), Some(&1));
    assert_eq!(hits.len(), 3);
}

#[test]
fn words_must_all_match() {
    let index = index(&PEOPLE);
    let mut matching = one();
    assert_eq!(matching.filter(&index, "ada 7946"), vec![0]);
    assert!(matching.filter(&index, "ada hopper").is_empty());
}

#[test]
fn narrowing_gives_what_a_fresh_search_gives() {
    let index = index(&PEOPLE);
    let mut typed = one();
    for query in [
        "a", "ad", "ada", "ada ", "ada 7", "e", "ex", "exa$", "'ex", "'exa",
    ] {
        assert_eq!(
            typed.filter(&index, query),
            one().filter(&index, query),
            "{query:?}"
        );
    }
}

#[test]
fn backspace_gives_what_a_fresh_search_gives() {
    let index = index(&PEOPLE);
    let mut typed = one();
    let mut query = String::new();
    let keys = "ada 7\u{8}\u{8}\u{8}\u{8}\u{8}^gr\u{8}\u{8}e$\u{8}x!a\u{8}\u{8}";
    for key in keys.chars() {
        if key == '\u{8}' {
            query.pop();
        } else {
            query.push(key);
        }
        assert_eq!(
            typed.filter(&index, &query),
            one().filter(&index, &query),
            "{query:?}"
        );
    }
}

#[test]
fn a_query_narrowing_one_that_matched_nothing_matches_nothing() {
    let index = index(&PEOPLE);
    let mut matching = one();
    assert!(matching.filter(&index, "zq").is_empty());
    assert_eq!(
        matching.run(&index, "zqx", &|| false).map(|r| r.rows.len()),
        Some(0),
        "answered, not cancelled"
    );
}

#[test]
fn operators_that_widen_are_not_narrowed() {
    let index = index(&PEOPLE);
    let mut matching = one();
    assert!(
        matching.filter(&index, "!a").is_empty(),
        "every entry has an a"
    );
    assert_eq!(matching.filter(&index, "!ad"), vec![1, 2, 3, 4]);
    assert_eq!(matching.filter(&index, "^a"), vec![0, 4]);
    assert_eq!(matching.filter(&index, "^al"), vec![4]);
    assert_eq!(matching.filter(&index, "0000$"), vec![0, 3, 4]);
    assert!(!narrows("^", "^a") && !narrows("e$", "e$x") && !narrows("a", "a !b"));
    assert!(narrows("a", "ab c") && narrows("'ab", "'abc"));
}

#[test]
fn entries_added_or_changed_after_a_query_are_searched() {
    let mut index = index(&PEOPLE);
    let mut matching = one();
    assert!(matching.filter(&index, "gr").contains(&2));
    index.push("Greta Garbo greta@example.se");
    let mut hits = matching.filter(&index, "gre");
    hits.sort_unstable();
    assert_eq!(hits, vec![2, 5]);
    index.replace(0, "Ada Greco");
    let mut hits = matching.filter(&index, "gre");
    hits.sort_unstable();
    assert_eq!(hits, vec![0, 2, 5]);
    assert_eq!(matching.filter(&index, "gre"), one().filter(&index, "gre"));
}

#[test]
fn a_snapshot_does_not_see_later_changes() {
    let mut index = index(&PEOPLE);
    let snapshot = index.clone();
    index.push("Grace Kelly");
    index.replace(2, "nobody");
    assert_eq!(one().filter(&snapshot, "grace"), vec![2]);
    assert_eq!(one().filter(&index, "grace"), vec![5]);
}

#[test]
fn retain_closes_up_the_positions() {
    let mut index = FuzzyIndex::of((0..3000).map(|i| if i % 2 == 0 { "even" } else { "odd" }));
    let snapshot = index.clone();
    index.retain(|p| p % 2 == 1);
    assert_eq!(index.len(), 1500);
    assert!(one().filter(&index, "even").is_empty());
    assert_eq!(one().filter(&index, "odd").len(), 1500);
    assert_eq!(one().filter(&snapshot, "even").len(), 1500, "untouched");
}

#[test]
fn empty_index_is_fine() {
    let index = FuzzyIndex::new();
    assert!(index.is_empty());
    assert!(one().filter(&index, "x").is_empty());
}

fn people(count: usize) -> FuzzyIndex {
    let texts: Vec<String> = (0..count)
        .map(|i| format!("Person {i:06} person{i}@example.com +1555{i:07}"))
        .collect();
    FuzzyIndex::of(texts.iter().map(String::as_str))
}

#[test]
fn hundred_thousand_entries() {
    let index = people(100_000);
    assert_eq!(index.len(), 100_000);
    let mut matching = Matching::new(2);

    assert_eq!(matching.filter(&index, "").len(), 100_000);
    assert_eq!(matching.filter(&index, "'person4242@"), vec![4242]);
    assert_eq!(matching.filter(&index, "'person99999"), vec![99_999]);

    // Every entry ends with its own phone digits, so a suffix narrows to one.
    assert_eq!(matching.filter(&index, "15550012345$"), vec![12_345]);
    let many = matching.filter(&index, "person 12");
    assert!(many.contains(&12) && many.contains(&99_912));
}

#[test]
fn split_across_threads_gives_what_one_thread_gives() {
    let index = people(30_000);
    for query in ["12", "person 3", "'999", "!5 7$"] {
        assert_eq!(
            Matching::new(3).filter(&index, query),
            one().filter(&index, query),
            "{query:?}"
        );
    }
}

#[test]
fn a_cancelled_pass_gives_nothing_and_is_not_remembered() {
    let index = people(20_000);
    let mut matching = Matching::new(2);
    assert_eq!(matching.run(&index, "12", &|| true), None);
    let stop = AtomicBool::new(false);
    let ranked = matching.run(&index, "12", &|| stop.load(Ordering::Relaxed));
    assert_eq!(
        ranked.map(|r| r.rows.len()),
        Some(one().filter(&index, "12").len())
    );
}

/// The matching as it was before entries were stored back to back, queries matched
/// case-sensitively where that is safe, and entries skipped by their letters: every folded
/// entry scored case-insensitively, best first, equal scores in entry order. What the faster
/// matching must give, entry for entry and in the same order.
fn reference(texts: &[String], query: &str) -> Vec<usize> {
    let mut config = Config::DEFAULT;
    config.prefer_prefix = true;
    let mut matcher = Matcher::new(config);
    let query = fold_text(query);
    let pattern = Pattern::parse(&query, CaseMatching::Ignore, Normalization::Never);
    if pattern.atoms.is_empty() {
        return (0..texts.len()).collect();
    }
    let mut scored: Vec<(u32, usize)> = texts
        .iter()
        .enumerate()
        .filter_map(|(p, text)| {
            // As entries were stored: ASCII when folding made them so, else every char.
            let folded = fold_text(text);
            let chars: Vec<char> = folded.chars().collect();
            let haystack = if folded.is_ascii() {
                Utf32Str::Ascii(folded.as_bytes())
            } else {
                Utf32Str::Unicode(&chars)
            };
            Some((pattern.score(haystack, &mut matcher)?, p))
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().map(|(_, p)| p).collect()
}

/// A small deterministic generator, so the mixed corpus is the same on every run.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len())]
    }
}

const FIRSTS: [&str; 24] = [
    "James",
    "MARY",
    "Pat",
    "José",
    "François",
    "Zoë",
    "Анна",
    "Дмитрий",
    "Γιώργος",
    "Ελένη",
    "محمد",
    "דוד",
    "王",
    "佐藤",
    "김",
    "Straße",
    "İlker",
    "ǅemal",
    "Kelvin\u{212a}",
    "e\u{301}mile",
    "Ο\u{3c2}",
    "Ñúñez",
    "O'Neil",
    "🙂Joy",
];
const LASTS: [&str; 12] = [
    "Smith",
    "Walker",
    "García",
    "Müller",
    "Иванов",
    "Παπαδόπουλος",
    "李",
    "鈴木",
    "박",
    "Ørsted",
    "Łukasz",
    "de la Cruz",
];
const TAGS: [&str; 8] = [
    "vip",
    "News_Letter",
    "lead",
    "Kunde",
    "клиент",
    "a\tb",
    "x-y",
    "",
];

/// Contacts' search text in many scripts and cases, with odd characters (ß, İ, ǅ, the Kelvin
/// sign, a combining accent, final sigma, an emoji, a tab).
fn mixed(count: usize) -> Vec<String> {
    let mut rng = Lcg(7);
    (0..count)
        .map(|i| {
            let (first, last) = (rng.pick(&FIRSTS), rng.pick(&LASTS));
            let mut text = format!("{first} {last} {}.{i}@Example.test", first.to_lowercase());
            if rng.below(5) > 0 {
                let _ = write!(text, " +1555{:07}", rng.below(10_000_000));
            }
            text.push(' ');
            text.push_str(rng.pick(&TAGS));
            text
        })
        .collect()
}

/// Queries of every kind: letters, digits, words of other scripts, upper case, accents, and
/// the operators (`!`, `^`, `$`, `'`, escapes).
const QUERIES: [&str; 52] = [
    "p",
    "7",
    "z",
    "a",
    "pa",
    "pat",
    "ja sm",
    "JAMES",
    "jose",
    "josé",
    "francois",
    "zoe",
    "анна",
    "ан",
    "γιω",
    "ελενη",
    "مح",
    "李",
    "佐",
    "김",
    "strasse",
    "straße",
    "ss",
    "i̇lker",
    "ilker",
    "ǆ",
    "dz",
    "k",
    "kelvin",
    "emile",
    "ος",
    "σ",
    "nunez",
    "o'n",
    "🙂",
    "^j",
    "^JA",
    "^анна",
    "test$",
    "'smith",
    "'Mül",
    "!vip",
    "!^j",
    "^james smith$",
    "a\\ b",
    "\\!a",
    "!a\\ b",
    "1555 3",
    "x-y$",
    "^",
    "'",
    "vip !lead",
];

#[test]
fn matches_as_the_plain_case_insensitive_search_did() {
    let texts = mixed(3_000);
    let index = FuzzyIndex::of(texts.iter().map(String::as_str));
    let mut typed = one();
    for query in QUERIES {
        let expected = reference(&texts, query);
        assert_eq!(one().filter(&index, query), expected, "{query:?}");
        assert_eq!(
            Matching::new(3).filter(&index, query),
            expected,
            "{query:?}"
        );
        // Typed a key at a time: each query narrows the one before.
        let mut typing = String::new();
        for c in query.chars() {
            typing.push(c);
            assert_eq!(
                typed.filter(&index, &typing),
                reference(&texts, &typing),
                "{typing:?}"
            );
        }
    }
}

#[test]
fn pieces_of_entries_match_as_the_plain_search_did() {
    let texts = mixed(2_000);
    let index = FuzzyIndex::of(texts.iter().map(String::as_str));
    let mut rng = Lcg(11);
    let mut matching = Matching::new(2);
    for _ in 0..300 {
        let chars: Vec<char> = texts[rng.below(texts.len())].chars().collect();
        let from = rng.below(chars.len());
        let to = (from + 1 + rng.below(4)).min(chars.len());
        let mut query: String = chars[from..to].iter().collect();
        match rng.below(4) {
            0 => query = query.to_uppercase(),
            1 => query.insert(0, '^'),
            2 => query.push('$'),
            _ => {}
        }
        assert_eq!(
            matching.filter(&index, &query),
            reference(&texts, &query),
            "{query:?}"
        );
    }
}

#[test]
fn folded_text_has_nothing_left_to_fold() {
    // Matching folded entries case-sensitively gives what matching them case-insensitively
    // did only if folding twice is folding once, for every character.
    for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
        let folded = to_lower_case(normalize(c));
        assert_eq!(to_lower_case(folded), folded, "{c:?} folds to {folded:?}");
    }
}

#[test]
fn the_letters_a_query_needs() {
    let letters = |s: &str| letters_of(s.chars());
    assert_eq!(needs("Pat 7"), letters("pat7"));
    assert_eq!(needs("^ab$ 'c"), letters("abc"));
    assert_eq!(needs("a !b"), letters("a"), "a negated atom needs nothing");
    assert_eq!(
        needs("!a\\ b c"),
        letters("c"),
        "the escaped space keeps b in !a"
    );
    assert_eq!(
        needs("a\\ !b"),
        letters("ab"),
        "not negated: ! is inside the atom"
    );
    assert_eq!(needs("\\!a"), letters("a"), "an escaped ! is a character");
    assert_eq!(needs("жj_-.@"), letters("j"));
    assert_eq!(needs(""), 0);
}

#[test]
fn entries_added_after_a_query_mid_word_are_searched() {
    let mut texts = mixed(3_000);
    let mut index = FuzzyIndex::of(texts.iter().map(String::as_str));
    let mut matching = Matching::new(2);
    assert_eq!(matching.filter(&index, "a"), reference(&texts, "a"));
    // 3,000 is not a multiple of 64: the new entries share a word of the remembered set.
    for text in mixed(3_100).into_iter().skip(3_000) {
        index.push(&text);
        texts.push(text);
    }
    for query in ["a", "an", "ann"] {
        assert_eq!(
            matching.filter(&index, query),
            reference(&texts, query),
            "{query:?}"
        );
    }
}

#[test]
fn replacing_entries_again_and_again_keeps_the_text_right_and_small() {
    let mut index = people(CHUNK);
    let mut texts: Vec<String> = (0..CHUNK)
        .map(|i| format!("Person {i:06} person{i}@example.com +1555{i:07}"))
        .collect();
    for round in 0..40 {
        for position in (round % 3..CHUNK).step_by(3) {
            let text = if position % 2 == 0 {
                format!("Ελένη {round} {position}")
            } else {
                format!("Round {round} at {position}")
            };
            index.replace(position, &text);
            texts[position] = text;
        }
    }
    let chunk = &index.chunks[0];
    let used: usize = chunk.entries.iter().map(|e| (e.len & !WIDE) as usize).sum();
    assert!(chunk.ascii.len() + chunk.wide.len() <= 3 * used + CHUNK * 16);
    for query in ["round 39", "ελ 3", "person", "^round 1"] {
        assert_eq!(
            one().filter(&index, query),
            reference(&texts, query),
            "{query:?}"
        );
    }
}

#[test]
fn replacing_an_entry_with_text_that_fits_writes_it_in_place() {
    let texts: Vec<String> = (0..CHUNK).map(|i| format!("Ελένη {i:04} pat")).collect();
    let mut index = FuzzyIndex::of(texts.iter().map(String::as_str));
    let held = |index: &FuzzyIndex| index.chunks[0].ascii.len() + index.chunks[0].wide.len();
    let before = held(&index);
    let mut now = texts.clone();
    for (position, text) in texts.iter().enumerate() {
        let shorter = if position % 2 == 0 {
            text.clone()
        } else {
            format!("Ανν {position}")
        };
        index.replace(position, &shorter);
        now[position] = shorter;
    }
    assert_eq!(held(&index), before, "nothing appended");
    index.replace(7, "an ascii name now, and longer than it was");
    now[7] = "an ascii name now, and longer than it was".into();
    for query in ["ελ", "ανν 3", "pat", "ascii", "^αν", "ελ 0002$"] {
        assert_eq!(
            one().filter(&index, query),
            reference(&now, query),
            "{query:?}"
        );
    }
}
