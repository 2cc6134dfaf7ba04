//! The exercise library. Archived exercises stay readable: old programs point at them.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::exercises;
use super::DbConnection;
use crate::domain::program::Dose;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = exercises)]
#[diesel(treat_none_as_null = true)]
pub struct ExerciseRow {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub category: String,
    pub phase: i32,
    pub instructions: String,
    /// One per line.
    pub cues: String,
    /// One per line.
    pub common_mistakes: String,
    pub default_sets: Option<i32>,
    pub default_reps: Option<i32>,
    pub default_hold_seconds: Option<i32>,
    pub default_duration_seconds: Option<i32>,
    pub video_url: Option<String>,
    pub archived: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl ExerciseRow {
    /// The dose an item of a program takes when it gives none of its own.
    pub fn default_dose(&self) -> Dose {
        Dose {
            sets: self.default_sets,
            reps: self.default_reps,
            hold_seconds: self.default_hold_seconds,
            duration_seconds: self.default_duration_seconds,
        }
    }

    pub fn set_default_dose(&mut self, dose: Dose) {
        self.default_sets = dose.sets;
        self.default_reps = dose.reps;
        self.default_hold_seconds = dose.hold_seconds;
        self.default_duration_seconds = dose.duration_seconds;
    }
}

#[derive(Debug, Clone, Default)]
pub struct ExerciseFilter {
    pub category: Option<String>,
    pub phase: Option<i32>,
    pub include_archived: bool,
}

pub fn list(conn: &mut DbConnection, filter: &ExerciseFilter) -> QueryResult<Vec<ExerciseRow>> {
    let mut query = exercises::table.into_boxed();
    if let Some(category) = &filter.category {
        query = query.filter(exercises::category.eq(category.clone()));
    }
    if let Some(phase) = filter.phase {
        query = query.filter(exercises::phase.eq(phase));
    }
    if !filter.include_archived {
        query = query.filter(exercises::archived.eq(false));
    }
    query.order((exercises::phase.asc(), exercises::name.asc())).select(ExerciseRow::as_select()).load(conn)
}

/// By id or slug.
pub fn find(conn: &mut DbConnection, id_or_slug: &str) -> QueryResult<Option<ExerciseRow>> {
    exercises::table
        .filter(exercises::id.eq(id_or_slug).or(exercises::slug.eq(id_or_slug)))
        .select(ExerciseRow::as_select())
        .first(conn)
        .optional()
}

pub fn insert(conn: &mut DbConnection, row: &ExerciseRow) -> QueryResult<()> {
    diesel::insert_into(exercises::table).values(row).execute(conn).map(|_| ())
}

pub fn save(conn: &mut DbConnection, row: &ExerciseRow) -> QueryResult<()> {
    diesel::update(exercises::table.find(&row.id)).set(row).execute(conn).map(|_| ())
}
