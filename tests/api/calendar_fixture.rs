//! A clinic with a front desk, clinicians working every day 09:00–17:00 local, and patients,
//! for the calendar tests.

use backtrack::domain::role::Role;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};

pub struct Calendar {
    pub app: TestApp,
    pub zone: chrono_tz::Tz,
    pub admin: String,
    pub desk: String,
    /// (id, token)
    pub clinicians: Vec<(String, String)>,
}

pub async fn calendar(zone: &str, clinicians: usize) -> Calendar {
    let app = spawn_app().await;
    let (_, admin) = app.user_with_token(Role::Admin, "admin@clinic.example", "Ada Admin").await;
    let (_, desk) = app.user_with_token(Role::FrontDesk, "desk@clinic.example", "Finn Desk").await;
    let settings = json!({
        "name": "Lakeside Physical Therapy",
        "address": "12 Lake St, Springfield",
        "phone": "+1 312 555 0100",
        "time_zone": zone,
        "slot_granularity_minutes": 15,
        "reminder_offsets_minutes": [1440, 120],
        "waitlist_offer_minutes": 120
    });
    let response = app.client.put(app.url("/v1/clinic")).bearer_auth(&admin).json(&settings).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let mut people = Vec::new();
    for n in 0..clinicians {
        let (id, token) = app
            .user_with_token(
                Role::Clinician,
                &format!("pt{n}@clinic.example"),
                &format!("Clinician {}", (b'A' + n as u8) as char),
            )
            .await;
        set_hours(&app, &admin, &id, "09:00", "17:00").await;
        people.push((id, token));
    }
    Calendar { app, zone: zone.parse().unwrap(), admin, desk, clinicians: people }
}

pub async fn set_hours(app: &TestApp, token: &str, clinician: &str, start: &str, end: &str) {
    let rules: Vec<Value> = (1..=7).map(|d| json!({"weekday": d, "start": start, "end": end})).collect();
    let response = app
        .client
        .put(app.url(&format!("/v1/clinicians/{clinician}/availability")))
        .bearer_auth(token)
        .json(&json!({"rules": rules}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
}

impl Calendar {
    /// `days` days from today (clinic-local) at `hh:mm` local.
    pub fn at(&self, days: i64, hh: u32, mm: u32) -> DateTime<Utc> {
        let today = Utc::now().with_timezone(&self.zone).date_naive();
        self.on(today + Duration::days(days), hh, mm)
    }

    pub fn on(&self, date: NaiveDate, hh: u32, mm: u32) -> DateTime<Utc> {
        self.zone.from_local_datetime(&date.and_hms_opt(hh, mm, 0).unwrap()).earliest().unwrap().with_timezone(&Utc)
    }

    pub async fn patient(&self, n: usize) -> (String, String) {
        self.app.user_with_token(Role::Patient, &format!("patient{n}@example.org"), &format!("Patient Number{n}")).await
    }

    pub async fn book(&self, token: &str, body: &Value) -> reqwest::Response {
        self.app.post_as(token, "/v1/appointments", body).await
    }

    pub async fn book_ok(&self, token: &str, body: &Value) -> Value {
        let response = self.book(token, body).await;
        assert_eq!(response.status(), 201, "{:?}", response.text().await);
        response.json().await.unwrap()
    }

    pub async fn availability(&self, token: &str, query: &str) -> Value {
        let response = self.app.get_as(token, &format!("/v1/availability?{query}")).await;
        assert_eq!(response.status(), 200, "{:?}", response.text().await);
        response.json().await.unwrap()
    }
}

pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
