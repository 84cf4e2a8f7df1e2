//! SVG rendering of a topology diagram, in process: `layout-rs` places the
//! node boxes and edge labels (a layered layout, like Graphviz' dot), and
//! the small SVG writer here draws them.
//!
//! layout-rs reserves room for a label from its character and line count at
//! its font size, one font-size unit per character and per line. Edge labels
//! are handed to it at a smaller font size with a blank line after each line,
//! which reserves close to what the monospace label text drawn here needs.
//! The writer tells node text from edge-label text by the font size it was
//! laid out with.

use std::fmt::Write as _;

use layout::core::base::Orientation;
use layout::core::color::Color;
use layout::core::format::{ClipHandle, RenderBackend};
use layout::core::geometry::Point;
use layout::core::style::{LineStyleKind, StyleAttr};
use layout::std_shapes::shapes::{Arrow, Element, LineEndKind, ShapeKind};
use layout::topo::layout::VisualGraph;
use portmap_core::diagram::{Diagram, DiagramEdge, exposure_colors};

/// Font size node boxes are laid out with (only a tag: their size is given).
const NODE_TAG: usize = 13;
/// Font size edge labels are laid out with: about the width of a character
/// of the label font, per character.
const EDGE_TAG: usize = 7;
/// Edge label font: monospace, so port lists line up.
const EDGE_FONT_PX: f64 = 11.5;
const EDGE_LINE_PX: f64 = 14.0;
const TITLE_FONT_PX: f64 = 14.0;
const TITLE_LINE_PX: f64 = 20.0;
const BODY_FONT_PX: f64 = 12.0;
const BODY_LINE_PX: f64 = 16.0;
/// Average advance of a character of the body font (sans-serif, 12px),
/// generous so text stays inside its box with any common font.
const BODY_CHAR_PX: f64 = 7.0;
const TITLE_CHAR_PX: f64 = 8.6;
const EDGE_CHAR_PX: f64 = 7.0;
const BOX_PAD_X: f64 = 14.0;
const BOX_PAD_Y: f64 = 10.0;
const MARGIN: f64 = 16.0;
/// How to read the picture, under it.
const KEY: [&str; 2] = [
    "Arrows point from the node that opens the connections to the node that listens. Two heads: both ways; \"to X:\" gives the ports X listens on.",
    "8080-8082: every port of the range. 1898 … 2198 (24 ports): that many ports from the first to the last, not every one between.",
];
const SANS: &str = "'DejaVu Sans', Verdana, Arial, Helvetica, sans-serif";
const MONO: &str = "'DejaVu Sans Mono', Menlo, Consolas, monospace";

