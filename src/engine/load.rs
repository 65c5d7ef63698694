//! Loading and validating benchmarks: the embedded `checks/` folders and user folders
//! (`--checks-dir`). Every problem is reported with its file and check id; nothing panics.
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use cel::{Env, Program};

use super::check::{BenchmarkDef, CheckDef, Evaluation, Scope};
use super::schema::{Ty, check_expression, files_element, infer_expr};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_checks.rs"));
}

/// The benchmark used when `--benchmark` is not given.
pub const DEFAULT_BENCHMARK: &str = "cis-docker-1.6.0";

#[derive(Debug)]
pub struct Benchmark {
    pub def: BenchmarkDef,
    /// Where it came from: `embedded` or a folder path.
    pub origin: String,
    pub checks: Vec<Check>,
}

#[derive(Debug)]
pub struct Check {
    pub def: CheckDef,
    pub section: String,
    pub section_title: String,
    pub applies: Option<Program>,
    pub unknown: Option<Program>,
    pub not_applicable: Option<Program>,
    pub files: Option<Program>,
    pub finding: Option<Program>,
    pub evidence: Option<Program>,
    pub pass_evidence: Option<Program>,
    pub info_when: Option<Program>,
    /// The `[params]` of its benchmark (shared by all its checks).
    pub params: Arc<toml::Table>,
    /// The id of its benchmark (`cis-docker-1.6.0`): reports score each benchmark apart.
    pub benchmark: Arc<str>,
    /// Whether its expressions were compiled: false for a check the scan does not select
    /// (see [`load_embedded_selected`]), whose programs are then all `None`. Evaluating it
    /// gives ERROR, never a verdict.
    pub compiled: bool,
}

impl Check {
    /// Its compiled expressions, whichever are given.
    pub fn programs(&self) -> impl Iterator<Item = &Program> {
        [
            &self.applies,
            &self.unknown,
            &self.not_applicable,
            &self.files,
            &self.finding,
            &self.evidence,
            &self.pass_evidence,
            &self.info_when,
        ]
        .into_iter()
        .flatten()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("invalid checks:\n{}", .0.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
pub struct LoadError(pub Vec<String>);

/// One source file of a benchmark folder.
struct SourceFile {
    name: String,
    text: String,
}

/// The CEL environment every check is compiled and run with: the standard library plus the
/// strings and lists extensions (`join`, `split`, `lowerAscii`, `distinct`, …).
pub fn cel_env() -> Arc<Env> {
    let mut env = Env::stdlib();
    env.add_extension(cel::extensions::strings)
        .expect("strings extension");
    env.add_extension(cel::extensions::lists)
        .expect("lists extension");
    Arc::new(env)
}

/// Ids of the embedded benchmarks, sorted.
pub fn embedded_ids() -> Vec<String> {
    let ids: BTreeSet<String> = embedded::EMBEDDED
        .iter()
        .filter_map(|(path, _)| path.split_once('/').map(|(dir, _)| dir.to_string()))
        .collect();
    ids.into_iter().collect()
}

/// An embedded benchmark with every check compiled and validated (`checks validate`,
/// `checks list`, the docs and the tests).
pub fn load_embedded(id: &str, env: &Env) -> Result<Benchmark, LoadError> {
    load_embedded_selected(id, env, &|_| true)
}

/// An embedded benchmark whose checks are all parsed and checked for their metadata, but
/// only those `wanted` has compiled: compiling the CEL of every check was most of a scan's
/// start-up (both benchmarks: 159 M of 187 M instructions of loading). The embedded
/// expressions are validated by the tests (`embedded_benchmarks_load`); a folder given with
/// `--checks-dir` is always compiled whole ([`load_dir`]), so a broken custom check is
/// reported whether selected or not.
pub fn load_embedded_selected(
    id: &str,
    env: &Env,
    wanted: &dyn Fn(&CheckDef) -> bool,
) -> Result<Benchmark, LoadError> {
    let files = embedded_files(id);
    if files.is_empty() {
        return Err(LoadError(vec![format!(
            "unknown benchmark '{id}' (available: {})",
            embedded_ids().join(", ")
        )]));
    }
    build(files, "embedded".into(), env, wanted)
}

pub fn load_dir(dir: &Path, env: &Env) -> Result<Benchmark, LoadError> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        LoadError(vec![format!(
            "{}: cannot read checks folder: {e}",
            dir.display()
        )])
    })?;
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "toml") {
            // Bounded, as snapshots and reports are: a `*.toml` that is /dev/zero is an error.
            match crate::output::read_input(&path) {
                Ok(text) => files.push(SourceFile {
                    name: path.display().to_string(),
                    text,
                }),
                Err(e) => problems.push(format!("{}: {e}", path.display())),
            }
        }
    }
    if !problems.is_empty() {
        return Err(LoadError(problems));
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    build(files, dir.display().to_string(), env, &|_| true)
}

