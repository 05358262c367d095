//! The contact detail pane: every field, custom fields by name where known, DND settings, tags
//! as chips and dates in the display zone.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use serde_json::Value;

use crate::ghl::models::Contact;
use crate::tui::actions::Action;
use crate::tui::app::{App, Pane, Preview};
use crate::tui::forms::field_form::{FieldTarget, StandardField, value_text};
use crate::tui::text::fit;
use crate::tui::theme::Theme;
use crate::tui::view::pane_block;

/// The label of the row drawn as tag chips.
const TAGS: &str = "Tags";

/// The label of a custom field whose name is not known; the value column starts with its id.
const UNKNOWN_FIELD: &str = "Unknown field";

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A row of the pane: label, value, and the field it edits where it can be edited.
type Entry = (String, String, Option<FieldTarget>);

/// Pushes a row for a field with a value; a field the pane can edit gets its row even when
/// empty, so a missing email or phone can be filled in from here.
fn push(rows: &mut Vec<Entry>, label: &str, value: Option<&String>, target: Option<StandardField>) {
    let value = value.filter(|v| !v.is_empty());
    if value.is_some() || target.is_some() {
        rows.push((
            label.to_string(),
            value.cloned().unwrap_or_default(),
            target.map(FieldTarget::Standard),
        ));
    }
}

/// What an empty editable row shows, dimmed, in place of its value.
const NOT_SET: &str = "not set";

/// What the tags row shows, dimmed, for a contact without tags: how to add one, unless
/// read-only mode refuses it.
fn no_tags(app: &App) -> String {
    if app.settings.read_only {
        "none".to_string()
    } else {
        format!("none ({} adds one)", app.keymap.how(Action::TagAdd))
    }
}

fn dnd_rows(contact: &Contact, rows: &mut Vec<Entry>) {
    if let Some(dnd) = contact.dnd {
        rows.push((
            "DND".to_string(),
            if dnd { "on (all channels)" } else { "off" }.to_string(),
            None,
        ));
    }
    for (channel, setting) in contact.dnd_settings.iter().flatten() {
        let status = setting.get("status").map(text).unwrap_or_default();
        let message = setting.get("message").map(text).filter(|m| !m.is_empty());
        let value = match message {
            Some(message) => format!("{status} ({message})"),
            None => status,
        };
        rows.push((format!("DND {channel}"), value, None));
    }
}

fn entries(contact: &Contact, app: &App) -> Vec<Entry> {
    use StandardField as F;
    let mut rows = Vec::new();
    rows.push(("Name".to_string(), contact.display_name(), None));
    push(
        &mut rows,
        "First name",
        contact.first_name.as_ref(),
        Some(F::FirstName),
    );
    push(
        &mut rows,
        "Last name",
        contact.last_name.as_ref(),
        Some(F::LastName),
    );
    push(&mut rows, "Email", contact.email.as_ref(), Some(F::Email));
    push(&mut rows, "Phone", contact.phone.as_ref(), Some(F::Phone));
    push(&mut rows, "Company", contact.company_name.as_ref(), None);
    push(&mut rows, "Type", contact.contact_type.as_ref(), None);
    push(
        &mut rows,
        "Source",
        contact.source.as_ref(),
        Some(F::Source),
    );
    let assignee = contact
        .assigned_to
        .as_deref()
        .map(|id| app.directory.user_label(id));
    push(&mut rows, "Assigned to", assignee.as_ref(), None);
    push(
        &mut rows,
        "Timezone",
        contact.timezone.as_ref(),
        Some(F::Timezone),
    );
    dnd_rows(contact, &mut rows);
    rows.push((TAGS.to_string(), contact.tags.join(", "), None));
    let added = app.clock.show(contact.date_added.as_deref());
    push(&mut rows, "Added", Some(&added), None);
    let updated = app.clock.show(contact.date_updated.as_deref());
    push(&mut rows, "Updated", Some(&updated), None);
    rows.push(("Id".to_string(), contact.id.clone(), None));
    push(&mut rows, "Location", contact.location_id.as_ref(), None);
    push(&mut rows, "Business", contact.business_id.as_ref(), None);
    // The location's contact fields in the location's order, set or not, so a field keeps its
    // row when it is filled in or cleared (the selection stays on the field just edited);
    // then the fields the contact has that the location does not define.
    let mut defined: Vec<_> = app.directory.fields.values().collect();
    defined.sort_by(|a, b| {
        a.position
            .partial_cmp(&b.position)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| a.display_name().cmp(&b.display_name()))
            .then_with(|| a.id.cmp(&b.id))
    });
    for definition in defined {
        let value = contact
            .custom_fields
            .iter()
            .find(|f| f.id == definition.id)
            .map(|f| value_text(&f.value))
            .unwrap_or_default();
        rows.push((
            definition.display_name(),
            value,
            Some(FieldTarget::Custom {
                id: definition.id.clone(),
                kind: Some(definition.kind()),
                options: app.directory.field_options(&definition.id),
            }),
        ));
    }
    for field in contact
        .custom_fields
        .iter()
        .filter(|f| !app.directory.fields.contains_key(&f.id))
    {
        let value = value_text(&field.value);
        let target = Some(FieldTarget::Custom {
            id: field.id.clone(),
            kind: None,
            options: Vec::new(),
        });
        // The label column is narrow; an unknown field's id goes with its value so it shows
        // in full.
        rows.push(match field.key.clone() {
            Some(key) => (key, value, target),
            None => (
                UNKNOWN_FIELD.to_string(),
                format!("{}: {value}", field.id),
                target,
            ),
        });
    }
    // GHL's lower-case copies of the name and email fields (`firstNameLowerCase`, ...) repeat
    // rows shown above; every other field it sends is shown as it came.
    for (key, value) in contact
        .extra
        .iter()
        .filter(|(k, _)| !k.ends_with("LowerCase"))
    {
        rows.push((key.clone(), text(value), None));
    }
    rows
}

