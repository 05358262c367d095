//! The list on its own: filter answers that arrive late or out of order, and the store's rows
//! giving way to GHL's.

use super::*;
use crate::tui::filter::Matching;

fn row(id: &str, name: &str) -> ContactRow {
    ContactRow {
        id: id.into(),
        name: name.into(),
        email: Some(format!("{id}@e.test")),
        ..ContactRow::default()
    }
}

fn stored(id: &str, name: &str) -> ContactRow {
    ContactRow {
        stored: true,
        ..row(id, name)
    }
}

fn people() -> Vec<ContactRow> {
    [
        "Ada Lovelace",
        "Alan Turing",
        "Grace Hopper",
        "Adam Smith",
        "Edsger Dijkstra",
    ]
    .iter()
    .enumerate()
    .map(|(i, name)| row(&format!("c{i}"), name))
    .collect()
}

/// A list with one listing of `rows` from GHL.
fn listed(rows: Vec<ContactRow>, more: bool) -> ContactList {
    let mut list = ContactList::default();
    let generation = list.restart(None);
    let total = rows.len() as u64;
    assert!(list.add_page(generation, rows, total, more));
    list
}

/// Runs the pass the list asked for, as the filter thread would.
fn answer(list: &mut ContactList) -> Filtered {
    let job = list.take_filter_job().expect("a pass was asked for");
    job.run(&mut Matching::new(1), &|| false)
        .expect("not cancelled")
}

fn names(list: &ContactList) -> Vec<&str> {
    (0..list.len())
        .filter_map(|row| list.at(row).map(|c| c.name.as_str()))
        .collect()
}

fn ids(list: &ContactList) -> Vec<&str> {
    (0..list.len())
        .filter_map(|row| list.at(row).map(|c| c.id.as_str()))
        .collect()
}

#[test]
fn the_previous_rows_stay_until_the_answer_arrives() {
    let mut list = listed(people(), false);
    list.set_filter("ada".into());
    assert_eq!(list.len(), 5, "nothing answered yet");
    assert!(list.filter_pending());
    let done = answer(&mut list);
    assert!(list.apply_filtered(done));
    assert_eq!(names(&list), ["Ada Lovelace", "Adam Smith"]);
    assert!(!list.filter_pending());

    list.set_filter("adax".into());
    assert_eq!(names(&list), ["Ada Lovelace", "Adam Smith"]);
    let done = answer(&mut list);
    list.apply_filtered(done);
    assert!(list.is_empty());
}

#[test]
fn a_late_answer_never_replaces_a_newer_one() {
    let mut list = listed(people(), false);
    list.set_filter("a".into());
    let older = answer(&mut list);
    list.set_filter("ad".into());
    let newer = answer(&mut list);

    assert!(list.apply_filtered(newer));
    assert!(!list.apply_filtered(older), "stale");
    assert_eq!(names(&list), ["Ada Lovelace", "Adam Smith"]);
}

#[test]
fn an_older_answer_is_shown_while_the_newest_is_still_running() {
    let mut list = listed(people(), false);
    list.set_filter("a".into());
    let older = answer(&mut list);
    list.set_filter("ad".into());
    let newer = answer(&mut list);

    assert!(list.apply_filtered(older), "newer than what is shown");
    assert!(list.filter_pending());
    assert!(list.apply_filtered(newer));
    assert_eq!(names(&list), ["Ada Lovelace", "Adam Smith"]);
}

#[test]
fn clearing_the_filter_drops_answers_on_their_way() {
    let mut list = listed(people(), false);
    list.set_filter("grace".into());
    let late = answer(&mut list);
    list.set_filter(String::new());
    assert!(
        list.take_filter_job().is_none(),
        "a blank filter needs no pass"
    );
    assert!(!list.apply_filtered(late));
    assert_eq!(list.len(), 5);
    assert!(!list.filter_pending());
}

#[test]
fn a_new_query_selects_its_best_match() {
    let mut list = listed(people(), false);
    list.cursor.selected = 4;
    list.set_filter("a".into());
    assert_eq!(list.cursor.selected, 4, "unchanged until the answer");
    let done = answer(&mut list);
    list.apply_filtered(done);
    assert_eq!(list.cursor.selected, 0);
}