/// Renders the diagram as a standalone SVG document.
pub fn render(d: &Diagram) -> Result<String, String> {
    let mut graph = VisualGraph::new(Orientation::TopToBottom);
    let mut handles = Vec::new();
    for n in &d.nodes {
        let title = n.title();
        let body = n.body_lines();
        let text = std::iter::once(title.clone())
            .chain(body.iter().cloned())
            .collect::<Vec<_>>()
            .join("\n");
        let body_w =
            body.iter().map(|l| l.chars().count()).max().unwrap_or(0) as f64 * BODY_CHAR_PX;
        let title_w = title.chars().count() as f64 * TITLE_CHAR_PX;
        let size = Point::new(
            body_w.max(title_w) + 2.0 * BOX_PAD_X,
            TITLE_LINE_PX + body.len() as f64 * BODY_LINE_PX + 2.0 * BOX_PAD_Y + 4.0,
        );
        let (fill, stroke) = exposure_colors(n.exposure);
        let look = StyleAttr::new(color(stroke), 2, Some(color(fill)), 6, NODE_TAG);
        let elem = Element::create(ShapeKind::Box(text), look, Orientation::TopToBottom, size);
        handles.push((n.name.clone(), graph.add_node(elem)));
    }
    let handle = |name: &str| handles.iter().find(|(n, _)| n == name).map(|(_, h)| *h);
    let mut legend: Vec<LegendEntry> = Vec::new();
    // Opposite directions of a pair with different ports are one line with
    // two heads and a label line per direction naming the listening node:
    // layout-rs places the labels of parallel edges badly.
    let mut drawn = vec![false; d.edges.len()];
    for (i, e) in d.edges.iter().enumerate() {
        if drawn[i] {
            continue;
        }
        let reverse = (i + 1..d.edges.len()).find(|&j| {
            let r = &d.edges[j];
            r.from == e.to && r.to == e.from && e.from != e.to
        });
        if let Some(j) = reverse {
            drawn[j] = true;
        }
        let (Some(from), Some(to)) = (handle(&e.from), handle(&e.to)) else {
            return Err(format!("edge {} → {} names an unknown node", e.from, e.to));
        };
        let mut lines = Vec::new();
        let mut both = e.both_ways;
        match reverse.map(|j| &d.edges[j]) {
            Some(r) if !e.both_ways => {
                both = true;
                for x in [e, r] {
                    let mut sub = edge_lines(x, &mut legend);
                    if let Some(first) = sub.first_mut() {
                        *first = format!("to {}: {first}", x.to);
                    }
                    lines.extend(sub);
                }
            }
            _ => lines = edge_lines(e, &mut legend),
        }
        // A blank line after each line reserves the height of the label font.
        let text = lines
            .iter()
            .map(|l| format!("{l}\n \n"))
            .collect::<String>();
        let look = StyleAttr::new(color("#555555"), 1, None, 0, EDGE_TAG);
        let start = if both {
            LineEndKind::Arrow
        } else {
            LineEndKind::None
        };
        let arrow = Arrow::new(
            start,
            LineEndKind::Arrow,
            LineStyleKind::Normal,
            &text,
            &look,
            &None,
            &None,
        );
        graph.add_edge(arrow, from, to);
    }
    let mut canvas = Canvas {
        legend,
        ..Canvas::default()
    };
    let laid_out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        graph.do_it(
            std::env::var_os("PORTMAP_LAYOUT_DEBUG").is_some(),
            false,
            false,
            &mut canvas,
        );
        canvas
    }));
    match laid_out {
        Ok(canvas) => Ok(canvas.finish()),
        Err(_) => Err("the layout engine failed".into()),
    }
}

/// A long port list drawn once below the graph and referred to by letter.
struct LegendEntry {
    letter: String,
    lines: Vec<String>,
    pairs: Vec<String>,
}

/// Labels longer than this many lines go to the legend.
const INLINE_LINES: usize = 2;

/// The label of an edge: its port list when short, else a reference to a
/// legend entry (shared by edges with the same ports), such as
/// `A (46 ports)`. layout-rs cannot keep wide labels of one rank apart, and
/// a cluster repeats the same long list on every pair.
fn edge_lines(e: &DiagramEdge, legend: &mut Vec<LegendEntry>) -> Vec<String> {
    let lines = e.label_lines();
    if lines.len() <= INLINE_LINES {
        return lines;
    }
    let pair = if e.from == e.to {
        format!("within {}", e.from)
    } else {
        format!(
            "{} {} {}",
            e.from,
            if e.both_ways { "⇄" } else { "→" },
            e.to
        )
    };
    let entry = match legend.iter_mut().position(|l| l.lines == lines) {
        Some(i) => &mut legend[i],
        None => {
            let letter = letter(legend.len());
            legend.push(LegendEntry {
                letter,
                lines,
                pairs: Vec::new(),
            });
            let last = legend.len() - 1;
            &mut legend[last]
        }
    };
    entry.pairs.push(pair);
    let count: u32 = e.ports.iter().map(|(_, s)| s.count()).sum();
    vec![format!("{} ({count} ports)", entry.letter)]
}