/// The rows of the detail pane: label and value.
pub fn rows(contact: &Contact, app: &App) -> Vec<(String, String)> {
    entries(contact, app)
        .into_iter()
        .map(|(label, value, _)| (label, value))
        .collect()
}

/// The field the selected row edits, with its label; `None` for a row that cannot be edited.
pub fn selected_target(app: &App) -> Option<(String, FieldTarget)> {
    let contact = app.detail.ready()?;
    let (label, _, target) = entries(contact, app)
        .into_iter()
        .nth(app.detail.cursor.selected)?;
    target.map(|t| (label, t))
}

/// How many rows the detail pane has.
pub fn row_count(app: &App) -> usize {
    app.detail.ready().map_or(0, |c| rows(c, app).len())
}

/// The selected row (label, value), for the yank; `None` on a row with no value.
pub fn selected_row(app: &App) -> Option<(String, String)> {
    let contact = app.detail.ready()?;
    rows(contact, app)
        .into_iter()
        .nth(app.detail.cursor.selected)
        .filter(|(_, value)| !value.is_empty())
}

/// The tag chips that fit in `width` cells on one line, never a chip cut in two; when some do
/// not fit, a dim `+N` says how many more there are (`y` on the row copies them all).
fn chips(tags: &[String], width: usize, theme: &Theme) -> Vec<Span<'static>> {
    use crate::tui::widgets::chips::layout;
    let mut lines = layout(tags, width);
    if lines.len() > 1 {
        lines = layout(tags, width.saturating_sub(MORE_CELLS));
    }
    let shown = lines.into_iter().next().unwrap_or_default();
    let hidden = tags.len().saturating_sub(shown.len());
    let mut spans = Vec::new();
    for chip in shown {
        spans.push(Span::styled(chip, theme.tag));
        spans.push(Span::raw(" "));
    }
    if hidden > 0 {
        spans.push(Span::styled(format!("+{hidden}"), theme.dim));
    }
    spans
}

/// Room kept for the `+N` after the chips that fit.
const MORE_CELLS: usize = 5;

