//! The HTML report in headless Chromium: hostile strings stay text, the status filter works
//! from the address (`#status=WARN`), and a screenshot is taken for review.
//!
//! Needs `chromium` (or `chromium-browser`, `google-chrome`; `$CHROMIUM` to name one). Without
//! it the test is skipped — except when `CI` is set, where it fails. Output goes to
//! `target/browser-test/`; with `DOCKBENCH_UPDATE_SCREENSHOT=1` the screenshot is also copied to
//! `docs/html-report.png` for the README.
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use dockbench::report::{self, Format};

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for name in [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ] {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// Runs headless Chromium with `args` and a fresh profile; kills it after two minutes. Its
/// output goes through files: a pipe nobody drains would block a large `--dump-dom`.
fn run(browser: &Path, args: &[String]) -> Output {
    let profile = tempfile::tempdir().unwrap();
    let stdout_path = profile.path().join("stdout");
    let stderr_path = profile.path().join("stderr");
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--no-first-run",
            "--disable-extensions",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout_path).unwrap())
        .stderr(std::fs::File::create(&stderr_path).unwrap())
        .spawn()
        .expect("chromium starts");
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 2 minutes");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let out = Output {
        status,
        stdout: std::fs::read(&stdout_path).unwrap(),
        stderr: std::fs::read(&stderr_path).unwrap(),
    };
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn out_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser-test");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write_report(fixture: &str, name: &str) -> PathBuf {
    let text = std::fs::read_to_string(fixture).unwrap();
    let r = report::json::parse(&text).unwrap();
    let path = out_dir().join(name);
    std::fs::write(&path, report::render(&r, Format::Html, false)).unwrap();
    path
}

/// The opening tags of every `<details class="check …">` in a serialised DOM.
fn check_tags(dom: &str) -> Vec<&str> {
    dom.match_indices("<details ")
        .map(|(at, _)| &dom[at..at + dom[at..].find('>').unwrap()])
        .filter(|tag| tag.contains("class=\"check "))
        .collect()
}

#[test]
fn html_report_in_headless_chromium() {
    let Some(browser) = chromium() else {
        if std::env::var_os("CI").is_some() {
            panic!("CI is set but no chromium was found (apt-get install chromium)");
        }
        eprintln!("skipped: no chromium (apt-get install chromium)");
        return;
    };

    // 1. Hostile strings: rendered as text, no element injected; the filter from the address.
    let hostile = write_report("tests/fixtures/reports/hostile-report.json", "hostile.html");
    let url = format!("file://{}#status=WARN", hostile.display());
    let out = run(&browser, &["--dump-dom".into(), url]);
    let dom = String::from_utf8(out.stdout).unwrap();
    std::fs::write(out_dir().join("hostile.dom.html"), &dom).unwrap();
    assert!(dom.contains("<main>"), "no DOM dumped: {dom:.200}");
    assert!(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(dom.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(!dom.contains("<img"), "an <img> element was injected");
    assert!(
        !dom.contains("<svg onload"),
        "an <svg> element was injected"
    );
    assert_eq!(dom.matches("<script").count(), 1, "only our own script");
    let title_end = dom.find("</title>").unwrap();
    assert!(dom[..title_end].contains("&lt;script&gt;alert(2)"));

    // The status filter: only WARN checks are visible.
    let tags = check_tags(&dom);
    assert_eq!(tags.len(), 32);
    let mut visible = 0;
    for tag in &tags {
        let hidden = tag.contains(" hidden=");
        if tag.contains("data-status=\"WARN\"") {
            assert!(!hidden, "a WARN check is hidden: {tag:.120}");
            visible += 1;
        } else {
            assert!(hidden, "a non-WARN check is shown: {tag:.120}");
        }
    }
    assert!(dom.contains(&format!("{visible} of 32 checks shown")));

    // A text search from the address as well.
    let url = format!("file://{}#q=onerror", hostile.display());
    let dom = String::from_utf8(run(&browser, &["--dump-dom".into(), url]).stdout).unwrap();
    let shown = check_tags(&dom)
        .iter()
        .filter(|t| !t.contains(" hidden="))
        .count();
    assert!(shown > 0 && shown < 32, "search shows {shown} checks");

    // 2. A screenshot of the plain report, for a person to look at.
    let risky = write_report("tests/fixtures/reports/risky-report.json", "report.html");
    let png = out_dir().join("html-report.png");
    let _ = std::fs::remove_file(&png);
    run(
        &browser,
        &[
            format!("--screenshot={}", png.display()),
            "--window-size=1280,2000".into(),
            format!("file://{}#open=5.4,5.6", risky.display()),
        ],
    );
    let bytes = std::fs::read(&png).expect("screenshot written");
    assert!(bytes.starts_with(b"\x89PNG") && bytes.len() > 20_000);
    if std::env::var_os("DOCKBENCH_UPDATE_SCREENSHOT").is_some() {
        std::fs::copy(&png, "docs/html-report.png").unwrap();
    }
}
