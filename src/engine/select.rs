//! `--check` / `--skip` selection by ID prefix on whole components: `5` selects 5.x,
//! `5.1` selects 5.1 (and 5.1.x) but not 5.12. The most specific selector wins; on a tie,
//! skip wins.

/// Does `selector` cover `id`? Returns how specific the match is (number of components).
fn matches(selector: &str, id: &str) -> Option<usize> {
    let sel: Vec<&str> = selector.trim_end_matches('.').split('.').collect();
    let parts: Vec<&str> = id.split('.').collect();
    (sel.len() <= parts.len() && sel[..] == parts[..sel.len()]).then_some(sel.len())
}

/// Does `selector` cover `id` on whole components (`5.1` covers 5.1 and 5.1.x, not 5.12)?
pub fn covers(selector: &str, id: &str) -> bool {
    matches(selector, id).is_some()
}

#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub check: Vec<String>,
    pub skip: Vec<String>,
}

impl Selection {
    pub fn selects(&self, id: &str) -> bool {
        let best = |list: &[String]| list.iter().filter_map(|s| matches(s, id)).max();
        let include = if self.check.is_empty() {
            Some(0)
        } else {
            best(&self.check)
        };
        match (include, best(&self.skip)) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(i), Some(s)) => i > s,
        }
    }

    /// Selectors that match no check id: almost always a typo.
    pub fn unmatched<'a>(&'a self, ids: &[&str]) -> Vec<&'a str> {
        self.check
            .iter()
            .chain(&self.skip)
            .filter(|s| !ids.iter().any(|id| matches(s, id).is_some()))
            .map(String::as_str)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(check: &[&str], skip: &[&str]) -> Selection {
        Selection {
            check: check.iter().map(|s| s.to_string()).collect(),
            skip: skip.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn prefix_matches_whole_components() {
        let s = sel(&["5.1"], &[]);
        assert!(s.selects("5.1"));
        assert!(!s.selects("5.12"));
        assert!(!s.selects("5.10"));
        assert!(sel(&["5"], &[]).selects("5.12"));
        assert!(!sel(&["5"], &[]).selects("4.1"));
        assert!(sel(&["1.1"], &[]).selects("1.1.12"));
    }

    #[test]
    fn most_specific_wins() {
        let s = sel(&["5"], &["5.4"]);
        assert!(s.selects("5.3"));
        assert!(!s.selects("5.4"));
        let s = sel(&["5.4"], &["5"]);
        assert!(s.selects("5.4"));
        assert!(!s.selects("5.3"));
        assert!(!sel(&[], &["5"]).selects("5.1"));
        assert!(sel(&[], &["5"]).selects("4.1"));
        assert!(!sel(&["5.4"], &["5.4"]).selects("5.4"));
    }

    #[test]
    fn unmatched_selectors_are_reported() {
        assert_eq!(
            sel(&["5.99", "5"], &["9"]).unmatched(&["5.1"]),
            vec!["5.99", "9"]
        );
    }
}
