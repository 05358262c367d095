//! The store as a contact list: what the console shows at start, before GHL has answered. Pages
//! come in GHL's own listing order (last update first), so the rows the console draws first are
//! the ones GHL will send first, and each page walks the `contacts_listing` index straight to
//! where the previous one stopped.

use rusqlite::{OptionalExtension, Row};

use super::RankrError;
use super::sqlite::SqliteStore;

/// A contact as the console's list needs it: the columns the list shows and filters on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListedContact {
    /// The GHL contact id.
    pub ghl_id: String,
    /// The display name.
    pub name: Option<String>,
    /// The email as entered.
    pub email: Option<String>,
    /// The phone as entered.
    pub phone: Option<String>,
    /// The tags.
    pub tags: Vec<String>,
    /// GHL's `dateUpdated` of the stored version.
    pub date_updated: Option<String>,
}

impl ListedContact {
    /// Where the next page starts: after this contact.
    pub fn key(&self) -> ListingKey {
        ListingKey {
            date_updated: self.date_updated.clone(),
            ghl_id: self.ghl_id.clone(),
        }
    }
}

/// A position in the listing order: the last contact of a page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListingKey {
    /// Its `dateUpdated`; contacts without one come last.
    pub date_updated: Option<String>,
    /// Its GHL id, which orders contacts updated at the same moment.
    pub ghl_id: String,
}

const COLUMNS: &str = "ghl_id, name, email, phone, tags, date_updated";
const LIVE: &str = "location_id = ?1 AND tombstone = 0 AND ghl_id IS NOT NULL";

