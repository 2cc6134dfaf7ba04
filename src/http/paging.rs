//! Cursor paging for lists: `?limit=&cursor=`, answered with `items` and `next_cursor`.
//! A cursor is opaque to clients: the sort key of the last row shown, base64url-encoded.

use base64::Engine;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use crate::error::ApiError;

pub const DEFAULT_LIMIT: i64 = 25;
pub const MAX_LIMIT: i64 = 100;

#[derive(Debug, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// How many items to return, 1 to 100 (default 25).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl PageParams {
    pub fn limit(&self) -> Result<i64, ApiError> {
        match self.limit {
            None => Ok(DEFAULT_LIMIT),
            Some(limit) if (1..=MAX_LIMIT).contains(&limit) => Ok(limit),
            Some(_) => Err(ApiError::field("limit", "out_of_range", "limit is between 1 and 100")),
        }
    }

    /// The cursor's parts, as many as `parts`.
    pub fn cursor(&self, parts: usize) -> Result<Option<Vec<String>>, ApiError> {
        let Some(raw) = &self.cursor else { return Ok(None) };
        let invalid = || ApiError::field("cursor", "invalid", "this cursor is not one this list gave out");
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(raw).map_err(|_| invalid())?;
        let values: Vec<String> = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
        if values.len() == parts {
            Ok(Some(values))
        } else {
            Err(invalid())
        }
    }
}

/// How instants are written in cursors: microseconds, the precision both databases keep.
pub const CURSOR_TIME: &str = "%Y-%m-%dT%H:%M:%S%.6f";

impl PageParams {
    /// A cursor of (instant, id), for lists ordered by a time and then the id.
    pub fn time_cursor(&self) -> Result<Option<(chrono::NaiveDateTime, String)>, ApiError> {
        let Some(mut parts) = self.cursor(2)? else { return Ok(None) };
        let id = parts.pop().unwrap_or_default();
        let at = chrono::NaiveDateTime::parse_from_str(&parts[0], CURSOR_TIME)
            .map_err(|_| ApiError::field("cursor", "invalid", "this cursor is not one this list gave out"))?;
        Ok(Some((at, id)))
    }
}

pub fn encode_time_cursor(at: chrono::NaiveDateTime, id: &str) -> String {
    encode_cursor(&[&at.format(CURSOR_TIME).to_string(), id])
}

pub fn encode_cursor(parts: &[&str]) -> String {
    let json = serde_json::to_vec(parts).expect("strings serialize");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
}

/// Splits `rows` (fetched with `limit + 1`) into a page and the cursor for the next one.
pub fn page<R, T>(
    mut rows: Vec<R>,
    limit: i64,
    key: impl Fn(&R) -> String,
    view: impl Fn(R) -> T,
) -> (Vec<T>, Option<String>) {
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next = if more { rows.last().map(&key) } else { None };
    (rows.into_iter().map(view).collect(), next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_tampering() {
        let cursor = encode_cursor(&["ana lopez", "0190-id"]);
        let params = PageParams { limit: None, cursor: Some(cursor) };
        assert_eq!(params.cursor(2).unwrap().unwrap(), vec!["ana lopez", "0190-id"]);
        assert!(params.cursor(3).is_err());
        assert!(PageParams { limit: None, cursor: Some("!!".into()) }.cursor(2).is_err());
    }

    #[test]
    fn time_cursors_round_trip_at_microseconds() {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap().and_hms_micro_opt(9, 30, 0, 123_456).unwrap();
        let params = PageParams { limit: None, cursor: Some(encode_time_cursor(at, "0190-id")) };
        assert_eq!(params.time_cursor().unwrap(), Some((at, "0190-id".to_string())));
        let bad = PageParams { limit: None, cursor: Some(encode_cursor(&["yesterday", "x"])) };
        assert!(bad.time_cursor().is_err());
    }

    #[test]
    fn limits_are_bounded() {
        assert_eq!(PageParams { limit: None, cursor: None }.limit().unwrap(), 25);
        assert!(PageParams { limit: Some(0), cursor: None }.limit().is_err());
        assert!(PageParams { limit: Some(101), cursor: None }.limit().is_err());
    }

    #[test]
    fn a_page_knows_whether_more_follow() {
        let (items, next) = page(vec![1, 2, 3], 2, |n| n.to_string(), |n| n * 10);
        assert_eq!((items, next), (vec![10, 20], Some("2".to_string())));
        let (items, next) = page(vec![1, 2], 2, |n| n.to_string(), |n| n * 10);
        assert_eq!((items, next), (vec![10, 20], None));
    }
}