/// A, B, ..., Z, AA, AB, ...
fn letter(i: usize) -> String {
    let mut n = i;
    let mut s = Vec::new();
    loop {
        s.push(char::from(b'A' + (n % 26) as u8));
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    s.iter().rev().collect()
}

fn color(web: &str) -> Color {
    Color::from_name(web).unwrap_or_else(|| Color::fast("black"))
}

/// `#rrggbb` from layout-rs' `#rrggbbaa`.
fn web(c: Color) -> String {
    let s = c.to_web_color();
    if s.len() == 9 && s.ends_with("ff") {
        s[..7].to_string()
    } else {
        s
    }
}

/// Escapes text for SVG character data and attribute values.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Not allowed in XML 1.0 documents.
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[derive(Default)]
struct Canvas {
    legend: Vec<LegendEntry>,
    edges: String,
    boxes: String,
    labels: String,
    /// Node boxes as (x, y, width, height): what labels and edges avoid.
    node_boxes: Vec<Area>,
    /// Edge labels, placed once every box is known ([`Canvas::place_labels`]).
    pending_labels: Vec<PendingLabel>,
    /// Edges, drawn once every box is known ([`Canvas::draw_edges`]).
    pending_edges: Vec<PendingEdge>,
    min: Option<(f64, f64)>,
    max: Option<(f64, f64)>,
    /// The last box drawn: its text follows.
    last_rect: Option<(Point, Point)>,
}

impl Canvas {
    fn grow(&mut self, x: f64, y: f64) {
        let (a, b) = self.min.unwrap_or((x, y));
        self.min = Some((a.min(x), b.min(y)));
        let (a, b) = self.max.unwrap_or((x, y));
        self.max = Some((a.max(x), b.max(y)));
    }

    fn finish(mut self) -> String {
        self.place_labels();
        self.draw_edges();
        self.draw_legend();
        let (x0, y0) = self.min.unwrap_or((0.0, 0.0));
        let (x1, y1) = self.max.unwrap_or((0.0, 0.0));
        let (x, y) = (x0 - MARGIN, y0 - MARGIN);
        let (w, h) = (x1 - x0 + 2.0 * MARGIN, y1 - y0 + 2.0 * MARGIN);
        let mut out = String::new();
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"{h:.0}\" viewBox=\"{x:.1} {y:.1} {w:.1} {h:.1}\">"
        );
        out.push_str("<defs>\n");
        out.push_str("<marker id=\"head\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555555\"/></marker>\n");
        out.push_str("</defs>\n");
        let _ = writeln!(
            out,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" fill=\"#ffffff\"/>"
        );
        out.push_str("<g class=\"edges\">\n");
        out.push_str(&self.edges);
        out.push_str("</g>\n<g class=\"nodes\">\n");
        out.push_str(&self.boxes);
        out.push_str("</g>\n<g class=\"labels\">\n");
        out.push_str(&self.labels);
        out.push_str("</g>\n</svg>\n");
        out
    }

    /// The legend below the graph: the long port lists, then how to read
    /// the arrows and the port lists.
    fn draw_legend(&mut self) {
        let (x0, _) = self.min.unwrap_or((0.0, 0.0));
        let (_, y1) = self.max.unwrap_or((0.0, 0.0));
        let mut y = y1 + 28.0;
        let mut out = String::new();
        for entry in &self.legend {
            let _ = writeln!(
                out,
                "<text x=\"{x0:.1}\" y=\"{y:.1}\" font-family=\"{SANS}\" font-size=\"{BODY_FONT_PX}\" fill=\"#222222\"><tspan font-weight=\"bold\">{}</tspan>: {}</text>",
                entry.letter,
                xml_escape(&entry.pairs.join(", "))
            );
            let mut width =
                (entry.letter.chars().count() + 2 + entry.pairs.join(", ").chars().count()) as f64
                    * BODY_CHAR_PX;
            for line in &entry.lines {
                y += EDGE_LINE_PX + 2.0;
                let _ = writeln!(
                    out,
                    "<text x=\"{:.1}\" y=\"{y:.1}\" font-family=\"{MONO}\" font-size=\"{EDGE_FONT_PX}\" fill=\"#333333\">{}</text>",
                    x0 + 18.0,
                    xml_escape(line)
                );
                width = width.max(18.0 + line.chars().count() as f64 * EDGE_CHAR_PX);
            }
            self.max = self.max.map(|(a, b)| (a.max(x0 + width), b.max(y + 4.0)));
            y += BODY_LINE_PX + 10.0;
        }
        for line in KEY {
            let _ = writeln!(
                out,
                "<text x=\"{x0:.1}\" y=\"{y:.1}\" font-family=\"{SANS}\" font-size=\"11\" fill=\"#555555\">{}</text>",
                xml_escape(line)
            );
            let width = line.chars().count() as f64 * 6.4;
            self.max = self.max.map(|(a, b)| (a.max(x0 + width), b.max(y + 4.0)));
            y += 15.0;
        }
        self.labels.push_str(&out);
    }

    fn node_text(&mut self, center: Point, text: &str) {
        let mut lines = text.lines();
        let title = lines.next().unwrap_or_default();
        let body: Vec<&str> = lines.collect();
        let (left, top, width) = match self.last_rect {
            Some((xy, size)) => (xy.x, xy.y, size.x),
            None => (center.x, center.y, 0.0),
        };
        let ty = top + BOX_PAD_Y + TITLE_FONT_PX;
        let _ = writeln!(
            self.boxes,
            "<text x=\"{:.1}\" y=\"{ty:.1}\" text-anchor=\"middle\" font-family=\"{SANS}\" font-size=\"{TITLE_FONT_PX}\" font-weight=\"bold\" fill=\"#1b2a41\">{}</text>",
            left + width / 2.0,
            xml_escape(title)
        );
        let sep = top + BOX_PAD_Y + TITLE_LINE_PX;
        let _ = writeln!(
            self.boxes,
            "<line x1=\"{left:.1}\" y1=\"{sep:.1}\" x2=\"{:.1}\" y2=\"{sep:.1}\" stroke=\"#9aa7b8\" stroke-width=\"1\"/>",
            left + width
        );
        for (i, line) in body.iter().enumerate() {
            let y = sep + 4.0 + (i as f64 + 1.0) * BODY_LINE_PX - 3.0;
            let _ = writeln!(
                self.boxes,
                "<text x=\"{:.1}\" y=\"{y:.1}\" font-family=\"{SANS}\" font-size=\"{BODY_FONT_PX}\" fill=\"#222222\">{}</text>",
                left + BOX_PAD_X,
                xml_escape(line)
            );
        }
    }

    fn edge_text(&mut self, center: Point, text: &str) {
        let lines: Vec<String> = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string)
            .collect();
        if lines.is_empty() {
            return;
        }
        let w =
            lines.iter().map(|l| l.chars().count()).max().unwrap_or(0) as f64 * EDGE_CHAR_PX + 8.0;
        let h = lines.len() as f64 * EDGE_LINE_PX + 6.0;
        self.pending_labels.push(PendingLabel {
            area: Area {
                x: center.x - w / 2.0,
                y: center.y - h / 2.0,
                w,
                h,
            },
            lines,
        });
    }

    /// Writes the edge labels where layout-rs put them, or, where one would
    /// overlap a label placed before it or a node box, at the nearest
    /// position that overlaps neither: up or down first, then sideways.
    fn place_labels(&mut self) {
        let mut placed: Vec<Area> = Vec::new();
        for label in std::mem::take(&mut self.pending_labels) {
            let free = |a: &Area| {
                placed
                    .iter()
                    .chain(&self.node_boxes)
                    .all(|other| a.overlap(other) <= 1.0)
            };
            let area = label_offsets()
                .map(|(dx, dy)| label.area.moved(dx, dy))
                .find(|a| free(a))
                .unwrap_or(label.area);
            placed.push(area);
            let Area { x, y, w, h } = area;
            self.grow(x, y);
            self.grow(x + w, y + h);
            let _ = writeln!(
                self.labels,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" rx=\"3\" fill=\"#ffffff\" fill-opacity=\"0.92\" stroke=\"#c8c8c8\" stroke-width=\"0.8\"/>"
            );
            for (i, line) in label.lines.iter().enumerate() {
                let ly = y + 3.0 + (i as f64 + 1.0) * EDGE_LINE_PX - 3.5;
                let _ = writeln!(
                    self.labels,
                    "<text x=\"{:.1}\" y=\"{ly:.1}\" text-anchor=\"middle\" font-family=\"{MONO}\" font-size=\"{EDGE_FONT_PX}\" fill=\"#333333\">{}</text>",
                    x + w / 2.0,
                    xml_escape(line)
                );
            }
        }
    }

    /// Writes the edges. An edge that would pass underneath a box other
    /// than its own two (where it reads as an edge of that box) is drawn as
    /// a line along its curve that steps around the box instead.
    fn draw_edges(&mut self) {
        for edge in std::mem::take(&mut self.pending_edges) {
            let points = curve_points(&edge.path);
            let (Some(&first), Some(&last)) = (points.first(), points.last()) else {
                continue;
            };
            let foreign: Vec<Area> = self
                .node_boxes
                .iter()
                .filter(|b| !b.near(first, 3.0) && !b.near(last, 3.0))
                .copied()
                .collect();
            let d = if points
                .iter()
                .any(|p| foreign.iter().any(|b| b.holds(*p, 0.0)))
            {
                let detour = around(points, &foreign);
                let mut d = String::new();
                for (i, (x, y)) in detour.iter().enumerate() {
                    self.grow(*x, *y);
                    let _ = write!(d, "{}{x:.1} {y:.1}", if i == 0 { "M " } else { " L " });
                }
                d
            } else {
                edge.curve
            };
            let _ = writeln!(
                self.edges,
                "<path d=\"{d}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.4\"{}/>",
                edge.color, edge.attributes
            );
        }
    }
}

