//! The HTML report in headless Chromium: hostile strings stay text, the status and severity
//! filters and the sort work from the address (`#status=WARN`, `#severity=critical`,
//! `#sort=severity`), a search shows only the rows of the objects it matches, an anchor opens
//! its check below the sticky bar, axe-core finds no accessibility violation (light and dark,
//! 1400 and 390 px), the three print modes have the page counts they promise, and screenshots
//! are taken for review.
//!
//! Needs `chromium` (or `chromium-browser`, `google-chrome`; `$CHROMIUM` to name one) and
//! axe-core's `axe.min.js` (`$AXE_CORE_JS`, else the copy PyPI's `axe-playwright-python`
//! ships, looked for in the CI venv `/opt/dockbench-ci-venv`). Without them the test is
//! skipped — except when `CI` is set, where it fails. Output goes to `target/browser-test/`;
//! with `DOCKBENCH_UPDATE_SCREENSHOT=1` the screenshots are also copied to `docs/`
//! (`html-report.png`, `report-1400.png`, `report-390.png`).
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

/// axe-core's browser bundle: `$AXE_CORE_JS`, else the one in `axe-playwright-python` (PyPI)
/// installed in the CI venv or a venv named by `$VIRTUAL_ENV`.
fn axe_core() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("AXE_CORE_JS") {
        return Some(PathBuf::from(p));
    }
    let venvs = [
        std::env::var_os("VIRTUAL_ENV").map(PathBuf::from),
        Some(PathBuf::from("/opt/dockbench-ci-venv")),
    ];
    for venv in venvs.into_iter().flatten() {
        let Ok(libs) = std::fs::read_dir(venv.join("lib")) else {
            continue;
        };
        for lib in libs.flatten() {
            let js = lib
                .path()
                .join("site-packages/axe_playwright_python/axe.min.js");
            if js.is_file() {
                return Some(js);
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

/// Loads `page` with `extra` scripts appended (copied next to it, the report itself stays as it
/// is) at `fragment` and window `size`, and returns what `probe` — a JS expression evaluated
/// after the page's own script, a promise allowed — yields, as JSON text.
fn probe(
    browser: &Path,
    page: &Path,
    extra: &[&str],
    probe: &str,
    fragment: &str,
    size: &str,
) -> serde_json::Value {
    let html = std::fs::read_to_string(page).unwrap();
    let mut scripts = String::new();
    for js in extra {
        scripts.push_str("<script>");
        scripts.push_str(js);
        scripts.push_str("</script>");
    }
    scripts.push_str(&format!(
        "<script>window.addEventListener('load', function () {{ setTimeout(function () {{ \
         new Promise(function (res) {{ res({probe}); }}).then(function (v) {{ var pre = document.createElement('pre'); \
         pre.id = 'probe-out'; pre.textContent = JSON.stringify(v); document.body.appendChild(pre); }}, \
         function (e) {{ var pre = document.createElement('pre'); pre.id = 'probe-out'; \
         pre.textContent = JSON.stringify({{ error: String(e) }}); document.body.appendChild(pre); }}); }}, 200); }});</script>"
    ));
    let at = html.rfind("</body>").unwrap();
    let copy = page.with_extension("probe.html");
    std::fs::write(&copy, format!("{}{scripts}{}", &html[..at], &html[at..])).unwrap();
    let out = run(
        browser,
        &[
            "--virtual-time-budget=3000".into(),
            format!("--window-size={size}"),
            "--dump-dom".into(),
            format!("file://{}#{fragment}", copy.display()),
        ],
    );
    let dom = String::from_utf8(out.stdout).unwrap();
    let start = dom
        .find("<pre id=\"probe-out\">")
        .unwrap_or_else(|| panic!("no probe output for #{fragment}: {:.300}", dom))
        + "<pre id=\"probe-out\">".len();
    let end = start + dom[start..].find("</pre>").unwrap();
    let text = dom[start..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text:.300}"))
}

/// Pages of a PDF Chromium printed: its page objects (`/Type /Page`, not `/Pages`).
fn pdf_pages(pdf: &[u8]) -> usize {
    let needle = b"/Type /Page";
    pdf.windows(needle.len() + 1)
        .filter(|w| &w[..needle.len()] == needle && w[needle.len()] != b's')
        .count()
}

const VISIBLE_CHECKS: &str = "Array.prototype.slice.call(document.querySelectorAll('details.check')).filter(function (c) { return !c.hidden && c.offsetParent !== null; })";

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
    assert!(
        dom.contains(&format!("{visible} of 32 checks, ")),
        "count of shown checks"
    );

    // A text search from the address as well.
    let url = format!("file://{}#q=onerror", hostile.display());
    let dom = String::from_utf8(run(&browser, &["--dump-dom".into(), url]).stdout).unwrap();
    let shown = check_tags(&dom)
        .iter()
        .filter(|t| !t.contains(" hidden="))
        .count();
    assert!(shown > 0 && shown < 32, "search shows {shown} checks");

    // 2. Search by object: the checks that object is affected by, with only its rows.
    let risky = write_report("tests/fixtures/reports/risky-report.json", "report.html");
    let r = report::json::parse(
        &std::fs::read_to_string("tests/fixtures/reports/risky-report.json").unwrap(),
    )
    .unwrap();
    let got = probe(
        &browser,
        &risky,
        &[],
        &format!(
            "{VISIBLE_CHECKS}.map(function (c) {{ return [c.id.replace(/^check-/, ''), \
             Array.prototype.slice.call(c.querySelectorAll('tbody tr')).filter(function (r) {{ return !r.hidden; }}) \
             .map(function (r) {{ return r.textContent; }})]; }})"
        ),
        "q=fx-ssh",
        "1400,900",
    );
    let expected: Vec<&str> = r
        .results
        .iter()
        .filter(|c| {
            c.findings
                .iter()
                .chain(c.unevaluated())
                .chain(c.waived.iter().map(|w| &w.finding))
                .any(|f| f.object.contains("fx-ssh"))
        })
        .map(|c| c.id.as_str())
        .collect();
    let shown: Vec<&str> = got
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v[0].as_str().unwrap())
        .collect();
    assert_eq!(shown, expected, "search fx-ssh");
    for v in got.as_array().unwrap() {
        let rows = v[1].as_array().unwrap();
        assert!(!rows.is_empty(), "{v}");
        for row in rows {
            assert!(
                row.as_str().unwrap().contains("fx-ssh"),
                "another object's row: {v}"
            );
        }
    }
    // …and the per-object view shows only that object.
    let objs = probe(
        &browser,
        &risky,
        &[],
        "Array.prototype.slice.call(document.querySelectorAll('details.object')).filter(function (o) { return !o.hidden; }).map(function (o) { return o.querySelector('summary .name').textContent; })",
        "q=fx-ssh",
        "1400,900",
    );
    let objs = objs.as_array().unwrap();
    assert_eq!(objs.len(), 1, "{objs:?}");
    assert!(objs[0].as_str().unwrap().starts_with("fx-ssh"));

    // 3. Severity: the filter shows only critical checks; the sort puts the most severe first.
    let got = probe(
        &browser,
        &risky,
        &[],
        &format!(
            "{VISIBLE_CHECKS}.map(function (c) {{ return c.getAttribute('data-severity'); }})"
        ),
        "severity=critical",
        "1400,900",
    );
    let sevs: Vec<&str> = got
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let critical = r
        .results
        .iter()
        .filter(|c| c.severity.map(|s| s.as_str()) == Some("critical"))
        .count();
    assert!(
        critical > 0 && sevs.len() == critical && sevs.iter().all(|s| *s == "critical"),
        "{sevs:?}"
    );
    let got = probe(
        &browser,
        &risky,
        &[],
        &format!(
            "{VISIBLE_CHECKS}.map(function (c) {{ return c.getAttribute('data-severity'); }})"
        ),
        "sort=severity",
        "1400,900",
    );
    let rank = |s: &str| {
        ["critical", "high", "medium", "low", "unrated"]
            .iter()
            .position(|x| *x == s)
            .unwrap()
    };
    let ranks: Vec<usize> = got
        .as_array()
        .unwrap()
        .iter()
        .map(|v| rank(v.as_str().unwrap()))
        .collect();
    assert_eq!(ranks.len(), r.results.len());
    assert!(
        ranks.windows(2).all(|w| w[0] <= w[1]),
        "not sorted by severity: {ranks:?}"
    );

    // 4. An anchor opens its check just below the sticky filter bar, not under it.
    let got = probe(
        &browser,
        &risky,
        &[],
        "(function () { var c = document.getElementById('check-5.26'); var bar = document.getElementById('controls').getBoundingClientRect(); return { open: c.open, top: c.getBoundingClientRect().top, bar: bar.bottom, barTop: bar.top, y: window.scrollY }; })()",
        "check-5.26",
        "1400,900",
    );
    assert_eq!(got["open"], true, "{got}");
    let (top, bar) = (got["top"].as_f64().unwrap(), got["bar"].as_f64().unwrap());
    assert!(got["y"].as_f64().unwrap() > 0.0, "not scrolled: {got}");
    assert!(
        got["barTop"].as_f64().unwrap().abs() < 1.0,
        "the bar is not stuck at the top: {got}"
    );
    assert!(
        top >= bar && top <= bar + 40.0,
        "check at {top}, bar ends at {bar}"
    );
    // From a check to its object and back: the links lead to each other.
    let got = probe(
        &browser,
        &risky,
        &[],
        "(function () { var a = document.getElementById('check-5.5').querySelector('tbody a'); var o = document.getElementById(a.getAttribute('href').slice(1)); return { name: a.textContent, target: o.querySelector('summary .name').textContent, back: Array.prototype.slice.call(o.querySelectorAll('tbody a')).map(function (x) { return x.getAttribute('href'); }) }; })()",
        "",
        "1400,900",
    );
    assert!(
        got["target"]
            .as_str()
            .unwrap()
            .starts_with(got["name"].as_str().unwrap()),
        "{got}"
    );
    assert!(
        got["back"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h == "#check-5.5"),
        "{got}"
    );

    // 5. Accessibility: axe-core (WCAG 2.1 A/AA and best practices: heading order, contrast,
    //    labels, landmarks) finds nothing, every check open, light and dark, wide and narrow.
    let axe = match axe_core() {
        Some(p) => std::fs::read_to_string(p).unwrap(),
        None if std::env::var_os("CI").is_some() => {
            panic!(
                "CI is set but axe-core was not found (pip install axe-playwright-python, or set AXE_CORE_JS)"
            )
        }
        None => {
            eprintln!(
                "skipped the accessibility part: no axe-core (pip install axe-playwright-python or set AXE_CORE_JS)"
            );
            String::new()
        }
    };
    if !axe.is_empty() {
        let run_axe = "axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } }).then(function (r) { return r.violations.map(function (v) { return v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(function (n) { return n.target.join(' '); }).join(', '); }); })";
        let mut runs = vec![(&hostile, "open=all", "1400,900")];
        for fragment in ["open=all", "open=all&theme=dark"] {
            for size in ["1400,900", "390,800"] {
                runs.push((&risky, fragment, size));
            }
        }
        for (page, fragment, size) in runs {
            let got = probe(&browser, page, &[&axe], run_axe, fragment, size);
            assert_eq!(
                got,
                serde_json::json!([]),
                "axe on {} #{fragment} at {size}",
                page.display()
            );
        }
    }

    // 6. Printing: summary < findings < everything, the summary on a few pages.
    let mut pages = Vec::new();
    for mode in ["summary", "findings", "full"] {
        let pdf = out_dir().join(format!("report-{mode}.pdf"));
        let _ = std::fs::remove_file(&pdf);
        run(
            &browser,
            &[
                "--no-pdf-header-footer".into(),
                format!("--print-to-pdf={}", pdf.display()),
                format!("file://{}#print={mode}", risky.display()),
            ],
        );
        pages.push(pdf_pages(&std::fs::read(&pdf).unwrap()));
    }
    eprintln!("printed pages (summary, findings, full): {pages:?}");
    assert!(
        pages[0] <= 4 && pages[0] < pages[1] && pages[1] < pages[2],
        "pages: {pages:?}"
    );
    // Ctrl+P without a choice prints the findings.
    let pdf = out_dir().join("report-default.pdf");
    run(
        &browser,
        &[
            "--no-pdf-header-footer".into(),
            format!("--print-to-pdf={}", pdf.display()),
            format!("file://{}", risky.display()),
        ],
    );
    assert_eq!(pdf_pages(&std::fs::read(&pdf).unwrap()), pages[1]);

    // 7. Screenshots of the plain report, for a person to look at.
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
    // Wide and narrow, dark, sorted by severity with the most severe check open.
    for (size, name) in [
        ("1400,2000", "report-1400.png"),
        ("390,2400", "report-390.png"),
    ] {
        let png = out_dir().join(name);
        let _ = std::fs::remove_file(&png);
        run(
            &browser,
            &[
                format!("--screenshot={}", png.display()),
                format!("--window-size={size}"),
                format!(
                    "file://{}#sort=severity&open=5.5&theme=dark",
                    risky.display()
                ),
            ],
        );
        let bytes = std::fs::read(&png).expect("screenshot written");
        assert!(bytes.starts_with(b"\x89PNG") && bytes.len() > 20_000);
        if std::env::var_os("DOCKBENCH_UPDATE_SCREENSHOT").is_some() {
            std::fs::copy(&png, format!("docs/{name}")).unwrap();
        }
    }
}
