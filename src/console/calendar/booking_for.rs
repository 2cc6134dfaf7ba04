//! A booking started from somewhere other than the patient's page (the day sheet's "Book" in a
//! clinician's column): the patient search carries the clinician and the day through, and the
//! patient chosen goes on to the booking with both already chosen.

use chrono::NaiveDate;
use maud::{html, Markup};

use crate::console::patients::encode;

/// The booking a search leads to: the clinician and the day it was started for.
#[derive(Debug, Clone, Default)]
pub struct BookingFor {
    clinician_id: Option<String>,
    date: Option<NaiveDate>,
}

impl BookingFor {
    pub fn new(clinician_id: Option<String>, date: Option<String>) -> Self {
        BookingFor { clinician_id: clinician_id.filter(|c| !c.is_empty()), date: date.and_then(|d| d.parse().ok()) }
    }

    pub fn is_set(&self) -> bool {
        self.clinician_id.is_some() || self.date.is_some()
    }

    /// The query string that carries it (each part starting with `&`).
    pub fn query(&self) -> String {
        let mut query = String::new();
        if let Some(c) = &self.clinician_id {
            query.push_str(&format!("&clinician_id={}", encode(c)));
        }
        if let Some(d) = self.date {
            query.push_str(&format!("&date={d}"));
        }
        query
    }

    /// Where a found patient's name leads: their page, or on to the booking.
    pub fn patient_link(&self, id: &str) -> String {
        if self.is_set() {
            format!("/console/book?patient_id={}{}", encode(id), self.query())
        } else {
            format!("/console/patients/{id}")
        }
    }

    /// The hidden fields that keep it through another search.
    pub fn hidden(&self) -> Markup {
        html! {
            @if let Some(c) = &self.clinician_id { input type="hidden" name="clinician_id" value=(c); }
            @if let Some(d) = self.date { input type="hidden" name="date" value=(d); }
        }
    }
}
