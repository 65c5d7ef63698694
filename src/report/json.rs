//! The Report as JSON (documented in the README; `schema_version` guards changes).
use super::Report;

pub fn render(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(report).expect("report serialises");
    s.push('\n');
    s
}

/// Reads a saved JSON report back.
pub fn parse(text: &str) -> Result<Report, String> {
    let raw: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    match raw.get("schema_version").and_then(|v| v.as_u64()) {
        Some(v) if v == super::SCHEMA_VERSION as u64 => {}
        Some(v) => {
            return Err(format!(
                "report schema version {v} is not supported (this dockbench reads {})",
                super::SCHEMA_VERSION
            ));
        }
        None => return Err("not a dockbench JSON report: no \"schema_version\"".into()),
    }
    serde_json::from_value(raw).map_err(|e| format!("not a dockbench JSON report: {e}"))
}
