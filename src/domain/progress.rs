//! A measure's course over time (docs/clinical-rules.md, "Progress summary" and "Plateau"): baseline,
//! latest, change, percent change, whether the change is meaningful, the trend over the last four
//! weeks, and the plateau rule that asks the clinician to reassess.

use chrono::{Duration, NaiveDate};

use super::outcomes::Measure;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub date: NaiveDate,
    pub value: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trend {
    Improving,
    Stable,
    Worsening,
    /// Fewer than two points in the last four weeks.
    Unknown,
}

impl Trend {
    pub fn as_str(self) -> &'static str {
        match self {
            Trend::Improving => "improving",
            Trend::Stable => "stable",
            Trend::Worsening => "worsening",
            Trend::Unknown => "unknown",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub baseline: Point,
    pub latest: Point,
    /// Latest minus baseline, in the measure's units.
    pub change: f64,
    /// The change relative to the baseline, in percent; `None` from a baseline of zero.
    pub percent_change: Option<f64>,
    pub mcid_reached: bool,
    /// Least-squares slope over the last 28 days, units per week.
    pub slope_per_week: Option<f64>,
    pub trend: Trend,
    /// The level at which the change becomes meaningful.
    pub target: f64,
    /// Oldest first.
    pub series: Vec<Point>,
}

/// A change over four weeks smaller than this is "stable": half the measure's MCID.
fn stable_band(measure: Measure) -> f64 {
    match measure {
        Measure::Nrs | Measure::Psfs => 1.0,
        Measure::Odi => 5.0,
    }
}

fn slope_per_week(points: &[Point]) -> Option<f64> {
    if points.len() < 2 {
        return None;
    }
    let origin = points[0].date;
    let xs: Vec<f64> = points.iter().map(|p| (p.date - origin).num_days() as f64 / 7.0).collect();
    let n = points.len() as f64;
    let (mean_x, mean_y) = (xs.iter().sum::<f64>() / n, points.iter().map(|p| p.value).sum::<f64>() / n);
    let (mut covariance, mut variance) = (0.0, 0.0);
    for (x, p) in xs.iter().zip(points) {
        covariance += (x - mean_x) * (p.value - mean_y);
        variance += (x - mean_x) * (x - mean_x);
    }
    (variance > 0.0).then(|| covariance / variance)
}

/// The summary of a series (any order), as of `today`; `None` without points.
pub fn summarize(measure: Measure, series: &[Point], today: NaiveDate) -> Option<Summary> {
    let mut series = series.to_vec();
    series.sort_by_key(|p| p.date);
    let (baseline, latest) = (*series.first()?, *series.last()?);
    let change = latest.value - baseline.value;
    let recent: Vec<Point> = series.iter().copied().filter(|p| p.date > today - Duration::days(28)).collect();
    let slope = slope_per_week(&recent);
    let trend = match slope {
        None => Trend::Unknown,
        Some(s) => {
            let four_weeks = s * 4.0;
            let better = if measure == Measure::Psfs { four_weeks } else { -four_weeks };
            if better.abs() < stable_band(measure) {
                Trend::Stable
            } else if better > 0.0 {
                Trend::Improving
            } else {
                Trend::Worsening
            }
        }
    };
    Some(Summary {
        baseline,
        latest,
        change,
        percent_change: (baseline.value != 0.0).then(|| change / baseline.value * 100.0),
        mcid_reached: measure.mcid_reached(baseline.value, latest.value),
        slope_per_week: slope,
        trend,
        target: measure.target(baseline.value),
        series,
    })
}

/// Weeks after the baseline when a plateau is called (a clinic setting; 6–12 weeks is when
/// meaningful improvement is usually seen).
pub const DEFAULT_PLATEAU_WEEKS: i64 = 6;

/// The plateau rule: at least `weeks` since the baseline check-in, a later check-in to judge by,
/// and neither NRS nor ODI has reached its MCID.
pub fn is_plateau(nrs: Option<&Summary>, odi: Option<&Summary>, today: NaiveDate, weeks: i64) -> bool {
    let measures: Vec<&Summary> = [nrs, odi].into_iter().flatten().collect();
    let Some(baseline) = measures.iter().map(|s| s.baseline.date).min() else { return false };
    let judged = measures.iter().any(|s| s.latest.date > s.baseline.date);
    today - baseline >= Duration::weeks(weeks) && judged && !measures.iter().any(|s| s.mcid_reached)
}

/// Worsening: a check-in whose NRS is at least `nrs_points` (default 2) or whose ODI is at least
/// `odi_points` (default 10) worse than the baseline — a meaningful change in the wrong direction
/// (the MCIDs of CLINICAL.md; both clinic settings, like the plateau's weeks).
pub fn is_worse(baseline: (Option<f64>, Option<f64>), latest: (Option<f64>, Option<f64>), points: (f64, f64)) -> bool {
    const EPSILON: f64 = 1e-9;
    let worse =
        |from: Option<f64>, to: Option<f64>, by: f64| matches!((from, to), (Some(f), Some(t)) if t - f >= by - EPSILON);
    worse(baseline.0, latest.0, points.0) || worse(baseline.1, latest.1, points.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_points_more_pain_or_ten_more_odi_points_is_worse() {
        let mcids = (2.0, 10.0);
        assert!(is_worse((Some(5.0), None), (Some(7.0), None), mcids));
        assert!(!is_worse((Some(5.0), None), (Some(6.0), None), mcids));
        assert!(is_worse((Some(5.0), Some(30.0)), (Some(5.0), Some(40.0)), mcids));
        assert!(!is_worse((Some(5.0), Some(30.0)), (Some(4.0), Some(38.0)), mcids));
        assert!(!is_worse((Some(5.0), Some(30.0)), (None, None), mcids), "nothing to judge by");
        assert!(!is_worse((Some(7.0), Some(40.0)), (Some(3.0), Some(20.0)), mcids), "better is not worse");
    }

    fn weekly(values: &[f64]) -> Vec<Point> {
        let start = NaiveDate::from_ymd_opt(2026, 9, 7).unwrap();
        values.iter().enumerate().map(|(i, v)| Point { date: start + Duration::weeks(i as i64), value: *v }).collect()
    }

    fn today_after(weeks: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 9, 7).unwrap() + Duration::weeks(weeks)
    }

    #[test]
    fn a_summary_of_a_falling_pain_series() {
        let series = weekly(&[7.0, 7.0, 6.0, 6.0, 5.0, 4.0, 4.0]);
        let summary = summarize(Measure::Nrs, &series, today_after(6)).unwrap();
        assert_eq!((summary.baseline.value, summary.latest.value, summary.change), (7.0, 4.0, -3.0));
        assert!((summary.percent_change.unwrap() + 42.857).abs() < 0.01);
        assert!(summary.mcid_reached);
        // The last four weeks: 6, 5, 4, 4 (days 21..=42): slope −0.7 a week.
        assert!((summary.slope_per_week.unwrap() + 0.7).abs() < 1e-9, "{:?}", summary.slope_per_week);
        assert_eq!(summary.trend, Trend::Improving);
        assert_eq!(summary.series.len(), 7);
    }

    #[test]
    fn trends_know_which_way_is_better() {
        let rising = weekly(&[30.0, 34.0, 38.0, 42.0]);
        assert_eq!(summarize(Measure::Odi, &rising, today_after(3)).unwrap().trend, Trend::Worsening);
        assert_eq!(
            summarize(Measure::Psfs, &weekly(&[3.0, 4.0, 5.0, 6.0]), today_after(3)).unwrap().trend,
            Trend::Improving
        );
        assert_eq!(
            summarize(Measure::Odi, &weekly(&[40.0, 41.0, 40.0, 39.0]), today_after(3)).unwrap().trend,
            Trend::Stable
        );
        assert_eq!(summarize(Measure::Nrs, &weekly(&[6.0]), today_after(0)).unwrap().trend, Trend::Unknown);
    }

    #[test]
    fn seven_weeks_without_meaningful_change_is_a_plateau() {
        let nrs = summarize(Measure::Nrs, &weekly(&[6.0, 6.0, 5.0, 6.0, 5.0, 6.0, 5.0, 5.0]), today_after(7)).unwrap();
        let odi = summarize(Measure::Odi, &weekly(&[40.0, 38.0, 40.0, 36.0, 38.0, 36.0, 37.0, 34.0]), today_after(7))
            .unwrap();
        assert!(is_plateau(Some(&nrs), Some(&odi), today_after(7), DEFAULT_PLATEAU_WEEKS));
        // Five weeks in: too early to call.
        assert!(!is_plateau(Some(&nrs), Some(&odi), today_after(5), DEFAULT_PLATEAU_WEEKS));
    }

    #[test]
    fn either_measure_reaching_its_mcid_is_no_plateau() {
        let nrs = summarize(Measure::Nrs, &weekly(&[6.0, 6.0, 6.0, 6.0, 5.0, 5.0, 5.0, 5.0]), today_after(7)).unwrap();
        let odi = summarize(Measure::Odi, &weekly(&[40.0, 38.0, 36.0, 34.0, 32.0, 31.0, 30.0, 30.0]), today_after(7))
            .unwrap();
        assert!(odi.mcid_reached && !nrs.mcid_reached);
        assert!(!is_plateau(Some(&nrs), Some(&odi), today_after(7), DEFAULT_PLATEAU_WEEKS));
    }

    #[test]
    fn one_check_in_alone_is_not_a_plateau() {
        let nrs = summarize(Measure::Nrs, &weekly(&[6.0]), today_after(8)).unwrap();
        assert!(!is_plateau(Some(&nrs), None, today_after(8), DEFAULT_PLATEAU_WEEKS));
        assert!(!is_plateau(None, None, today_after(8), DEFAULT_PLATEAU_WEEKS));
    }
}
