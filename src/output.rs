//! Writing output files so that a reader never sees half of one: the content goes to a
//! temporary file in the target's directory, is synced, then renamed over the target.
use std::fs::{self, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Mode of a new output file: reports and snapshots describe weaknesses of a host and may
/// quote its configuration, so only the owner reads them unless the owner says otherwise.
const NEW_FILE_MODE: u32 = 0o600;

/// Largest snapshot, report or baseline read (bytes): far above what 10 000 containers need,
/// and a stop for `/dev/zero` given by mistake.
pub const MAX_INPUT: u64 = 256 << 20;

/// Reads a file named on the command line (a snapshot, a saved report) as text, at most
/// `MAX_INPUT` bytes. Pipes work (`<(…)`, `-` is the caller's); more than the cap is an error.
pub fn read_input(path: &Path) -> io::Result<String> {
    use std::io::Read;
    let file = fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(MAX_INPUT + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_INPUT {
        return Err(io::Error::new(
            io::ErrorKind::FileTooLarge,
            format!("larger than {} MiB: not read", MAX_INPUT >> 20),
        ));
    }
    String::from_utf8(bytes)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "not UTF-8 text"))
}

/// A reader that fails once more than `limit` bytes came through it (`FileTooLarge`, the
/// cap named in MiB), so an endless input (`/dev/zero`, a stream) ends with a message.
pub struct Capped<R> {
    inner: R,
    /// Bytes that may still be read.
    left: u64,
    limit: u64,
}

impl<R: io::Read> Capped<R> {
    pub fn new(inner: R, limit: u64) -> Self {
        Capped {
            inner,
            left: limit,
            limit,
        }
    }
}

impl<R: io::Read> io::Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            // One byte more tells a file of exactly `limit` bytes from a longer one.
            let n = self.inner.read(&mut [0u8; 1])?;
            if n == 0 {
                return Ok(0);
            }
            return Err(io::Error::new(
                io::ErrorKind::FileTooLarge,
                format!("larger than {} MiB: not read", self.limit >> 20),
            ));
        }
        let room = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..room])?;
        self.left -= n as u64;
        Ok(n)
    }
}

/// Writes `text` to standard output and flushes it. Returns the exit code to use: 0 when
/// written, and also when the reader went away (`dockbench scan | head -1`: the output ends
/// quietly, as in other Unix tools); 4 (`exit::OUTPUT`) with a message on stderr when the
/// write failed otherwise (`> /dev/full`: no space left on device).
pub fn print(text: &str) -> u8 {
    print_with(|out| out.write_all(text.as_bytes()))
}

/// [`print`] with the text written by `write` (buffered) as it is produced, so a large
/// report is never held whole in memory.
pub fn print_with(write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> u8 {
    let mut out = io::BufWriter::with_capacity(1 << 16, io::stdout().lock());
    match write(&mut out).and_then(|()| out.flush()) {
        Ok(()) => 0,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            crate::term::error(&format!("cannot write to standard output: {e}"));
            crate::exit::OUTPUT
        }
    }
}

/// Writes every `(job, path)` with [`write_atomic_with`], several at once: one thread per
/// core (`std::thread::available_parallelism`), each taking the next job in order; devices
/// and FIFOs one after another once the files are done. Returns each job's outcome in the
/// order given. Rendering nine formats of a large report is CPU work over a shared,
/// read-only report, so the formats need not wait for each other (on two cores the nine
/// formats of 10,000 containers took 4.1 s one after another).
pub fn write_all_atomic<J: Sync>(
    jobs: &[(J, &Path)],
    write: impl Fn(&J, &mut dyn Write) -> io::Result<()> + Sync,
) -> Vec<io::Result<()>> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    // Devices and FIFOs are written in place (`/dev/stdout`, `/proc/self/fd/1`): two of them
    // may be one stream, so they are written one after another, after the files.
    let (in_place, files): (Vec<usize>, Vec<usize>) = (0..jobs.len())
        .partition(|&i| fs::metadata(jobs[i].1).is_ok_and(|m| !m.file_type().is_file()));
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(files.len());
    let run = |i: usize| {
        let (job, path) = &jobs[i];
        (i, write_atomic_with(path, |w| write(job, w)))
    };
    let next = AtomicUsize::new(0);
    let work = || {
        std::iter::from_fn(|| files.get(next.fetch_add(1, Ordering::Relaxed)).copied())
            .map(run)
            .collect::<Vec<_>>()
    };
    let mut finished = if threads <= 1 {
        work()
    } else {
        std::thread::scope(|s| {
            let workers: Vec<_> = (0..threads).map(|_| s.spawn(work)).collect();
            workers
                .into_iter()
                .flat_map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        })
    };
    finished.extend(in_place.into_iter().map(run));
    finished.sort_by_key(|(i, _)| *i);
    finished.into_iter().map(|(_, outcome)| outcome).collect()
}

