//! Users of every role: patients, staff and machine users, with their contact details.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable};

use super::schema::users;
use super::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: String,
    pub email: Option<String>,
    pub email_verified_at: Option<NaiveDateTime>,
    pub password_hash: Option<String>,
    pub role: String,
    pub full_name: String,
    pub name_key: String,
    pub phone: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub time_zone: String,
    pub title: Option<String>,
    pub active: bool,
    pub token_version: i32,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl UserRow {
    /// The person's time zone (UTC when the stored name is unreadable).
    pub fn zone(&self) -> chrono_tz::Tz {
        crate::domain::local_time::zone_or_utc(&self.time_zone)
    }

    /// The person's local date at `now`.
    pub fn today(&self, now: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
        crate::domain::local_time::today_in(self.zone(), now)
    }

    /// An active user with a name and nothing else yet; callers fill in the rest.
    pub fn new(
        role: crate::domain::role::Role,
        name: &crate::domain::person::FullName,
        time_zone: &str,
        now: NaiveDateTime,
    ) -> Self {
        Self {
            id: super::new_id(),
            email: None,
            email_verified_at: None,
            password_hash: None,
            role: role.as_str().to_string(),
            full_name: name.as_str().to_string(),
            name_key: name.search_key(),
            phone: None,
            date_of_birth: None,
            time_zone: time_zone.to_string(),
            title: None,
            active: true,
            token_version: 0,
            created_by: None,
            created_at: now,
            updated_at: now,
        }
    }
}

/// A partial update; `None` leaves a column alone, `Some(None)` clears a nullable one.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges {
    pub email: Option<Option<String>>,
    pub full_name: Option<String>,
    pub name_key: Option<String>,
    pub phone: Option<Option<String>>,
    pub date_of_birth: Option<Option<NaiveDate>>,
    pub time_zone: Option<String>,
    pub title: Option<Option<String>>,
    pub role: Option<String>,
    pub active: Option<bool>,
}