#[test]
fn more_rows_for_the_same_query_keep_the_selected_contact() {
    let mut list = listed(people(), true);
    list.set_filter("ae".into());
    let done = answer(&mut list);
    list.apply_filtered(done);
    let bottom = list.len() - 1;
    list.cursor.selected = bottom;
    let chosen = list.selected().map(|c| c.id.clone());

    // A page with a better match than every row so far moves the chosen one down a row.
    assert!(list.add_page(list.generation, vec![row("c8", "Ae")], 6, false));
    let done = answer(&mut list);
    assert!(list.apply_filtered(done));
    assert_eq!(list.at(0).map(|c| c.id.as_str()), Some("c8"));
    assert_eq!(list.selected().map(|c| c.id.clone()), chosen);
    assert_eq!(list.cursor.selected, bottom + 1);
}

#[test]
fn the_selection_stays_within_fewer_rows() {
    let mut list = listed(people(), true);
    list.set_filter("a".into());
    let done = answer(&mut list);
    list.apply_filtered(done);
    let bottom = list.len() - 1;
    list.cursor.selected = bottom;
    let chosen = list.selected().map(|c| c.id.clone()).unwrap();

    // The chosen contact no longer matches once reloaded; the next answer drops it.
    list.replace(&Contact {
        id: chosen,
        name: Some("Zed".into()),
        ..Contact::default()
    });
    list.add_page(list.generation, vec![row("c9", "Quin")], 6, false);
    let done = answer(&mut list);
    assert!(list.apply_filtered(done));
    assert_eq!(list.len(), bottom);
    assert_eq!(list.cursor.selected, bottom - 1, "clamped to the last row");
    assert!(list.selected().is_some());
}

#[test]
fn answers_for_an_earlier_listing_are_dropped() {
    let mut list = listed(people(), false);
    list.set_filter("a".into());
    let late = answer(&mut list);
    let generation = list.restart(None);
    list.add_page(generation, vec![row("x1", "Zed")], 1, false);
    assert!(!list.apply_filtered(late));
    let done = answer(&mut list);
    list.apply_filtered(done);
    assert!(list.is_empty(), "Zed has no a");
}

#[test]
fn ghl_rows_take_the_place_of_their_store_copies() {
    let mut list = ContactList::default();
    let generation = list.restart(None);
    let copy = vec![
        stored("c1", "One"),
        stored("c2", "Two"),
        stored("c3", "Three (old name)"),
        stored("c4", "Four"),
    ];
    let synced = Some("2026-03-01T10:00:00.000Z".to_string());
    assert!(list.add_stored_page(generation, copy, (4, synced.clone()), false));
    assert_eq!(ids(&list), ["c1", "c2", "c3", "c4"]);
    assert_eq!(list.total, 4);
    assert_eq!(list.stored_rows(), 4);
    assert_eq!(list.stored().and_then(|s| s.synced_at.clone()), synced);

    let page = vec![row("c3", "Three"), row("c9", "Nine")];
    assert!(list.add_page(generation, page, 50, true));
    assert_eq!(ids(&list), ["c3", "c9", "c1", "c2", "c4"]);
    assert_eq!(list.items.len(), 5, "c3 replaced in place");
    assert_eq!(list.stored_rows(), 3);
    assert_eq!(list.total, 50, "GHL's count from now on");
    assert!(!list.at(0).unwrap().stored);

    list.set_filter("old name".into());
    let done = answer(&mut list);
    list.apply_filtered(done);
    assert!(list.is_empty(), "the store's text is gone from the index");
    list.set_filter("three".into());
    let done = answer(&mut list);
    list.apply_filtered(done);
    assert_eq!(ids(&list), ["c3"]);
}

#[test]
fn the_end_of_ghl_listing_drops_store_rows_it_never_sent() {
    let mut list = ContactList::default();
    let generation = list.restart(None);
    let copy = vec![
        stored("c1", "One"),
        stored("c2", "Gone"),
        stored("c3", "Three"),
    ];
    list.add_stored_page(generation, copy, (3, None), false);
    list.add_page(generation, vec![row("c3", "Three")], 2, true);
    list.cursor.selected = 1;
    assert_eq!(list.selected().map(|c| c.id.as_str()), Some("c1"));

    list.add_page(generation, vec![row("c1", "One")], 2, false);
    assert_eq!(ids(&list), ["c3", "c1"]);
    assert!(list.stored().is_none());
    assert_eq!(list.items.len(), 2);
    assert_eq!(list.selected().map(|c| c.id.as_str()), Some("c1"));

    list.set_filter("one".into());
    let done = answer(&mut list);
    list.apply_filtered(done);
    assert_eq!(ids(&list), ["c1"], "the index closed up with the rows");

    let late = vec![stored("c2", "Gone")];
    assert!(list.add_stored_page(generation, late, (3, None), false));
    list.set_filter(String::new());
    assert_eq!(
        ids(&list),
        ["c3", "c1"],
        "a store page after GHL's end changes nothing"
    );
}

