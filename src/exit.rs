//! Exit codes of every subcommand (documented in the README and in `--help`); the library's
//! typed errors map to them too.

/// The run completed (whatever the findings, unless --fail-on says otherwise).
pub const OK: u8 = 0;
/// Policy: --fail-on level reached, score below --min-score, or (diff) --fail-on-new.
pub const POLICY: u8 = 1;
/// Bad usage or bad input: unknown flag, invalid check files, unreadable snapshot.
pub const USAGE: u8 = 2;
/// Nothing to scan: the Docker daemon could not be reached, or `--root` holds no Docker
/// data root. Also a partial scan: the daemon failed to answer for some containers or
/// images (the report is written, with the affected checks ERROR).
pub const COLLECT: u8 = 3;
/// The scan ran but an output file could not be written (the others were written).
pub const OUTPUT: u8 = 4;
/// Another run holds the lock on the outputs (`--lock`; `--wait-lock` waits for it).
pub const LOCKED: u8 = 5;
