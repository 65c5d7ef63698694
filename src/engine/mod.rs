//! Check loading and validation, CEL evaluation, selection. No I/O happens here except
//! reading check files at load time.
pub mod assemble;
pub mod cel_value;
pub mod check;
pub mod derive;
pub mod effective;
pub mod eval;
pub mod filter;
pub mod host_derived;
pub mod load;
pub mod schema;
pub mod secrets;
pub mod select;
pub mod waivers;

pub use eval::evaluate;
pub use load::{Benchmark, Check, DEFAULT_BENCHMARK, LoadError, cel_env, load_dir, load_embedded};