/// Draws the detail pane.
pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let focused = app.focus == Pane::Detail;
    let block = pane_block("Detail", focused, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(contact) = app.detail.ready() else {
        if let Some(notice) = super::load_notice(&app.detail.load, theme) {
            super::render_notice(frame, inner, notice);
        }
        return;
    };
    let all = rows(contact, app);
    let label_width = 14;
    let value_width = usize::from(inner.width).saturating_sub(label_width + 1);
    let mut cursor = app.detail.cursor;
    let mut lines = Vec::new();
    // Only the list's row so far: an empty field there is not known to be unset.
    let (empty_word, mut height) = match &app.detail_preview {
        None => (NOT_SET, inner.height),
        Some(Preview::Loading) => {
            lines.push(Line::styled(
                fit("Loading the whole record…", usize::from(inner.width)),
                theme.dim,
            ));
            ("…", inner.height.saturating_sub(1))
        }
        Some(Preview::Failed(error)) => {
            let said = format!("Could not load the whole contact: {error}");
            lines.push(Line::styled(
                fit(&said, usize::from(inner.width)),
                theme.error,
            ));
            ("not loaded", inner.height.saturating_sub(1))
        }
    };
    if height == 0 {
        height = 1;
    }
    for index in cursor.visible(usize::from(height), all.len()) {
        let (label, value) = &all[index];
        let selected = focused && index == app.detail.cursor.selected;
        let label_style = if selected { theme.selection } else { theme.dim };
        let mut spans = vec![Span::styled(
            format!("{} ", fit(label, label_width)),
            label_style,
        )];
        if label == TAGS && !contact.tags.is_empty() {
            spans.extend(chips(&contact.tags, value_width, theme));
        } else if value.is_empty() {
            let empty = if label == TAGS {
                no_tags(app)
            } else {
                empty_word.to_string()
            };
            spans.push(Span::styled(fit(&empty, value_width), theme.dim));
        } else {
            spans.push(Span::styled(fit(value, value_width), theme.text));
        }
        lines.push(Line::from(spans));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::app::Settings;
    use crate::tui::clock::Clock;

    #[test]
    fn an_unknown_custom_field_shows_its_whole_id() {
        let contact: Contact = serde_json::from_value(serde_json::json!({
            "id": "c1",
            "customFields": [
                {"id": "zzzUnknownFieldId0123", "value": "x"},
                {"id": "cf_known", "value": "Gold"}
            ]
        }))
        .unwrap();
        let (mut app, _) = App::new(Settings::default(), Clock::system());
        let definition = crate::ghl::directory::CustomFieldDefinition {
            id: "cf_known".into(),
            name: Some("Tier".into()),
            ..Default::default()
        };
        app.directory.fields = [("cf_known".to_string(), definition)].into();
        let all = rows(&contact, &app);
        assert!(all.contains(&(
            UNKNOWN_FIELD.to_string(),
            "zzzUnknownFieldId0123: x".to_string()
        )));
        assert!(all.contains(&("Tier".to_string(), "Gold".to_string())));
        assert!(UNKNOWN_FIELD.len() <= 14, "fits the label column");
    }

    #[test]
    fn empty_editable_fields_and_unset_custom_fields_have_rows_in_the_location_order() {
        let contact: Contact = serde_json::from_value(serde_json::json!({
            "id": "c1",
            "firstName": "Ada",
            "customFields": [{"id": "cf_set", "value": "x"}]
        }))
        .unwrap();
        let (mut app, _) = App::new(Settings::default(), Clock::system());
        let definition = |id: &str, name: &str, position: f64| {
            let definition = crate::ghl::directory::CustomFieldDefinition {
                id: id.into(),
                name: Some(name.into()),
                position: Some(position),
                ..Default::default()
            };
            (id.to_string(), definition)
        };
        app.directory.fields = [
            definition("cf_set", "Set", 0.0),
            definition("cf_b", "Second", 200.0),
            definition("cf_a", "First", 100.0),
        ]
        .into();
        let all = entries(&contact, &app);
        let labels: Vec<&str> = all.iter().map(|(l, _, _)| l.as_str()).collect();
        for label in ["Email", "Phone", "Last name", "Source", "Timezone"] {
            let row = all.iter().find(|(l, _, _)| l == label).unwrap();
            assert!(row.1.is_empty() && row.2.is_some(), "{label}: {row:?}");
        }
        assert!(
            !labels.contains(&"Company"),
            "not editable, not shown empty"
        );
        let first = labels.iter().position(|l| *l == "First").unwrap();
        let second = labels.iter().position(|l| *l == "Second").unwrap();
        assert!(first < second, "{labels:?}");
        assert_eq!(labels.iter().filter(|l| **l == "Set").count(), 1);
        let target = &all[first].2;
        assert!(
            matches!(target, Some(FieldTarget::Custom { id, .. }) if id == "cf_a"),
            "{target:?}"
        );
        // Filling a field in keeps every row where it was, so the selection stays on it.
        let mut filled = contact.clone();
        filled
            .custom_fields
            .push(crate::ghl::models::CustomFieldValue {
                id: "cf_a".into(),
                value: serde_json::json!("now set"),
                ..Default::default()
            });
        let after: Vec<String> = entries(&filled, &app).into_iter().map(|e| e.0).collect();
        assert_eq!(after, labels, "rows keep their places");
        app.detail.cursor.selected = labels.iter().position(|l| *l == "Phone").unwrap();
        app.detail.load = crate::tui::record::Load::Ready(Box::new(contact));
        assert_eq!(selected_row(&app), None, "an empty row copies nothing");
    }

    #[test]
    fn tag_chips_that_do_not_fit_are_counted_never_cut() {
        let tags: Vec<String> = ["wholesale", "vip", "trial", "stage-test", "waitlist"]
            .iter()
            .map(|t| (*t).to_string())
            .collect();
        let theme = Theme::plain();
        let text = |width| -> String {
            chips(&tags, width, &theme)
                .iter()
                .map(|s| s.content.to_string())
                .collect()
        };
        let narrow = text(30);
        assert!(
            narrow.contains(" wholesale ") && narrow.ends_with("+2"),
            "{narrow:?}"
        );
        assert!(crate::tui::text::width(&narrow) <= 30, "{narrow:?}");
        let wide = text(80);
        assert!(
            wide.contains(" waitlist ") && !wide.contains('+'),
            "{wide:?}"
        );
    }
}
