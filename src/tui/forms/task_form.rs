//! The form that creates or edits a task: title, multi-line body, due date typed in the local
//! zone, assignee.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph};
use ratatui_textarea::{CursorMove, TextArea, WrapMode};

use crate::ghl::models::{NewTask, Task, TaskUpdate, format_due_date, parse_date};
use crate::tui::clock::Clock;
use crate::tui::directory::Directory;
use crate::tui::theme::Theme;
use crate::worker::messages::Command;

use super::dialog_block;

/// The fields of the form, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Title,
    Body,
    Due,
    Assignee,
}

const FIELDS: [Field; 4] = [Field::Title, Field::Body, Field::Due, Field::Assignee];

/// A task being written.
#[derive(Debug)]
pub struct TaskForm {
    /// The contact the task belongs to.
    pub contact_id: String,
    /// The task edited, or `None` for a new one.
    pub task_id: Option<String>,
    /// The completion of the edited task, kept as it is.
    pub completed: bool,
    title: TextArea<'static>,
    body: TextArea<'static>,
    due: TextArea<'static>,
    assignee: TextArea<'static>,
    /// The field keys go to.
    pub focus: Field,
    /// Why the last save was refused or failed.
    pub error: Option<String>,
    /// Whether a save was sent and its answer is awaited; keys wait meanwhile, except Esc.
    pub saving: bool,
    /// The fields' text when the form opened, to tell whether anything was typed.
    initial: Vec<String>,
    /// The location's users, for naming and completing the assignee.
    users: Directory,
    /// The assignee id the task had, sent back as it is when its field is left alone.
    original_assignee: Option<String>,
    /// The task's due date as GHL sent it, when editing.
    original_due: Option<String>,
}

/// What a key did to the form.
#[derive(Debug, PartialEq)]
pub enum TaskOutcome {
    /// Still editing.
    Editing,
    /// Closed without saving.
    Cancelled,
    /// Save this.
    Save(Command),
}

fn text_area(text: &str) -> TextArea<'static> {
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut area = TextArea::new(if lines.is_empty() {
        vec![String::new()]
    } else {
        lines
    });
    area.move_cursor(CursorMove::Bottom);
    area.move_cursor(CursorMove::End);
    area
}

/// A multi-line body: long lines wrap at words, so the cursor and the text around it stay in
/// view.
fn body_area(text: &str) -> TextArea<'static> {
    let mut area = text_area(text);
    area.set_wrap_mode(WrapMode::WordOrGlyph);
    area
}

impl TaskForm {
    /// An empty form for a new task of a contact.
    pub fn create(contact_id: String) -> Self {
        Self::remember(Self {
            contact_id,
            task_id: None,
            completed: false,
            title: text_area(""),
            body: body_area(""),
            due: text_area("tomorrow 9:00"),
            assignee: text_area(""),
            focus: Field::Title,
            error: None,
            saving: false,
            initial: Vec::new(),
            users: Directory::default(),
            original_assignee: None,
            original_due: None,
        })
    }

    /// The same form knowing the location's users: the assignee shows by name, Tab completes a
    /// name, and a name is sent as its user id.
    #[must_use]
    pub fn with_users(mut self, directory: &Directory) -> Self {
        self.users = Directory {
            users: directory.users.clone(),
            ..Directory::default()
        };
        if let Some(name) = self
            .original_assignee
            .as_deref()
            .and_then(|id| self.users.user_name(id))
        {
            self.assignee = text_area(&name);
        }
        self.remember()
    }

    /// A form filled with a task to edit; its due date is shown in the display zone.
    pub fn edit(contact_id: String, task: &Task, clock: &Clock) -> Self {
        let due = task
            .due_date
            .as_deref()
            .and_then(parse_date)
            .map(|at| clock.absolute(at))
            .unwrap_or_default();
        Self::remember(Self {
            contact_id,
            task_id: Some(task.id.clone()),
            completed: task.completed,
            title: text_area(task.title.as_deref().unwrap_or_default()),
            body: body_area(task.body.as_deref().unwrap_or_default()),
            due: text_area(&due),
            assignee: text_area(task.assigned_to.as_deref().unwrap_or_default()),
            focus: Field::Title,
            error: None,
            saving: false,
            initial: Vec::new(),
            users: Directory::default(),
            original_assignee: task.assigned_to.clone().filter(|a| !a.is_empty()),
            original_due: task.due_date.clone().filter(|d| !d.is_empty()),
        })
    }

    /// Whether `field` holds what it held when the form opened.
    fn unchanged(&self, field: Field) -> bool {
        let at = FIELDS.iter().position(|f| *f == field).unwrap_or_default();
        self.initial
            .get(at)
            .is_some_and(|was| *was == self.value(field))
    }

