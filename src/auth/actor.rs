//! Who acts: a user's id and role, as services take them. The HTTP layer makes one from the
//! request's credential (`http::auth_user`); background jobs name the user they act for.

use crate::domain::role::Role;
use crate::error::ApiError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: String,
    pub role: Role,
}

impl Actor {
    pub fn new(id: impl Into<String>, role: Role) -> Self {
        Self { id: id.into(), role }
    }

    /// Forbidden unless the actor has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }
}