#[test]
fn store_pages_after_ghl_rows_skip_contacts_already_listed() {
    let mut list = ContactList::default();
    let generation = list.restart(None);
    list.add_page(generation, vec![row("c2", "Two")], 3, true);
    let copy = vec![
        stored("c1", "One"),
        stored("c2", "Two (old)"),
        stored("c3", "Three"),
    ];
    list.add_stored_page(generation, copy, (3, None), false);
    assert_eq!(ids(&list), ["c2", "c1", "c3"]);
    assert_eq!(list.at(0).map(|c| c.name.as_str()), Some("Two"));
    assert_eq!(list.total, 3);
}

#[test]
fn the_next_page_is_asked_for_near_the_end_of_ghl_rows() {
    let mut list = ContactList::default();
    let generation = list.restart(None);
    let copy: Vec<ContactRow> = (0..1_000)
        .map(|i| stored(&format!("s{i}"), "Stored"))
        .collect();
    list.add_stored_page(generation, copy, (1_000, None), false);
    let page: Vec<ContactRow> = (0..100).map(|i| row(&format!("g{i}"), "Live")).collect();
    list.add_page(generation, page, 2_000, true);
    list.cursor.selected = 10;
    assert!(!list.wants_next_page());
    list.cursor.selected = 50;
    assert!(list.wants_next_page(), "near the end of what GHL sent");
}

#[test]
fn a_store_page_of_an_earlier_listing_is_dropped() {
    let mut list = listed(people(), false);
    let old = list.generation;
    list.restart(None);
    assert!(!list.add_stored_page(old, vec![stored("s1", "Old")], (1, None), false));
    assert_eq!(list.len(), 5);
}

#[test]
fn a_store_page_replaces_a_stale_listing_and_keeps_the_selection() {
    let mut list = listed(people(), false);
    list.cursor.selected = 2;
    let generation = list.restart(None);
    let copy = vec![stored("c9", "Nine"), stored("c2", "Grace Hopper")];
    list.add_stored_page(generation, copy, (2, None), true);
    assert_eq!(ids(&list), ["c9", "c2"]);
    assert_eq!(list.selected().map(|c| c.id.as_str()), Some("c2"));
}

/// `G` pressed while the old listing still shows (a new sort on its way) lands on the new
/// listing's end once it arrives, not on whatever row the old end's contact has there.
#[test]
fn the_end_asked_for_during_a_stale_listing_is_the_new_listings_end() {
    let mut list = listed(people(), false);
    let generation = list.restart(None);
    assert!(list.is_stale());
    list.cursor.selected = list.len() - 1;
    list.end_for = Some(generation);
    let mut again = people();
    again.reverse();
    again.push(row("c9", "Zoe New"));
    assert!(list.add_page(generation, again, 6, false));
    assert_eq!(list.selected().map(|c| c.id.as_str()), Some("c9"));
    assert_eq!(list.end_for, None);

    // Without it, the selected contact is found again in the new order.
    let generation = list.restart(None);
    list.cursor.selected = 0;
    assert!(list.add_page(generation, people(), 5, false));
    assert_eq!(list.selected().map(|c| c.id.as_str()), Some("c4"));
}

/// A filter that matches nothing leaves nothing selected; clearing it selects again the
/// contact selected before it was typed, not the first row.
#[test]
fn clearing_a_filter_that_matched_nothing_selects_the_contact_from_before() {
    let mut list = listed(people(), false);
    list.cursor.selected = 3;
    list.set_filter("qqqqzz".into());
    let done = answer(&mut list);
    list.apply_filtered(done);
    assert!(list.is_empty());
    list.set_filter(String::new());
    assert_eq!(list.selected().map(|c| c.name.as_str()), Some("Adam Smith"));

    // A filter that matched keeps its own selection when cleared.
    list.set_filter("grace".into());
    let done = answer(&mut list);
    list.apply_filtered(done);
    list.set_filter(String::new());
    assert_eq!(
        list.selected().map(|c| c.name.as_str()),
        Some("Grace Hopper")
    );
}
