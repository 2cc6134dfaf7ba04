//! The PNG renderer: draws a laid-out [`Scene`] with tiny-skia and encodes it as PNG.
//!
//! Shapes only: the servers have no fonts, so titles, labels and the legend live in the SVG.

use tiny_skia::{FillRule, Paint, PathBuilder, Pixmap, Rect, Stroke, StrokeDash, Transform};

use super::{
    Bar, Point, Rgb, Scene, ADHERENCE_COLOR, ADHERENCE_OPACITY, AXIS_COLOR, BACKGROUND_COLOR, GRID_COLOR, HEIGHT,
    LINE_WIDTH, MARKER_RADIUS, ODI_COLOR, PAIN_COLOR, PLOT, TARGET_DASH, WIDTH,
};

pub(super) fn render(scene: &Scene) -> Vec<u8> {
    // Cannot fail: the size is a non-zero compile-time constant far below tiny-skia's limits.
    let mut pixmap = Pixmap::new(WIDTH, HEIGHT).expect("a 640×320 pixmap is always allocatable");
    pixmap.fill(color(BACKGROUND_COLOR, 1.0));
    draw_grid(&mut pixmap, scene);
    draw_bars(&mut pixmap, &scene.adherence);
    // Before the data: a day-0 point sits on the y axis and must not be hidden by it.
    draw_axes(&mut pixmap);
    draw_targets(&mut pixmap, scene);
    draw_series(&mut pixmap, &scene.odi, ODI_COLOR);
    // Pain last, as in the SVG: the measure reported every visit stays on top.
    draw_series(&mut pixmap, &scene.pain, PAIN_COLOR);
    // Cannot fail: encoding writes into a Vec (no I/O error) and the pixmap's size is valid.
    pixmap.encode_png().expect("encoding an in-memory pixmap cannot fail")
}

fn color(rgb: Rgb, alpha: f64) -> tiny_skia::Color {
    let alpha = (alpha.clamp(0.0, 1.0) * 255.0).round() as u8;
    tiny_skia::Color::from_rgba8(rgb.0, rgb.1, rgb.2, alpha)
}

fn paint(rgb: Rgb, alpha: f64) -> Paint<'static> {
    let mut paint = Paint::default();
    paint.set_color(color(rgb, alpha));
    paint.anti_alias = true;
    paint
}

fn solid(width: f64) -> Stroke {
    Stroke { width: width as f32, ..Stroke::default() }
}

fn stroke_polyline(pixmap: &mut Pixmap, points: &[Point], rgb: Rgb, stroke: &Stroke) {
    // A path of fewer than two points has nothing to stroke; its markers carry it.
    if let Some(path) = polyline_path(points) {
        pixmap.stroke_path(&path, &paint(rgb, 1.0), stroke, Transform::identity(), None);
    }
}

fn polyline_path(points: &[Point]) -> Option<tiny_skia::Path> {
    let (first, rest) = points.split_first()?;
    if rest.is_empty() {
        return None;
    }
    let mut builder = PathBuilder::new();
    builder.move_to(first.x as f32, first.y as f32);
    for p in rest {
        builder.line_to(p.x as f32, p.y as f32);
    }
    builder.finish()
}

fn segment(pixmap: &mut Pixmap, from: Point, to: Point, rgb: Rgb) {
    stroke_polyline(pixmap, &[from, to], rgb, &solid(1.0));
}

fn draw_grid(pixmap: &mut Pixmap, scene: &Scene) {
    for t in &scene.value_ticks {
        segment(pixmap, Point { x: PLOT.left, y: t.y }, Point { x: PLOT.right, y: t.y }, GRID_COLOR);
    }
    for t in &scene.week_ticks {
        segment(pixmap, Point { x: t.x, y: PLOT.top }, Point { x: t.x, y: PLOT.bottom }, GRID_COLOR);
    }
}

fn draw_axes(pixmap: &mut Pixmap) {
    let (top_left, top_right) = (Point { x: PLOT.left, y: PLOT.top }, Point { x: PLOT.right, y: PLOT.top });
    let (bottom_left, bottom_right) = (Point { x: PLOT.left, y: PLOT.bottom }, Point { x: PLOT.right, y: PLOT.bottom });
    segment(pixmap, bottom_left, bottom_right, AXIS_COLOR);
    segment(pixmap, bottom_left, top_left, AXIS_COLOR);
    segment(pixmap, bottom_right, top_right, AXIS_COLOR);
}

fn draw_bars(pixmap: &mut Pixmap, bars: &[Bar]) {
    let paint = paint(ADHERENCE_COLOR, ADHERENCE_OPACITY);
    // A 0 % week has no area, and tiny-skia rejects empty rects; there is nothing to draw.
    let rects =
        bars.iter().filter_map(|b| Rect::from_ltrb(b.left as f32, b.top as f32, b.right as f32, b.bottom as f32));
    for rect in rects {
        pixmap.fill_rect(rect, &paint, Transform::identity(), None);
    }
}