/// An axis-aligned rectangle of the picture.
#[derive(Debug, Clone, Copy)]
struct Area {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

impl Area {
    /// The area two rectangles share (0 when they only touch).
    fn overlap(&self, other: &Area) -> f64 {
        let w = (self.x + self.w).min(other.x + other.w) - self.x.max(other.x);
        let h = (self.y + self.h).min(other.y + other.h) - self.y.max(other.y);
        if w > 0.0 && h > 0.0 { w * h } else { 0.0 }
    }

    fn moved(&self, dx: f64, dy: f64) -> Area {
        Area {
            x: self.x + dx,
            y: self.y + dy,
            ..*self
        }
    }

    /// Whether a point lies inside, more than `margin` from every side.
    fn holds(&self, (px, py): (f64, f64), margin: f64) -> bool {
        px > self.x + margin
            && px < self.x + self.w - margin
            && py > self.y + margin
            && py < self.y + self.h - margin
    }

    /// Whether a point lies inside or within `slack` of the border.
    fn near(&self, p: (f64, f64), slack: f64) -> bool {
        self.holds(p, -slack)
    }
}

/// Where a label may go, nearest first: its own place, then up or down in
/// steps of 8 px, then sideways in steps of 24 px.
fn label_offsets() -> impl Iterator<Item = (f64, f64)> {
    let vertical = (1..=10).flat_map(|k| [(0.0, 8.0 * f64::from(k)), (0.0, -8.0 * f64::from(k))]);
    let sideways = (1..=10).flat_map(|k| [(24.0 * f64::from(k), 0.0), (-24.0 * f64::from(k), 0.0)]);
    std::iter::once((0.0, 0.0)).chain(vertical).chain(sideways)
}

/// Points along an edge's curve as the SVG path draws it (`M`, one `C`,
/// then `S` segments whose first control point mirrors the previous one).
fn curve_points(path: &[(Point, Point)]) -> Vec<(f64, f64)> {
    let (Some(first), Some(second)) = (path.first(), path.get(1)) else {
        return Vec::new();
    };
    let cubic = |p0: (f64, f64), p1: (f64, f64), p2: (f64, f64), p3: (f64, f64), t: f64| {
        let u = 1.0 - t;
        (
            u * u * u * p0.0 + 3.0 * u * u * t * p1.0 + 3.0 * u * t * t * p2.0 + t * t * t * p3.0,
            u * u * u * p0.1 + 3.0 * u * u * t * p1.1 + 3.0 * u * t * t * p2.1 + t * t * t * p3.1,
        )
    };
    let xy = |p: Point| (p.x, p.y);
    let mut out = vec![xy(first.0)];
    let mut segments = vec![(xy(first.1), xy(second.0), xy(second.1))];
    let mut previous_control = xy(second.0);
    let mut current = xy(second.1);
    for p in path.iter().skip(2) {
        let mirrored = (
            2.0 * current.0 - previous_control.0,
            2.0 * current.1 - previous_control.1,
        );
        segments.push((mirrored, xy(p.0), xy(p.1)));
        previous_control = xy(p.0);
        current = xy(p.1);
    }
    let mut start = xy(first.0);
    for (c1, c2, end) in segments {
        for step in 1..=24 {
            out.push(cubic(start, c1, c2, end, f64::from(step) / 24.0));
        }
        start = end;
    }
    out
}

/// The points moved sideways out of the boxes they fall in, to 10 px
/// beyond the nearer side: the line then runs along that side.
fn around(mut points: Vec<(f64, f64)>, boxes: &[Area]) -> Vec<(f64, f64)> {
    const CLEARANCE: f64 = 10.0;
    // A point moved out of one box may land in a neighbour: a few rounds.
    for _ in 0..4 {
        let mut moved = false;
        for p in &mut points {
            for b in boxes {
                if b.holds(*p, -CLEARANCE + 0.5) {
                    let left = b.x - CLEARANCE;
                    let right = b.x + b.w + CLEARANCE;
                    p.0 = if p.0 - left < right - p.0 {
                        left
                    } else {
                        right
                    };
                    moved = true;
                }
            }
        }
        if !moved {
            break;
        }
    }
    points
}

/// An edge label waiting for its place.
struct PendingLabel {
    area: Area,
    lines: Vec<String>,
}

/// An edge waiting to be drawn: its path as layout-rs gave it, the SVG
/// curve of that path, and its look.
struct PendingEdge {
    path: Vec<(Point, Point)>,
    curve: String,
    color: String,
    /// ` stroke-dasharray=...`, ` marker-start=...`, ` marker-end=...`.
    attributes: String,
}

impl RenderBackend for Canvas {
    fn draw_rect(
        &mut self,
        xy: Point,
        size: Point,
        look: &StyleAttr,
        _: Option<String>,
        _: Option<ClipHandle>,
    ) {
        self.grow(xy.x, xy.y);
        self.grow(xy.x + size.x, xy.y + size.y);
        self.last_rect = Some((xy, size));
        self.node_boxes.push(Area {
            x: xy.x,
            y: xy.y,
            w: size.x,
            h: size.y,
        });
        let fill = look.fill_color.map(web).unwrap_or_else(|| "none".into());
        let _ = writeln!(
            self.boxes,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"{}\" fill=\"{fill}\" stroke=\"{}\" stroke-width=\"{}\"/>",
            xy.x,
            xy.y,
            size.x,
            size.y,
            look.rounded,
            web(look.line_color),
            look.line_width
        );
    }

