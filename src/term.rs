//! Strings from scanned hosts made safe for a terminal. Container names, mount sources,
//! command lines, os-release and daemon error bodies are chosen by whoever controls the host:
//! printed raw, an ESC sequence can clear the screen, retitle the window or overwrite a WARN
//! line with a forged PASS, and a bidi override can reorder what is shown. Every such
//! string goes through [`visible`] before it reaches a terminal (text report, stderr).
use std::borrow::Cow;
use std::fmt::Write;

/// Is `c` a character that changes what a terminal shows rather than showing itself?
/// C0 and C1 controls and DEL, and the Unicode bidi controls and isolates (Trojan Source,
/// CVE-2021-42574), plus the zero-width and line/paragraph separators that split lines.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

/// `s` with every control, bidi and zero-width character written as a visible escape:
/// `\n`, `\t`, `\r`, `\e` for ESC, `\xHH` for other ASCII controls, `\u{HHHH}` otherwise, and
/// a backslash doubled only when it would be read as such an escape. Borrowed when nothing
/// needs escaping (the usual case).
pub fn visible(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{1b}' => out.push_str("\\e"),
            c if (c as u32) < 0x80 && is_unsafe(c) => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if is_unsafe(c) => {
                let _ = write!(out, "\\u{{{:04x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Like [`visible`] but keeps line breaks (for multi-line text the renderer indents itself).
pub fn visible_lines(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c != '\n' && is_unsafe(c)) {
        return Cow::Borrowed(s);
    }
    let lines: Vec<Cow<str>> = s.split('\n').map(visible).collect();
    Cow::Owned(lines.join("\n"))
}

/// Writes `message` to stderr as `dockbench: message`, terminal-safe. Used for every error
/// and warning line, since messages quote paths, names and daemon answers. Lines after the
/// first are indented, so no line of a message can pass for a line of its own.
pub fn error(message: &str) {
    use std::io::Write as _;
    // A closed or full stderr has nowhere to report to: ignored, never a panic.
    let _ = writeln!(
        std::io::stderr().lock(),
        "dockbench: {}",
        visible_lines(message).replace('\n', "\n  ")
    );
}

/// A copy of `value` with every string made [`visible`], for a renderer that writes to a
/// terminal. Strings under a `reason` key keep their line breaks (the text report indents
/// each line, so a break cannot start a forged result line). Goes through the serde form,
/// so every field of any model is covered without the renderer listing them.
pub fn safe_copy<T>(value: &T) -> T
where
    T: serde::Serialize + serde::de::DeserializeOwned + Clone,
{
    fn walk(v: &mut serde_json::Value, keep_lines: bool) {
        match v {
            serde_json::Value::String(s) => {
                let safe = if keep_lines {
                    visible_lines(s)
                } else {
                    visible(s)
                };
                if let Cow::Owned(safe) = safe {
                    *s = safe;
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(|i| walk(i, keep_lines)),
            serde_json::Value::Object(map) => {
                for (k, item) in map.iter_mut() {
                    walk(item, k == "reason");
                }
            }
            _ => {}
        }
    }
    let Ok(mut tree) = serde_json::to_value(value) else {
        return value.clone();
    };
    walk(&mut tree, false);
    serde_json::from_value(tree).unwrap_or_else(|_| value.clone())
}

/// Does `s` hold nothing [`visible`] would escape? (For tests of rendered output.)
pub fn is_visible_safe(s: &str) -> bool {
    !s.chars().any(|c| c != '\n' && is_unsafe(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_are_escaped_and_plain_text_is_borrowed() {
        assert!(matches!(visible("web-1 /srv/data ü"), Cow::Borrowed(_)));
        assert_eq!(
            visible("a\x1b[2J\x1b]0;pwned\x07b"),
            "a\\e[2J\\e]0;pwned\\x07b"
        );
        assert_eq!(visible("x\ny\r\t"), "x\\ny\\r\\t");
        assert_eq!(visible("\u{202E}evil\u{2066}"), "\\u{202e}evil\\u{2066}");
        assert_eq!(visible("\u{9b}31m"), "\\u{009b}31m");
        assert_eq!(visible("\x7f"), "\\x7f");
        assert_eq!(visible_lines("one\ntwo\x1b"), "one\ntwo\\e");
        assert!(is_visible_safe(&visible("\x1b\u{85}\u{2028}")));
    }
}

/// `n` with its noun in the number it needs: `1 check`, `2 checks`, `0 images`; a noun
/// ending in `s`, `x`, `ch` or `sh` takes `es` (`1 process`, `3 processes`). For every count
/// a report or message prints, so none says "1 checks".
pub fn count(n: usize, noun: &str) -> String {
    format!("{n} {}", plural(n, noun))
}

/// `noun` in the number `n` needs, without the number (`check`, `checks`).
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        noun.to_string()
    } else if ["s", "x", "ch", "sh"].iter().any(|e| noun.ends_with(e)) {
        format!("{noun}es")
    } else {
        format!("{noun}s")
    }
}

#[cfg(test)]
mod count_tests {
    #[test]
    fn counts_take_the_number_of_their_noun() {
        assert_eq!(super::count(1, "check"), "1 check");
        assert_eq!(super::count(0, "check"), "0 checks");
        assert_eq!(super::count(2, "image"), "2 images");
        assert_eq!(super::count(1, "process"), "1 process");
        assert_eq!(super::count(2, "process"), "2 processes");
    }
}
