//! Reading topology files (YAML or JSON) with errors that name the file and
//! line, and locating diagnostics from their attribute path.

use crate::issue::{Issue, Step};
use crate::topology::Topology;

/// A parsed topology file with its text, to locate diagnostics.
pub struct TopologyFile {
    /// The topology the file declares, unchecked.
    pub topology: Topology,
    lines: Vec<String>,
}

/// Parses a topology file. JSON is read as JSON (exact error positions),
/// anything else as YAML. The error is the whole diagnostic line, in the
/// format of every diagnostic of the `portmap` command:
/// `FILE: error: line L, column C: MESSAGE`.
pub fn parse(text: &str, origin: &str) -> Result<TopologyFile, String> {
    let trimmed = text.trim_start();
    let topology = if trimmed.starts_with('{') {
        serde_json::from_str::<Topology>(text).map_err(|e| {
            format!(
                "{origin}: error: line {}, column {}: {}",
                e.line(),
                e.column(),
                strip_position(&e.to_string())
            )
        })?
    } else {
        let located = |e: serde_norway::Error| match e.location() {
            Some(l) => format!(
                "{origin}: error: line {}, column {}: {}",
                l.line(),
                l.column(),
                strip_position(&e.to_string())
            ),
            None => format!("{origin}: error: {e}"),
        };
        // Duplicate keys first: a typed map would silently keep the last one.
        crate::yaml::check_no_duplicate_keys(text).map_err(located)?;
        serde_norway::from_str::<Topology>(text).map_err(located)?
    };
    Ok(TopologyFile {
        topology,
        lines: text.lines().map(str::to_string).collect(),
    })
}

fn strip_position(msg: &str) -> String {
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

impl TopologyFile {
    /// The issues with `line N:` in front of the path where the path's key
    /// can be found in the file.
    pub fn locate(&self, issues: &[Issue]) -> Vec<Issue> {
        issues
            .iter()
            .map(|i| {
                let mut i = i.clone();
                if let Some(line) = self.line_of(i.path.steps()) {
                    i.summary = format!("line {line}: {}", i.summary);
                }
                i
            })
            .collect()
    }

    /// The 1-based line of the deepest key of `steps` found in order.
    fn line_of(&self, steps: &[Step]) -> Option<usize> {
        let mut from = 0usize;
        let mut found = None;
        for step in steps {
            let key = match step {
                Step::Attr(a) => a.as_str(),
                Step::Key(k) => k.as_str(),
                Step::Index(_) => break,
            };
            let pos = self
                .lines
                .iter()
                .enumerate()
                .skip(from)
                .find(|(_, l)| is_key_line(l, key))
                .map(|(i, _)| i)?;
            found = Some(pos + 1);
            from = pos + 1;
        }
        found
    }
}

/// Whether the line starts with `key:`, `"key":`, `'key':` or `"key" :`
/// (after indentation and list dashes). Checked without allocating: it runs
/// for every line of the file per located issue.
fn is_key_line(line: &str, key: &str) -> bool {
    let t = line.trim_start().trim_start_matches("- ").trim_start();
    let quoted = |q: char| {
        t.strip_prefix(q)
            .and_then(|r| r.strip_prefix(key))
            .and_then(|r| r.strip_prefix(q))
    };
    t.strip_prefix(key).is_some_and(|r| r.starts_with(':'))
        || quoted('"').is_some_and(|r| r.starts_with(':') || r.starts_with(" :"))
        || quoted('\'').is_some_and(|r| r.starts_with(':'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::issue::Path;

    #[test]
    fn yaml_errors_name_file_and_line() {
        let err = parse(
            "nodes:\n  app:\n    components: [a/b]\n    cidrs: 12\n",
            "t.yaml",
        )
        .err()
        .unwrap();
        assert!(err.starts_with("t.yaml: error: line 4, column "), "{err}");
    }

    #[test]
    fn json_errors_name_file_and_line() {
        let err = parse(
            "{\n \"nodes\": {\n  \"app\": {\"kind\": 3}\n }\n}\n",
            "t.json",
        )
        .err()
        .unwrap();
        assert!(err.starts_with("t.json: error: line 3, column "), "{err}");
    }

    #[test]
    fn unknown_fields_are_refused() {
        let err = parse("nodes:\n  app:\n    component: [a/b]\n", "t.yaml")
            .err()
            .unwrap();
        assert!(err.contains("unknown field `component`"), "{err}");
    }

    #[test]
    fn issues_get_the_line_of_their_key() {
        let f = parse(
            "nodes:\n  web:\n    components: []\n  app:\n    components: [x]\n    cidrs: [bad]\n",
            "t.yaml",
        )
        .unwrap();
        let issue = Issue::error(
            Path::root().attr("nodes").key("app").attr("cidrs").index(0),
            "Invalid address",
            "",
        );
        let located = f.locate(&[issue]);
        assert_eq!(located[0].summary, "line 6: Invalid address");
    }

    #[test]
    fn key_lines_as_the_formats_write_them() {
        for line in [
            "app:",
            "  app: x",
            "- app:",
            "  - \"app\": 1",
            "'app':",
            "\"app\" : {",
        ] {
            assert!(is_key_line(line, "app"), "{line}");
        }
        for line in [
            "apps:",
            "ap:",
            "\"app' :",
            "'app' :",
            "app",
            "x: app:",
            "\"app\"x:",
        ] {
            assert!(!is_key_line(line, "app"), "{line}");
        }
    }
}
