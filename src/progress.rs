//! Progress on stderr for long collections: one line updated in place with `\r`, only when
//! asked (stderr is a terminal, not `--quiet`) and only for many objects, so logs of
//! unattended runs and small scans stay clean.
use std::io::Write;
use std::time::{Duration, Instant};

/// Below this many containers a scan is quick enough to need no progress line.
pub const THRESHOLD: usize = 50;
/// Redraws at most this often: thousands of containers must not mean thousands of writes.
const EVERY: Duration = Duration::from_millis(100);

pub struct Progress {
    total: usize,
    done: usize,
    enabled: bool,
    last: Option<Instant>,
}

impl Progress {
    /// A progress line for `total` objects; silent when `enabled` is false or `total` is small.
    pub fn new(total: usize, enabled: bool) -> Progress {
        Progress {
            total,
            done: 0,
            enabled: enabled && total > THRESHOLD,
            last: None,
        }
    }

    /// Whether a terminal shows the line: the caller's half of the decision.
    pub fn wanted(quiet: bool) -> bool {
        use std::io::IsTerminal;
        !quiet && std::io::stderr().is_terminal()
    }

    pub fn tick(&mut self) {
        self.done += 1;
        if !self.enabled {
            return;
        }
        let now = Instant::now();
        if self.done < self.total && self.last.is_some_and(|t| now - t < EVERY) {
            return;
        }
        self.last = Some(now);
        let _ = write!(std::io::stderr(), "\r{}", self.line());
    }

    /// Clears the line so the report starts on a clean terminal.
    pub fn finish(&mut self) {
        if self.enabled && self.last.is_some() {
            let _ = write!(std::io::stderr(), "\r{}\r", " ".repeat(self.line().len()));
        }
        self.enabled = false;
    }

    fn line(&self) -> String {
        format!(
            "collecting: inspected {}/{} containers",
            self.done, self.total
        )
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_scans_and_disabled_runs_stay_silent() {
        assert!(!Progress::new(THRESHOLD, true).enabled);
        assert!(!Progress::new(5000, false).enabled);
        let mut p = Progress::new(THRESHOLD + 1, true);
        assert!(p.enabled);
        p.done = 7;
        assert_eq!(p.line(), "collecting: inspected 7/51 containers");
    }
}
