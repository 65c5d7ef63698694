//! Waivers: accepted exceptions (`[[waiver]]` in the configuration), applied after evaluation
//! on findings (check × object). Pure: no I/O, the scan date is given.
//!
//! - A waiver covers a finding when its `check` covers the check id (a prefix on whole
//!   components, as `--check`) and every object matcher it has (`container` name glob, `image`
//!   glob, `label`) matches the object. Without object matchers it covers every finding of the
//!   check, host and daemon findings included; with one it covers only containers and images.
//! - Only findings of WARN and INFO checks are waived: a check that could not be evaluated
//!   (ERROR) stays ERROR.
//! - A check whose every finding is waived becomes WAIVED with the reasons; a check with some
//!   findings waived keeps its status and lists only the others as findings, the waived ones
//!   in `waived`.
//! - A waiver whose `expires` date is before the scan date (UTC) no longer applies and is
//!   listed as expired; a waiver that covers no finding is listed as unused.
use chrono::NaiveDate;

use super::filter::{LabelMatch, NameGlob};
use super::select::covers;
use crate::results::{CheckResult, Finding, Status, WaivedFinding};
use crate::snapshot::Snapshot;

#[derive(Debug, Clone)]
pub struct Waiver {
    pub check: String,
    pub container: Option<NameGlob>,
    pub image: Option<NameGlob>,
    pub label: Option<LabelMatch>,
    pub reason: String,
    pub expires: Option<NaiveDate>,
    /// Where it was written, e.g. `dockbench.toml:12`.
    pub origin: String,
}

pub use crate::results::{WaiverSummary, WaiverUse};

impl Waiver {
    fn describe(&self, matched: usize) -> WaiverUse {
        WaiverUse {
            check: self.check.clone(),
            container: self.container.as_ref().map(|g| g.pattern.clone()),
            image: self.image.as_ref().map(|g| g.pattern.clone()),
            label: self.label.as_ref().map(|l| match &l.value {
                Some(v) => format!("{}={v}", l.key),
                None => l.key.clone(),
            }),
            reason: self.reason.clone(),
            expires: self.expires.map(|d| d.to_string()),
            origin: self.origin.clone(),
            matched,
        }
    }

    fn has_object_matcher(&self) -> bool {
        self.container.is_some() || self.image.is_some() || self.label.is_some()
    }

    /// Does this waiver cover finding `f` of check `id`?
    pub fn covers(&self, id: &str, f: &Finding, snap: &Snapshot) -> bool {
        if !covers(&self.check, id) {
            return false;
        }
        if !self.has_object_matcher() {
            return true;
        }
        let (names, image_names, labels) = match f.kind.as_str() {
            "container" => {
                let Some(c) = snap
                    .containers
                    .iter()
                    .find(|c| (!f.id.is_empty() && c.Id == f.id) || c.Name == f.object)
                else {
                    return false;
                };
                let mut images = vec![c.Config.Image.clone(), c.Image.clone()];
                if let Some(i) = snap.images.iter().find(|i| i.Id == c.Image) {
                    images.extend(i.RepoTags.iter().cloned());
                }
                (vec![c.Name.clone()], images, &c.Config.Labels)
            }
            "image" => {
                let Some(i) = snap
                    .images
                    .iter()
                    .find(|i| !f.id.is_empty() && i.Id == f.id)
                else {
                    return false;
                };
                let mut images = i.RepoTags.clone();
                images.push(i.Id.clone());
                images.push(f.object.clone());
                (Vec::new(), images, &i.Config.Labels)
            }
            _ => return false,
        };
        let container_ok = self
            .container
            .as_ref()
            .is_none_or(|g| names.iter().any(|n| g.matches(n)));
        let image_ok = self
            .image
            .as_ref()
            .is_none_or(|g| image_names.iter().any(|n| g.matches(n)));
        let label_ok = self.label.as_ref().is_none_or(|l| l.matches(labels));
        container_ok && image_ok && label_ok
    }
}

/// The waivers that concern this run: those whose `check` covers a check that ran, and those
/// that cover no check of the loaded benchmarks at all (a typo: reported as unused). A waiver
/// for checks this run left out (`--check`, `--skip`, `--level`, `--scored-only`) is neither
/// applied nor unused here, so it is not listed: "unused" would wrongly say it is no longer
/// needed.
pub fn for_run(waivers: &[Waiver], ran: &[&str], loaded: &[&str]) -> Vec<Waiver> {
    waivers
        .iter()
        .filter(|w| {
            ran.iter().any(|id| covers(&w.check, id))
                || !loaded.iter().any(|id| covers(&w.check, id))
        })
        .cloned()
        .collect()
}

