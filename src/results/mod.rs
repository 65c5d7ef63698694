//! The results of a scan: the Report model the engine produces and every renderer reads, and
//! the check vocabulary both share. Depends only on the snapshot's `Source`; neither on the
//! engine nor on the renderers.
pub mod diff;
pub mod model;
pub mod vocab;

pub use diff::{BenchmarkScore, Diff, DiffBase, DiffCounts, DiffEntry};
pub use model::*;
pub use vocab::*;
