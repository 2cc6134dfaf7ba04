//! Schemas the derive cannot spell on its own: the time-zone name, the red-flag answers, and
//! arrays whose items are bounded. Used with `#[schema(schema_with = ...)]`, so the document states the
//! same limits the handlers enforce.

use serde_json::Value;
use utoipa::openapi::schema::{
    AdditionalProperties, ArrayBuilder, ObjectBuilder, OneOfBuilder, Schema, SchemaType, Type,
};
use utoipa::openapi::{Ref, RefOr};

/// The name of the component for a time-zone name.
pub const TIME_ZONE: &str = "TimeZone";

/// The `TimeZone` component: a string, not a list. The server checks the name against the tz
/// database it was built with (`domain::person::time_zone`); freezing that list into the contract
/// would date every client with it, and a 600-value enum is more than client generators handle.
pub fn time_zone_component() -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(
            "An IANA time-zone name from the tz database, e.g. `Europe/Dublin`. The server checks it: \
             an unknown name is refused with 422 (`errors[].code` `invalid_time_zone`).",
        ))
        .examples(["Europe/Dublin", "America/Chicago", "Australia/Lord_Howe", "UTC"])
        .build()
        .into()
}

pub fn time_zone() -> RefOr<Schema> {
    Ref::from_schema_name(TIME_ZONE).into()
}

pub fn time_zone_or_null() -> RefOr<Schema> {
    or_null(TIME_ZONE)
}

/// The named component, or null.
fn or_null(component: &str) -> RefOr<Schema> {
    let one_of = OneOfBuilder::new()
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .item(Ref::from_schema_name(component))
        .build();
    RefOr::T(Schema::OneOf(one_of))
}

fn int(min: i64, max: i64, nullable: bool) -> ObjectBuilder {
    let kind = if nullable { SchemaType::from_iter([Type::Integer, Type::Null]) } else { Type::Integer.into() };
    ObjectBuilder::new()
        .schema_type(kind)
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Int32)))
        .minimum(Some(min))
        .maximum(Some(max))
}

fn nullable_array(array: ArrayBuilder, nullable: bool) -> Schema {
    let kind = if nullable { SchemaType::from_iter([Type::Array, Type::Null]) } else { Type::Array.into() };
    array.schema_type(kind).build().into()
}

/// ISO weekdays, 1 = Monday … 7 = Sunday.
pub fn weekdays() -> Schema {
    nullable_array(ArrayBuilder::new().items(int(1, 7, false)), false)
}

/// One or more ISO weekdays.
pub fn some_weekdays() -> Schema {
    nullable_array(ArrayBuilder::new().items(int(1, 7, false)).min_items(Some(1)), false)
}

/// The ten ODI sections in order, each 0–5, null where skipped.
pub fn odi() -> Schema {
    nullable_array(ArrayBuilder::new().items(int(0, 5, true)).min_items(Some(10)).max_items(Some(10)), false)
}

pub fn odi_or_null() -> Schema {
    nullable_array(ArrayBuilder::new().items(int(0, 5, true)).min_items(Some(10)).max_items(Some(10)), true)
}

/// Ratings 0–10.
pub fn ratings_or_null() -> Schema {
    nullable_array(ArrayBuilder::new().items(int(0, 10, false)).max_items(Some(5)), true)
}

/// The eight STarT Back agree/disagree items.
pub fn eight_answers() -> Schema {
    nullable_array(
        ArrayBuilder::new()
            .items(ObjectBuilder::new().schema_type(Type::Boolean))
            .min_items(Some(8))
            .max_items(Some(8)),
        false,
    )
}

/// Reminder offsets: up to five, each 1 minute to 7 days.
pub fn reminder_offsets() -> Schema {
    nullable_array(
        ArrayBuilder::new()
            .items(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Int64)))
                    .minimum(Some(1))
                    .maximum(Some(10_080)),
            )
            .max_items(Some(5)),
        false,
    )
}

/// The name of the component for the answers to the red-flag questions.
pub const RED_FLAG_ANSWERS: &str = "RedFlagAnswers";

/// The `RedFlagAnswers` component, one for sign-up, booking and check-in: each question's id
/// (`GET /v1/red-flag-questions`) to true or false.
pub fn red_flag_answers_component() -> Schema {
    let mut object = ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some("The red-flag questions answered, by id (`GET /v1/red-flag-questions`); absent means no."))
        .additional_properties(Some(AdditionalProperties::FreeForm(false)));
    for question in crate::domain::red_flags::QUESTIONS.iter() {
        object = object.property(question.id, ObjectBuilder::new().schema_type(Type::Boolean));
    }
    object.build().into()
}

/// Answers to the red-flag questions, by question id.
pub fn red_flags() -> RefOr<Schema> {
    Ref::from_schema_name(RED_FLAG_ANSWERS).into()
}

pub fn red_flags_or_null() -> RefOr<Schema> {
    or_null(RED_FLAG_ANSWERS)
}

/// A string from a closed list.
pub fn one_of(values: &[&str], nullable: bool) -> Schema {
    let kind = if nullable { SchemaType::from_iter([Type::String, Type::Null]) } else { Type::String.into() };
    let mut values: Vec<Value> = values.iter().map(|v| Value::from(*v)).collect();
    if nullable {
        values.push(Value::Null);
    }
    ObjectBuilder::new().schema_type(kind).enum_values(Some(values)).build().into()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_zone_of_the_tz_database_is_accepted() {
        for tz in chrono_tz::TZ_VARIANTS.iter() {
            assert!(crate::domain::person::time_zone(tz.name()).is_ok(), "{}", tz.name());
        }
    }
}
