//! A patient's progress chart (pain, ODI, weekly adherence): the data, and the one layout that
//! both renderers draw from, so the SVG and the PNG cannot disagree about where a point goes.
//!
//! Everything here is pure: no I/O, no fonts, no clock.

mod png;
mod svg;

/// One patient's series, x in days since the first point of any series (day 0 = baseline).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProgressChart {
    /// Pain now, NRS 0–10, by day.
    pub pain: Vec<(i64, f64)>,
    /// Oswestry Disability Index, percent 0–100, by day.
    pub odi: Vec<(i64, f64)>,
    /// Adherence percent 0–100 per week: (day the week starts, percent).
    pub adherence: Vec<(i64, f64)>,
    /// The pain level that means a meaningful change (baseline − MCID), drawn as a dashed line.
    pub pain_target: Option<f64>,
    /// The ODI level that means a meaningful change, drawn as a dashed line.
    pub odi_target: Option<f64>,
}

impl ProgressChart {
    /// A complete standalone SVG document.
    pub fn svg(&self) -> String {
        svg::render(&Scene::of(self))
    }

    /// The same SVG without its XML declaration, to sit inside an HTML page.
    pub fn inline_svg(&self) -> String {
        let document = self.svg();
        match document.strip_prefix("<?xml") {
            Some(rest) => rest.split_once("?>").map_or(document.clone(), |(_, svg)| svg.trim_start().to_string()),
            None => document,
        }
    }

    /// PNG bytes with the same geometry as [`ProgressChart::svg`], without the text.
    pub fn png(&self) -> Vec<u8> {
        png::render(&Scene::of(self))
    }
}

pub const WIDTH: u32 = 640;
pub const HEIGHT: u32 = 320;

/// A new patient's chart would otherwise be a few pixels of line stretched over the whole width;
/// four weeks keeps the first weeks readable and the scale stable while the series grows.
const MIN_SPAN_DAYS: i64 = 28;
const DAYS_PER_WEEK: i64 = 7;
/// Half a day each side, so neighbouring weeks' bars read as separate weeks.
const BAR_INSET_DAYS: f64 = 0.5;
/// Beyond this many week labels they collide at 640 px, so every n-th week is labelled.
const MAX_WEEK_LABELS: i64 = 12;
/// Pain (0–10) shares the 0–100 axis with ODI.
const PAIN_TO_PERCENT: f64 = 10.0;

/// Room for the legend above, the week labels below and the axis labels on both sides.
const PLOT: PlotArea = PlotArea { left: 56.0, top: 40.0, right: WIDTH as f64 - 56.0, bottom: HEIGHT as f64 - 36.0 };

const PAIN_COLOR: Rgb = Rgb(0xd6, 0x27, 0x28);
const ODI_COLOR: Rgb = Rgb(0x1f, 0x77, 0xb4);
const ADHERENCE_COLOR: Rgb = Rgb(0x2c, 0xa0, 0x2c);
/// Light enough that the lines in front stay the thing the eye follows.
const ADHERENCE_OPACITY: f64 = 0.3;
const AXIS_COLOR: Rgb = Rgb(0x44, 0x44, 0x44);
const GRID_COLOR: Rgb = Rgb(0xe0, 0xe0, 0xe0);
const BACKGROUND_COLOR: Rgb = Rgb(0xff, 0xff, 0xff);
const LINE_WIDTH: f64 = 2.0;
const MARKER_RADIUS: f64 = 3.5;
const TARGET_DASH: [f64; 2] = [6.0, 4.0];

#[derive(Debug, Clone, Copy, PartialEq)]
struct Rgb(u8, u8, u8);

impl Rgb {
    fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct PlotArea {
    left: f64,
    top: f64,
    right: f64,
    bottom: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Point {
    x: f64,
    y: f64,
}

/// A bar in pixel coordinates; `top == bottom` for a week with 0 % adherence.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Bar {
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct WeekTick {
    week: i64,
    x: f64,
}

/// A horizontal gridline with its value on both axes.
#[derive(Debug, Clone, Copy, PartialEq)]
struct ValueTick {
    y: f64,
    odi: f64,
    pain: f64,
}

/// Maps days and 0–100 values to pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Scale {
    last_day: i64,
}

impl Scale {
    fn of(chart: &ProgressChart) -> Self {
        Scale { last_day: last_day(chart).max(MIN_SPAN_DAYS) }
    }

