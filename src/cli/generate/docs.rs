//! The docs made from the registry and the schemas: one page of check tables per embedded
//! benchmark (`docs/checks/<id>.md`), the benchmark table in the README and
//! docs/benchmarks.md (between `<!-- generated:benchmarks -->` markers), and the field
//! reference of everything a CEL expression can read or call (`docs/fields.md`), from the
//! doc comments of the snapshot types (through their JSON Schema descriptions) and the
//! helper table in `engine/schema.rs`.
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use schemars::schema_for;
use serde_json::Value as Json;

use crate::cli::checks::{ListFormat, list};
use crate::engine::derive::{Derived, ImageDerived};
use crate::engine::eval::ScanFacts;
use crate::engine::load::{DEFAULT_BENCHMARK, embedded_ids, load_embedded};
use crate::engine::schema::{HELPERS, VARIABLES};
use crate::engine::{Benchmark, cel_env};
use crate::snapshot::{Container, Daemon, Host, Image};

/// Every generated file as (path relative to the checkout, full expected content). Files
/// with generated regions are read from `root` and only their regions replaced.
pub fn generated_files(root: &Path) -> Result<Vec<(String, String)>, String> {
    let env = cel_env();
    let mut benches = Vec::new();
    for id in embedded_ids() {
        benches.push(load_embedded(&id, &env).map_err(|e| format!("{id}: {e}"))?);
    }
    let mut files = Vec::new();
    for b in &benches {
        files.push((format!("docs/checks/{}.md", b.def.id), check_page(b)));
    }
    let table = benchmark_table(&benches);
    for rel in ["README.md", "docs/benchmarks.md"] {
        let text = std::fs::read_to_string(root.join(rel)).map_err(|e| format!("{rel}: {e}"))?;
        files.push((
            rel.to_string(),
            replace_region(&text, "benchmarks", &table, rel)?,
        ));
    }
    let (fields, missing) = fields_page();
    if !missing.is_empty() {
        return Err(format!(
            "docs/fields.md: {} field(s) without a meaning: {}; give each a doc comment \
             (units or shape, and where the fact comes from: the Engine API field or the file)",
            missing.len(),
            missing.join(", ")
        ));
    }
    files.push(("docs/fields.md".to_string(), fields));
    Ok(files)
}

const GENERATED: &str = "Generated from the registry by `cargo run -- generate`; the test suite fails when it is stale.";

fn check_page(b: &Benchmark) -> String {
    let mut levels: BTreeMap<&str, usize> = BTreeMap::new();
    for c in &b.checks {
        *levels.entry(c.def.level.label()).or_default() += 1;
    }
    let levels: Vec<String> = levels.iter().map(|(l, n)| format!("{n} {l}")).collect();
    format!(
        "# {} {} checks\n\n{GENERATED}\n\n`--benchmark {}`: {} checks ({}).\n\n{}",
        b.def.title,
        b.def.version,
        b.def.id,
        b.checks.len(),
        levels.join(", "),
        list(b, ListFormat::Markdown)
    )
}

fn benchmark_table(benches: &[Benchmark]) -> String {
    let mut out = String::from("| `--benchmark` | Checks | What it is |\n|---|---|---|\n");
    for b in benches {
        let default = if b.def.id == DEFAULT_BENCHMARK {
            " (default)"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "| [`{}`](docs/checks/{}.md){default} | {} | {} |",
            b.def.id,
            b.def.id,
            b.checks.len(),
            b.def.description.replace('|', "\\|").replace('\n', " ")
        );
    }
    out
}

/// `text` with the lines between `<!-- generated:NAME -->` and `<!-- /generated -->`
/// replaced by `body`. Links in `body` are written from the checkout's root; in files under
/// docs/ they are made relative.
fn replace_region(text: &str, name: &str, body: &str, rel: &str) -> Result<String, String> {
    let start = format!("<!-- generated:{name} -->\n");
    let end = "<!-- /generated -->";
    let at = text
        .find(&start)
        .ok_or_else(|| format!("{rel}: no {start:?} marker"))?;
    let after = at + start.len();
    let stop = text[after..]
        .find(end)
        .map(|i| after + i)
        .ok_or_else(|| format!("{rel}: no {end:?} after {start:?}"))?;
    let body = if rel.starts_with("docs/") {
        body.replace("](docs/", "](")
    } else {
        body.to_string()
    };
    Ok(format!("{}{body}{}", &text[..after], &text[stop..]))
}

