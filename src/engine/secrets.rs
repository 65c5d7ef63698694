//! Secrets in an image's environment, labels and build history (CIS 4.10): keys that name
//! a secret, values shaped like known credentials, and long high-entropy values. Findings
//! name the place and the key only — a secret value never leaves this module.
use std::collections::BTreeMap;

use crate::snapshot::HistoryEntry;

/// Parts of a key that say its value is a secret (matched on the upper-cased key).
const SECRET_KEYS: [&str; 14] = [
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "PRIVATE_KEY",
    "ACCESS_KEY",
    "CREDENTIAL",
    "AUTH_KEY",
    "CLIENT_SECRET",
    "DB_PASS",
    "SIGNING_KEY",
    "ENCRYPTION_KEY",
];
/// Key endings that mean the value only points at a secret (`MYSQL_PASSWORD_FILE=/run/secrets/db`).
const REFERENCE_SUFFIXES: [&str; 4] = ["_FILE", "_PATH", "_DIR", "_URL_FILE"];
/// Below this length a value is not judged by its entropy.
const ENTROPY_MIN_LEN: usize = 24;
/// Bits per character above which a long value looks random (hex tops out at 4.0, so
/// digests and git revisions never count).
const ENTROPY_BITS: f64 = 4.3;

/// One finding: where, which key and why — never the value.
pub fn scan(
    env: &[String],
    labels: &BTreeMap<String, String>,
    history: &[HistoryEntry],
) -> Vec<String> {
    let mut out = Vec::new();
    for entry in env {
        let (key, value) = entry.split_once('=').unwrap_or((entry, ""));
        if let Some(why) = judge(key, value) {
            out.push(format!("ENV {key}: {why} (value redacted)"));
        }
    }
    for (key, value) in labels {
        if let Some(why) = judge(key, value) {
            out.push(format!("LABEL {key}: {why} (value redacted)"));
        }
    }
    // History is newest first; number the steps oldest first as `docker history` reads.
    let steps = history.len();
    for (i, h) in history.iter().enumerate() {
        let mut seen = Vec::new();
        for token in tokens(&h.CreatedBy) {
            let (key, value) = match token.split_once('=') {
                Some((k, v)) if is_key(k) => (k, v),
                _ => ("", token),
            };
            if let Some(why) = judge(key, value) {
                let what = if key.is_empty() {
                    format!("history step {}: {why} (value redacted)", steps - i)
                } else {
                    format!("history step {}: {key}: {why} (value redacted)", steps - i)
                };
                if !seen.contains(&what) {
                    seen.push(what.clone());
                    out.push(what);
                }
            }
        }
    }
    out
}

/// Why `value` (under `key`, possibly "") looks like a secret, if it does.
fn judge(key: &str, value: &str) -> Option<&'static str> {
    let value = value.trim().trim_matches(['"', '\'']);
    if value.is_empty() {
        return None;
    }
    if let Some(shape) = known_shape(value) {
        return Some(shape);
    }
    let upper = key.to_ascii_uppercase();
    let reference = REFERENCE_SUFFIXES.iter().any(|s| upper.ends_with(s));
    if !upper.is_empty() && !reference && SECRET_KEYS.iter().any(|k| upper.contains(k)) {
        // `$VAR` only names another variable, set at run time.
        if !value.starts_with('$') {
            return Some("the key names a secret");
        }
    }
    if value.len() >= ENTROPY_MIN_LEN
        && !value.contains('/')
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=_-.".contains(c))
        && entropy(value) >= ENTROPY_BITS
    {
        return Some("a long high-entropy value");
    }
    None
}

