//! An evaluation as a clinician sends it (the JSON body of `PUT /v1/appointments/{id}/evaluation`
//! and the console's evaluation form alike): the movement findings, STarT Back, the PSFS
//! activities and the baselines, and the one check that turns it into what
//! [`crate::clinical::evaluations::record`] stores.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::clinical::evaluations::{Assessment, PsfsRating};
use crate::domain::outcomes::{self, Bothersome};
use crate::domain::Invalid;
use crate::error::fields::Checks;
use crate::error::ApiError;

/// Degrees, 0–180.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct HipSide {
    #[schema(minimum = 0, maximum = 180)]
    pub flexion: Option<i32>,
    #[schema(minimum = 0, maximum = 180)]
    pub internal_rotation: Option<i32>,
    #[schema(minimum = 0, maximum = 180)]
    pub external_rotation: Option<i32>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct HipRangeOfMotion {
    pub left: HipSide,
    pub right: HipSide,
}

/// Seconds held, 0–600.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct TrunkEndurance {
    #[schema(minimum = 0, maximum = 600)]
    pub plank_seconds: Option<i32>,
    #[schema(minimum = 0, maximum = 600)]
    pub side_plank_left_seconds: Option<i32>,
    #[schema(minimum = 0, maximum = 600)]
    pub side_plank_right_seconds: Option<i32>,
    #[schema(minimum = 0, maximum = 600)]
    pub extensor_hold_seconds: Option<i32>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct MovementPatterns {
    #[schema(max_length = 2000, pattern = r"^[^\u0000-\u0008\u000b-\u001f\u007f-\u009f]*$")]
    pub hinge: Option<String>,
    #[schema(max_length = 2000, pattern = r"^[^\u0000-\u0008\u000b-\u001f\u007f-\u009f]*$")]
    pub squat: Option<String>,
    #[schema(max_length = 2000, pattern = r"^[^\u0000-\u0008\u000b-\u001f\u007f-\u009f]*$")]
    pub rotation: Option<String>,
}

