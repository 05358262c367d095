//! Walking every page of a contact listing.

use super::api::ListQuery;
use super::client::{GhlClient, Reply};
use super::error::GhlError;
use super::models::{ListPage, SearchPage, SearchRequest, SearchSort};

/// Pages through a search with `searchAfter`, so there is no 10,000-record cap.
///
/// Each page repeats the template (filters, sort, query, page size) and carries the cursor of
/// the previous page's last contact.
#[derive(Debug, Clone)]
pub struct SearchPager {
    client: GhlClient,
    template: SearchRequest,
    cursor: Option<Vec<serde_json::Value>>,
    done: bool,
    fetched: u64,
}

impl SearchPager {
    /// A pager over `template`; a template with no sort is sorted by `dateAdded` ascending so
    /// the order is stable while new contacts arrive.
    pub fn new(client: GhlClient, mut template: SearchRequest) -> Self {
        if template.sort.is_empty() {
            template.sort = vec![SearchSort {
                field: "dateAdded".into(),
                direction: "asc".into(),
            }];
        }
        template.page = None;
        let cursor = template.search_after.take();
        Self {
            client,
            template,
            cursor,
            done: false,
            fetched: 0,
        }
    }

    /// The next page, or `None` when every contact has been returned.
    pub async fn next_page(&mut self) -> Result<Option<Reply<SearchPage>>, GhlError> {
        if self.done {
            return Ok(None);
        }
        let mut request = self.template.clone();
        request.search_after.clone_from(&self.cursor);
        let reply = self.client.search_contacts(request).await?;
        let page = &reply.value;
        let limit = self.template.page_limit.max(1) as usize;
        self.fetched += page.contacts.len() as u64;
        match page.contacts.last().and_then(|c| c.search_after.clone()) {
            Some(next) if page.contacts.len() >= limit => self.cursor = Some(next),
            _ => self.done = true,
        }
        Ok(Some(reply))
    }

    /// The cursor the next page starts after: persist it to resume a walk.
    pub fn cursor(&self) -> Option<&Vec<serde_json::Value>> {
        self.cursor.as_ref()
    }

    /// How many contacts the pages so far returned.
    pub fn fetched(&self) -> u64 {
        self.fetched
    }
}

/// Pages through the legacy list `GET /contacts/` with both `startAfter` and `startAfterId`
/// (C13), repeating the query and page size on every page.
#[derive(Debug, Clone)]
pub struct ListPager {
    client: GhlClient,
    query: ListQuery,
    done: bool,
}

impl ListPager {
    /// A pager starting at the cursors in `query` (none: from the start).
    pub fn new(client: GhlClient, query: ListQuery) -> Self {
        Self {
            client,
            query,
            done: false,
        }
    }

    /// The next page, or `None` when the listing is exhausted.
    pub async fn next_page(&mut self) -> Result<Option<Reply<ListPage>>, GhlError> {
        if self.done {
            return Ok(None);
        }
        let reply = self.client.list_contacts(&self.query).await?;
        let page = &reply.value;
        let limit = self.query.limit.unwrap_or(20).clamp(1, 100) as usize;
        let meta = page.meta.clone().unwrap_or_default();
        let last = page.contacts.last();
        let next_at = meta.start_after.or_else(|| {
            last.and_then(|c| c.date_added.as_deref())
                .and_then(super::models::parse_date)
                .map(|d| d.timestamp_millis())
        });
        let next_id = meta.start_after_id.or_else(|| last.map(|c| c.id.clone()));
        if page.contacts.len() < limit || next_at.is_none() || next_id.is_none() {
            self.done = true;
        }
        self.query.start_after = next_at;
        self.query.start_after_id = next_id;
        Ok(Some(reply))
    }
}

impl GhlClient {
    /// A pager over every contact matching `template`, by `searchAfter`.
    pub fn search_pager(&self, template: SearchRequest) -> SearchPager {
        SearchPager::new(self.clone(), template)
    }

    /// A pager over the legacy list.
    pub fn list_pager(&self, query: ListQuery) -> ListPager {
        ListPager::new(self.clone(), query)
    }
}