    fn draw_line(&mut self, start: Point, stop: Point, look: &StyleAttr, _: Option<String>) {
        self.grow(start.x, start.y);
        self.grow(stop.x, stop.y);
        let _ = writeln!(
            self.edges,
            "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{}\" stroke-width=\"{}\"/>",
            start.x,
            start.y,
            stop.x,
            stop.y,
            web(look.line_color),
            look.line_width
        );
    }

    fn draw_circle(&mut self, xy: Point, size: Point, look: &StyleAttr, _: Option<String>) {
        self.grow(xy.x - size.x / 2.0, xy.y - size.y / 2.0);
        self.grow(xy.x + size.x / 2.0, xy.y + size.y / 2.0);
        let _ = writeln!(
            self.boxes,
            "<ellipse cx=\"{:.1}\" cy=\"{:.1}\" rx=\"{:.1}\" ry=\"{:.1}\" fill=\"none\" stroke=\"{}\"/>",
            xy.x,
            xy.y,
            size.x / 2.0,
            size.y / 2.0,
            web(look.line_color)
        );
    }

    fn draw_text(&mut self, xy: Point, text: &str, look: &StyleAttr) {
        if look.font_size == NODE_TAG {
            self.node_text(xy, text);
        } else {
            self.edge_text(xy, text);
        }
    }

