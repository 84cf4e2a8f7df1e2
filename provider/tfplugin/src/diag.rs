//! Diagnostics: the errors and warnings a provider reports to Terraform, with
//! an optional [`AttributePath`] so Terraform can point at the exact place in
//! the user's configuration.

use std::fmt;
use std::ops::{Deref, DerefMut};

/// How serious a [`Diagnostic`] is. An error stops the Terraform operation; a
/// warning is shown and the operation continues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Severity {
    Error,
    Warning,
}

/// One step of an [`AttributePath`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PathStep {
    /// An attribute of an object (or a nested block): `.name`.
    Attr(String),
    /// An element of a map, by key: `["key"]`.
    Key(String),
    /// An element of a list or tuple, by position: `[0]`.
    Index(i64),
}

/// A path to a value inside a configuration or state object, built step by
/// step:
///
/// ```
/// use tfplugin::diag::AttributePath;
/// let p = AttributePath::new().attr("nodes").key("app").attr("cidrs").index(0);
/// assert_eq!(p.to_string(), r#"nodes["app"].cidrs[0]"#);
/// ```
///
/// On the wire the steps become `attribute_name`, `element_key_string` and
/// `element_key_int`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct AttributePath {
    steps: Vec<PathStep>,
}

impl AttributePath {
    /// The empty path: the whole value.
    pub fn new() -> Self {
        Self::default()
    }

    /// A path starting with the attribute `name`.
    pub fn root(name: impl Into<String>) -> Self {
        Self::new().attr(name)
    }

    /// This path followed by the attribute `name`.
    #[must_use]
    pub fn attr(mut self, name: impl Into<String>) -> Self {
        self.steps.push(PathStep::Attr(name.into()));
        self
    }

    /// This path followed by the map key `key`.
    #[must_use]
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.steps.push(PathStep::Key(key.into()));
        self
    }

    /// This path followed by the list index `index`.
    #[must_use]
    pub fn index(mut self, index: i64) -> Self {
        self.steps.push(PathStep::Index(index));
        self
    }

    /// Appends a step in place.
    pub fn push(&mut self, step: PathStep) {
        self.steps.push(step);
    }

    /// Removes the last step in place.
    pub fn pop(&mut self) -> Option<PathStep> {
        self.steps.pop()
    }

    /// The steps, outermost first.
    pub fn steps(&self) -> &[PathStep] {
        &self.steps
    }

    /// Whether this is the empty path.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }
}

impl FromIterator<PathStep> for AttributePath {
    fn from_iter<I: IntoIterator<Item = PathStep>>(iter: I) -> Self {
        Self {
            steps: iter.into_iter().collect(),
        }
    }
}

impl fmt::Display for AttributePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.steps.iter().enumerate() {
            match step {
                PathStep::Attr(name) if i == 0 => f.write_str(name)?,
                PathStep::Attr(name) => write!(f, ".{name}")?,
                PathStep::Key(key) => {
                    f.write_str("[\"")?;
                    for c in key.chars() {
                        match c {
                            '"' => f.write_str("\\\"")?,
                            '\\' => f.write_str("\\\\")?,
                            '\n' => f.write_str("\\n")?,
                            c => write!(f, "{c}")?,
                        }
                    }
                    f.write_str("\"]")?;
                }
                PathStep::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

/// One error or warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A short, one-line description of the problem.
    pub summary: String,
    /// More detail: what was wrong and how to fix it. May be empty.
    pub detail: String,
    /// Where in the configuration the problem is, when it is about one value.
    pub attribute: Option<AttributePath>,
}

impl Diagnostic {
    /// An error diagnostic.
    pub fn error(summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            summary: summary.into(),
            detail: detail.into(),
            attribute: None,
        }
    }

    /// A warning diagnostic.
    pub fn warning(summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            summary: summary.into(),
            detail: detail.into(),
            attribute: None,
        }
    }

    /// The same diagnostic, pointing at `path`.
    #[must_use]
    pub fn at(mut self, path: AttributePath) -> Self {
        self.attribute = Some(path);
        self
    }

    /// Whether this is an error (as opposed to a warning).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{kind}: {}", self.summary)?;
        if let Some(path) = &self.attribute
            && !path.is_empty()
        {
            write!(f, " (at {path})")?;
        }
        if !self.detail.is_empty() {
            write!(f, ": {}", self.detail)?;
        }
        Ok(())
    }
}

/// A list of diagnostics; dereferences to `Vec<Diagnostic>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// No diagnostics.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    /// Adds an error and returns it for chaining `.at(..)`-style edits through
    /// the returned reference.
    pub fn error(
        &mut self,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) -> &mut Diagnostic {
        self.push_last(Diagnostic::error(summary, detail))
    }

    /// Adds a warning.
    pub fn warning(
        &mut self,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) -> &mut Diagnostic {
        self.push_last(Diagnostic::warning(summary, detail))
    }

    fn push_last(&mut self, d: Diagnostic) -> &mut Diagnostic {
        self.0.push(d);
        let last = self.0.len() - 1;
        &mut self.0[last]
    }

    /// The inner vector.
    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.0
    }
}

impl Deref for Diagnostics {
    type Target = Vec<Diagnostic>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl DerefMut for Diagnostics {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl From<Vec<Diagnostic>> for Diagnostics {
    fn from(v: Vec<Diagnostic>) -> Self {
        Self(v)
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Self(vec![d])
    }
}

impl FromIterator<Diagnostic> for Diagnostics {
    fn from_iter<I: IntoIterator<Item = Diagnostic>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

impl Extend<Diagnostic> for Diagnostics {
    fn extend<I: IntoIterator<Item = Diagnostic>>(&mut self, iter: I) {
        self.0.extend(iter);
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_display() {
        let p = AttributePath::new()
            .attr("nodes")
            .key("app")
            .attr("cidrs")
            .index(0);
        assert_eq!(p.to_string(), r#"nodes["app"].cidrs[0]"#);
        assert_eq!(AttributePath::new().to_string(), "");
        assert_eq!(AttributePath::new().key("a\"b").to_string(), r#"["a\"b"]"#);
        assert_eq!(AttributePath::new().index(3).attr("x").to_string(), "[3].x");
    }

    #[test]
    fn diagnostics_has_errors() {
        let mut d = Diagnostics::new();
        assert!(!d.has_errors());
        d.warning("w", "");
        assert!(!d.has_errors());
        d.error("e", "detail").attribute = Some(AttributePath::root("a"));
        assert!(d.has_errors());
        assert_eq!(d.len(), 2);
        assert_eq!(d[1].to_string(), "error: e (at a): detail");
    }
}
