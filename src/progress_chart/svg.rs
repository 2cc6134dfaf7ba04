//! The SVG renderer: turns a laid-out [`Scene`] into a standalone SVG document, adding the text
//! (title, axis labels, week labels, legend) that the PNG leaves out.
//!
//! Every string in the document is ours, never the patient's, so nothing needs escaping.

use super::{
    Bar, Point, Rgb, Scene, ADHERENCE_COLOR, ADHERENCE_OPACITY, AXIS_COLOR, BACKGROUND_COLOR, GRID_COLOR, HEIGHT,
    LINE_WIDTH, MARKER_RADIUS, ODI_COLOR, PAIN_COLOR, PLOT, TARGET_DASH, WIDTH,
};

const TITLE: &str = "Progress: pain (NRS 0–10), disability (ODI %) and weekly adherence";
const LEGEND_Y: f64 = 18.0;
const LEGEND_SPACING: f64 = 110.0;
const SWATCH_WIDTH: f64 = 18.0;
/// Neutral, because the legend's target entry stands for both the pain and the ODI target.
const LEGEND_TARGET_COLOR: Rgb = Rgb(0x77, 0x77, 0x77);

pub(super) fn render(scene: &Scene) -> String {
    let parts = [
        header(),
        background(),
        grid(scene),
        adherence(&scene.adherence),
        // Before the data: a day-0 point sits on the y axis and must not be hidden by it.
        axes(),
        targets(scene),
        series(&scene.odi, ODI_COLOR, "odi"),
        // Pain last: it is the measure the patient reports every visit, so it stays on top.
        series(&scene.pain, PAIN_COLOR, "pain"),
        week_labels(scene),
        value_labels(scene),
        axis_titles(),
        legend(),
        "</svg>\n".to_string(),
    ];
    parts.join("\n")
}

/// At most one decimal keeps the document small and stable; `+ 0.0` turns −0 into 0.
fn num(v: f64) -> String {
    let rounded = (v * 10.0).round() / 10.0 + 0.0;
    let text = format!("{rounded:.1}");
    text.strip_suffix(".0").map(str::to_string).unwrap_or(text)
}

fn header() -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" \
         viewBox=\"0 0 {WIDTH} {HEIGHT}\" font-family=\"sans-serif\" font-size=\"11\">\n\
         <title>{TITLE}</title>"
    )
}

fn background() -> String {
    format!("<rect class=\"background\" width=\"{WIDTH}\" height=\"{HEIGHT}\" fill=\"{}\"/>", BACKGROUND_COLOR.hex())
}

fn line(class: &str, from: Point, to: Point, color: Rgb, width: f64) -> String {
    format!(
        "<line class=\"{class}\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"{}\"/>",
        num(from.x),
        num(from.y),
        num(to.x),
        num(to.y),
        color.hex(),
        num(width)
    )
}

fn grid(scene: &Scene) -> String {
    let rows = scene.value_ticks.iter().map(|t| horizontal("grid", t.y, GRID_COLOR));
    let columns = scene.week_ticks.iter().map(|t| vertical("grid", t.x, GRID_COLOR));
    group("grid", rows.chain(columns))
}

fn horizontal(class: &str, y: f64, color: Rgb) -> String {
    line(class, Point { x: PLOT.left, y }, Point { x: PLOT.right, y }, color, 1.0)
}

fn vertical(class: &str, x: f64, color: Rgb) -> String {
    line(class, Point { x, y: PLOT.top }, Point { x, y: PLOT.bottom }, color, 1.0)
}

fn group(class: &str, children: impl Iterator<Item = String>) -> String {
    let body: Vec<String> = children.collect();
    format!("<g class=\"{class}\">\n{}\n</g>", body.join("\n"))
}

fn adherence(bars: &[Bar]) -> String {
    group("adherence-bars", bars.iter().map(|&b| adherence_bar(b)))
}

fn adherence_bar(b: Bar) -> String {
    format!(
        "<rect class=\"adherence\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" fill-opacity=\"{}\"/>",
        num(b.left),
        num(b.top),
        num(b.right - b.left),
        num(b.bottom - b.top),
        ADHERENCE_COLOR.hex(),
        num(ADHERENCE_OPACITY)
    )
}

fn dash() -> String {
    format!("{} {}", num(TARGET_DASH[0]), num(TARGET_DASH[1]))
}

fn targets(scene: &Scene) -> String {
    let pain = scene.pain_target.map(|y| target("pain", y, PAIN_COLOR));
    let odi = scene.odi_target.map(|y| target("odi", y, ODI_COLOR));
    group("targets", odi.into_iter().chain(pain))
}

fn target(series: &str, y: f64, color: Rgb) -> String {
    format!(
        "<line class=\"target {series}\" x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"{}\" \
         stroke-width=\"1.5\" stroke-dasharray=\"{}\"/>",
        num(PLOT.left),
        num(PLOT.right),
        color.hex(),
        dash(),
        y = num(y)
    )
}