/// The schema of each variable's type, with the derived facts merged in as checks see them.
fn variable_schemas() -> Vec<(&'static str, Json)> {
    let json = |s: schemars::Schema| serde_json::to_value(s).unwrap();
    let with_derived = |mut base: Json, derived: Json, name: &str| {
        // `Derived` becomes a field of the object, its type a definition of its own.
        let mut defs = base["$defs"].as_object().cloned().unwrap_or_default();
        if let Some(more) = derived["$defs"].as_object() {
            defs.extend(more.clone());
        }
        let mut d = derived.clone();
        d.as_object_mut().map(|o| o.remove("$defs"));
        d.as_object_mut().map(|o| o.remove("$schema"));
        defs.insert(name.to_string(), d);
        base["properties"]["Derived"] = serde_json::json!({
            "$ref": format!("#/$defs/{name}"),
            "description": "Facts dockbench computes from the others (engine/derive.rs)."
        });
        base["$defs"] = Json::Object(defs);
        base
    };
    vec![
        (
            "Container",
            with_derived(
                json(schema_for!(Container)),
                json(schema_for!(Derived)),
                "Derived",
            ),
        ),
        (
            "Image",
            with_derived(
                json(schema_for!(Image)),
                json(schema_for!(ImageDerived)),
                "ImageDerived",
            ),
        ),
        (
            "Host",
            with_derived(
                json(schema_for!(Host)),
                json(schema_for!(crate::engine::host_derived::HostDerived)),
                "HostDerived",
            ),
        ),
        ("Daemon", {
            // `daemon.Effective`: each setting as the daemon runs with it (engine/effective.rs).
            let mut base = json(schema_for!(Daemon));
            let e = json(schema_for!(crate::engine::effective::EffectiveSetting));
            let mut defs = base["$defs"].as_object().cloned().unwrap_or_default();
            if let Some(more) = e["$defs"].as_object() {
                defs.extend(more.clone());
            }
            let mut d = e.clone();
            d.as_object_mut().map(|o| o.remove("$defs"));
            d.as_object_mut().map(|o| o.remove("$schema"));
            defs.insert("EffectiveSetting".into(), d);
            base["properties"]["Effective"] = serde_json::json!({
                "type": "object",
                "additionalProperties": {"$ref": "#/$defs/EffectiveSetting"},
                "description": "Each daemon setting by daemon.json key as the daemon runs with it: the running daemon's report, else command line and file, else dockerd's default (engine/effective.rs; docs/daemon-configuration.md)."
            });
            base["$defs"] = Json::Object(defs);
            base
        }),
        ("ScanFacts", json(schema_for!(ScanFacts))),
    ]
}