fn dashed() -> Stroke {
    // StrokeDash only rejects malformed patterns; ours is constant and valid, and a solid
    // line would still be a correct, if plainer, target line.
    let dash = StrokeDash::new(TARGET_DASH.iter().map(|&d| d as f32).collect(), 0.0);
    Stroke { width: 1.5, dash, ..Stroke::default() }
}

fn draw_targets(pixmap: &mut Pixmap, scene: &Scene) {
    let targets = [(scene.odi_target, ODI_COLOR), (scene.pain_target, PAIN_COLOR)];
    for (y, rgb) in targets.into_iter().filter_map(|(y, rgb)| Some((y?, rgb))) {
        stroke_polyline(pixmap, &[Point { x: PLOT.left, y }, Point { x: PLOT.right, y }], rgb, &dashed());
    }
}

fn draw_series(pixmap: &mut Pixmap, points: &[Point], rgb: Rgb) {
    stroke_polyline(pixmap, points, rgb, &solid(LINE_WIDTH));
    let paint = paint(rgb, 1.0);
    let dots = points.iter().filter_map(|p| PathBuilder::from_circle(p.x as f32, p.y as f32, MARKER_RADIUS as f32));
    for dot in dots {
        pixmap.fill_path(&dot, &paint, FillRule::Winding, Transform::identity(), None);
    }
}

#[cfg(test)]
mod tests {
    use super::super::ProgressChart;
    use super::*;

    const TOLERANCE: i16 = 8;

    fn decode(png: &[u8]) -> Pixmap {
        let pixmap = Pixmap::decode_png(png).unwrap_or_else(|e| panic!("PNG does not decode: {e}"));
        assert_eq!((pixmap.width(), pixmap.height()), (WIDTH, HEIGHT));
        pixmap
    }

    fn rgb_at(pixmap: &Pixmap, p: Point) -> Rgb {
        let px = pixmap.pixel(p.x as u32, p.y as u32).unwrap_or_else(|| panic!("{p:?} is outside the image"));
        let c = px.demultiply();
        Rgb(c.red(), c.green(), c.blue())
    }

    fn close(a: Rgb, b: Rgb) -> bool {
        let near = |x: u8, y: u8| (i16::from(x) - i16::from(y)).abs() <= TOLERANCE;
        near(a.0, b.0) && near(a.1, b.1) && near(a.2, b.2)
    }

    fn is_uniform(pixmap: &Pixmap) -> bool {
        let pixels = pixmap.pixels();
        pixels.iter().all(|p| *p == pixels[0])
    }

    fn chart() -> ProgressChart {
        ProgressChart {
            pain: vec![(0, 7.0), (14, 5.0), (28, 3.0), (42, 3.0)],
            odi: vec![(0, 40.0), (28, 30.0), (42, 24.0)],
            adherence: (0..6).map(|w| (w * 7, 75.0)).collect(),
            pain_target: Some(5.0),
            odi_target: Some(30.0),
        }
    }

    #[test]
    fn png_decodes_at_full_size_with_content() {
        let pixmap = decode(&chart().png());
        assert!(!is_uniform(&pixmap));
    }

    #[test]
    fn pain_point_pixel_has_the_pain_colour() {
        let chart = chart();
        let pixmap = decode(&chart.png());
        for &p in &Scene::of(&chart).pain {
            let found = rgb_at(&pixmap, p);
            assert!(close(found, PAIN_COLOR), "pixel at {p:?} is {found:?}, pain is {PAIN_COLOR:?}");
        }
        let background = rgb_at(&pixmap, Point { x: 2.0, y: 2.0 });
        assert!(close(background, BACKGROUND_COLOR), "outside the plot is background, got {background:?}");
    }

    #[test]
    fn odi_point_pixel_has_the_odi_colour() {
        let chart = chart();
        let pixmap = decode(&chart.png());
        let last = Scene::of(&chart).odi.last().copied().unwrap_or_else(|| panic!("the chart has ODI points"));
        assert!(close(rgb_at(&pixmap, last), ODI_COLOR));
    }

    #[test]
    fn empty_chart_is_a_valid_png_with_axes() {
        let pixmap = decode(&ProgressChart::default().png());
        assert!(!is_uniform(&pixmap), "the axes are drawn");
        let corner = Point { x: PLOT.left, y: PLOT.bottom };
        assert!(!close(rgb_at(&pixmap, corner), BACKGROUND_COLOR), "axis corner is drawn");
    }

    #[test]
    fn one_point_chart_is_a_valid_png_with_its_marker() {
        let chart = ProgressChart { pain: vec![(0, 6.0)], ..Default::default() };
        let pixmap = decode(&chart.png());
        let point = Scene::of(&chart).pain[0];
        assert!(close(rgb_at(&pixmap, point), PAIN_COLOR));
    }
}