/// [`write_all_atomic`] with each failure reported on stderr (`cannot write PATH: …`).
/// Returns 0, or 4 (`exit::OUTPUT`) when any output could not be written.
pub fn write_outputs<J: Sync>(
    jobs: &[(J, &Path)],
    write: impl Fn(&J, &mut dyn Write) -> io::Result<()> + Sync,
) -> u8 {
    let mut code = 0;
    for ((_, path), outcome) in jobs.iter().zip(write_all_atomic(jobs, write)) {
        if let Err(e) = outcome {
            crate::term::error(&format!("cannot write {}: {e}", path.display()));
            code = crate::exit::OUTPUT;
        }
    }
    code
}

/// The first output path given twice (also spelled differently: `r.json`, `./r.json`), which
/// would make two formats race for one file. Paths compare after making them absolute and
/// resolving the directory's symlinks where it exists.
pub fn repeated<'a>(paths: impl IntoIterator<Item = &'a Path>) -> Option<&'a Path> {
    let key = |p: &Path| -> PathBuf {
        let abs = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        match (abs.parent(), abs.file_name()) {
            (Some(dir), Some(name)) => fs::canonicalize(dir)
                .unwrap_or_else(|_| dir.to_path_buf())
                .join(name),
            _ => abs,
        }
    };
    let mut seen = std::collections::HashSet::new();
    paths.into_iter().find(|p| !seen.insert(key(p)))
}

/// Writes `bytes` to `path` atomically: a collector reading `path` sees the old file or the new
/// one, never a part. The target keeps its permission bits (new files get 0644). A symlink is
/// followed and its target replaced; a device or FIFO (`/dev/stdout`) is written in place, as
/// renaming over it would replace the device node.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// [`write_atomic`] with the content written by `write` (buffered), so a large report is
/// never held whole in memory.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let target = resolve_link(path)?;
    let existing = match fs::metadata(&target) {
        Ok(m) => Some(m),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    if let Some(meta) = &existing {
        let kind = meta.file_type();
        if kind.is_char_device() || kind.is_fifo() || kind.is_block_device() || kind.is_socket() {
            let mut out = io::BufWriter::new(fs::OpenOptions::new().write(true).open(&target)?);
            write(&mut out)?;
            return out.flush();
        }
        if kind.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                "is a directory",
            ));
        }
    }
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(without_temp_path)?;
    {
        let mut out = io::BufWriter::with_capacity(1 << 16, tmp.as_file_mut());
        write(&mut out)?;
        out.flush()?;
    }
    let mode = existing.map_or(NEW_FILE_MODE, |m| m.permissions().mode() & 0o7777);
    tmp.as_file()
        .set_permissions(Permissions::from_mode(mode))?;
    tmp.as_file().sync_all()?;
    tmp.persist(&target).map_err(|e| e.error)?;
    // The rename is durable once the directory is synced; failing that is not worth an error.
    if let Ok(d) = fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// tempfile appends "at path <dir>/.name.XXXX.tmp" to its errors: the caller names the output,
/// and a random temporary name in the message only confuses.
/// Its wrapper hides the inner error (no `source`), so the suffix is cut from the message.
fn without_temp_path(e: io::Error) -> io::Error {
    let msg = e.to_string();
    match msg.find(" at path \"") {
        Some(at) => io::Error::new(e.kind(), &msg[..at]),
        None => e,
    }
}