/// The parsed but not yet validated form of a benchmark: its definition and the raw
/// check tables (each with the file it came from), inheritance already applied.
struct RawBenchmark {
    def: BenchmarkDef,
    checks: Vec<(String, toml::Table)>,
}

fn embedded_files(id: &str) -> Vec<SourceFile> {
    embedded::EMBEDDED
        .iter()
        .filter_map(|(path, text)| {
            let (dir, name) = path.split_once('/')?;
            (dir == id && !name.is_empty()).then(|| SourceFile {
                name: format!("checks/{path}"),
                text: text.to_string(),
            })
        })
        .collect()
}

/// Parses a folder's files; resolves `extends` against the embedded benchmarks.
fn parse(
    files: &[SourceFile],
    origin: &str,
    depth: usize,
    problems: &mut Vec<String>,
) -> Option<RawBenchmark> {
    let mut def: Option<BenchmarkDef> = None;
    let mut own: Vec<(String, toml::Table)> = Vec::new();
    for f in files {
        if f.name.ends_with("/benchmark.toml") || f.name == "benchmark.toml" {
            match toml::from_str::<BenchmarkDef>(&f.text) {
                Ok(d) => def = Some(d),
                Err(e) => problems.push(format!("{}: {}", f.name, e.to_string().trim_end())),
            }
            continue;
        }
        match toml::from_str::<toml::Table>(&f.text) {
            Ok(mut table) => {
                let checks = table.remove("check");
                if let Some(key) = table.keys().next() {
                    problems.push(format!(
                        "{}: unknown top-level key '{key}' (expected [[check]] tables)",
                        f.name
                    ));
                }
                match checks {
                    None => {}
                    Some(toml::Value::Array(items)) => {
                        for item in items {
                            match item {
                                toml::Value::Table(t) => own.push((f.name.clone(), t)),
                                _ => problems.push(format!("{}: 'check' must hold tables", f.name)),
                            }
                        }
                    }
                    Some(_) => {
                        problems.push(format!("{}: 'check' must be [[check]] tables", f.name))
                    }
                }
            }
            Err(e) => problems.push(format!("{}: {}", f.name, e.to_string().trim_end())),
        }
    }
    let Some(mut def) = def else {
        problems.push(format!(
            "{origin}: no benchmark.toml (it names the benchmark and its sections)"
        ));
        return None;
    };
    let mut checks = Vec::new();
    if let Some(parent_id) = def.extends.clone() {
        let parent_files = embedded_files(&parent_id);
        if parent_files.is_empty() || depth > 8 {
            problems.push(format!(
                "{origin}: extends unknown benchmark '{parent_id}' (available: {})",
                embedded_ids().join(", ")
            ));
            return None;
        }
        let parent = parse(&parent_files, &parent_id, depth + 1, problems)?;
        if def.sections.is_empty() {
            def.sections = parent.def.sections.clone();
        }
        let mut params = parent.def.params.clone();
        params.extend(std::mem::take(&mut def.params));
        def.params = params;
        checks = inherit(&def, parent.checks, origin, problems);
    }
    let inherited: BTreeSet<String> = checks.iter().map(|(_, t)| table_id(t)).collect();
    for (file, t) in own {
        if inherited.contains(&table_id(&t)) {
            problems.push(format!(
                "{file}: check {} is inherited from {}; change it with an [[override]] in benchmark.toml",
                table_id(&t),
                def.extends.as_deref().unwrap_or_default()
            ));
            continue;
        }
        checks.push((file, t));
    }
    Some(RawBenchmark { def, checks })
}

