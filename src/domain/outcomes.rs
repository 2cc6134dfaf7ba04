//! Outcome measures (docs/clinical-rules.md): the Numeric Pain Rating Scale, the Oswestry Disability Index
//! (2.1a), the Patient-Specific Functional Scale and the STarT Back Screening Tool, each scored
//! exactly as published; and what counts as a meaningful change (MCID) for each.

use chrono::{Duration, NaiveDate};

use super::Invalid;

/// An NRS answer: 0 (no pain) to 10 (worst imaginable).
pub fn nrs(value: i32) -> Result<i32, Invalid> {
    if (0..=10).contains(&value) {
        Ok(value)
    } else {
        Err(Invalid::new("out_of_range", "0 to 10"))
    }
}

/// ODI has ten sections (pain intensity … travelling), each answered 0–5 or skipped.
pub const ODI_SECTIONS: usize = 10;

/// How many ODI sections must be answered for a score to be reported (a clinic setting; the
/// default is a clinic choice, not a published rule).
pub const DEFAULT_ODI_MIN_ANSWERED: usize = 8;

/// The ODI score in percent: the sum of answered sections ÷ (5 × sections answered) × 100;
/// `None` when fewer than `min_answered` sections were answered.
pub fn odi_percent(answers: &[Option<i32>; ODI_SECTIONS], min_answered: usize) -> Option<f64> {
    let answered: Vec<i32> = answers.iter().flatten().copied().collect();
    if answered.is_empty() || answered.len() < min_answered {
        return None;
    }
    let sum: i32 = answered.iter().sum();
    Some(f64::from(sum) / (5.0 * answered.len() as f64) * 100.0)
}

/// The clinic's "sections answered" setting as a count; a stored value that is no count falls back
/// to the default.
pub fn odi_min_answered(setting: i32) -> usize {
    usize::try_from(setting).unwrap_or(DEFAULT_ODI_MIN_ANSWERED)
}