impl SqliteStore {
    /// A page of a location's live contacts in listing order (last update first, then those
    /// without a date), starting after `after`.
    pub fn listing_page(
        &self,
        location_id: &str,
        after: Option<&ListingKey>,
        limit: usize,
    ) -> Result<Vec<ListedContact>, RankrError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let dated = "date_updated IS NOT NULL";
        let order_dated = "ORDER BY date_updated DESC, ghl_id DESC LIMIT";
        let undated = "date_updated IS NULL";
        let order_undated = "ORDER BY ghl_id DESC LIMIT";
        let mut page = match after {
            None => self.listed(
                &format!("{LIVE} AND {dated} {order_dated} ?2"),
                &[&location_id, &limit],
            )?,
            Some(ListingKey {
                date_updated: Some(date),
                ghl_id,
            }) => self.listed(
                &format!(
                    "{LIVE} AND {dated} AND (date_updated, ghl_id) < (?2, ?3) {order_dated} ?4"
                ),
                &[&location_id, date, ghl_id, &limit],
            )?,
            Some(ListingKey {
                date_updated: None,
                ghl_id,
            }) => {
                return self.listed(
                    &format!("{LIVE} AND {undated} AND ghl_id < ?2 {order_undated} ?3"),
                    &[&location_id, ghl_id, &limit],
                );
            }
        };
        // The dated contacts are all listed: the undated ones follow on the same page.
        let room = limit - i64::try_from(page.len()).unwrap_or(limit);
        if room > 0 {
            page.extend(self.listed(
                &format!("{LIVE} AND {undated} {order_undated} ?2"),
                &[&location_id, &room],
            )?);
        }
        Ok(page)
    }

    /// How many contacts the listing of a location has. It walks the location's part of the
    /// index, so it is read after the first page, not before.
    pub fn listing_count(&self, location_id: &str) -> Result<u64, RankrError> {
        let contacts: i64 = self.lock()?.query_row(
            &format!("SELECT count(*) FROM contacts WHERE {LIVE}"),
            [location_id],
            |r| r.get(0),
        )?;
        Ok(u64::try_from(contacts).unwrap_or(0))
    }

    /// When a sync last wrote into a location (its cursor moved), if it ever did (RFC 3339).
    pub fn last_synced(&self, location_id: &str) -> Result<Option<String>, RankrError> {
        Ok(self
            .lock()?
            .query_row(
                "SELECT updated_at FROM sync_cursors WHERE location_id = ?1",
                [location_id],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()?
            .flatten())
    }

    fn listed(
        &self,
        clause: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<ListedContact>, RankrError> {
        let conn = self.lock()?;
        let sql = format!("SELECT {COLUMNS} FROM contacts WHERE {clause}");
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(args, listed_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

fn listed_from_row(r: &Row<'_>) -> rusqlite::Result<ListedContact> {
    let tags: String = r.get(4)?;
    Ok(ListedContact {
        ghl_id: r.get(0)?,
        name: r.get(1)?,
        email: r.get(2)?,
        phone: r.get(3)?,
        // A damaged tags column costs the row its tags in the list, not the whole listing.
        tags: serde_json::from_str(&tags).unwrap_or_default(),
        date_updated: r.get(5)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rankr::{Batch, RankrStore, StoredContact};

    fn contact(id: &str, location: &str, updated: Option<&str>, tombstone: bool) -> StoredContact {
        StoredContact {
            rankr_id: format!("rk_{id}"),
            ghl_id: Some(id.to_string()),
            location_id: location.to_string(),
            name: Some(format!("Name {id}")),
            tags: vec!["a".into()],
            custom_fields: serde_json::json!([]),
            date_updated: updated.map(str::to_string),
            tombstone,
            ..StoredContact::default()
        }
    }

    fn store() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("s.sqlite3")).unwrap();
        let contacts = vec![
            contact("c1", "L", Some("2026-01-01T00:00:00.000Z"), false),
            contact("c2", "L", Some("2026-03-01T00:00:00.000Z"), false),
            contact("c3", "L", Some("2026-03-01T00:00:00.000Z"), false),
            contact("c4", "L", None, false),
            contact("c5", "L", Some("2026-02-01T00:00:00.000Z"), true),
            contact("c6", "other", Some("2026-04-01T00:00:00.000Z"), false),
            contact("c7", "L", None, false),
        ];
        store
            .apply(&Batch {
                contacts,
                ..Batch::default()
            })
            .unwrap();
        (dir, store)
    }

    fn walk(store: &SqliteStore, limit: usize) -> Vec<String> {
        let mut ids = Vec::new();
        let mut after = None;
        loop {
            let page = store.listing_page("L", after.as_ref(), limit).unwrap();
            ids.extend(page.iter().map(|c| c.ghl_id.clone()));
            match page.last() {
                Some(last) if page.len() == limit => after = Some(last.key()),
                _ => return ids,
            }
        }
    }

    #[test]
    fn lists_live_contacts_newest_first_then_undated_in_any_page_size() {
        let (_dir, store) = store();
        let expected = ["c3", "c2", "c1", "c7", "c4"];
        for limit in 1..=6 {
            assert_eq!(walk(&store, limit), expected, "pages of {limit}");
        }
        let first = &store.listing_page("L", None, 1).unwrap()[0];
        assert_eq!(first.tags, ["a"]);
        assert_eq!(first.name.as_deref(), Some("Name c3"));
    }

    #[test]
    fn counts_live_contacts_and_says_when_it_synced() {
        let (_dir, store) = store();
        assert_eq!(store.listing_count("L").unwrap(), 5);
        assert_eq!(store.last_synced("L").unwrap(), None, "no cursor yet");
        store
            .apply(&Batch {
                cursor: Some(crate::rankr::CursorUpdate::Incremental {
                    location_id: "L".into(),
                    date_updated: "2026-03-01T00:00:00.000Z".into(),
                }),
                ..Batch::default()
            })
            .unwrap();
        assert!(store.last_synced("L").unwrap().is_some());
        assert_eq!(store.listing_count("nowhere").unwrap(), 0);
    }

    #[test]
    fn the_listing_walks_its_index() {
        let (_dir, store) = store();
        let conn = store.lock().unwrap();
        let plan: Vec<String> = conn
            .prepare(&format!(
                "EXPLAIN QUERY PLAN SELECT {COLUMNS} FROM contacts WHERE {LIVE}
                 AND date_updated IS NOT NULL AND (date_updated, ghl_id) < ('x', 'y')
                 ORDER BY date_updated DESC, ghl_id DESC LIMIT 10"
            ))
            .unwrap()
            .query_map(["L"], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let plan = plan.join("; ");
        assert!(plan.contains("contacts_listing"), "{plan}");
        assert!(!plan.contains("TEMP B-TREE"), "no sort: {plan}");

        let count: String = conn
            .query_row(
                &format!("EXPLAIN QUERY PLAN SELECT count(*) FROM contacts WHERE {LIVE}"),
                ["L"],
                |r| r.get(3),
            )
            .unwrap();
        assert!(count.contains("COVERING INDEX"), "no row read: {count}");
    }
}