/// The file a symlink points to (so the link stays a link), else `path` itself.
fn resolve_link(path: &Path) -> io::Result<PathBuf> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            let target = fs::read_link(path)?;
            Ok(match path.parent() {
                Some(parent) if target.is_relative() => parent.join(target),
                _ => target,
            })
        }
        _ => Ok(path.to_path_buf()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capped_reads_up_to_its_limit_then_fails() {
        use std::io::Read;
        let mut exact = String::new();
        Capped::new(&b"12345"[..], 5)
            .read_to_string(&mut exact)
            .unwrap();
        assert_eq!(exact, "12345");
        let mut more = Vec::new();
        let err = Capped::new(io::repeat(0), 3 << 20)
            .read_to_end(&mut more)
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::FileTooLarge);
        assert_eq!(err.to_string(), "larger than 3 MiB: not read");
        assert_eq!(more.len(), 3 << 20);
    }

    #[test]
    fn a_missing_directory_is_reported_without_the_temporary_name() {
        let dir = tempfile::tempdir().unwrap();
        let err = write_atomic(&dir.path().join("missing/r.json"), b"{}").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        let msg = err.to_string();
        assert!(!msg.contains(".tmp"), "{msg}");
        assert!(msg.contains("No such file or directory"), "{msg}");
    }

    #[test]
    fn several_outputs_are_written_each_with_its_own_outcome_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let paths: Vec<PathBuf> = (0..7)
            .map(|i| match i {
                3 => dir.path().join("missing/r3"),
                1 | 6 => PathBuf::from("/dev/null"),
                i => dir.path().join(format!("r{i}")),
            })
            .collect();
        let jobs: Vec<(usize, &Path)> = paths.iter().map(|p| p.as_path()).enumerate().collect();
        let done = write_all_atomic(&jobs, |i, w| {
            if *i == 5 {
                return Err(io::Error::other("render failed"));
            }
            write!(w, "output {i}")
        });
        assert_eq!(done.len(), 7);
        for (i, outcome) in done.iter().enumerate() {
            match i {
                3 => assert_eq!(
                    outcome.as_ref().unwrap_err().kind(),
                    io::ErrorKind::NotFound
                ),
                5 => assert!(
                    outcome
                        .as_ref()
                        .unwrap_err()
                        .to_string()
                        .contains("render failed")
                ),
                1 | 6 => assert!(outcome.is_ok(), "{i}: {outcome:?}"),
                i => {
                    assert!(outcome.is_ok(), "{i}: {outcome:?}");
                    assert_eq!(
                        fs::read_to_string(&paths[i]).unwrap(),
                        format!("output {i}")
                    );
                }
            }
        }
        assert!(!paths[5].exists(), "a failed render leaves no file");
    }

    #[test]
    fn replaces_content_and_keeps_the_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.json");
        write_atomic(&path, b"one").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"one");
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600,
            "a new report is for its owner only"
        );
        fs::set_permissions(&path, Permissions::from_mode(0o640)).unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o640
        );
        // No temporary file is left behind.
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn a_reader_holding_the_old_file_keeps_it_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.txt");
        write_atomic(&path, b"old report").unwrap();
        let held = fs::File::open(&path).unwrap();
        write_atomic(&path, b"new").unwrap();
        // The open handle still reads the complete old file: it was replaced, not rewritten.
        assert_eq!(io::read_to_string(held).unwrap(), "old report");
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
    }

    #[test]
    fn symlinks_are_followed_and_stay_links() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.json");
        let link = dir.path().join("latest.json");
        fs::write(&real, "old").unwrap();
        std::os::unix::fs::symlink("real.json", &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&real).unwrap(), "new");
    }

    #[test]
    fn devices_are_written_in_place_and_missing_dirs_fail() {
        write_atomic(Path::new("/dev/null"), b"x").unwrap();
        assert!(
            fs::metadata("/dev/null")
                .unwrap()
                .file_type()
                .is_char_device()
        );
        let dir = tempfile::tempdir().unwrap();
        assert!(write_atomic(&dir.path().join("no/such/dir/r.json"), b"x").is_err());
        assert!(write_atomic(dir.path(), b"x").is_err());
    }
}
