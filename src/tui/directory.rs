//! What the current location defines, as the worker loaded it: custom field definitions (to
//! show values by name and edit them typed, C22) and users (to show assignees by name).

use std::collections::HashMap;

use crate::ghl::directory::{CustomFieldDefinition, FieldKind, User};

use super::app::{App, Level};

/// The location's custom fields and users; empty until the worker's answer arrives.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Directory {
    /// The location they belong to.
    pub location_id: Option<String>,
    /// Custom field definitions by id.
    pub fields: HashMap<String, CustomFieldDefinition>,
    /// The users, in the order the server listed them.
    pub users: Vec<User>,
}

impl Directory {
    /// The name of a custom field, where it has a definition.
    pub fn field_name(&self, id: &str) -> Option<String> {
        self.fields.get(id).map(CustomFieldDefinition::display_name)
    }

    /// How a custom field's values are written, where it has a definition.
    pub fn field_kind(&self, id: &str) -> Option<FieldKind> {
        self.fields.get(id).map(CustomFieldDefinition::kind)
    }

    /// The options a custom field's values are picked from (empty when it is free-form or
    /// has no definition).
    pub fn field_options(&self, id: &str) -> Vec<String> {
        self.fields
            .get(id)
            .map(|f| f.picklist_options.clone())
            .unwrap_or_default()
    }

    /// The name of a user, where the location lists them.
    pub fn user_name(&self, id: &str) -> Option<String> {
        self.users
            .iter()
            .find(|u| u.id == id)
            .map(User::display_name)
            .filter(|n| !n.is_empty())
    }

    /// A user id shown by name: `Alice Hartmann`, or the id itself when unknown.
    pub fn user_label(&self, id: &str) -> String {
        self.user_name(id).unwrap_or_else(|| id.to_string())
    }

    /// The user a typed assignee means: a user id as it is, else the one user whose name
    /// matches (ignoring case), else `None`.
    pub fn resolve_user(&self, typed: &str) -> Option<String> {
        let typed = typed.trim();
        if let Some(user) = self.users.iter().find(|u| u.id == typed) {
            return Some(user.id.clone());
        }
        let lower = typed.to_lowercase();
        let named: Vec<&User> = self
            .users
            .iter()
            .filter(|u| u.display_name().to_lowercase() == lower)
            .collect();
        match named.as_slice() {
            [one] => Some(one.id.clone()),
            _ => None,
        }
    }

    /// The names of users starting with `prefix` (ignoring case), for completion.
    pub fn complete_user(&self, prefix: &str) -> Vec<String> {
        let lower = prefix.trim().to_lowercase();
        self.users
            .iter()
            .map(User::display_name)
            .filter(|n| !n.is_empty() && n.to_lowercase().starts_with(&lower))
            .collect()
    }
}

/// Takes the worker's answer: what loaded replaces what was there; what failed is logged and
/// leaves names unknown (ids show instead).
pub fn on_directory(
    app: &mut App,
    location_id: String,
    fields: Result<Vec<CustomFieldDefinition>, String>,
    users: Result<Vec<User>, String>,
) {
    if location_id != app.settings.location {
        return;
    }
    let directory = &mut app.directory;
    if directory.location_id.as_deref() != Some(location_id.as_str()) {
        *directory = Directory {
            location_id: Some(location_id),
            ..Directory::default()
        };
    }
    let mut problems = Vec::new();
    match fields {
        Ok(fields) => {
            app.directory.fields = fields.into_iter().map(|f| (f.id.clone(), f)).collect();
        }
        Err(error) => problems.push(format!("Loading custom field names failed: {error}")),
    }
    match users {
        Ok(users) => app.directory.users = users,
        Err(error) => problems.push(format!("Loading user names failed: {error}")),
    }
    for problem in problems {
        app.log(Level::Warn, problem);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: &str, name: &str) -> User {
        User {
            id: id.into(),
            name: Some(name.into()),
            ..User::default()
        }
    }

    #[test]
    fn a_typed_assignee_resolves_by_id_or_unique_name() {
        let directory = Directory {
            users: vec![
                user("u1", "Alice Hartmann"),
                user("u2", "Boris Petrov"),
                user("u3", "Boris Petrov"),
            ],
            ..Directory::default()
        };
        assert_eq!(directory.resolve_user("alice hartmann"), Some("u1".into()));
        assert_eq!(directory.resolve_user("u2"), Some("u2".into()));
        assert_eq!(directory.resolve_user("Boris Petrov"), None, "ambiguous");
        assert_eq!(directory.complete_user("bo").len(), 2);
        assert_eq!(directory.user_label("u9"), "u9");
        assert_eq!(directory.user_label("u1"), "Alice Hartmann");
    }
}
