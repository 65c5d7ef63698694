//! dockbench: collect → Snapshot → engine (declarative CEL checks) → Report → renderers.
pub mod cli;
pub mod collect;
pub mod config;
pub mod docker;
pub mod engine;
pub mod exit;
pub mod fleet;
pub mod lock;
pub mod output;
pub mod progress;
pub mod report;
pub mod results;
pub mod scan;
pub mod snapshot;
pub mod term;