/// Markers are drawn too because a single visit makes a polyline with nothing to stroke.
fn series(points: &[Point], color: Rgb, name: &str) -> String {
    if points.is_empty() {
        return format!("<g class=\"series {name}\"/>");
    }
    let coords: Vec<String> = points.iter().map(|p| format!("{},{}", num(p.x), num(p.y))).collect();
    let polyline = format!(
        "<polyline class=\"{name}\" points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{}\" \
         stroke-linejoin=\"round\"/>",
        coords.join(" "),
        color.hex(),
        num(LINE_WIDTH)
    );
    let markers = points.iter().map(|&p| marker(p, color));
    group(&format!("series {name}"), std::iter::once(polyline).chain(markers))
}

fn marker(p: Point, color: Rgb) -> String {
    format!("<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{}\"/>", num(p.x), num(p.y), num(MARKER_RADIUS), color.hex())
}

fn axes() -> String {
    let lines = [
        horizontal("axis", PLOT.bottom, AXIS_COLOR),
        vertical("axis", PLOT.left, AXIS_COLOR),
        vertical("axis", PLOT.right, AXIS_COLOR),
    ];
    group("axes", lines.into_iter())
}

fn text(x: f64, y: f64, anchor: &str, content: &str) -> String {
    format!(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\" fill=\"{}\">{content}</text>",
        num(x),
        num(y),
        AXIS_COLOR.hex()
    )
}

fn week_labels(scene: &Scene) -> String {
    let labels = scene.week_ticks.iter().map(|t| text(t.x, PLOT.bottom + 16.0, "middle", &format!("wk {}", t.week)));
    group("week-labels", labels)
}

/// Baseline offset so the label's middle, not its baseline, sits on the gridline.
const TEXT_MIDDLE: f64 = 4.0;

fn value_labels(scene: &Scene) -> String {
    let odi = scene.value_ticks.iter().map(|t| text(PLOT.left - 6.0, t.y + TEXT_MIDDLE, "end", &num(t.odi)));
    let pain = scene.value_ticks.iter().map(|t| text(PLOT.right + 6.0, t.y + TEXT_MIDDLE, "start", &num(t.pain)));
    group("value-labels", odi.chain(pain))
}

fn axis_titles() -> String {
    let middle = num((PLOT.top + PLOT.bottom) / 2.0);
    let left = num(PLOT.left - 36.0);
    let right = num(PLOT.right + 36.0);
    let titles = [
        format!(
            "<text x=\"{left}\" y=\"{middle}\" text-anchor=\"middle\" fill=\"{}\" \
             transform=\"rotate(-90 {left} {middle})\">ODI %</text>",
            ODI_COLOR.hex()
        ),
        format!(
            "<text x=\"{right}\" y=\"{middle}\" text-anchor=\"middle\" fill=\"{}\" \
             transform=\"rotate(90 {right} {middle})\">Pain 0–10</text>",
            PAIN_COLOR.hex()
        ),
    ];
    group("axis-titles", titles.into_iter())
}

fn legend() -> String {
    let slot = |i: u32| PLOT.left + f64::from(i) * LEGEND_SPACING;
    let entries = [
        legend_line(slot(0), PAIN_COLOR, "", "Pain"),
        legend_line(slot(1), ODI_COLOR, "", "ODI"),
        legend_swatch(slot(2), "Adherence"),
        legend_line(slot(3), LEGEND_TARGET_COLOR, &format!(" stroke-dasharray=\"{}\"", dash()), "MCID target"),
    ];
    group("legend", entries.into_iter())
}

fn legend_line(x: f64, color: Rgb, extra: &str, label: &str) -> String {
    format!(
        "<line class=\"legend-line\" x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"{}\" stroke-width=\"2\"{extra}/>\n{}",
        num(x),
        num(x + SWATCH_WIDTH),
        color.hex(),
        legend_label(x, label),
        y = num(LEGEND_Y)
    )
}

fn legend_swatch(x: f64, label: &str) -> String {
    format!(
        "<rect class=\"legend-swatch\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"10\" fill=\"{}\" fill-opacity=\"{}\"/>\n{}",
        num(x),
        num(LEGEND_Y - 5.0),
        num(SWATCH_WIDTH),
        ADHERENCE_COLOR.hex(),
        num(ADHERENCE_OPACITY),
        legend_label(x, label)
    )
}

fn legend_label(x: f64, label: &str) -> String {
    text(x + SWATCH_WIDTH + 6.0, LEGEND_Y + TEXT_MIDDLE, "start", label)
}

#[cfg(test)]
mod tests {
    use super::super::{ProgressChart, Scale};
    use super::*;

