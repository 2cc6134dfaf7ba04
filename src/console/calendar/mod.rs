//! The calendar's screens: the day sheet and the week, booking, one appointment with its
//! changes, and the waitlist. Every read and change goes through `crate::calendar`, as the JSON
//! routes' do.

mod appointment;
mod book;
pub mod booking_for;
mod day;
mod exceptions;
mod hours;
mod waitlist;
mod week;

pub use appointment::{appointment_page, change_appointment};
pub use book::{book_page, book_submit};
pub use day::day_page;
pub use exceptions::{add_exception, remove_exception};
pub use hours::{hours_page, save_hours};
pub use waitlist::{join_waitlist, leave_waitlist, waitlist_page};
pub use week::week_page;

use std::collections::HashMap;

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use maud::{html, Markup};

use crate::calendar::availability::ClinicianSlots;
use crate::db::appointments::AppointmentRow;
use crate::db::clinic::{self, AppointmentTypeRow};
use crate::db::{users, DbConnection};
use crate::domain::local_time::local;

/// A date typed in a form's date field, or the field's message.
pub fn typed_date(field: &str, raw: &str) -> Result<NaiveDate, crate::error::ApiError> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| crate::error::ApiError::field(field, "invalid_format", "a date is YYYY-MM-DD"))
}

/// `09:30`, the clinic's wall clock.
pub fn clock(zone: Tz, at: DateTime<Utc>) -> String {
    local(zone, at).format("%H:%M").to_string()
}

/// `Tue 1 Dec 2026`.
pub fn day_name(date: NaiveDate) -> String {
    date.format("%a %-d %b %Y").to_string()
}

/// `Tue 1 Dec, 09:30`.
pub fn when(zone: Tz, at: DateTime<Utc>) -> String {
    local(zone, at).format("%a %-d %b %Y, %H:%M").to_string()
}

/// The names and types an appointment list shows, read once for the list.
pub struct Names {
    pub people: HashMap<String, String>,
    pub types: HashMap<String, AppointmentTypeRow>,
}

impl Names {
    pub fn of(conn: &mut DbConnection, rows: &[AppointmentRow]) -> diesel::QueryResult<Self> {
        let mut ids: Vec<String> = rows.iter().flat_map(|r| [r.patient_id.clone(), r.clinician_id.clone()]).collect();
        ids.sort();
        ids.dedup();
        let people = users::names(conn, &ids)?;
        let types = clinic::types(conn, true)?.into_iter().map(|t| (t.id.clone(), t)).collect();
        Ok(Self { people, types })
    }

    pub fn person(&self, id: &str) -> &str {
        self.people.get(id).map_or("(unknown)", String::as_str)
    }

    pub fn kind(&self, id: &str) -> &str {
        self.types.get(id).map_or("(unknown type)", |t| t.name.as_str())
    }
}

/// How a status reads on a page.
pub fn status_label(status: &str) -> &'static str {
    match status {
        "booked" => "Booked",
        "arrived" => "Arrived",
        "completed" => "Completed",
        "no_show" => "No-show",
        "cancelled" => "Cancelled",
        _ => "Unknown",
    }
}

/// A free start: when, and the clinician's id and name.
type FreeStart<'a> = (DateTime<Utc>, &'a str, &'a str);

/// The free starts in `found` as one radio group `slot` (each value `clinician start`), a
/// heading per day: what the booking and moving forms offer.
pub fn time_choices(zone: Tz, legend: &str, found: &[ClinicianSlots]) -> Markup {
    let mut by_day: BTreeMap<NaiveDate, Vec<FreeStart>> = BTreeMap::new();
    for c in found {
        for slot in &c.slots {
            let entry = (slot.start, c.clinician.id.as_str(), c.clinician.full_name.as_str());
            by_day.entry(local(zone, slot.start).date()).or_default().push(entry);
        }
    }
    for starts in by_day.values_mut() {
        starts.sort_by_key(|(at, _, name)| (*at, *name));
    }
    html! {
        fieldset {
            legend { (legend) }
            @for (day, starts) in by_day {
                h3 { (day_name(day)) }
                div.times {
                    @for (at, clinician_id, name) in starts {
                        @let id = format!("slot-{}-{}", at.timestamp(), clinician_id);
                        span.time {
                            input type="radio" name="slot" id=(id) value={ (clinician_id) " " (at.to_rfc3339()) } required;
                            label for=(id) { (clock(zone, at)) " " span.hint { (name) } }
                        }
                    }
                }
            }
        }
    }
}

/// Whether `found` offers any start at all.
pub fn any_free(found: &[ClinicianSlots]) -> bool {
    found.iter().any(|c| !c.slots.is_empty())
}