    fn draw_arrow(
        &mut self,
        path: &[(Point, Point)],
        dashed: bool,
        head: (bool, bool),
        look: &StyleAttr,
        _: Option<String>,
        _: &str,
    ) {
        let (Some(first), Some(second)) = (path.first(), path.get(1)) else {
            return;
        };
        let mut d = format!(
            "M {:.1} {:.1} C {:.1} {:.1}, {:.1} {:.1}, {:.1} {:.1}",
            first.0.x,
            first.0.y,
            first.1.x,
            first.1.y,
            second.0.x,
            second.0.y,
            second.1.x,
            second.1.y
        );
        for p in path.iter().skip(2) {
            let _ = write!(d, " S {:.1} {:.1}, {:.1} {:.1}", p.0.x, p.0.y, p.1.x, p.1.y);
        }
        // Only the points on the curve: control points may lie far outside.
        self.grow(first.0.x, first.0.y);
        for p in path.iter().skip(1) {
            self.grow(p.1.x, p.1.y);
        }
        let dash = if dashed {
            " stroke-dasharray=\"5,5\""
        } else {
            ""
        };
        let start = if head.0 {
            " marker-start=\"url(#head)\""
        } else {
            ""
        };
        let end = if head.1 {
            " marker-end=\"url(#head)\""
        } else {
            ""
        };
        self.pending_edges.push(PendingEdge {
            path: path.to_vec(),
            curve: d,
            color: web(look.line_color),
            attributes: format!("{dash}{start}{end}"),
        });
    }

    fn create_clip(&mut self, _: Point, _: Point, _: usize) -> ClipHandle {
        0
    }
}
