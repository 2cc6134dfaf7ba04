//! The check-in list's cursor: where a page of `(completed_on, created_at, id)` ends and the
//! next begins, for `/v1/patients/{id}/check-ins` and the console's record alike.

use chrono::{NaiveDate, NaiveDateTime};

use super::paging;
use crate::db::check_ins::CheckInRow;
use crate::error::ApiError;

/// Where the next page starts: the list's order, (date, received, id).
pub fn cursor_after(row: &CheckInRow) -> String {
    paging::encode_cursor(&[
        &row.completed_on.to_string(),
        &row.created_at.format(paging::CURSOR_TIME).to_string(),
        &row.id,
    ])
}

/// Where a page starts, from the parts of [`cursor_after`]'s cursor.
pub fn before_cursor(parts: Vec<String>) -> Result<(NaiveDate, NaiveDateTime, String), ApiError> {
    let invalid = || ApiError::field("cursor", "invalid", "not a cursor of this list");
    match parts.as_slice() {
        [date, received, id] => Ok((
            date.parse::<NaiveDate>().map_err(|_| invalid())?,
            NaiveDateTime::parse_from_str(received, paging::CURSOR_TIME).map_err(|_| invalid())?,
            id.clone(),
        )),
        _ => Err(invalid()),
    }
}