fn table_id(t: &toml::Table) -> String {
    t.get("id")
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string()
}

/// Applies `renumber` and `[[override]]` of `def` to the parent's checks.
fn inherit(
    def: &BenchmarkDef,
    parent: Vec<(String, toml::Table)>,
    origin: &str,
    problems: &mut Vec<String>,
) -> Vec<(String, toml::Table)> {
    let mut checks: Vec<(String, toml::Table)> = parent
        .into_iter()
        .map(|(file, mut t)| {
            if let Some(new) = def.renumber.get(&table_id(&t)) {
                t.insert("id".into(), toml::Value::String(new.clone()));
            }
            (file, t)
        })
        .collect();
    for old in def.renumber.keys() {
        if !checks
            .iter()
            .any(|(_, t)| def.renumber.get(old) == Some(&table_id(t)))
        {
            problems.push(format!("{origin}: renumber: no inherited check '{old}'"));
        }
    }
    for o in &def.overrides {
        let id = table_id(o);
        match checks.iter_mut().find(|(_, t)| table_id(t) == id) {
            Some((_, t)) => {
                for (k, v) in o {
                    t.insert(k.clone(), v.clone());
                }
            }
            None => problems.push(format!(
                "{origin}: override of '{id}', which is not an inherited check"
            )),
        }
    }
    checks
}