/// The field reference, and every `Type.Field` it lists without a meaning (a field with no
/// doc comment): `generate` refuses to write the page while any is left, so it stays whole.
fn fields_page() -> (String, Vec<String>) {
    let mut missing = Vec::new();
    let mut out = format!(
        "# Field reference\n\n{GENERATED} Fields and their meaning come from the doc comments of the \
snapshot types (src/snapshot/, src/engine/derive.rs), through their JSON Schema; the helpers from \
the table in src/engine/schema.rs. Objects from the Engine API keep Docker's own field names \
(`docker inspect`), and their meaning here is the Engine API's (moby's api/swagger.yaml), with the API field or file each fact is read from.\n\n\
Types: `bool`, `int`, `double`, `string`, `list(T)`, `map(string, T)`, a type below, or `dyn` \
(free-form). `T or null`: the fact may be missing (compare with `null` before use).\n\n"
    );
    out.push_str("## Variables\n\n| Variable | Type | Visible in | Meaning |\n|---|---|---|---|\n");
    for v in VARIABLES {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            v.name, v.ty, v.visible, v.doc
        );
    }
    out.push_str("\n## Functions\n\nThe CEL standard library (`size`, `contains`, `startsWith`, `endsWith`, `matches`, `exists`, `all`, `exists_one`, `map`, `filter`, `in`, `int()`, `string()`, `timestamp()`, …: <https://github.com/google/cel-spec/blob/master/doc/langdef.md>), the strings extension (`lowerAscii`, `upperAscii`, `split`, `join`, `replace`, `trim`, `indexOf`, `substring`, …) and the lists extension (`distinct`, `flatten`, `sort`, `slice`, `reverse`, …), plus dockbench's helpers:\n\n| Function | Signature | Meaning |\n|---|---|---|\n");
    for h in HELPERS {
        let _ = writeln!(out, "| `{}` | `{}` | {} |", h.name, h.signature(), h.doc);
    }
    out.push_str("\n## Types\n");
    // Every named type once, in the order a reader meets them from the variables.
    let mut defs: BTreeMap<String, Json> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for (name, schema) in variable_schemas() {
        if let Some(d) = schema["$defs"].as_object() {
            for (k, v) in d {
                defs.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        let mut root = schema.clone();
        root.as_object_mut().map(|o| o.remove("$defs"));
        defs.insert(name.to_string(), root);
        order.push(name.to_string());
    }
    let mut i = 0;
    while i < order.len() {
        let name = order[i].clone();
        i += 1;
        let Some(schema) = defs.get(&name).cloned() else {
            continue;
        };
        let _ = write!(out, "\n### {name}\n\n");
        if let Some(d) = schema.get("description").and_then(Json::as_str) {
            let _ = write!(out, "{}\n\n", one_line(d));
        }
        let Some(props) = schema.get("properties").and_then(Json::as_object) else {
            let _ = writeln!(out, "Type: {}", type_name(&schema, &mut Vec::new()));
            continue;
        };
        out.push_str("| Field | Type | Meaning |\n|---|---|---|\n");
        for (field, prop) in props {
            let mut refs = Vec::new();
            let ty = type_name(prop, &mut refs);
            for r in refs {
                if !order.contains(&r) {
                    order.push(r);
                }
            }
            let doc = prop
                .get("description")
                .and_then(Json::as_str)
                .map(one_line)
                .unwrap_or_default();
            if doc.is_empty() {
                missing.push(format!("{name}.{field}"));
            }
            let _ = writeln!(out, "| `{field}` | {ty} | {} |", doc.replace('|', "\\|"));
        }
    }
    (out, missing)
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The type of a schema node as the reference writes it; named types it links are added to
/// `refs`.
fn type_name(s: &Json, refs: &mut Vec<String>) -> String {
    if let Some(r) = s.get("$ref").and_then(Json::as_str) {
        let name = r.trim_start_matches("#/$defs/").to_string();
        let link = format!("[{name}](#{})", name.to_lowercase());
        refs.push(name);
        return link;
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(options) = s.get(key).and_then(Json::as_array) {
            let null = Json::from("null");
            let named: Vec<String> = options
                .iter()
                .filter(|o| o.get("type") != Some(&null))
                .map(|o| type_name(o, refs))
                .collect();
            let nullable = options.iter().any(|o| o.get("type") == Some(&null));
            let base = if named.len() == 1 {
                named[0].clone()
            } else {
                "dyn".to_string()
            };
            return if nullable {
                format!("{base} or null")
            } else {
                base
            };
        }
    }
    let types: Vec<&str> = match s.get("type") {
        Some(Json::String(t)) => vec![t.as_str()],
        Some(Json::Array(ts)) => ts.iter().filter_map(Json::as_str).collect(),
        _ => vec![],
    };
    let nullable = types.contains(&"null");
    let base = match types.iter().find(|t| **t != "null").copied() {
        Some("string") => match s.get("enum").and_then(Json::as_array) {
            Some(values) => format!(
                "string (one of {})",
                values
                    .iter()
                    .filter_map(Json::as_str)
                    .map(|v| format!("`{v}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None => "string".to_string(),
        },
        Some("integer") => "int".to_string(),
        Some("number") => "double".to_string(),
        Some("boolean") => "bool".to_string(),
        Some("array") => format!(
            "list({})",
            s.get("items")
                .map_or("dyn".to_string(), |i| type_name(i, refs))
        ),
        Some("object") => match s.get("additionalProperties") {
            Some(v) if v.is_object() => format!("map(string, {})", type_name(v, refs)),
            _ => "dyn".to_string(),
        },
        _ => "dyn".to_string(),
    };
    if nullable {
        format!("{base} or null")
    } else {
        base
    }
}

#[cfg(test)]
mod tests {
    /// Every field of the reference says what it is: a new snapshot field without a doc
    /// comment fails here (and `generate` refuses to write the page).
    #[test]
    fn every_field_has_a_meaning() {
        let (page, missing) = super::fields_page();
        assert!(missing.is_empty(), "fields without a meaning: {missing:?}");
        assert!(page.contains("| `Privileged` | bool |"), "{page}");
    }
}
