//! The evaluation form's values both ways: a stored evaluation as the values its inputs show,
//! and the posted values as the route's request, checked by the route's own `parse`, with each
//! message moved to the input it belongs to.

use std::collections::HashMap;

use crate::console::layout::typed_number;
use crate::db::evaluations::EvaluationRow;
use crate::domain::outcomes::ODI_SECTIONS;
use crate::error::{ApiError, FieldError};
use crate::http::evaluation_form::{
    parse, EvaluationRequest, Findings, HipRangeOfMotion, HipSide, MovementPatterns, PsfsActivity, StartBackAnswers,
    TrunkEndurance,
};

pub(super) const PSFS_ROWS: usize = 5;

/// A stored evaluation as the form's values, by field name (the same names the form posts).
pub(super) fn values_of(row: &EvaluationRow) -> HashMap<String, String> {
    fn flatten(prefix: &str, value: &serde_json::Value, out: &mut HashMap<String, String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                    flatten(&key, v, out);
                }
            }
            serde_json::Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    flatten(&format!("{prefix}[{i}]"), v, out);
                }
            }
            serde_json::Value::Null => {}
            serde_json::Value::String(s) => {
                out.insert(prefix.to_string(), s.clone());
            }
            serde_json::Value::Bool(b) => {
                out.insert(prefix.to_string(), if *b { "agree" } else { "disagree" }.to_string());
            }
            other => {
                out.insert(prefix.to_string(), other.to_string());
            }
        }
    }
    let mut out = HashMap::new();
    let parsed = |text: &str| serde_json::from_str::<serde_json::Value>(text).unwrap_or_default();
    flatten("", &parsed(&row.findings), &mut out);
    flatten("start_back", &parsed(&row.start_back_answers), &mut out);
    flatten("psfs_activities", &parsed(&row.baseline_psfs_ratings), &mut out);
    flatten("baseline_odi", &parsed(&row.baseline_odi_answers), &mut out);
    out.insert("baseline_nrs".into(), row.baseline_nrs.to_string());
    out
}

/// The form's values as the route's request, and the messages for what is not even a number.
fn request_of(form: &HashMap<String, String>) -> (EvaluationRequest, Vec<usize>, Vec<FieldError>) {
    let mut errors = Vec::new();
    let given = |key: &str| form.get(key).map(|v| v.trim()).filter(|v| !v.is_empty());
    let text = |key: &str| form.get(key).filter(|v| !v.trim().is_empty()).cloned();
    let whole = |errors: &mut Vec<FieldError>, key: &str| {
        typed_number(form, key, errors).map(|n| i32::try_from(n).unwrap_or(i32::MAX))
    };
    let mut side = |side: &str| HipSide {
        flexion: whole(&mut errors, &format!("hip_range_of_motion.{side}.flexion")),
        internal_rotation: whole(&mut errors, &format!("hip_range_of_motion.{side}.internal_rotation")),
        external_rotation: whole(&mut errors, &format!("hip_range_of_motion.{side}.external_rotation")),
    };
    let hip_range_of_motion = HipRangeOfMotion { left: side("left"), right: side("right") };
    let trunk_endurance = TrunkEndurance {
        plank_seconds: whole(&mut errors, "trunk_endurance.plank_seconds"),
        side_plank_left_seconds: whole(&mut errors, "trunk_endurance.side_plank_left_seconds"),
        side_plank_right_seconds: whole(&mut errors, "trunk_endurance.side_plank_right_seconds"),
        extensor_hold_seconds: whole(&mut errors, "trunk_endurance.extensor_hold_seconds"),
    };
    let baseline_odi = (0..ODI_SECTIONS).map(|i| whole(&mut errors, &format!("baseline_odi[{i}]"))).collect();
    let nrs = whole(&mut errors, "baseline_nrs");
    let mut rows = Vec::new();
    let mut activities = Vec::new();
    for i in 0..PSFS_ROWS {
        let (name_key, rating_key) = (format!("psfs_activities[{i}].name"), format!("psfs_activities[{i}].rating"));
        let name = form.get(&name_key).cloned().unwrap_or_default();
        if name.trim().is_empty() && given(&rating_key).is_none() {
            continue;
        }
        match whole(&mut errors, &rating_key) {
            Some(rating) => {
                rows.push(i);
                activities.push(PsfsActivity { name, rating });
            }
            None if given(&rating_key).is_none() => {
                errors.push(FieldError::new(rating_key, "required", "rate it 0 (unable) to 10 (as before)"))
            }
            None => {}
        }
    }
    let mut agree = Vec::new();
    for i in 0..8 {
        let key = format!("start_back.agree[{i}]");
        match form.get(&key).map(String::as_str) {
            Some("agree") => agree.push(true),
            Some("disagree") => agree.push(false),
            _ => errors.push(FieldError::new(key, "required", "agree or disagree")),
        }
    }
    if nrs.is_none() && given("baseline_nrs").is_none() {
        errors.push(FieldError::new("baseline_nrs", "required", "pain now, 0 to 10"));
    }
    let request = EvaluationRequest {
        findings: Findings {
            lumbar_mobility: text("lumbar_mobility"),
            hip_range_of_motion,
            core_activation: text("core_activation"),
            trunk_endurance,
            movement_patterns: MovementPatterns {
                hinge: text("movement_patterns.hinge"),
                squat: text("movement_patterns.squat"),
                rotation: text("movement_patterns.rotation"),
            },
            repeated_movements: text("repeated_movements"),
            impression: text("impression"),
            plan: text("plan"),
        },
        start_back: StartBackAnswers {
            agree,
            bothersome: form.get("start_back.bothersome").cloned().unwrap_or_default(),
        },
        psfs_activities: activities,
        baseline_nrs: nrs.unwrap_or(0),
        baseline_odi,
    };
    (request, rows, errors)
}

/// The form checked as the route checks its body; the service's messages for the PSFS rows are
/// moved to the rows they were typed in, and a field's own message comes first.
pub(super) fn checked(
    form: &HashMap<String, String>,
) -> Result<(Findings, crate::clinical::evaluations::Assessment), ApiError> {
    let (request, rows, mut errors) = request_of(form);
    let (start_back_complete, nrs_given) = (request.start_back.agree.len() == 8, form.contains_key("baseline_nrs"));
    match parse(request) {
        Ok(parsed) if errors.is_empty() => Ok(parsed),
        Ok(_) => Err(ApiError::Validation(errors)),
        Err(ApiError::Validation(found)) => {
            for mut e in found {
                for (k, row) in rows.iter().enumerate() {
                    let (from, to) = (format!("psfs_activities[{k}]"), format!("psfs_activities[{row}]"));
                    if let Some(rest) = e.field.strip_prefix(&from) {
                        e.field = format!("{to}{rest}");
                        break;
                    }
                }
                let repeated = errors.iter().any(|mine| mine.field == e.field)
                    || (!start_back_complete && e.field == "start_back.agree")
                    || (!nrs_given && e.field == "baseline_nrs");
                if !repeated {
                    errors.push(e);
                }
            }
            Err(ApiError::Validation(errors))
        }
        Err(other) => Err(other),
    }
}