    fn x(self, day: f64) -> f64 {
        let day = day.clamp(0.0, self.last_day as f64);
        PLOT.left + day / self.last_day as f64 * (PLOT.right - PLOT.left)
    }

    fn y(self, percent: f64) -> f64 {
        let percent = percent.clamp(0.0, 100.0);
        PLOT.bottom - percent / 100.0 * (PLOT.bottom - PLOT.top)
    }

    fn point(self, day: i64, percent: f64) -> Point {
        Point { x: self.x(day as f64), y: self.y(percent) }
    }
}

/// The last day anything is drawn at. A week's bar covers the whole week, so adherence counts
/// up to the week's end, not its start, or the last bar would hang off the plot.
fn last_day(chart: &ProgressChart) -> i64 {
    let points = chart.pain.iter().chain(&chart.odi).map(|&(day, _)| day);
    let week_ends = chart.adherence.iter().map(|&(start, _)| start.saturating_add(DAYS_PER_WEEK));
    points.chain(week_ends).max().unwrap_or(0)
}

/// Everything both renderers draw, in pixels.
#[derive(Debug, Clone, PartialEq)]
struct Scene {
    pain: Vec<Point>,
    odi: Vec<Point>,
    adherence: Vec<Bar>,
    pain_target: Option<f64>,
    odi_target: Option<f64>,
    week_ticks: Vec<WeekTick>,
    value_ticks: Vec<ValueTick>,
}

impl Scene {
    fn of(chart: &ProgressChart) -> Self {
        let scale = Scale::of(chart);
        Scene {
            pain: points(scale, &chart.pain, PAIN_TO_PERCENT),
            odi: points(scale, &chart.odi, 1.0),
            adherence: bars(scale, &chart.adherence),
            pain_target: target_y(scale, chart.pain_target, PAIN_TO_PERCENT),
            odi_target: target_y(scale, chart.odi_target, 1.0),
            week_ticks: week_ticks(scale),
            value_ticks: value_ticks(scale),
        }
    }
}

/// A NaN has no place on the chart; leaving it out beats inventing a value for it.
/// Infinities are merely out of range and get clamped like any other value.
fn points(scale: Scale, series: &[(i64, f64)], to_percent: f64) -> Vec<Point> {
    series.iter().filter(|(_, v)| !v.is_nan()).map(|&(day, v)| scale.point(day, v * to_percent)).collect()
}

/// Weeks clamped to nothing (e.g. starting before day −7) are dropped rather than drawn as a sliver.
fn bars(scale: Scale, weeks: &[(i64, f64)]) -> Vec<Bar> {
    weeks
        .iter()
        .filter(|(_, v)| !v.is_nan())
        .map(|&(start, percent)| bar(scale, start, percent))
        .filter(|b| b.right > b.left)
        .collect()
}

fn bar(scale: Scale, start: i64, percent: f64) -> Bar {
    let start = start as f64;
    Bar {
        left: scale.x(start + BAR_INSET_DAYS),
        right: scale.x(start + DAYS_PER_WEEK as f64 - BAR_INSET_DAYS),
        top: scale.y(percent),
        bottom: PLOT.bottom,
    }
}

fn target_y(scale: Scale, level: Option<f64>, to_percent: f64) -> Option<f64> {
    level.filter(|v| !v.is_nan()).map(|v| scale.y(v * to_percent))
}

fn week_ticks(scale: Scale) -> Vec<WeekTick> {
    let weeks = scale.last_day / DAYS_PER_WEEK + 1;
    let step = (weeks + MAX_WEEK_LABELS - 1) / MAX_WEEK_LABELS;
    (0..weeks)
        .step_by(step.max(1) as usize)
        .map(|week| WeekTick { week, x: scale.x((week * DAYS_PER_WEEK) as f64) })
        .collect()
}

/// Every 20 % on the left is every 2 points of pain on the right, so one gridline serves both.
fn value_ticks(scale: Scale) -> Vec<ValueTick> {
    (0..=5)
        .map(|i| {
            let odi = f64::from(i) * 20.0;
            ValueTick { y: scale.y(odi), odi, pain: odi / PAIN_TO_PERCENT }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(pain: &[(i64, f64)], odi: &[(i64, f64)]) -> ProgressChart {
        ProgressChart { pain: pain.to_vec(), odi: odi.to_vec(), ..ProgressChart::default() }
    }

    #[test]
    fn pain_5_at_day_0_sits_on_odi_50_at_the_left_edge() {
        let scene = Scene::of(&chart(&[(0, 5.0), (14, 4.0)], &[(7, 50.0)]));
        let midway = (PLOT.top + PLOT.bottom) / 2.0;
        assert_eq!(scene.pain[0], Point { x: PLOT.left, y: midway });
        assert_eq!(scene.pain[0].y, scene.odi[0].y);
    }

    #[test]
    fn x_axis_spans_at_least_four_weeks_and_ends_at_the_last_day() {
        let short = Scene::of(&chart(&[(0, 5.0), (14, 4.0)], &[]));
        assert_eq!(short.pain[1].x, (PLOT.left + PLOT.right) / 2.0, "day 14 of 28 is midway");
        let long = Scene::of(&chart(&[(0, 5.0), (70, 4.0)], &[]));
        assert_eq!(long.pain[1].x, PLOT.right);
    }

    #[test]
    fn out_of_range_values_are_clamped_to_the_plot() {
        let scene = Scene::of(&chart(&[(-3, 15.0), (10, -1.0), (999, f64::INFINITY)], &[(0, 140.0)]));
        assert_eq!(scene.pain[0], Point { x: PLOT.left, y: PLOT.top });
        assert_eq!(scene.pain[1].y, PLOT.bottom);
        assert_eq!(scene.pain[2], Point { x: PLOT.right, y: PLOT.top });
        assert_eq!(scene.odi[0].y, PLOT.top);
    }

    #[test]
    fn nan_values_are_left_out() {
        let scene = Scene::of(&chart(&[(0, f64::NAN), (7, 3.0)], &[]));
        assert_eq!(scene.pain.len(), 1);
    }

    #[test]
    fn adherence_bars_fill_their_week_minus_a_gap_with_height_as_percent() {
        let c = ProgressChart { adherence: vec![(0, 50.0), (7, 100.0)], ..ProgressChart::default() };
        let scene = Scene::of(&c);
        let day = (PLOT.right - PLOT.left) / 28.0;
        let [first, second] = scene.adherence[..] else { panic!("two bars expected: {:?}", scene.adherence) };
        assert!((first.left - (PLOT.left + 0.5 * day)).abs() < 1e-9);
        assert!((first.right - (PLOT.left + 6.5 * day)).abs() < 1e-9);
        assert!(first.right < second.left, "weeks are separated by a gap");
        assert_eq!(first.top, (PLOT.top + PLOT.bottom) / 2.0);
        assert_eq!(second.top, PLOT.top);
        assert_eq!(first.bottom, PLOT.bottom);
    }

    #[test]
    fn the_last_weeks_bar_stays_inside_the_plot() {
        let c = ProgressChart { pain: vec![(0, 5.0)], adherence: vec![(56, 80.0)], ..ProgressChart::default() };
        let scene = Scene::of(&c);
        assert!(scene.adherence[0].right < PLOT.right);
    }

    #[test]
    fn week_labels_thin_out_when_there_are_many_weeks() {
        let few = Scene::of(&ProgressChart::default());
        assert_eq!(few.week_ticks.iter().map(|t| t.week).collect::<Vec<_>>(), [0, 1, 2, 3, 4]);
        let year = Scene::of(&chart(&[(0, 5.0), (364, 2.0)], &[]));
        assert!(year.week_ticks.len() as i64 <= MAX_WEEK_LABELS);
        assert_eq!(year.week_ticks[1].week, 5);
        assert_eq!(year.week_ticks[0].x, PLOT.left);
    }

    #[test]
    fn targets_share_the_scale_of_their_series() {
        let c = ProgressChart { pain_target: Some(4.0), odi_target: Some(40.0), ..ProgressChart::default() };
        let scene = Scene::of(&c);
        assert_eq!(scene.pain_target, scene.odi_target);
        assert_eq!(scene.pain_target, Some(Scale::of(&c).y(40.0)));
    }

    #[test]
    fn gridlines_pair_odi_and_pain_values() {
        let ticks = Scene::of(&ProgressChart::default()).value_ticks;
        assert_eq!(ticks.first().map(|t| (t.odi, t.pain, t.y)), Some((0.0, 0.0, PLOT.bottom)));
        assert_eq!(ticks.last().map(|t| (t.odi, t.pain, t.y)), Some((100.0, 10.0, PLOT.top)));
    }
}