    /// Eight weeks of a real course: weekly pain, ODI every other week, one adherence bar a week.
    fn eight_weeks() -> ProgressChart {
        ProgressChart {
            pain: vec![(0, 7.0), (7, 6.5), (14, 6.0), (21, 5.0), (28, 5.5), (35, 4.0), (42, 3.5), (49, 3.0), (56, 3.0)],
            odi: vec![(0, 48.0), (14, 42.0), (28, 36.0), (42, 30.0), (56, 26.0)],
            adherence: (0..8).map(|w| (w * 7, 60.0 + w as f64 * 4.0)).collect(),
            pain_target: Some(5.0),
            odi_target: Some(38.0),
        }
    }

    fn has_class(node: &roxmltree::Node, class: &str) -> bool {
        node.attribute("class").is_some_and(|c| c.split_whitespace().any(|t| t == class))
    }

    fn elements<'a>(doc: &'a roxmltree::Document, tag: &str) -> Vec<roxmltree::Node<'a, 'a>> {
        doc.descendants().filter(|n| n.has_tag_name(tag)).collect()
    }

    fn parse(svg: &str) -> roxmltree::Document<'_> {
        roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("invalid SVG ({e}):\n{svg}"))
    }

    fn assert_svg_root(doc: &roxmltree::Document) {
        let root = doc.root_element();
        assert!(root.has_tag_name(("http://www.w3.org/2000/svg", "svg")));
        assert_eq!(root.attribute("width"), Some("640"));
        assert_eq!(root.attribute("height"), Some("320"));
        assert!(elements(doc, "title").iter().any(|t| t.text().is_some_and(|s| !s.is_empty())));
    }

    fn polyline_points(doc: &roxmltree::Document, class: &str) -> Vec<String> {
        let lines: Vec<_> = elements(doc, "polyline").into_iter().filter(|n| has_class(n, class)).collect();
        assert_eq!(lines.len(), 1, "one {class} polyline");
        lines[0].attribute("points").unwrap_or_default().split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn eight_week_series_renders_lines_bars_and_targets() {
        let chart = eight_weeks();
        let svg = chart.svg();
        let doc = parse(&svg);
        assert_svg_root(&doc);
        assert_eq!(elements(&doc, "polyline").len(), 2);
        assert_eq!(polyline_points(&doc, "pain").len(), chart.pain.len());
        assert_eq!(polyline_points(&doc, "odi").len(), chart.odi.len());
        let bars = elements(&doc, "rect").into_iter().filter(|n| has_class(n, "adherence")).count();
        assert_eq!(bars, 8);
        let targets: Vec<_> = elements(&doc, "line").into_iter().filter(|n| has_class(n, "target")).collect();
        assert_eq!(targets.len(), 2);
        assert!(targets.iter().all(|t| t.attribute("stroke-dasharray").is_some()));
    }

    #[test]
    fn first_pain_point_is_drawn_where_the_layout_puts_it() {
        let chart = ProgressChart { pain: vec![(0, 5.0), (21, 4.0)], odi: vec![(7, 50.0)], ..Default::default() };
        let doc_text = chart.svg();
        let doc = parse(&doc_text);
        let scale = Scale::of(&chart);
        let expected = format!("{},{}", num(PLOT.left), num(scale.y(50.0)));
        assert_eq!(polyline_points(&doc, "pain")[0], expected);
        assert_eq!(expected, "56,162", "pain 5 is halfway up a plot from y 40 to y 284, at its left edge");
    }

    #[test]
    fn week_labels_and_legend_are_present() {
        let doc_text = eight_weeks().svg();
        let doc = parse(&doc_text);
        let texts: Vec<&str> = elements(&doc, "text").iter().filter_map(|t| t.text()).collect();
        for wanted in ["wk 0", "wk 1", "wk 8", "Pain", "ODI", "Adherence", "MCID target", "ODI %", "Pain 0–10"] {
            assert!(texts.contains(&wanted), "missing text {wanted:?} in {texts:?}");
        }
    }

    #[test]
    fn empty_chart_is_a_valid_svg_with_axes_only() {
        let doc_text = ProgressChart::default().svg();
        let doc = parse(&doc_text);
        assert_svg_root(&doc);
        assert!(elements(&doc, "polyline").is_empty());
        assert!(elements(&doc, "line").iter().any(|n| has_class(n, "axis")));
    }

    #[test]
    fn one_point_chart_is_a_valid_svg_with_a_visible_marker() {
        let chart = ProgressChart { pain: vec![(0, 6.0)], ..Default::default() };
        let doc_text = chart.svg();
        let doc = parse(&doc_text);
        assert_svg_root(&doc);
        assert_eq!(polyline_points(&doc, "pain").len(), 1);
        assert_eq!(elements(&doc, "circle").len(), 1);
    }

    #[test]
    fn numbers_have_at_most_one_decimal() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.345), "12.3");
        assert_eq!(num(-0.04), "0");
        let svg = eight_weeks().svg();
        let long_decimal = svg
            .split(|c: char| !(c.is_ascii_digit() || c == '.'))
            .any(|tok| tok.split_once('.').is_some_and(|(_, frac)| frac.len() > 1));
        assert!(!long_decimal, "a number with more than one decimal in:\n{svg}");
    }
}