/// Checks each ODI answer is 0–5 (or skipped); the field name of the first bad one.
pub fn odi_answers(answers: &[Option<i32>]) -> Result<[Option<i32>; ODI_SECTIONS], Invalid> {
    let answers: [Option<i32>; ODI_SECTIONS] =
        answers.try_into().map_err(|_| Invalid::new("wrong_length", "ten sections, null where skipped"))?;
    if answers.iter().flatten().any(|a| !(0..=5).contains(a)) {
        return Err(Invalid::new("out_of_range", "each section is 0 to 5, or null when skipped"));
    }
    Ok(answers)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OdiBand {
    Minimal,
    Moderate,
    Severe,
    Crippled,
    BedBound,
}

impl OdiBand {
    /// 0–20 minimal, 21–40 moderate, 41–60 severe, 61–80 crippled, 81–100 bed-bound.
    pub fn of(percent: f64) -> Self {
        match percent {
            p if p <= 20.0 => OdiBand::Minimal,
            p if p <= 40.0 => OdiBand::Moderate,
            p if p <= 60.0 => OdiBand::Severe,
            p if p <= 80.0 => OdiBand::Crippled,
            _ => OdiBand::BedBound,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            OdiBand::Minimal => "minimal",
            OdiBand::Moderate => "moderate",
            OdiBand::Severe => "severe",
            OdiBand::Crippled => "crippled",
            OdiBand::BedBound => "bed_bound",
        }
    }
}

/// PSFS: the mean of the 0–10 ratings of the patient's 3 to 5 activities.
pub fn psfs_mean(ratings: &[i32]) -> Option<f64> {
    (!ratings.is_empty()).then(|| f64::from(ratings.iter().sum::<i32>()) / ratings.len() as f64)
}

/// STarT Back (Keele): items 1–8 agree/disagree, item 9 bothersomeness.
/// A check-in's PSFS ratings: none at all, or one for each of the patient's `activities`, in
/// their order.
pub fn psfs_ratings(ratings: &[i32], activities: usize) -> Result<(), Invalid> {
    if !ratings.is_empty() && ratings.len() != activities {
        let message = format!("one rating for each of your {activities} PSFS activities, in order");
        return Err(Invalid::new("wrong_length", message));
    }
    Ok(())
}

/// A check-in is dated on the patient's own calendar: at most a day past their `today` (the
/// phone may already be in tomorrow), never further ahead.
pub fn check_in_date(completed_on: NaiveDate, today: NaiveDate) -> Result<NaiveDate, Invalid> {
    if completed_on > today + Duration::days(1) {
        return Err(Invalid::new("in_future", "a check-in cannot be dated ahead"));
    }
    Ok(completed_on)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bothersome {
    NotAtAll,
    Slightly,
    Moderately,
    VeryMuch,
    Extremely,
}

impl Bothersome {
    pub fn parse(value: &str) -> Option<Self> {
        Some(match value {
            "not_at_all" => Bothersome::NotAtAll,
            "slightly" => Bothersome::Slightly,
            "moderately" => Bothersome::Moderately,
            "very_much" => Bothersome::VeryMuch,
            "extremely" => Bothersome::Extremely,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartBackRisk {
    Low,
    Medium,
    High,
}

impl StartBackRisk {
    pub fn as_str(self) -> &'static str {
        match self {
            StartBackRisk::Low => "low",
            StartBackRisk::Medium => "medium",
            StartBackRisk::High => "high",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StartBackScore {
    /// 0–9.
    pub total: u32,
    /// Items 5–9, 0–5.
    pub psychosocial: u32,
    pub risk: StartBackRisk,
}

/// Scores the nine answers: `agree` holds items 1–8 in the official Keele order.
pub fn start_back(agree: &[bool; 8], item9: Bothersome) -> StartBackScore {
    let item9 = u32::from(matches!(item9, Bothersome::VeryMuch | Bothersome::Extremely));
    let total = agree.iter().filter(|a| **a).count() as u32 + item9;
    let psychosocial = agree[4..8].iter().filter(|a| **a).count() as u32 + item9;
    let risk = if psychosocial >= 4 {
        StartBackRisk::High
    } else if total <= 3 {
        StartBackRisk::Low
    } else {
        StartBackRisk::Medium
    };
    StartBackScore { total, psychosocial, risk }
}

/// NRS: a drop of this many points is a meaningful change (Ostelo et al., Spine 2008).
pub const NRS_MCID_POINTS: f64 = 2.0;
/// ODI: a drop of this many percentage points is a meaningful change (Ostelo et al. 2008).
pub const ODI_MCID_POINTS: f64 = 10.0;
/// NRS and ODI: so is a drop of this share of the baseline, whichever comes first (Ostelo 2008).
pub const MCID_SHARE_OF_BASELINE: f64 = 0.3;
/// PSFS: a rise of this many points in the mean is a meaningful change (Abbott & Schmitt 2014).
pub const PSFS_MCID_POINTS: f64 = 2.0;

/// Which way is better for a measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// Pain now, 0–10: lower is better.
    Nrs,
    /// ODI %, lower is better.
    Odi,
    /// PSFS mean, higher is better.
    Psfs,
}

impl Measure {
    /// Whether the change from `baseline` to `latest` is a minimal clinically important one:
    /// NRS a drop of 2 points or 30%; ODI 10 points or 30% (Ostelo 2008); PSFS a rise of 2
    /// points in the mean (Abbott & Schmitt 2014).
    pub fn mcid_reached(self, baseline: f64, latest: f64) -> bool {
        const EPSILON: f64 = 1e-9;
        let share = |drop: f64| baseline > 0.0 && drop / baseline >= MCID_SHARE_OF_BASELINE - EPSILON;
        match self {
            Measure::Nrs => baseline - latest >= NRS_MCID_POINTS - EPSILON || share(baseline - latest),
            Measure::Odi => baseline - latest >= ODI_MCID_POINTS - EPSILON || share(baseline - latest),
            Measure::Psfs => latest - baseline >= PSFS_MCID_POINTS - EPSILON,
        }
    }

    /// The level at which the change from `baseline` becomes meaningful (the chart's target
    /// line): whichever of the two rules is reached first.
    pub fn target(self, baseline: f64) -> f64 {
        match self {
            Measure::Nrs => (baseline - NRS_MCID_POINTS).max(baseline * (1.0 - MCID_SHARE_OF_BASELINE)).max(0.0),
            Measure::Odi => (baseline - ODI_MCID_POINTS).max(baseline * (1.0 - MCID_SHARE_OF_BASELINE)).max(0.0),
            Measure::Psfs => (baseline + PSFS_MCID_POINTS).min(10.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_check_in_is_dated_at_most_a_day_ahead() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
        assert!(check_in_date(today, today).is_ok());
        assert!(check_in_date(today + Duration::days(1), today).is_ok());
        assert_eq!(check_in_date(today + Duration::days(2), today).unwrap_err().code, "in_future");
    }

    #[test]
    fn psfs_ratings_are_none_or_one_per_activity() {
        assert!(psfs_ratings(&[], 3).is_ok());
        assert!(psfs_ratings(&[4, 5, 6], 3).is_ok());
        assert_eq!(psfs_ratings(&[4, 5], 3).unwrap_err().code, "wrong_length");
        assert_eq!(odi_min_answered(7), 7);
        assert_eq!(odi_min_answered(-1), DEFAULT_ODI_MIN_ANSWERED);
    }

    #[test]
    fn odi_worked_example_with_a_skipped_section() {
        // docs/clinical-rules.md: 9 sections answered, sum 16 → 16 ÷ 45 × 100 = 35.6%.
        let answers = [Some(2), Some(1), Some(3), Some(2), Some(2), Some(1), Some(2), None, Some(2), Some(1)];
        let score = odi_percent(&answers, DEFAULT_ODI_MIN_ANSWERED).unwrap();
        assert!((score - 35.555).abs() < 0.01, "{score}");
        assert_eq!(format!("{score:.1}"), "35.6");
        assert_eq!(OdiBand::of(score), OdiBand::Moderate);
    }

    #[test]
    fn odi_is_not_reported_below_the_minimum_answered() {
        let seven = [Some(1), Some(1), Some(1), Some(1), Some(1), Some(1), Some(1), None, None, None];
        assert_eq!(odi_percent(&seven, 8), None);
        assert!((odi_percent(&seven, 7).unwrap() - 20.0).abs() < 1e-9, "a clinic may accept fewer");
        assert_eq!(odi_percent(&[None; 10], 0), None);
        assert_eq!(odi_percent(&[Some(5); 10], 8), Some(100.0));
        assert_eq!(odi_percent(&[Some(0); 10], 8), Some(0.0));
    }

    #[test]
    fn odi_answers_are_ten_sections_of_zero_to_five() {
        assert!(odi_answers(&[Some(1); 10]).is_ok());
        assert_eq!(odi_answers(&[Some(1); 9]).unwrap_err().code, "wrong_length");
        assert_eq!(
            odi_answers(&[Some(6), None, None, None, None, None, None, None, None, None]).unwrap_err().code,
            "out_of_range"
        );
    }

    #[test]
    fn odi_bands_have_inclusive_upper_edges() {
        assert_eq!(OdiBand::of(20.0), OdiBand::Minimal);
        assert_eq!(OdiBand::of(21.0), OdiBand::Moderate);
        assert_eq!(OdiBand::of(40.0), OdiBand::Moderate);
        assert_eq!(OdiBand::of(60.0), OdiBand::Severe);
        assert_eq!(OdiBand::of(80.0), OdiBand::Crippled);
        assert_eq!(OdiBand::of(81.0), OdiBand::BedBound);
    }

    #[test]
    fn nrs_and_psfs() {
        assert_eq!(nrs(0), Ok(0));
        assert_eq!(nrs(10), Ok(10));
        assert!(nrs(11).is_err() && nrs(-1).is_err());
        assert_eq!(psfs_mean(&[3, 4, 8]), Some(5.0));
        assert_eq!(psfs_mean(&[]), None);
    }

    #[test]
    fn start_back_risk_groups() {
        let agree = |items: &[usize]| {
            let mut a = [false; 8];
            for i in items {
                a[i - 1] = true;
            }
            a
        };
        // Total 3 → low.
        let low = start_back(&agree(&[1, 2, 5]), Bothersome::Moderately);
        assert_eq!((low.total, low.psychosocial, low.risk), (3, 1, StartBackRisk::Low));
        // Total 5, subscale 3 → medium.
        let medium = start_back(&agree(&[1, 2, 3, 5, 6]), Bothersome::VeryMuch);
        assert_eq!((medium.total, medium.psychosocial, medium.risk), (6, 3, StartBackRisk::Medium));
        // Subscale 4 → high (items 5, 6, 7 and "extremely").
        let high = start_back(&agree(&[5, 6, 7]), Bothersome::Extremely);
        assert_eq!((high.total, high.psychosocial, high.risk), (4, 4, StartBackRisk::High));
        // Item 9 counts only for "very much" and "extremely".
        assert_eq!(start_back(&agree(&[]), Bothersome::Moderately).total, 0);
        assert_eq!(start_back(&agree(&[1, 2, 3, 4, 5, 6, 7, 8]), Bothersome::Extremely).total, 9);
    }

    #[test]
    fn meaningful_change() {
        assert!(Measure::Nrs.mcid_reached(7.0, 5.0), "a 2-point drop");
        assert!(!Measure::Nrs.mcid_reached(7.0, 6.0));
        assert!(Measure::Nrs.mcid_reached(3.0, 2.0), "a 1-point drop from 3 is 33%");
        assert!(!Measure::Nrs.mcid_reached(5.0, 6.0), "worse is not better");
        assert!(Measure::Odi.mcid_reached(40.0, 30.0), "10 points");
        assert!(Measure::Odi.mcid_reached(20.0, 14.0), "30%");
        assert!(!Measure::Odi.mcid_reached(40.0, 32.0));
        assert!(Measure::Psfs.mcid_reached(4.0, 6.0));
        assert!(!Measure::Psfs.mcid_reached(4.0, 5.5));
        assert_eq!(Measure::Nrs.target(7.0), 5.0, "2 points come before 30%");
        assert!((Measure::Nrs.target(3.0) - 2.1).abs() < 1e-9, "30% comes before 2 points");
        assert_eq!(Measure::Odi.target(40.0), 30.0);
        assert!(Measure::Nrs.mcid_reached(7.0, Measure::Nrs.target(7.0)));
    }
}
