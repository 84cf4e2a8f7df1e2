//! The geometry of `portmap diagram --format svg` on every example topology:
//! edge labels never overlap each other or a node box, and no edge passes
//! underneath the box of a node other than its two ends (where it would
//! read as an edge of that node).
//! Read from the SVG the command writes: node boxes are the `rect`s of
//! `<g class="nodes">`, label backgrounds the `rect`s of `<g
//! class="labels">`, edges the cubic Bézier `path`s of `<g class="edges">`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{ok, root};

#[derive(Debug, Clone, Copy)]
struct Rect {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

impl Rect {
    /// The area two rectangles share (0 when they only touch).
    fn overlap(&self, other: &Rect) -> f64 {
        let w = (self.x + self.w).min(other.x + other.w) - self.x.max(other.x);
        let h = (self.y + self.h).min(other.y + other.h) - self.y.max(other.y);
        if w > 0.0 && h > 0.0 { w * h } else { 0.0 }
    }

    /// Whether a point lies inside, at least `margin` from every side.
    fn holds(&self, (px, py): (f64, f64), margin: f64) -> bool {
        px > self.x + margin
            && px < self.x + self.w - margin
            && py > self.y + margin
            && py < self.y + self.h - margin
    }
}

fn rects_in(doc: &roxmltree::Document<'_>, class: &str) -> Vec<Rect> {
    let group = doc
        .descendants()
        .find(|n| n.has_tag_name("g") && n.attribute("class") == Some(class))
        .unwrap_or_else(|| panic!("no <g class=\"{class}\">"));
    let number =
        |n: &roxmltree::Node<'_, '_>, a: &str| -> f64 { n.attribute(a).unwrap().parse().unwrap() };
    group
        .descendants()
        .filter(|n| n.has_tag_name("rect"))
        .map(|n| Rect {
            x: number(&n, "x"),
            y: number(&n, "y"),
            w: number(&n, "width"),
            h: number(&n, "height"),
        })
        .collect()
}

/// Points along an SVG path of the forms the renderer writes: a curve,
/// `M x y C x1 y1, x2 y2, x y` followed by `S x2 y2, x y` segments, or a
/// line `M x y L x y ...`.
fn points_along(d: &str) -> Vec<(f64, f64)> {
    let mut numbers = Vec::new();
    let mut commands = Vec::new();
    let spaced = d.replace(',', " ");
    for token in spaced.split_whitespace() {
        match token {
            "M" | "C" | "S" | "L" => commands.push((token, numbers.len())),
            n => numbers.push(n.parse::<f64>().unwrap()),
        }
    }
    let point = |i: usize| (numbers[i], numbers[i + 1]);
    let cubic = |p0: (f64, f64), p1: (f64, f64), p2: (f64, f64), p3: (f64, f64), t: f64| {
        let u = 1.0 - t;
        (
            u * u * u * p0.0 + 3.0 * u * u * t * p1.0 + 3.0 * u * t * t * p2.0 + t * t * t * p3.0,
            u * u * u * p0.1 + 3.0 * u * u * t * p1.1 + 3.0 * u * t * t * p2.1 + t * t * t * p3.1,
        )
    };
    let mut out = Vec::new();
    let mut current = (0.0, 0.0);
    let mut last_control = (0.0, 0.0);
    for (command, at) in commands {
        let (p1, p2, p3) = match command {
            "M" => {
                current = point(at);
                last_control = current;
                out.push(current);
                continue;
            }
            "L" => {
                current = point(at);
                last_control = current;
                out.push(current);
                continue;
            }
            "C" => (point(at), point(at + 2), point(at + 4)),
            // The first control point mirrors the previous segment's last.
            _ => (
                (
                    2.0 * current.0 - last_control.0,
                    2.0 * current.1 - last_control.1,
                ),
                point(at),
                point(at + 2),
            ),
        };
        for step in 1..=40 {
            out.push(cubic(current, p1, p2, p3, f64::from(step) / 40.0));
        }
        last_control = p2;
        current = p3;
    }
    out
}

fn example_topologies() -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(root().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("topology.yaml").is_file())
        .map(|p| {
            format!(
                "examples/{}/topology.yaml",
                p.file_name().unwrap().to_str().unwrap()
            )
        })
        .collect();
    out.sort();
    assert!(out.len() >= 10, "the examples are found: {out:?}");
    out
}

/// What is wrong with the geometry of one SVG diagram, as sentences.
fn geometry_faults(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).unwrap();
    let boxes = rects_in(&doc, "nodes");
    let labels = rects_in(&doc, "labels");
    let mut faults = Vec::new();
    for (i, a) in labels.iter().enumerate() {
        for b in &labels[i + 1..] {
            if a.overlap(b) > 1.0 {
                faults.push(format!("labels overlap: {a:?} and {b:?}"));
            }
        }
        for n in &boxes {
            if a.overlap(n) > 1.0 {
                faults.push(format!("label {a:?} covers node box {n:?}"));
            }
        }
    }
    let edges = doc
        .descendants()
        .find(|n| n.has_tag_name("g") && n.attribute("class") == Some("edges"))
        .unwrap();
    for path in edges.descendants().filter(|n| n.has_tag_name("path")) {
        let d = path.attribute("d").unwrap();
        let points = points_along(d);
        let (first, last) = (points[0], points[points.len() - 1]);
        // The boxes of its own two nodes hide whatever part of an edge runs
        // under them; another node's box must not (it would read as an edge
        // of that node). An edge ends on its nodes' borders: 3 px of slack.
        for n in boxes
            .iter()
            .filter(|n| !n.holds(first, -3.0) && !n.holds(last, -3.0))
        {
            if let Some(p) = points.iter().find(|p| n.holds(**p, 3.0)) {
                faults.push(format!("edge {d} passes under node box {n:?} at {p:?}"));
            }
        }
    }
    faults
}

#[test]
fn the_geometry_check_sees_an_overlap_and_an_edge_under_a_box() {
    let svg = r##"<svg xmlns="http://www.w3.org/2000/svg">
<g class="edges"><path d="M 0 0 C 0 50, 0 100, 0 200 S 0 250, 0 300"/></g>
<g class="nodes"><rect x="-20" y="100" width="40" height="40"/></g>
<g class="labels"><rect x="50" y="50" width="30" height="20"/><rect x="60" y="60" width="30" height="20"/></g>
</svg>"##;
    let faults = geometry_faults(svg);
    assert_eq!(faults.len(), 2, "{faults:#?}");
    assert!(faults[0].starts_with("labels overlap"), "{faults:#?}");
    assert!(faults[1].contains("passes under node box"), "{faults:#?}");
    let clean = r##"<svg xmlns="http://www.w3.org/2000/svg">
<g class="edges"><path d="M 0 0 C 0 20, 0 60, 0 98"/></g>
<g class="nodes"><rect x="-20" y="100" width="40" height="40"/></g>
<g class="labels"><rect x="50" y="50" width="30" height="20"/><rect x="50" y="70" width="30" height="20"/></g>
</svg>"##;
    assert_eq!(geometry_faults(clean), Vec::<String>::new());
}

#[test]
fn labels_never_overlap_and_edges_never_pass_under_a_node_box() {
    let mut faults = Vec::new();
    for topology in example_topologies() {
        let svg = ok(&["diagram", &topology, "--format", "svg"]);
        faults.extend(
            geometry_faults(&svg)
                .into_iter()
                .map(|f| format!("{topology}: {f}")),
        );
    }
    assert!(faults.is_empty(), "{faults:#?}");
}
