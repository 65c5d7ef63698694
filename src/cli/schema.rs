//! `dockbench schema`: the JSON Schema of the JSON report (`--format json`), generated from the
//! Report model. Committed as `docs/report.schema.json`; a test fails when that file is stale.
use clap::Args;

#[derive(Debug, Args)]
pub struct SchemaArgs {}

/// The schema as pretty JSON with a trailing newline.
pub fn render() -> String {
    let schema = schemars::schema_for!(crate::report::Report);
    let mut s = serde_json::to_string_pretty(&schema).expect("schema serialises");
    s.push('\n');
    s
}

pub fn run(_args: SchemaArgs) -> u8 {
    crate::output::print(&render())
}