/// Applies `waivers` to `results` (scan date `today`, UTC) and says what each waiver did.
pub fn apply(
    results: &mut [CheckResult],
    snap: &Snapshot,
    waivers: &[Waiver],
    today: NaiveDate,
) -> WaiverSummary {
    let active: Vec<bool> = waivers
        .iter()
        .map(|w| w.expires.is_none_or(|d| d >= today))
        .collect();
    let mut matched = vec![0usize; waivers.len()];
    for r in results.iter_mut() {
        if !matches!(r.status, Status::Warn | Status::Info) {
            continue;
        }
        let mut kept = Vec::new();
        for f in std::mem::take(&mut r.findings) {
            let mut first = None;
            for (wi, w) in waivers.iter().enumerate() {
                if w.covers(&r.id, &f, snap) {
                    matched[wi] += 1;
                    if active[wi] && first.is_none() {
                        first = Some(wi);
                    }
                }
            }
            match first {
                Some(wi) => r.waived.push(WaivedFinding {
                    finding: f,
                    reason: waivers[wi].reason.clone(),
                    expires: waivers[wi].expires.map(|d| d.to_string()),
                }),
                None => kept.push(f),
            }
        }
        let waived_now = r.waived.len();
        if waived_now == 0 {
            r.findings = kept;
            continue;
        }
        if kept.is_empty() {
            let mut reasons: Vec<&str> = Vec::new();
            for w in &r.waived {
                if !reasons.contains(&w.reason.as_str()) {
                    reasons.push(&w.reason);
                }
            }
            r.status = Status::Waived;
            r.reason = reasons.join("; ");
        } else {
            // "3 of 6 containers affected" → "2 of 6 containers affected, 1 waived".
            let before = kept.len() + waived_now;
            if let Some(rest) = r.reason.strip_prefix(&format!("{before} of ")) {
                r.reason = format!("{} of {rest}", kept.len());
            }
            r.reason.push_str(&format!(", {waived_now} waived"));
        }
        r.findings = kept;
    }
    let mut summary = WaiverSummary::default();
    for (wi, w) in waivers.iter().enumerate() {
        let entry = w.describe(matched[wi]);
        if !active[wi] {
            summary.expired.push(entry);
        } else if matched[wi] == 0 {
            summary.unused.push(entry);
        } else {
            summary.applied.push(entry);
        }
    }
    summary
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::check::{Evaluation, Level, Scope};
    use crate::snapshot::Container;

    fn finding(name: &str) -> Finding {
        Finding {
            kind: crate::results::ObjectKind::Container,
            object: name.into(),
            id: format!("id-{name}"),
            value: "Privileged".into(),
            ..Finding::default()
        }
    }

    fn result(id: &str, names: &[&str]) -> CheckResult {
        CheckResult {
            id: id.into(),
            title: "t".into(),
            section: "5".into(),
            section_title: "s".into(),
            benchmark: "x".into(),
            level: Level::L1,
            severity: Some(crate::engine::check::Severity::High),
            severity_rationale: String::new(),
            assessment: None,
            evaluation: Evaluation::Automated,
            scored: true,
            scope: Scope::Container,
            status: Status::Warn,
            reason: format!("{} of 3 containers affected", names.len()),
            findings: names.iter().map(|n| finding(n)).collect(),
            exceptions: Vec::new(),
            evaluated: 3,
            waived: Vec::new(),
            description: String::new(),
            remediation: String::new(),
            impact: String::new(),
            references: Vec::new(),
        }
    }

    fn snap() -> Snapshot {
        let mut s = Snapshot::default();
        for n in ["web", "metrics-agent", "db"] {
            let mut c = Container {
                Id: format!("id-{n}"),
                Name: n.into(),
                Image: format!("sha256:{n}"),
                ..Container::default()
            };
            c.Config.Image = format!("example/{n}:1");
            if n == "db" {
                c.Config.Labels.insert("tier".into(), "data".into());
            }
            s.containers.push(c);
        }
        s
    }

    fn waiver(check: &str, container: Option<&str>, expires: Option<&str>) -> Waiver {
        Waiver {
            check: check.into(),
            container: container.map(|g| NameGlob::new(g).unwrap()),
            image: None,
            label: None,
            reason: format!("reason {check}"),
            expires: expires.map(|d| d.parse().unwrap()),
            origin: "test".into(),
        }
    }

    fn today() -> NaiveDate {
        "2026-06-01".parse().unwrap()
    }

    #[test]
    fn all_findings_waived_makes_the_check_waived() {
        let mut rs = vec![result("5.16", &["metrics-agent"])];
        let s = apply(
            &mut rs,
            &snap(),
            &[waiver("5.16", Some("metrics-*"), Some("2027-03-31"))],
            today(),
        );
        assert_eq!(rs[0].status, Status::Waived);
        assert_eq!(rs[0].reason, "reason 5.16");
        assert!(rs[0].findings.is_empty());
        assert_eq!(rs[0].waived.len(), 1);
        assert_eq!(rs[0].waived[0].expires.as_deref(), Some("2027-03-31"));
        assert_eq!(s.applied.len(), 1);
        assert_eq!(s.applied[0].matched, 1);
    }

    #[test]
    fn partial_waiver_keeps_warn_with_the_rest() {
        let mut rs = vec![result("5.4", &["web", "metrics-agent"])];
        apply(
            &mut rs,
            &snap(),
            &[waiver("5", Some("metrics-agent"), None)],
            today(),
        );
        assert_eq!(rs[0].status, Status::Warn);
        assert_eq!(rs[0].reason, "1 of 3 containers affected, 1 waived");
        assert_eq!(rs[0].findings, vec![finding("web")]);
        assert_eq!(rs[0].waived[0].finding, finding("metrics-agent"));
    }

    #[test]
    fn waivers_of_checks_left_out_of_the_run_are_not_listed() {
        let ws = [
            waiver("5.4", None, None),
            waiver("5.16", Some("metrics-agent"), None),
            waiver("5.99", None, None),
        ];
        let kept = for_run(&ws, &["5.4"], &["5.4", "5.16"]);
        let checks: Vec<&str> = kept.iter().map(|w| w.check.as_str()).collect();
        assert_eq!(checks, ["5.4", "5.99"], "5.16 did not run; 5.99 is a typo");
    }

    #[test]
    fn expired_and_unused() {
        let mut rs = vec![result("5.4", &["web"])];
        let s = apply(
            &mut rs,
            &snap(),
            &[
                waiver("5.4", Some("web"), Some("2026-05-31")),
                waiver("5.40", None, None),
                waiver("5.4", Some("nothing-*"), None),
            ],
            today(),
        );
        assert_eq!(rs[0].status, Status::Warn);
        assert!(rs[0].waived.is_empty());
        assert_eq!(s.expired.len(), 1);
        assert_eq!(
            s.expired[0].matched, 1,
            "an expired waiver says what it would cover"
        );
        assert_eq!(s.unused.len(), 2);
        assert!(s.applied.is_empty());
    }

    #[test]
    fn expiry_day_itself_still_applies() {
        let mut rs = vec![result("5.4", &["web"])];
        apply(
            &mut rs,
            &snap(),
            &[waiver("5.4", None, Some("2026-06-01"))],
            today(),
        );
        assert_eq!(rs[0].status, Status::Waived);
    }

    #[test]
    fn image_and_label_matchers() {
        let s = snap();
        let mut w = waiver("5.4", None, None);
        w.image = Some(NameGlob::new("example/web:*").unwrap());
        assert!(w.covers("5.4", &finding("web"), &s));
        assert!(!w.covers("5.4", &finding("db"), &s));
        let mut w = waiver("5.4", None, None);
        w.label = Some(LabelMatch::parse("tier=data").unwrap());
        assert!(w.covers("5.4", &finding("db"), &s));
        assert!(!w.covers("5.4", &finding("web"), &s));
        // An object matcher never covers host or daemon findings.
        let host = Finding {
            kind: crate::results::ObjectKind::Host,
            object: "h".into(),
            id: String::new(),
            value: String::new(),
            ..Finding::default()
        };
        assert!(!w.covers("5.4", &host, &s));
        assert!(waiver("5.4", None, None).covers("5.4", &host, &s));
    }

    #[test]
    fn error_checks_are_not_waived() {
        let mut rs = vec![result("5.4", &["web"])];
        rs[0].status = Status::Error;
        let s = apply(&mut rs, &snap(), &[waiver("5.4", None, None)], today());
        assert_eq!(rs[0].status, Status::Error);
        assert_eq!(s.unused.len(), 1);
    }
}
