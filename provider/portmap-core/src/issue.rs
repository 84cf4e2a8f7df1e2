//! Problems found in user input, with the attribute path they belong to.
//!
//! The provider turns an [`Issue`] into a Terraform diagnostic at the same
//! path; the CLI prints it with the path. The core knows nothing of either.

use std::fmt;

/// How bad an issue is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The input cannot be used.
    Error,
    /// The input is used, but something deserves attention.
    Warning,
}

/// One step of a path into the input.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    /// An attribute of an object (`nodes`).
    Attr(String),
    /// A key of a map (`["app"]`).
    Key(String),
    /// An index of a list (`[0]`).
    Index(usize),
}

/// A path into the input, e.g. `nodes["app"].cidrs[0]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Path(pub Vec<Step>);

impl Path {
    /// The empty path (the whole input).
    pub fn root() -> Self {
        Path(Vec::new())
    }

    /// This path followed by an attribute.
    pub fn attr(&self, name: &str) -> Self {
        let mut p = self.clone();
        p.0.push(Step::Attr(name.to_string()));
        p
    }

    /// This path followed by a map key.
    pub fn key(&self, key: &str) -> Self {
        let mut p = self.clone();
        p.0.push(Step::Key(key.to_string()));
        p
    }

    /// This path followed by a list index.
    pub fn index(&self, i: usize) -> Self {
        let mut p = self.clone();
        p.0.push(Step::Index(i));
        p
    }

    /// The steps from the root of the configuration, outermost first.
    pub fn steps(&self) -> &[Step] {
        &self.0
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            match s {
                Step::Attr(a) if i == 0 => write!(f, "{a}")?,
                Step::Attr(a) => write!(f, ".{a}")?,
                Step::Key(k) => write!(f, "[{k:?}]")?,
                Step::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// A problem with the input.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Issue {
    /// Error or warning.
    pub severity: Severity,
    /// Where in the input.
    pub path: Path,
    /// One line saying what is wrong.
    pub summary: String,
    /// Why, and what to do about it.
    pub detail: String,
}

impl Issue {
    /// An error at `path`.
    pub fn error(path: Path, summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Issue {
            severity: Severity::Error,
            path,
            summary: summary.into(),
            detail: detail.into(),
        }
    }

    /// A warning at `path`.
    pub fn warning(path: Path, summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Issue {
            severity: Severity::Warning,
            path,
            summary: summary.into(),
            detail: detail.into(),
        }
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        if self.path.0.is_empty() {
            write!(f, "{sev}: {}", self.summary)?;
        } else {
            write!(f, "{sev}: {}: {}", self.path, self.summary)?;
        }
        if !self.detail.is_empty() {
            write!(f, "\n  {}", self.detail.replace('\n', "\n  "))?;
        }
        Ok(())
    }
}

/// Whether any issue is an error.
pub fn has_errors(issues: &[Issue]) -> bool {
    issues.iter().any(Issue::is_error)
}