/// What the clinician found and thinks (free text at most 2000 characters each).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct Findings {
    #[schema(max_length = 2000, pattern = r"^[^\u0000-\u0008\u000b-\u001f\u007f-\u009f]*$")]
    pub lumbar_mobility: Option<String>,
    #[serde(default)]
    pub hip_range_of_motion: HipRangeOfMotion,
    #[schema(max_length = 2000, pattern = r"^[^\u0000-\u0008\u000b-\u001f\u007f-\u009f]*$")]
    pub core_activation: Option<String>,
    #[serde(default)]
    pub trunk_endurance: TrunkEndurance,
    #[serde(default)]
    pub movement_patterns: MovementPatterns,
    /// How symptoms respond to repeated movements.
    #[schema(max_length = 2000, pattern = r"^[^\u0000-\u0008\u000b-\u001f\u007f-\u009f]*$")]
    pub repeated_movements: Option<String>,
    #[schema(max_length = 2000, pattern = r"^[^\u0000-\u0008\u000b-\u001f\u007f-\u009f]*$")]
    pub impression: Option<String>,
    #[schema(max_length = 2000, pattern = r"^[^\u0000-\u0008\u000b-\u001f\u007f-\u009f]*$")]
    pub plan: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StartBackAnswers {
    /// Items 1–8 in the official Keele order: true for "agree".
    #[schema(schema_with = crate::http::schemas::eight_answers)]
    pub agree: Vec<bool>,
    /// Item 9: `not_at_all`, `slightly`, `moderately`, `very_much` or `extremely`.
    #[schema(schema_with = bothersome)]
    pub bothersome: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PsfsActivity {
    /// e.g. "Lifting my toddler", "Sitting through a film".
    #[schema(
        max_length = 120,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: String,
    /// 0 (unable) to 10 (as before the problem).
    #[schema(minimum = 0, maximum = 10)]
    pub rating: i32,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct EvaluationRequest {
    #[serde(flatten)]
    pub findings: Findings,
    pub start_back: StartBackAnswers,
    /// 3 to 5 activities; kept for the patient, so every re-test rates the same ones.
    #[schema(min_items = 3, max_items = 5)]
    pub psfs_activities: Vec<PsfsActivity>,
    /// Pain now, 0–10.
    #[schema(minimum = 0, maximum = 10)]
    pub baseline_nrs: i32,
    /// The ten ODI sections, 0–5, null where skipped.
    #[schema(schema_with = crate::http::schemas::odi)]
    pub baseline_odi: Vec<Option<i32>>,
}

fn bounded(value: Option<i32>, max: i32) -> Result<Option<i32>, Invalid> {
    match value {
        Some(v) if !(0..=max).contains(&v) => Err(Invalid::new("out_of_range", format!("0 to {max}"))),
        other => Ok(other),
    }
}

/// At most 2000 characters, no control characters but line breaks and tabs, as sent; stored
/// trimmed, and blank is absent.
fn text(value: &Option<String>) -> Result<Option<String>, Invalid> {
    match value.as_deref() {
        Some(t) if t.chars().count() > 2000 => Err(Invalid::new("too_long", "at most 2000 characters")),
        Some(t) if t.chars().any(|c| c.is_control() && c != '\n' && c != '\t') => {
            Err(Invalid::new("invalid_format", "plain text"))
        }
        Some(t) if t.trim().is_empty() => Ok(None),
        Some(t) => Ok(Some(t.trim().to_string())),
        None => Ok(None),
    }
}

/// Every field checked at once; the findings come back trimmed.
fn check(request: &EvaluationRequest, checks: &mut Checks) -> Findings {
    let f = &request.findings;
    let mut findings = f.clone();
    for (field, value, slot) in [
        ("lumbar_mobility", &f.lumbar_mobility, &mut findings.lumbar_mobility),
        ("core_activation", &f.core_activation, &mut findings.core_activation),
        ("repeated_movements", &f.repeated_movements, &mut findings.repeated_movements),
        ("impression", &f.impression, &mut findings.impression),
        ("plan", &f.plan, &mut findings.plan),
        ("movement_patterns.hinge", &f.movement_patterns.hinge, &mut findings.movement_patterns.hinge),
        ("movement_patterns.squat", &f.movement_patterns.squat, &mut findings.movement_patterns.squat),
        ("movement_patterns.rotation", &f.movement_patterns.rotation, &mut findings.movement_patterns.rotation),
    ] {
        *slot = checks.field(field, text(value)).flatten();
    }
    let hips = &f.hip_range_of_motion;
    for (side, hip) in [("left", &hips.left), ("right", &hips.right)] {
        for (name, value) in [
            ("flexion", hip.flexion),
            ("internal_rotation", hip.internal_rotation),
            ("external_rotation", hip.external_rotation),
        ] {
            checks.field(&format!("hip_range_of_motion.{side}.{name}"), bounded(value, 180));
        }
    }
    let trunk = &f.trunk_endurance;
    for (name, value) in [
        ("plank_seconds", trunk.plank_seconds),
        ("side_plank_left_seconds", trunk.side_plank_left_seconds),
        ("side_plank_right_seconds", trunk.side_plank_right_seconds),
        ("extensor_hold_seconds", trunk.extensor_hold_seconds),
    ] {
        checks.field(&format!("trunk_endurance.{name}"), bounded(value, 600));
    }
    findings
}

/// The request checked, every field at once: the findings (trimmed) and the scored answers.
pub fn parse(request: EvaluationRequest) -> Result<(Findings, Assessment), ApiError> {
    let mut checks = Checks::default();
    let findings = check(&request, &mut checks);
    let agree: Option<[bool; 8]> = request.start_back.agree.as_slice().try_into().ok();
    if agree.is_none() {
        checks.fail("start_back.agree", "wrong_length", "items 1 to 8, true for agree");
    }
    let bothersome = Bothersome::parse(&request.start_back.bothersome);
    if bothersome.is_none() {
        checks.fail("start_back.bothersome", "invalid", "not_at_all, slightly, moderately, very_much or extremely");
    }
    if !(3..=5).contains(&request.psfs_activities.len()) {
        checks.fail("psfs_activities", "out_of_range", "3 to 5 activities");
    }
    let mut activities = Vec::new();
    for (i, activity) in request.psfs_activities.iter().enumerate() {
        let name = activity.name.trim();
        if name.is_empty() || activity.name.chars().count() > 120 || activity.name.chars().any(char::is_control) {
            checks.fail(&format!("psfs_activities[{i}].name"), "invalid", "1 to 120 characters, no control characters");
        }
        checks.field(&format!("psfs_activities[{i}].rating"), bounded(Some(activity.rating), 10));
        activities.push(PsfsRating { name: name.to_string(), rating: activity.rating });
    }
    checks.field("baseline_nrs", outcomes::nrs(request.baseline_nrs));
    let odi = checks.field("baseline_odi", outcomes::odi_answers(&request.baseline_odi));
    checks.finish(|| {
        Some((
            findings,
            Assessment {
                agree: agree?,
                bothersome: bothersome?,
                bothersome_answer: request.start_back.bothersome.clone(),
                nrs: request.baseline_nrs,
                activities,
                odi: odi?,
            },
        ))
    })
}

fn bothersome() -> utoipa::openapi::schema::Schema {
    crate::http::schemas::one_of(&["not_at_all", "slightly", "moderately", "very_much", "extremely"], false)
}
