//! Rows stored under an id the phone made (check-ins, exercise logs): a phone that sends one again
//! replaces the earlier copy, which keeps when it was first stored.

use chrono::NaiveDateTime;
use diesel::QueryResult;

use super::DbConnection;

/// A row stored under an id the phone made.
pub trait PhoneMade {
    fn patient_id(&self) -> &str;
    fn created_at(&self) -> NaiveDateTime;
    fn insert(&self, conn: &mut DbConnection) -> QueryResult<()>;
    fn replace(&self, conn: &mut DbConnection) -> QueryResult<()>;
}

/// Stores `row`: inserted when there is no `earlier` copy, else in its place. Returns whether
/// this was the first copy.
pub fn store<R: PhoneMade>(conn: &mut DbConnection, row: &R, earlier: Option<&R>) -> QueryResult<bool> {
    match earlier {
        Some(_) => row.replace(conn).map(|_| false),
        None => row.insert(conn).map(|_| true),
    }
}

macro_rules! phone_made {
    ($row:ty, $module:ident) => {
        impl PhoneMade for $row {
            fn patient_id(&self) -> &str {
                &self.patient_id
            }

            fn created_at(&self) -> NaiveDateTime {
                self.created_at
            }

            fn insert(&self, conn: &mut DbConnection) -> QueryResult<()> {
                super::$module::insert(conn, self)
            }

            fn replace(&self, conn: &mut DbConnection) -> QueryResult<()> {
                super::$module::replace(conn, self)
            }
        }
    };
}

phone_made!(super::check_ins::CheckInRow, check_ins);
phone_made!(super::exercise_logs::LogRow, exercise_logs);
