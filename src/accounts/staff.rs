//! The clinic's staff, as admins manage them: invitations by email with a role, the list, role
//! changes and deactivation. A deactivated person, or one whose role changed, is locked out at once.

use chrono::NaiveDateTime;

use super::{invitations, mailbox};
use crate::auth::Actor;
use crate::db::audit::{AuditEntry, Origin};
use crate::db::tokens;
use crate::db::users::{self, NameCursor, UserChanges, UserRow};
use crate::db::DbConnection;
use crate::domain::contact::EmailAddress;
use crate::domain::person::{self, FullName};
use crate::domain::role::Role;
use crate::error::fields::Checks;
use crate::error::{ApiError, ProblemCode};
use crate::mail::account_emails;

/// A person an admin invites, as parsed.
pub struct StaffInvite {
    pub email: EmailAddress,
    pub name: FullName,
    pub role: Role,
    pub title: Option<String>,
}

impl StaffInvite {
    /// Checks the typed fields at once (one `422` naming each refused one).
    pub fn check(email: &str, full_name: &str, role: Role, title: Option<&str>) -> Result<Self, ApiError> {
        let mut checks = Checks::default();
        let email = checks.field("email", EmailAddress::parse(email));
        let name = checks.field("full_name", FullName::parse(full_name));
        let title = checks.optional("title", title.filter(|t| !t.trim().is_empty()), person::title);
        if !role.is_staff() {
            checks.fail("role", "invalid", "one of front_desk, clinician or admin");
        }
        checks.finish(|| Some(StaffInvite { email: email?, name: name?, role, title: title? }))
    }
}

/// Creates the staff member (in the clinic's time zone `zone`) and emails them the link to set
/// a password. `409 email_taken` when the address is someone else's.
pub fn invite(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    public_url: &str,
    zone: &str,
    invite: StaffInvite,
    now: NaiveDateTime,
) -> Result<UserRow, ApiError> {
    let StaffInvite { email, name, role, title } = invite;
    let new = UserRow {
        email: Some(email.as_str().to_string()),
        title,
        created_by: Some(actor.id.clone()),
        ..UserRow::new(role, &name, zone, now)
    };
    let link = invitations::invite(conn, public_url, &new, now)?;
    let content = account_emails::staff_invite(&crate::db::clinic::name(conn)?, name.as_str(), role, &link);
    mailbox::send(conn, "staff_invite", email.as_str(), &new.id, content, &link, now)?;
    AuditEntry::new("staff.invite", origin)
        .actor(&actor.id, actor.role)
        .target(&new.id)
        .detail(role.as_str())
        .write(conn)?;
    users::find(conn, &new.id)?.ok_or(ApiError::NotFound)
}

/// A page of staff and machine users, by name (audited as a read), with one row more than
/// `limit` when a page follows.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    after: Option<&NameCursor>,
    limit: i64,
) -> Result<Vec<UserRow>, ApiError> {
    let rows = users::list_staff(conn, after, limit + 1)?;
    AuditEntry::new("staff.list", origin).actor(&actor.id, actor.role).write(conn)?;
    Ok(rows)
}

/// What an admin changes about a staff member; `None` leaves it as it is.
pub struct StaffUpdate {
    pub role: Option<Role>,
    pub active: Option<bool>,
    pub name: Option<FullName>,
    pub title: Option<String>,
}

/// Changes the staff member `id`. `404` for anyone who is not staff; `409 last_admin` when the
/// clinic would be left without an active admin.
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    id: &str,
    update: StaffUpdate,
    now: NaiveDateTime,
) -> Result<UserRow, ApiError> {
    let StaffUpdate { role: new_role, active, name, title } = update;
    let target = users::find(conn, id)?
        .filter(|t| Role::parse(&t.role).is_some_and(Role::is_staff))
        .ok_or(ApiError::NotFound)?;
    let was_admin = target.role == Role::Admin.as_str() && target.active;
    let stays_admin =
        new_role.map_or(target.role == Role::Admin.as_str(), |r| r == Role::Admin) && active.unwrap_or(target.active);
    if was_admin && !stays_admin && users::lock_active_admins(conn)? <= 1 {
        return Err(ApiError::conflict(ProblemCode::LastAdmin, "the clinic must keep at least one active admin"));
    }
    let changes = UserChanges {
        role: new_role.map(|r| r.as_str().to_string()),
        active,
        name_key: name.as_ref().map(FullName::search_key),
        full_name: name.map(|n| n.as_str().to_string()),
        title: title.map(Some),
        ..Default::default()
    };
    users::update(conn, &target.id, &changes, now)?;
    let role_changed = new_role.is_some_and(|r| r.as_str() != target.role);
    if active == Some(false) || role_changed {
        // Locked out at once: access tokens carry the old session version, refresh tokens die.
        users::end_sessions(conn, &target.id)?;
        tokens::revoke_all_for_user(conn, &target.id, now)?;
    }
    let detail = format!(
        "role={} active={}",
        new_role.map_or(target.role.clone(), |r| r.as_str().to_string()),
        active.unwrap_or(target.active)
    );
    AuditEntry::new("staff.update", origin)
        .actor(&actor.id, actor.role)
        .target(&target.id)
        .detail(detail)
        .write(conn)?;
    users::find(conn, &target.id)?.ok_or(ApiError::NotFound)
}
