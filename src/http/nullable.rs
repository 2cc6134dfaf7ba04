//! PATCH bodies tell "leave it" (field absent) from "clear it" (field `null`).

use serde::{Deserialize, Deserializer};

/// Use with `#[serde(default, deserialize_with = "...")]` on an `Option<Option<T>>`.
pub fn field<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}