fn build(
    files: Vec<SourceFile>,
    origin: String,
    env: &Env,
    wanted: &dyn Fn(&CheckDef) -> bool,
) -> Result<Benchmark, LoadError> {
    let mut problems = Vec::new();
    let Some(raw) = parse(&files, &origin, 0, &mut problems) else {
        return Err(LoadError(problems));
    };
    let def = raw.def;
    let mut raw_checks: Vec<(String, CheckDef)> = Vec::new();
    for (file, t) in raw.checks {
        let id = table_id(&t);
        match toml::Value::Table(t).try_into::<CheckDef>() {
            Ok(c) => raw_checks.push((file, c)),
            Err(e) => problems.push(format!("{file}: check {id}: {}", e.to_string().trim_end())),
        }
    }
    let mut vars = super::eval::variable_types();
    vars.insert(
        "params".into(),
        Ty::object(def.params.keys().map(|k| (k.clone(), Ty::Any))),
    );
    let params = Arc::new(def.params.clone());
    let bench_id: Arc<str> = def.id.as_str().into();
    let mut seen = BTreeSet::new();
    let mut checks = Vec::new();
    for (file, c) in raw_checks {
        let at = format!("{file}: check {}", c.id);
        if !seen.insert(c.id.clone()) {
            problems.push(format!("{at}: duplicate check id"));
            continue;
        }
        // The most specific declared section that is a whole-component prefix of the id
        // (`5` for `5.12`; `DP.3` for `DP.3.1`).
        let section_def = def
            .sections
            .iter()
            .filter(|s| {
                let (sec, id) = (s.id.split('.'), c.id.split('.'));
                let sec: Vec<&str> = sec.collect();
                let id: Vec<&str> = id.collect();
                sec.len() < id.len() && sec[..] == id[..sec.len()]
            })
            .max_by_key(|s| s.id.split('.').count());
        let section = c.id.split('.').next().unwrap_or_default().to_string();
        let Some(section_def) = section_def else {
            problems.push(format!(
                "{at}: section '{section}' is not declared in benchmark.toml"
            ));
            continue;
        };
        for (field, value) in [
            ("title", &c.title),
            ("remediation", &c.remediation),
            ("severity_rationale", &c.severity_rationale),
        ] {
            if value.trim().is_empty() {
                problems.push(format!("{at}: '{field}' must not be empty"));
            }
        }
        match c.evaluation {
            Evaluation::Automated if c.finding.is_none() => problems.push(format!(
                "{at}: an automated check needs a 'finding' expression"
            )),
            Evaluation::Manual if c.review.trim().is_empty() => problems.push(format!(
                "{at}: a manual check needs 'review' text saying what to look at"
            )),
            _ => {}
        }
        if c.applies.is_some() && c.skip_reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
            problems.push(format!("{at}: 'applies' needs a 'skip_reason'"));
        }
        if c.files.is_some() && !matches!(c.scope, Scope::Host | Scope::Daemon) {
            problems.push(format!(
                "{at}: 'files' is for host and daemon checks (a {:?} check is about its objects)",
                c.scope
            ));
        }
        if !wanted(&c) {
            checks.push(Check {
                applies: None,
                unknown: None,
                not_applicable: None,
                files: None,
                finding: None,
                evidence: None,
                pass_evidence: None,
                info_when: None,
                section: section_def.id.clone(),
                section_title: section_def.title.clone(),
                params: params.clone(),
                benchmark: bench_id.clone(),
                compiled: false,
                def: c,
            });
            continue;
        }
        let scope_vars = scoped_vars(&vars, c.scope);
        // `files` compiled once: its type gives `f`, then it is checked as the others are.
        let mut files_program = c.files.as_deref().map(|src| env.compile(src));
        // A `files` check's per-file expressions see each item of `files` as `f`: a file
        // fact, or a path when `files` lists strings.
        let file_vars = {
            let item = files_program
                .as_ref()
                .and_then(|p| p.as_ref().ok())
                .and_then(|p| infer_expr(p.expression(), &scope_vars).ok())
                .and_then(|ty| files_element(&ty).ok())
                .filter(|ty| *ty != Ty::Any)
                .unwrap_or_else(|| file_fact_type(&vars));
            let mut v = scope_vars.clone();
            v.insert("f".into(), item);
            v
        };
        let mut compile = |field: &str, src: &Option<String>| -> Option<Program> {
            let src = src.as_ref()?;
            let per_file = c.files.is_some()
                && matches!(
                    field,
                    "finding" | "info_when" | "evidence" | "pass_evidence"
                );
            let vars = if per_file { &file_vars } else { &scope_vars };
            let compiled = match field {
                "files" => files_program.take().unwrap_or_else(|| env.compile(src)),
                _ => env.compile(src),
            };
            match compiled {
                Ok(p) => match check_expression(p.expression(), vars, field) {
                    Ok(()) => match per_object_scan(&p, c.scope) {
                        Some(msg) => {
                            problems.push(format!("{at}: {field}: {msg}"));
                            None
                        }
                        None => Some(p),
                    },
                    Err(err) => {
                        problems.push(format!(
                            "{at}: {field}: {}",
                            err.describe(p.source_info(), src)
                        ));
                        None
                    }
                },
                Err(e) => {
                    problems.push(format!(
                        "{at}: {field}: does not compile: {}",
                        e.to_string().trim_end()
                    ));
                    None
                }
            }
        };
        let check = Check {
            applies: compile("applies", &c.applies),
            unknown: compile("unknown", &c.unknown),
            not_applicable: compile("not_applicable", &c.not_applicable),
            files: compile("files", &c.files),
            finding: compile("finding", &c.finding),
            evidence: compile("evidence", &c.evidence),
            pass_evidence: compile("pass_evidence", &c.pass_evidence),
            info_when: compile("info_when", &c.info_when),
            section: section_def.id.clone(),
            section_title: section_def.title.clone(),
            params: params.clone(),
            benchmark: bench_id.clone(),
            compiled: true,
            def: c,
        };
        checks.push(check);
    }
    if !problems.is_empty() {
        return Err(LoadError(problems));
    }
    checks.sort_by_key(|a| id_key(&a.def.id));
    Ok(Benchmark {
        def,
        origin,
        checks,
    })
}

/// A per-object check reading the list of all objects runs over every object once per
/// object: quadratic (DP.1.2 did, 35 s at 1,000 containers). Such facts are derived once.
fn per_object_scan(p: &Program, scope: super::check::Scope) -> Option<String> {
    use super::check::Scope;
    let noun = match scope {
        Scope::Container => "container",
        Scope::Image => "image",
        _ => return None,
    };
    let refs = p.references();
    let list = ["containers", "images"]
        .into_iter()
        .find(|v| refs.has_variable(v))?;
    Some(format!(
        "reads `{list}` in a per-{noun} check: that scans every object for each {noun} \
         (quadratic); read a fact derived once instead (`host.Derived`, `c.Derived`; see \
         src/engine/host_derived.rs), or make it a host-scoped check"
    ))
}