impl UserChanges {
    pub fn is_empty(&self) -> bool {
        self.email.is_none()
            && self.full_name.is_none()
            && self.phone.is_none()
            && self.date_of_birth.is_none()
            && self.time_zone.is_none()
            && self.title.is_none()
            && self.role.is_none()
            && self.active.is_none()
    }
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<UserRow>> {
    users::table.find(id).select(UserRow::as_select()).first(conn).optional()
}

pub fn find_by_email(conn: &mut DbConnection, email: &str) -> QueryResult<Option<UserRow>> {
    users::table.filter(users::email.eq(email)).select(UserRow::as_select()).first(conn).optional()
}

pub fn insert(conn: &mut DbConnection, user: &UserRow) -> QueryResult<()> {
    diesel::insert_into(users::table).values(user).execute(conn).map(|_| ())
}

pub fn update(conn: &mut DbConnection, id: &str, changes: &UserChanges, now: NaiveDateTime) -> QueryResult<()> {
    if !changes.is_empty() {
        diesel::update(users::table.find(id)).set(changes).execute(conn)?;
    }
    diesel::update(users::table.find(id)).set(users::updated_at.eq(now)).execute(conn).map(|_| ())
}

/// Sets a new password hash. With `end_sessions`, every access token issued before is void.
pub fn set_password(
    conn: &mut DbConnection,
    id: &str,
    hash: &str,
    end_sessions: bool,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let bump = if end_sessions { 1 } else { 0 };
    diesel::update(users::table.find(id))
        .set((
            users::password_hash.eq(hash),
            users::token_version.eq(users::token_version + bump),
            users::updated_at.eq(now),
        ))
        .execute(conn)?;
    if end_sessions {
        super::console_sessions::delete_for_user(conn, id)?;
    }
    Ok(())
}

/// Voids every access token and console session of the user at once (deactivation, a new role).
pub fn end_sessions(conn: &mut DbConnection, id: &str) -> QueryResult<()> {
    diesel::update(users::table.find(id)).set(users::token_version.eq(users::token_version + 1)).execute(conn)?;
    super::console_sessions::delete_for_user(conn, id).map(|_| ())
}

pub fn mark_email_verified(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(users::table.find(id).filter(users::email_verified_at.is_null()))
        .set(users::email_verified_at.eq(now))
        .execute(conn)
        .map(|_| ())
}

/// Counts the active admins, holding their rows until the transaction ends, so two admins
/// demoting each other at once cannot both succeed.
pub fn lock_active_admins(conn: &mut DbConnection) -> QueryResult<i64> {
    let admins = users::table.filter(users::role.eq("admin")).filter(users::active.eq(true)).select(users::id);
    // Backend-specific: row locks on PostgreSQL; SQLite's write transaction already runs alone.
    let ids: Vec<String> = match conn {
        DbConnection::Pg(pg) => admins.for_update().load(pg)?,
        DbConnection::Sqlite(sqlite) => admins.load(sqlite)?,
    };
    Ok(ids.len() as i64)
}

pub fn count_active_admins(conn: &mut DbConnection) -> QueryResult<i64> {
    users::table.filter(users::role.eq("admin")).filter(users::active.eq(true)).count().get_result(conn)
}

/// Where a page of a name-ordered list starts: after this (name key, id).
#[derive(Debug, Clone)]
pub struct NameCursor {
    pub name_key: String,
    pub id: String,
}

pub use crate::domain::patient_search::PatientSearch;

type Backend = <DbConnection as Connection>::Backend;
type Predicate = Box<dyn BoxableExpression<users::table, Backend, SqlType = Nullable<Bool>>>;

fn like_pattern(text: &str) -> String {
    format!("%{}%", super::like_escape(text))
}

fn matches(search: &PatientSearch) -> Predicate {
    let text = like_pattern(&search.text);
    let mut predicate: Predicate =
        Box::new(users::name_key.like(text.clone()).escape('\\').nullable().or(users::email.like(text).escape('\\')));
    if let Some(digits) = &search.phone_digits {
        predicate = Box::new(predicate.or(users::phone.like(like_pattern(digits)).escape('\\')));
    }
    if let Some(date) = search.date_of_birth {
        predicate = Box::new(predicate.or(users::date_of_birth.eq(date)));
    }
    predicate
}

fn after_name(cursor: &NameCursor) -> Box<dyn BoxableExpression<users::table, Backend, SqlType = Bool>> {
    Box::new(
        users::name_key
            .gt(cursor.name_key.clone())
            .or(users::name_key.eq(cursor.name_key.clone()).and(users::id.gt(cursor.id.clone()))),
    )
}

/// Patients matching `search` (all of them without one), ordered by name, a page at a time.
pub fn search_patients(
    conn: &mut DbConnection,
    search: Option<&PatientSearch>,
    after: Option<&NameCursor>,
    limit: i64,
) -> QueryResult<Vec<UserRow>> {
    let mut query = users::table.filter(users::role.eq("patient")).into_boxed();
    if let Some(search) = search {
        query = query.filter(matches(search));
    }
    if let Some(cursor) = after {
        query = query.filter(after_name(cursor));
    }
    query.order((users::name_key.asc(), users::id.asc())).limit(limit).select(UserRow::as_select()).load(conn)
}

/// Staff and machine users, ordered by name, a page at a time.
pub fn list_staff(conn: &mut DbConnection, after: Option<&NameCursor>, limit: i64) -> QueryResult<Vec<UserRow>> {
    let mut query = users::table.filter(users::role.ne("patient")).into_boxed();
    if let Some(cursor) = after {
        query = query.filter(after_name(cursor));
    }
    query.order((users::name_key.asc(), users::id.asc())).limit(limit).select(UserRow::as_select()).load(conn)
}

/// A changed address is not verified until its owner confirms it.
pub fn clear_email_verification(conn: &mut DbConnection, id: &str) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set(users::email_verified_at.eq(None::<NaiveDateTime>))
        .execute(conn)
        .map(|_| ())
}

/// Full names by id, for lists that show people.
pub fn names(conn: &mut DbConnection, ids: &[String]) -> QueryResult<std::collections::HashMap<String, String>> {
    Ok(users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::full_name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect())
}

/// Every active user of `role`, by name.
pub fn active_with_role(conn: &mut DbConnection, role: crate::domain::role::Role) -> QueryResult<Vec<UserRow>> {
    users::table
        .filter(users::role.eq(role.as_str()))
        .filter(users::active.eq(true))
        .order((users::name_key.asc(), users::id.asc()))
        .select(UserRow::as_select())
        .load(conn)
}

/// Where an access token's holder stands now, read in one query on every request: the account
/// and whether the token's sign-in (its refresh-token family) is still live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub role: String,
    pub active: bool,
    pub token_version: i32,
    pub email_verified: bool,
    /// Not signed out, not revoked for a reused refresh token or a new password, not expired;
    /// `false` for a token that names no sign-in.
    pub session_live: bool,
}

pub fn standing(
    conn: &mut DbConnection,
    id: &str,
    family: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<Option<Standing>> {
    use super::schema::refresh_tokens;
    let live = diesel::dsl::exists(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family.unwrap_or_default().to_string()))
            .filter(refresh_tokens::user_id.eq(id.to_string()))
            .filter(refresh_tokens::revoked_at.is_null())
            .filter(refresh_tokens::expires_at.gt(now)),
    );
    let row: Option<(String, bool, i32, Option<NaiveDateTime>, bool)> = users::table
        .find(id)
        .select((users::role, users::active, users::token_version, users::email_verified_at, live))
        .first(conn)
        .optional()?;
    Ok(row.map(|(role, active, token_version, verified_at, live)| Standing {
        role,
        active,
        token_version,
        email_verified: verified_at.is_some(),
        session_live: family.is_some() && live,
    }))
}
