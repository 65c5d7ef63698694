//! Include/exclude filters of the configuration (`[containers]`, `[images]`), applied to the
//! snapshot before evaluation so that every check sees the same objects.
//!
//! An object is in scope when no include is given or it matches one (a name glob or a label),
//! and it matches no exclude. Containers match by name, images by any of their tags or their ID.
use std::collections::BTreeMap;

use globset::{Glob, GlobMatcher};

use crate::snapshot::Snapshot;

/// `key=value` (the label has exactly this value) or `key` (the label is set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelMatch {
    pub key: String,
    pub value: Option<String>,
}

impl LabelMatch {
    pub fn parse(s: &str) -> Result<LabelMatch, String> {
        let (key, value) = match s.split_once('=') {
            Some((k, v)) => (k, Some(v.to_string())),
            None => (s, None),
        };
        if key.is_empty() {
            return Err(format!("label '{s}': expected key=value or key"));
        }
        Ok(LabelMatch {
            key: key.to_string(),
            value,
        })
    }

    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        match (labels.get(&self.key), &self.value) {
            (Some(v), Some(want)) => v == want,
            (Some(_), None) => true,
            (None, _) => false,
        }
    }
}

/// A name glob (`*`, `?`, `[ab]`; `*` also crosses `/`, so `registry.example/*` covers
/// every repository below it).
#[derive(Debug, Clone)]
pub struct NameGlob {
    pub pattern: String,
    matcher: GlobMatcher,
}

impl NameGlob {
    pub fn new(pattern: &str) -> Result<NameGlob, String> {
        let glob = Glob::new(pattern).map_err(|e| format!("invalid glob '{pattern}': {e}"))?;
        Ok(NameGlob {
            pattern: pattern.to_string(),
            matcher: glob.compile_matcher(),
        })
    }

    pub fn matches(&self, name: &str) -> bool {
        self.matcher.is_match(name)
    }
}

#[derive(Debug, Clone, Default)]
pub struct ObjectFilter {
    pub include: Vec<NameGlob>,
    pub exclude: Vec<NameGlob>,
    pub include_labels: Vec<LabelMatch>,
    pub exclude_labels: Vec<LabelMatch>,
}

impl ObjectFilter {
    pub fn is_empty(&self) -> bool {
        self.include.is_empty()
            && self.exclude.is_empty()
            && self.include_labels.is_empty()
            && self.exclude_labels.is_empty()
    }

    /// Is an object with these names and labels in scope?
    pub fn keeps(&self, names: &[&str], labels: &BTreeMap<String, String>) -> bool {
        let named = |globs: &[NameGlob]| globs.iter().any(|g| names.iter().any(|n| g.matches(n)));
        let labelled = |ls: &[LabelMatch]| ls.iter().any(|l| l.matches(labels));
        let included = (self.include.is_empty() && self.include_labels.is_empty())
            || named(&self.include)
            || labelled(&self.include_labels);
        included && !named(&self.exclude) && !labelled(&self.exclude_labels)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub containers: ObjectFilter,
    pub images: ObjectFilter,
}

pub use crate::results::Filtered;

impl Filters {
    pub fn is_empty(&self) -> bool {
        self.containers.is_empty() && self.images.is_empty()
    }

    /// Removes the objects out of scope from the snapshot and says how many.
    pub fn apply(&self, snap: &mut Snapshot) -> Filtered {
        let (c0, i0) = (snap.containers.len(), snap.images.len());
        snap.containers
            .retain(|c| self.containers.keeps(&[c.Name.as_str()], &c.Config.Labels));
        snap.images.retain(|i| {
            let mut names: Vec<&str> = i.RepoTags.iter().map(String::as_str).collect();
            names.push(&i.Id);
            self.images.keeps(&names, &i.Config.Labels)
        });
        Filtered {
            containers_excluded: c0 - snap.containers.len(),
            images_excluded: i0 - snap.images.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn include_then_exclude() {
        let f = ObjectFilter {
            include: vec![NameGlob::new("web-*").unwrap()],
            exclude: vec![NameGlob::new("web-test").unwrap()],
            include_labels: vec![LabelMatch::parse("env=prod").unwrap()],
            exclude_labels: vec![LabelMatch::parse("dockbench.ignore").unwrap()],
        };
        let none = labels(&[]);
        assert!(f.keeps(&["web-1"], &none));
        assert!(!f.keeps(&["web-test"], &none));
        assert!(!f.keeps(&["db"], &none));
        assert!(f.keeps(&["db"], &labels(&[("env", "prod")])));
        assert!(!f.keeps(&["db"], &labels(&[("env", "dev")])));
        assert!(!f.keeps(&["web-1"], &labels(&[("dockbench.ignore", "whatever")])));
    }

    #[test]
    fn empty_filter_keeps_everything() {
        assert!(ObjectFilter::default().keeps(&["x"], &BTreeMap::new()));
    }

    #[test]
    fn label_syntax() {
        assert_eq!(
            LabelMatch::parse("a=b=c").unwrap().value.as_deref(),
            Some("b=c")
        );
        assert!(LabelMatch::parse("=x").is_err());
        assert!(NameGlob::new("[").is_err());
    }
}