/// The type of one file fact (an entry of `host.Files`), as `f` of a `files` check.
fn file_fact_type(vars: &BTreeMap<String, Ty>) -> Ty {
    match vars.get("host") {
        Some(Ty::Object(fields)) => match fields.get("Files") {
            Some(Ty::Map(file)) => (**file).clone(),
            _ => Ty::Any,
        },
        _ => Ty::Any,
    }
}

/// Variables visible to a check of `scope`: the globals, plus `c` or `image` for
/// per-object scopes.
fn scoped_vars(all: &BTreeMap<String, Ty>, scope: super::check::Scope) -> BTreeMap<String, Ty> {
    use super::check::Scope;
    all.iter()
        .filter(|(name, _)| match name.as_str() {
            "c" => scope == Scope::Container,
            "image" => scope == Scope::Image,
            _ => true,
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Sort key that orders `5.2` before `5.10`.
pub fn id_key(id: &str) -> Vec<(u64, String)> {
    id.split('.')
        .map(|part| (part.parse::<u64>().unwrap_or(u64::MAX), part.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bench(check: &str) -> Result<Benchmark, LoadError> {
        let files = vec![
            SourceFile {
                name: "x/benchmark.toml".into(),
                text: "id='x'\ntitle='X'\nversion='1'\n[[section]]\nid='5'\ntitle='Runtime'\n"
                    .into(),
            },
            SourceFile {
                name: "x/5.toml".into(),
                text: check.into(),
            },
        ];
        build(files, "test".into(), &cel_env(), &|_| true)
    }

    const HEAD: &str = "[[check]]\nid='5.5'\ntitle='t'\nlevel='1'\nscope='container'\nseverity='low'\nseverity_rationale='t'\nremediation='r'\n";

    #[test]
    fn embedded_benchmarks_load() {
        for id in embedded_ids() {
            load_embedded(&id, &cel_env()).unwrap_or_else(|e| panic!("{id}: {e}"));
        }
    }

    #[test]
    fn severity_and_its_rationale_are_required() {
        let src = "[[check]]\nid='5.5'\ntitle='t'\nlevel='1'\nscope='container'\nremediation='r'\nfinding='true'\n";
        let err = bench(src).unwrap_err();
        assert!(err.to_string().contains("severity"), "{err}");
        let err = bench(&format!("{src}severity='urgent'\nseverity_rationale='x'\n")).unwrap_err();
        assert!(err.to_string().contains("urgent"), "{err}");
        let err = bench(&format!("{src}severity='high'\nseverity_rationale=' '\n")).unwrap_err();
        assert!(
            err.to_string()
                .contains("'severity_rationale' must not be empty"),
            "{err}"
        );
        let ok = bench(&format!("{src}severity='high'\nseverity_rationale='why'\n")).unwrap();
        assert_eq!(
            ok.checks[0].def.severity,
            super::super::check::Severity::High
        );
    }

    #[test]
    fn every_embedded_check_has_a_severity_with_a_rationale() {
        for id in embedded_ids() {
            let b = load_embedded(&id, &cel_env()).unwrap();
            for c in &b.checks {
                assert!(
                    !c.def.severity_rationale.trim().is_empty(),
                    "{id} {}",
                    c.def.id
                );
                assert!(
                    !c.def.severity_rationale.contains('\n'),
                    "{id} {}: one line",
                    c.def.id
                );
            }
        }
    }

    #[test]
    fn unknown_field_is_rejected() {
        let err = bench(&format!("{HEAD}finding='c.HostConfig.Privileged2'")).unwrap_err();
        assert!(
            err.to_string().contains("unknown field 'Privileged2'"),
            "{err}"
        );
    }

    #[test]
    fn unknown_field_inside_a_macro_is_rejected() {
        let err = bench(&format!(
            "{HEAD}finding='c.Mounts.exists(m, m.Sourze == \"/\")'"
        ))
        .unwrap_err();
        assert!(err.to_string().contains("unknown field 'Sourze'"), "{err}");
    }

    #[test]
    fn syntax_error_is_reported() {
        let err = bench(&format!("{HEAD}finding='c.HostConfig.Privileged &&'")).unwrap_err();
        assert!(err.to_string().contains("does not compile"), "{err}");
    }

    #[test]
    fn duplicate_ids_and_missing_finding_are_reported() {
        let err = bench(&format!("{HEAD}finding='true'\n{HEAD}")).unwrap_err();
        assert!(err.to_string().contains("duplicate check id"), "{err}");
        let err = bench(HEAD).unwrap_err();
        assert!(err.to_string().contains("needs a 'finding'"), "{err}");
    }

    #[test]
    fn container_variable_is_not_visible_to_host_checks() {
        let src = HEAD.replace("scope='container'", "scope='host'");
        let err = bench(&format!("{src}finding='c.HostConfig.Privileged'")).unwrap_err();
        assert!(err.to_string().contains("unknown variable 'c'"), "{err}");
    }

    #[test]
    fn a_check_belongs_to_its_most_specific_section() {
        let files = vec![
            SourceFile {
                name: "x/benchmark.toml".into(),
                text: "id='x'\ntitle='X'\nversion='1'\n[params]\nlimit=3\n[[section]]\nid='DP'\ntitle='All'\n[[section]]\nid='DP.1'\ntitle='One'\n[[section]]\nid='DP.10'\ntitle='Ten'\n".into(),
            },
            SourceFile {
                name: "x/a.toml".into(),
                text: ["DP.1.1", "DP.10.1", "DP.2"]
                    .map(|id| format!("[[check]]\nid='{id}'\ntitle='t'\nlevel='1'\nscope='host'\nseverity='low'\nseverity_rationale='t'\nremediation='r'\nfinding='params.limit > 2'\n"))
                    .concat(),
            },
        ];
        let b = build(files, "test".into(), &cel_env(), &|_| true).unwrap();
        let sections: Vec<(&str, &str)> = b
            .checks
            .iter()
            .map(|c| (c.def.id.as_str(), c.section.as_str()))
            .collect();
        assert_eq!(
            sections,
            vec![("DP.1.1", "DP.1"), ("DP.2", "DP"), ("DP.10.1", "DP.10")]
        );
        assert_eq!(
            b.checks[0].params.get("limit").and_then(|v| v.as_integer()),
            Some(3)
        );
    }

    #[test]
    fn a_per_object_check_may_not_scan_all_objects() {
        for expr in [
            "containers.exists(o, o.State.OOMKilled)",
            "images.exists(i, i.Id == c.Image)",
        ] {
            let err = bench(&format!("{HEAD}finding='{expr}'")).unwrap_err();
            assert!(err.to_string().contains("quadratic"), "{err}");
            assert!(err.to_string().contains("host.Derived"), "{err}");
        }
        // A host-scoped check reads them once: allowed.
        let src = HEAD.replace("scope='container'", "scope='host'");
        bench(&format!(
            "{src}finding='containers.exists(o, o.State.OOMKilled)'"
        ))
        .unwrap();
        // So is the derived fact.
        bench(&format!("{HEAD}finding='size(host.Derived.OOMKilled) > 0'")).unwrap();
    }

    #[test]
    fn files_are_for_host_checks_and_typed_as_f() {
        let err = bench(&format!("{HEAD}files='[]'\nfinding='true'")).unwrap_err();
        assert!(err.to_string().contains("'files' is for host"), "{err}");
        let host = HEAD.replace("scope='container'", "scope='host'");
        let files = "files='''[host.Files[\"daemon.json\"]]'''";
        let err = bench(&format!("{host}{files}\nfinding='f.Mod == 1'")).unwrap_err();
        assert!(err.to_string().contains("unknown field 'Mod'"), "{err}");
        bench(&format!(
            "{host}{files}\nfinding='f.Mode == 1'\nevidence='f.Path'"
        ))
        .unwrap();
        // Without `files` there is no `f`.
        let err = bench(&format!("{host}finding='f.Mode == 1'")).unwrap_err();
        assert!(err.to_string().contains("unknown variable 'f'"), "{err}");
    }

    #[test]
    fn id_order_is_numeric() {
        let mut ids = vec!["5.10", "5.2", "5.1", "4.12"];
        ids.sort_by_key(|i| id_key(i));
        assert_eq!(ids, vec!["4.12", "5.1", "5.2", "5.10"]);
    }
}
