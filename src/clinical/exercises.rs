//! The exercise library's writes: a new exercise (its slug unique), and changes to one (an edit,
//! archiving), each loaded, edited, saved and audited in the caller's transaction.

use crate::auth::Actor;
use crate::db::audit::{AuditEntry, Origin};
use crate::db::exercises::{self, ExerciseRow};
use crate::db::{self, now, DbConnection};
use crate::domain::program::Dose;
use crate::error::fields::{free_text, Checks};
use crate::error::{ApiError, ProblemCode};

/// A new exercise, or changes to one: what is absent stays as it is (on create, every part but
/// the dose and the video is required).
#[derive(Debug, Default)]
pub struct ExerciseEdit {
    pub slug: Option<String>,
    pub name: Option<String>,
    /// A category's stored name.
    pub category: Option<&'static str>,
    pub phase: Option<i32>,
    pub instructions: Option<String>,
    pub cues: Option<Vec<String>>,
    pub common_mistakes: Option<Vec<String>>,
    pub default_dose: Option<Dose>,
    pub video_url: Option<String>,
}

/// An exercise with nothing in it yet, for [`ExerciseEdit::apply`] to fill.
pub fn blank(category: &str) -> ExerciseRow {
    let now = now();
    ExerciseRow {
        id: db::new_id(),
        slug: String::new(),
        name: String::new(),
        category: category.into(),
        phase: 1,
        instructions: String::new(),
        cues: String::new(),
        common_mistakes: String::new(),
        default_sets: None,
        default_reps: None,
        default_hold_seconds: None,
        default_duration_seconds: None,
        video_url: None,
        archived: false,
        created_at: now,
        updated_at: now,
    }
}

/// Stores a new exercise unless its slug is taken.
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    row: ExerciseRow,
) -> Result<ExerciseRow, ApiError> {
    if exercises::find(conn, &row.slug)?.is_some() {
        return Err(ApiError::conflict(ProblemCode::SlugTaken, "another exercise has this slug"));
    }
    exercises::insert(conn, &row)?;
    AuditEntry::new("exercise.create", origin).actor(&actor.id, actor.role).target(&row.id).write(conn)?;
    Ok(row)
}

/// Loads the exercise `id` (or slug), lets `edit` change it, saves it and audits `action`.
pub fn change(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    id: &str,
    action: &'static str,
    edit: impl FnOnce(&mut ExerciseRow) -> Result<(), ApiError>,
) -> Result<ExerciseRow, ApiError> {
    crate::db::catalogue::change(conn, actor, origin, id, action, edit, now())
}

/// Archived exercises leave the choice for new programs; programs that use one still show it.
pub fn archive(row: &mut ExerciseRow) -> Result<(), ApiError> {
    row.archived = true;
    Ok(())
}

fn list_text(field: &str, items: &[String], checks: &mut Checks) -> Option<String> {
    if items.len() > 20 {
        checks.fail(field, "too_many", "at most 20 items");
        return None;
    }
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match free_text(&format!("{field}[{i}]"), Some(&item.replace('\n', " ")), 300) {
            Ok(Some(text)) => out.push(text),
            Ok(None) => {}
            Err(ApiError::Validation(errors)) => {
                errors.into_iter().for_each(|e| checks.fail(&e.field, "invalid_format", &e.message))
            }
            Err(_) => {}
        }
    }
    Some(out.join("\n"))
}

impl ExerciseEdit {
    /// A new exercise from the edit, every part checked (all but the dose and the video required).
    pub fn new_exercise(self) -> Result<ExerciseRow, ApiError> {
        let mut row = blank(self.category.unwrap_or("mobility"));
        let mut checks = Checks::default();
        self.apply(&mut row, &mut checks, true);
        checks.finish(|| Some(row))
    }

    /// The change the edit makes to a stored exercise, every part checked.
    pub fn into_change(self) -> impl FnOnce(&mut ExerciseRow) -> Result<(), ApiError> {
        move |row| {
            let mut checks = Checks::default();
            self.apply(row, &mut checks, false);
            checks.finish(|| Some(()))
        }
    }

    /// The edit applied to `row`, every refusal recorded in `checks`.
    pub fn apply(self, row: &mut ExerciseRow, checks: &mut Checks, creating: bool) {
        let required = |checks: &mut Checks, field: &str, present: bool| {
            if creating && !present {
                checks.fail(field, "required", "this is required");
            }
        };
        required(checks, "slug", self.slug.is_some());
        required(checks, "name", self.name.is_some());
        required(checks, "category", self.category.is_some());
        required(checks, "phase", self.phase.is_some());
        required(checks, "instructions", self.instructions.is_some());
        match (self.slug, creating) {
            (Some(slug), true) => {
                if (2..=80).contains(&slug.len())
                    && slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                {
                    row.slug = slug;
                } else {
                    checks.fail("slug", "invalid_format", "2 to 80 lower-case letters, digits or -");
                }
            }
            (Some(_), false) => checks.fail("slug", "immutable", "a slug cannot change"),
            _ => {}
        }
        if let Some(name) = self.name {
            match free_text("name", Some(&name), 120) {
                Ok(Some(name)) => row.name = name,
                _ => checks.fail("name", "invalid_format", "1 to 120 characters"),
            }
        }
        if let Some(category) = self.category {
            row.category = category.to_string();
        }
        if let Some(phase) = self.phase {
            if (1..=3).contains(&phase) {
                row.phase = phase;
            } else {
                checks.fail("phase", "out_of_range", "1 (control), 2 (capacity) or 3 (loading)");
            }
        }
        if let Some(text) = self.instructions {
            match free_text("instructions", Some(&text), 4000) {
                Ok(Some(text)) => row.instructions = text,
                _ => checks.fail("instructions", "invalid_format", "1 to 4000 characters"),
            }
        }
        if let Some(cues) = self.cues {
            if let Some(text) = list_text("cues", &cues, checks) {
                row.cues = text;
            }
        }
        if let Some(mistakes) = self.common_mistakes {
            if let Some(text) = list_text("common_mistakes", &mistakes, checks) {
                row.common_mistakes = text;
            }
        }
        if let Some(dose) = self.default_dose {
            row.set_default_dose(
                dose.checked(|name, result| checks.field(&format!("default_dose.{name}"), result).flatten()),
            );
        }
        if let Some(url) = self.video_url {
            if url.chars().count() > 500 {
                checks.fail("video_url", "invalid_format", "an https:// link of at most 500 characters");
            } else if url.trim().is_empty() {
                row.video_url = None;
            } else if url.starts_with("https://") && !url.chars().any(|c| c.is_whitespace() || c.is_control()) {
                row.video_url = Some(url);
            } else {
                checks.fail("video_url", "invalid_format", "an https:// link of at most 500 characters");
            }
        }
    }
}