    /// Whether `field` had a value when the form opened and is empty now.
    fn cleared(&self, field: Field) -> bool {
        let at = FIELDS.iter().position(|f| *f == field).unwrap_or_default();
        let was = self.initial.get(at).map_or("", |v| v.trim());
        !was.is_empty() && self.value(field).trim().is_empty()
    }

    fn remember(mut self) -> Self {
        self.initial = FIELDS.iter().map(|f| self.value(*f)).collect();
        self
    }

    /// Takes the answer to a save: `None` when it worked, else why it failed, shown in the
    /// form with the text kept for another try.
    pub fn settle(&mut self, error: Option<String>) {
        self.saving = false;
        self.error = error;
    }

    /// Whether any field differs from what the form opened with.
    pub fn has_changes(&self) -> bool {
        FIELDS
            .iter()
            .zip(&self.initial)
            .any(|(field, initial)| self.value(*field) != *initial)
    }

    fn field_mut(&mut self, field: Field) -> &mut TextArea<'static> {
        match field {
            Field::Title => &mut self.title,
            Field::Body => &mut self.body,
            Field::Due => &mut self.due,
            Field::Assignee => &mut self.assignee,
        }
    }

    fn move_focus(&mut self, forward: bool) {
        let at = FIELDS.iter().position(|f| *f == self.focus).unwrap_or(0);
        let next = if forward {
            at + 1
        } else {
            at + FIELDS.len() - 1
        };
        self.focus = FIELDS[next % FIELDS.len()];
    }

    /// Reads a key: Tab and Shift-Tab move between fields, Enter moves on from a one-line
    /// field, Ctrl-S saves, Esc cancels; the rest edits the focused field.
    pub fn handle(&mut self, key: KeyEvent, clock: &Clock) -> TaskOutcome {
        if self.saving {
            return if key.code == KeyCode::Esc {
                TaskOutcome::Cancelled
            } else {
                TaskOutcome::Editing
            };
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => return TaskOutcome::Cancelled,
            KeyCode::Char('s') if ctrl => return self.save(clock),
            KeyCode::Char('u') if ctrl && self.focus != Field::Body => {
                let focus = self.focus;
                *self.field_mut(focus) = text_area("");
            }
            // In the body, as in a shell: the line up to the cursor (the editor's own Ctrl-U
            // would undo, not what the hint says).
            KeyCode::Char('u') if ctrl => {
                self.body.delete_line_by_head();
            }
            KeyCode::Tab if self.focus == Field::Assignee && self.complete_assignee() => {}
            KeyCode::Tab => self.move_focus(true),
            KeyCode::BackTab => self.move_focus(false),
            KeyCode::Enter if self.focus != Field::Body => {
                if self.focus == Field::Assignee {
                    return self.save(clock);
                }
                self.move_focus(true);
            }
            _ => {
                let focus = self.focus;
                self.field_mut(focus).input(key);
            }
        }
        TaskOutcome::Editing
    }

    /// Completes the assignee to the first user name starting with what is typed; `false` when
    /// there is nothing to complete (Tab then moves on).
    fn complete_assignee(&mut self) -> bool {
        let typed = self.value(Field::Assignee);
        if typed.trim().is_empty() {
            return false;
        }
        match self.users.complete_user(&typed).first() {
            Some(name) if *name != typed => {
                self.assignee = text_area(name);
                true
            }
            _ => false,
        }
    }

    /// The user id the assignee field means: empty is nobody, the task's own assignee left as
    /// it was is kept, a user id or a user's name is that user; anything else is refused while
    /// the location's users are known (and sent as typed, as an id, while they are not).
    fn assignee_id(&self) -> Result<Option<String>, String> {
        let typed = self.value(Field::Assignee).trim().to_string();
        if typed.is_empty() {
            return Ok(None);
        }
        if let Some(id) = self.users.resolve_user(&typed) {
            return Ok(Some(id));
        }
        if self.users.users.is_empty() || self.original_assignee.as_deref() == Some(typed.as_str())
        {
            return Ok(Some(typed));
        }
        Err(format!(
            "Assignee: no single user is named {typed:?}; Tab completes a name."
        ))
    }

    /// Inserts pasted text into the focused field (one line unless it is the body).
    pub fn paste(&mut self, text: &str) {
        let focus = self.focus;
        let text = if focus == Field::Body {
            text.to_string()
        } else {
            text.replace('\n', " ")
        };
        self.field_mut(focus).insert_str(text);
    }

    /// The text of a field.
    pub fn value(&self, field: Field) -> String {
        let area = match field {
            Field::Title => &self.title,
            Field::Body => &self.body,
            Field::Due => &self.due,
            Field::Assignee => &self.assignee,
        };
        area.lines().join("\n")
    }

    fn save(&mut self, clock: &Clock) -> TaskOutcome {
        match self.command(clock) {
            Ok(command) => TaskOutcome::Save(command),
            Err(error) => {
                self.error = Some(error);
                TaskOutcome::Editing
            }
        }
    }

    fn command(&self, clock: &Clock) -> Result<Command, String> {
        let title = self.value(Field::Title).trim().to_string();
        if title.is_empty() {
            return Err("A task needs a title.".to_string());
        }
        let due_text = self.value(Field::Due);
        let due = clock
            .parse_due(due_text.trim())
            .map_err(|e| format!("Due date: {e}"))?;
        // The form shows the due time to the minute: a due date left as it was goes back exactly
        // as GHL sent it, seconds and all, instead of moving to the minute shown.
        let due_date = match &self.original_due {
            Some(original) if self.unchanged(Field::Due) => original.clone(),
            _ => format_due_date(due),
        };
        let body = Some(self.value(Field::Body)).filter(|b| !b.trim().is_empty());
        let assigned_to = self.assignee_id()?;
        let contact_id = self.contact_id.clone();
        Ok(match &self.task_id {
            None => Command::CreateTask {
                contact_id,
                task: NewTask {
                    title,
                    body,
                    due_date,
                    completed: false,
                    assigned_to,
                },
            },
            Some(task_id) => Command::UpdateTask {
                contact_id,
                task_id: task_id.clone(),
                update: TaskUpdate {
                    title: Some(title),
                    // A field left out of a PUT keeps its value: one emptied is sent empty.
                    body: body.or_else(|| self.cleared(Field::Body).then(String::new)),
                    due_date: Some(due_date),
                    completed: None,
                    assigned_to: assigned_to
                        .or_else(|| self.cleared(Field::Assignee).then(String::new)),
                },
            },
        })
    }

    /// Draws the form over `area`.
    pub fn render(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let rect = super::centered(area, 72, 20);
        super::clear_under(frame, rect);
        let title = if self.task_id.is_some() {
            "Edit task"
        } else {
            "New task"
        };
        let block = dialog_block(title, theme);
        let inner = block.inner(rect);
        frame.render_widget(block, rect);
        let footer = self.footer_lines(usize::from(inner.width), theme);
        let rows = Layout::vertical([
            Constraint::Length(3),
            Constraint::Min(3),
            Constraint::Length(3),
            Constraint::Length(3),
            Constraint::Length(u16::try_from(footer.len()).unwrap_or(1)),
        ])
        .split(inner);
        let labels = [
            "Title",
            "Body",
            "Due (local time: tomorrow 9:00, +3d, 2026-12-24)",
            "Assignee (a user's name, tab completes; or a user id)",
        ];
        for (i, field) in FIELDS.iter().enumerate() {
            let style = if *field == self.focus {
                theme.border_focused
            } else {
                theme.border_unfocused
            };
            let block = Block::bordered()
                .border_style(style)
                .title(Line::styled(labels[i], theme.dim));
            let slot = block.inner(rows[i]);
            frame.render_widget(block, rows[i]);
            let area = match field {
                Field::Title => &self.title,
                Field::Body => &self.body,
                Field::Due => &self.due,
                Field::Assignee => &self.assignee,
            };
            frame.render_widget(area, slot);
        }
        frame.render_widget(Paragraph::new(footer), rows[4]);
    }

    /// The line under the fields: the keys, or why the last save was refused, wrapped to the
    /// form's width so the whole message shows.
    fn footer_lines(&self, width: usize, theme: &Theme) -> Vec<Line<'static>> {
        if self.saving {
            return vec![Line::styled("Saving…   esc close", theme.dim)];
        }
        match &self.error {
            Some(error) => crate::tui::text::wrap(error, width)
                .into_iter()
                .map(|l| Line::styled(l, theme.error))
                .collect(),
            None => vec![Line::styled(
                "tab next field   ctrl-u clear line   ctrl-s save   esc cancel",
                theme.dim,
            )],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ghl::directory::User;

    #[test]
    fn the_assignee_shows_by_name_completes_and_is_sent_as_an_id() {
        let directory = Directory {
            users: vec![User {
                id: "u1".into(),
                name: Some("Alice Hartmann".into()),
                ..User::default()
            }],
            ..Directory::default()
        };
        let clock = Clock::fixed(chrono::Utc::now());
        let task = Task {
            id: "t1".into(),
            title: Some("Call".into()),
            assigned_to: Some("u1".into()),
            due_date: Some("2030-01-01T09:00:00Z".into()),
            ..Task::default()
        };
        let mut form = TaskForm::edit("c1".into(), &task, &clock).with_users(&directory);
        assert_eq!(form.value(Field::Assignee), "Alice Hartmann");
        assert!(!form.has_changes());
        form.assignee = text_area("al");
        form.focus = Field::Assignee;
        form.handle(KeyEvent::from(KeyCode::Tab), &clock);
        assert_eq!(form.value(Field::Assignee), "Alice Hartmann");
        let Ok(Command::UpdateTask { update, .. }) = form.command(&clock) else {
            panic!("expected an update");
        };
        assert_eq!(update.assigned_to.as_deref(), Some("u1"));
        form.assignee = text_area("Nobody Known");
        assert!(form.command(&clock).is_err());
    }

    /// Emptying the assignee or the body of a task sends them empty: left out of the PUT they
    /// would keep their old values while the console said "Task saved."
    #[test]
    fn an_emptied_assignee_or_body_is_sent_empty() {
        let clock = Clock::fixed(chrono::Utc::now());
        let task = Task {
            id: "t1".into(),
            title: Some("Call".into()),
            body: Some("ask about renewal".into()),
            assigned_to: Some("u1".into()),
            due_date: Some("2030-01-01T09:00:00Z".into()),
            ..Task::default()
        };
        let mut form = TaskForm::edit("c1".into(), &task, &clock);
        let Ok(Command::UpdateTask { update, .. }) = form.command(&clock) else {
            panic!("expected an update");
        };
        assert_eq!(update.assigned_to.as_deref(), Some("u1"));
        form.assignee = text_area("");
        form.body = body_area("  ");
        let Ok(Command::UpdateTask { update, .. }) = form.command(&clock) else {
            panic!("expected an update");
        };
        assert_eq!(update.assigned_to.as_deref(), Some(""));
        assert_eq!(update.body.as_deref(), Some(""));
        let untouched = Task {
            assigned_to: None,
            body: None,
            ..task
        };
        let form = TaskForm::edit("c1".into(), &untouched, &clock);
        let Ok(Command::UpdateTask { update, .. }) = form.command(&clock) else {
            panic!("expected an update");
        };
        assert_eq!((update.assigned_to, update.body), (None, None));
    }

    /// The form shows the due time to the minute; editing only the title must not move the
    /// due date to that minute (GHL sent seconds and milliseconds).
    #[test]
    fn a_due_date_left_alone_goes_back_exactly_as_ghl_sent_it() {
        let clock = Clock::fixed(chrono::Utc::now());
        let task = Task {
            id: "t1".into(),
            title: Some("Позвонить клиенту".into()),
            due_date: Some("2026-09-28T04:12:49.000Z".into()),
            ..Task::default()
        };
        let mut form = TaskForm::edit("c1".into(), &task, &clock);
        form.title = text_area("Edited title");
        let Ok(Command::UpdateTask { update, .. }) = form.command(&clock) else {
            panic!("expected an update");
        };
        assert_eq!(update.title.as_deref(), Some("Edited title"));
        assert_eq!(update.due_date.as_deref(), Some("2026-09-28T04:12:49.000Z"));
        form.due = text_area("2030-01-02 10:30");
        let Ok(Command::UpdateTask { update, .. }) = form.command(&clock) else {
            panic!("expected an update");
        };
        let sent = update.due_date.unwrap();
        assert_ne!(sent, "2026-09-28T04:12:49.000Z");
        assert!(sent.starts_with("2030-01-0"), "{sent}");
    }

    /// Ctrl-U clears the body's line up to the cursor, as the hint says, in the body too.
    #[test]
    fn ctrl_u_clears_the_body_line() {
        use crossterm::event::KeyModifiers;
        let clock = Clock::fixed(chrono::Utc::now());
        let task = Task {
            id: "t1".into(),
            title: Some("Call".into()),
            body: Some("first line\nSome body text".into()),
            due_date: Some("2030-01-01T09:00:00Z".into()),
            ..Task::default()
        };
        let mut form = TaskForm::edit("c1".into(), &task, &clock);
        form.focus = Field::Body;
        form.body.move_cursor(ratatui_textarea::CursorMove::Bottom);
        form.body.move_cursor(ratatui_textarea::CursorMove::End);
        form.handle(KeyEvent::from(KeyCode::Char('X')), &clock);
        form.handle(
            KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL),
            &clock,
        );
        assert_eq!(form.value(Field::Body), "first line\n");
    }
}
