//! `docs/clinical-rules.md` states the numbers the code holds: its table of numbers must match
//! the MCID constants and the defaults a new clinic starts with, and name each of them.

use std::collections::BTreeMap;

use backtrack::domain::role::Role;
use backtrack::domain::{authorization, certification, outcomes};
use serde_json::Value;

use crate::helpers::spawn_app;

/// The table between the `numbers` markers: what each row's `held by` names, and its value.
fn documented_numbers() -> BTreeMap<String, f64> {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/clinical-rules.md")).unwrap();
    let table = doc.split("<!-- numbers:start -->").nth(1).and_then(|rest| rest.split("<!-- numbers:end -->").next());
    let mut numbers = BTreeMap::new();
    for row in table.expect("the numbers table").lines().filter(|l| l.starts_with('|')).skip(2) {
        let cells: Vec<&str> = row.trim_matches('|').split('|').map(str::trim).collect();
        assert_eq!(cells.len(), 3, "a row of three cells: {row}");
        let value = cells[1].trim_end_matches('%').parse::<f64>().unwrap_or_else(|_| panic!("a number: {row}"));
        let value = if cells[1].ends_with('%') && cells[2].contains("SHARE") { value / 100.0 } else { value };
        numbers.insert(cells[2].trim_matches('`').to_string(), value);
    }
    numbers
}

#[tokio::test]
async fn the_clinical_rules_page_states_the_numbers_the_code_holds() {
    let app = spawn_app().await;
    let (_, admin) = app.user_with_token(Role::Admin, "admin@clinic.example", "Ada Admin").await;
    let defaults: Value = app.get_as(&admin, "/v1/clinic/clinical-rules").await.json().await.unwrap();
    let setting = |name: &str| defaults[name].as_f64().unwrap_or_else(|| panic!("the setting {name}"));
    let episodes: Value = app.get_as(&admin, "/v1/clinic/episode-settings").await.json().await.unwrap();
    let episode_setting = |name: &str| episodes[name].as_f64().unwrap_or_else(|| panic!("the setting {name}"));
    let code: BTreeMap<String, f64> = [
        ("outcomes::NRS_MCID_POINTS", outcomes::NRS_MCID_POINTS),
        ("outcomes::ODI_MCID_POINTS", outcomes::ODI_MCID_POINTS),
        ("outcomes::MCID_SHARE_OF_BASELINE", outcomes::MCID_SHARE_OF_BASELINE),
        ("outcomes::PSFS_MCID_POINTS", outcomes::PSFS_MCID_POINTS),
        ("odi_min_answered", setting("odi_min_answered")),
        ("low_adherence_percent", setting("low_adherence_percent")),
        ("plateau_weeks", setting("plateau_weeks")),
        ("missed_check_in_days", setting("missed_check_in_days")),
        ("certification::PERIOD_MAX_DAYS", certification::PERIOD_MAX_DAYS.into()),
        ("certification::SIGN_WITHIN_DAYS", certification::SIGN_WITHIN_DAYS as f64),
        ("certification::SEND_WITHIN_DAYS", certification::SEND_WITHIN_DAYS as f64),
        ("certification::CHASE_AFTER_DAYS", certification::CHASE_AFTER_DAYS as f64),
        ("certification::RECERT_WARNING_DAYS", certification::RECERT_WARNING_DAYS as f64),
        ("authorization::FEW_VISITS_LEFT", authorization::FEW_VISITS_LEFT as f64),
        ("authorization::ENDING_WITHIN_DAYS", authorization::ENDING_WITHIN_DAYS as f64),
        ("worsening_nrs_points", episode_setting("worsening_nrs_points")),
        ("worsening_odi_points", episode_setting("worsening_odi_points")),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_string(), value))
    .collect();
    assert_eq!(documented_numbers(), code, "docs/clinical-rules.md's numbers against the code's");
    // The defaults in the code's own constants agree with a new clinic's settings.
    assert_eq!(setting("odi_min_answered"), outcomes::DEFAULT_ODI_MIN_ANSWERED as f64);
    assert_eq!(setting("plateau_weeks"), backtrack::domain::progress::DEFAULT_PLATEAU_WEEKS as f64);
}