/// Credential formats that are secrets whatever their key.
fn known_shape(value: &str) -> Option<&'static str> {
    let alnum_tail = |prefix: &str, len: usize| {
        value.strip_prefix(prefix).is_some_and(|rest| {
            rest.len() >= len && rest.chars().take(len).all(|c| c.is_ascii_alphanumeric())
        })
    };
    if value.len() >= 20
        && (value.starts_with("AKIA") || value.starts_with("ASIA"))
        && value[4..20]
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    {
        return Some("value looks like an AWS access key ID");
    }
    if alnum_tail("ghp_", 36)
        || alnum_tail("gho_", 36)
        || alnum_tail("ghs_", 36)
        || value.starts_with("github_pat_")
    {
        return Some("value looks like a GitHub token");
    }
    if alnum_tail("glpat-", 20) {
        return Some("value looks like a GitLab token");
    }
    if value.starts_with("xoxb-") || value.starts_with("xoxp-") {
        return Some("value looks like a Slack token");
    }
    if alnum_tail("sk_live_", 16) {
        return Some("value looks like a Stripe secret key");
    }
    if value.contains("-----BEGIN") && value.contains("PRIVATE KEY") {
        return Some("value holds a private key");
    }
    if let Some((_, rest)) = value.split_once("://")
        && let Some((userinfo, _)) = rest.split_once('@')
        && userinfo.contains(':')
        && !userinfo.contains('/')
    {
        return Some("value is a URL with a password");
    }
    None
}

/// Words of a shell command line; quotes are dropped, `KEY=VALUE` stays one word.
fn tokens(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == ';')
        .filter(|t| !t.is_empty())
}

fn is_key(k: &str) -> bool {
    !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
}

/// Shannon entropy in bits per character.
fn entropy(s: &str) -> f64 {
    let mut counts = BTreeMap::new();
    for c in s.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
    }
    let n = s.chars().count() as f64;
    counts
        .values()
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(items: &[&str]) -> Vec<String> {
        scan(
            &items.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            &BTreeMap::new(),
            &[],
        )
    }

    #[test]
    fn secret_keys_and_shapes_are_found_without_their_values() {
        let found = env(&[
            "DB_PASSWORD=hunter2hunter2",
            "PATH=/usr/bin",
            "KEY_ID=AKIAIOSFODNN7EXAMPLE",
            "MYSQL_PASSWORD_FILE=/run/secrets/db",
            "API_TOKEN=$TOKEN_FROM_RUNTIME",
            "SESSION=q8Zr2LxV9pT4mWc7Yb1Nf6Hs3Jd0Kg5E",
        ]);
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found[0].starts_with("ENV DB_PASSWORD: the key names a secret"));
        assert!(found[1].contains("AWS access key"));
        assert!(found[2].contains("high-entropy"));
        for f in &found {
            assert!(!f.contains("hunter2") && !f.contains("AKIAIOSF") && !f.contains("q8Zr2"));
        }
    }

    #[test]
    fn digests_versions_and_paths_are_not_secrets() {
        assert!(
            env(&[
                "GIT_SHA=3f786850e387550fdab836ed7e6dc881de23001b3f786850",
                "VERSION=1.2.3",
                "JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64/jre/lib/x86",
                "TOKEN_DIR=/var/run/tokens",
                "PASSWORD=",
            ])
            .is_empty()
        );
    }

    #[test]
    fn history_build_args_and_keys_are_found() {
        let h = |s: &str| HistoryEntry {
            CreatedBy: s.into(),
            ..HistoryEntry::default()
        };
        let history = [
            h("|1 NPM_TOKEN=npm_abcdef /bin/sh -c npm ci"),
            h("/bin/sh -c #(nop)  ENV GITHUB=ghp_0123456789abcdefghijABCDEFGHIJ012345"),
            h("/bin/sh -c #(nop) ADD file:abc in /"),
        ];
        let found = scan(&[], &BTreeMap::new(), &history);
        assert_eq!(
            found,
            vec![
                "history step 3: NPM_TOKEN: the key names a secret (value redacted)",
                "history step 2: GITHUB: value looks like a GitHub token (value redacted)",
            ]
        );
    }
}
