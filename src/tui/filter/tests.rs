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
