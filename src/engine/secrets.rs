//! Secrets in an image's environment, labels and build history (CIS 4.10): keys that name
//! a secret, values shaped like known credentials, and long high-entropy values. Findings
//! name the place and the key only — a secret value never leaves this module.
//!
//! The same rules decide at collect time what is kept of a value: a secret-looking value
//! is replaced by `<redacted: RULE>` in the snapshot (environment, labels, command lines,
//! healthchecks, process arguments, build history), so a saved snapshot and every report
//! format hold the rule that matched and never the value, and 4.10 still finds it.
use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::snapshot::{HistoryEntry, Snapshot};

/// Every reason `judge` gives: a redaction marker names one of them.
const REASONS: [&str; 10] = [
    "the key names a secret",
    "a long high-entropy value",
    "value looks like an AWS access key ID",
    "value looks like a GitHub token",
    "value looks like a GitLab token",
    "value looks like a Slack token",
    "value looks like a Stripe secret key",
    "value holds a private key",
    "value is a URL with a password",
    "the flag names a secret",
];
/// What a redacted value starts with; the rule and `>` follow.
pub const REDACTED: &str = "<redacted: ";

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

/// Why `value` (under `key`, possibly "") looks like a secret, if it does. A value redacted
/// at collect time keeps the rule it was redacted for.
fn judge(key: &str, value: &str) -> Option<&'static str> {
    let value = value.trim().trim_matches(['"', '\'']);
    if value.is_empty() {
        return None;
    }
    if let Some(rule) = redacted_rule(value) {
        return Some(rule);
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
        // By characters: a multi-byte character within the first 20 bytes is no key ID.
        && value
            .chars()
            .skip(4)
            .take(16)
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

/// The rule of a `<redacted: RULE>` marker.
fn redacted_rule(value: &str) -> Option<&'static str> {
    let rule = value.strip_prefix(REDACTED)?.strip_suffix('>')?;
    REASONS.iter().copied().find(|r| *r == rule)
}

fn marker(rule: &str) -> String {
    format!("{REDACTED}{rule}>")
}

/// `KEY=VALUE` with the value redacted when it looks like a secret.
pub fn redact_assignment(entry: &str) -> Cow<'_, str> {
    let (key, value) = entry.split_once('=').unwrap_or(("", entry));
    match judge(key, value) {
        Some(rule) if redacted_rule(value).is_none() => {
            if entry.contains('=') {
                Cow::Owned(format!("{key}={}", marker(rule)))
            } else {
                Cow::Owned(marker(rule))
            }
        }
        _ => Cow::Borrowed(entry),
    }
}

/// An argument vector with secret-looking arguments redacted: `--password=x`, `KEY=x`,
/// `--token x` (the word after a flag that names a secret), credential-shaped words and
/// URLs with a password. The program name and flags themselves stay.
pub fn redact_args(args: &mut [String]) {
    let mut after_secret_flag = false;
    for arg in args.iter_mut() {
        if after_secret_flag && !arg.starts_with('-') {
            if redacted_rule(arg).is_none() {
                *arg = marker("the flag names a secret");
            }
            after_secret_flag = false;
            continue;
        }
        after_secret_flag = false;
        let flag = arg.trim_start_matches('-');
        if arg.starts_with('-') && !flag.contains('=') {
            after_secret_flag = names_secret(&flag.replace('-', "_"));
            continue;
        }
        let redacted = match flag.split_once('=') {
            Some((k, v)) if arg.starts_with('-') => judge(&k.replace('-', "_"), v)
                .filter(|_| redacted_rule(v).is_none())
                .map(|rule| format!("{}{k}={}", &arg[..arg.len() - flag.len()], marker(rule))),
            _ => match redact_text(arg) {
                Cow::Owned(s) => Some(s),
                Cow::Borrowed(_) => None,
            },
        };
        if let Some(r) = redacted {
            *arg = r;
        }
    }
}

/// Does the (upper-cased or not) key name a secret, and not a reference to one?
fn names_secret(key: &str) -> bool {
    let upper = key.to_ascii_uppercase();
    !upper.is_empty()
        && !REFERENCE_SUFFIXES.iter().any(|s| upper.ends_with(s))
        && SECRET_KEYS.iter().any(|k| upper.contains(k))
}

/// A command line or any free text (a shell-form CMD, a history step, an evidence string)
/// with each secret-looking word redacted: `KEY=VALUE` words by key and value, other words by
/// their shape, and the password of a URL. Words are split as `scan` splits history steps.
pub fn redact_text(text: &str) -> Cow<'_, str> {
    let mut out = String::new();
    let mut last = 0;
    let mut after_secret_flag = false;
    for (start, word) in words(text) {
        let flag = word.trim_start_matches('-');
        let is_flag = word.starts_with('-') && flag.len() < word.len();
        let replacement = if after_secret_flag && !is_flag {
            (redacted_rule(word).is_none()).then(|| marker("the flag names a secret"))
        } else {
            match flag.split_once('=') {
                Some((k, v)) if is_key(k) => judge(&k.replace('-', "_"), v)
                    .filter(|_| redacted_rule(v).is_none())
                    .map(|rule| {
                        format!("{}{k}={}", &word[..word.len() - flag.len()], marker(rule))
                    }),
                _ if is_flag => None,
                _ => judge("", word)
                    .filter(|_| redacted_rule(word).is_none())
                    .map(marker),
            }
        };
        after_secret_flag = is_flag && !flag.contains('=') && names_secret(&flag.replace('-', "_"));
        if let Some(r) = replacement {
            out.push_str(&text[last..start]);
            out.push_str(&r);
            last = start + word.len();
        }
    }
    if last == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[last..]);
    Cow::Owned(out)
}

/// Words of `text` with their byte offsets (split as `tokens` splits).
fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == ';')
        .filter(|t| !t.is_empty())
        .map(move |t| (t.as_ptr() as usize - text.as_ptr() as usize, t))
}

fn redact_list(list: &mut [String], each: impl Fn(&str) -> Cow<'_, str>) {
    for item in list.iter_mut() {
        if let Cow::Owned(r) = each(item) {
            *item = r;
        }
    }
}

fn redact_labels(labels: &mut BTreeMap<String, String>) {
    for (key, value) in labels.iter_mut() {
        if let Some(rule) = judge(key, value).filter(|_| redacted_rule(value).is_none()) {
            *value = marker(rule);
        }
    }
}

/// A healthcheck's test: `["CMD-SHELL", "cmd"]` or `["CMD", arg…]`; the kind stays.
fn redact_health(test: &mut [String]) {
    if let Some((kind, rest)) = test.split_first_mut() {
        if kind == "CMD" {
            redact_args(rest);
        } else {
            redact_list(rest, redact_text);
        }
    }
}

/// Redacts every secret-looking value of a snapshot in place (idempotent): container and
/// image environment, labels, commands and healthchecks, process arguments and image
/// history. Run on every snapshot as it is collected or read.
pub fn redact_snapshot(snap: &mut Snapshot) {
    // Printed as they are (`partial scan: …`): a snapshot's may quote a command line.
    redact_list(&mut snap.faults, redact_text);
    for c in &mut snap.containers {
        redact_list(&mut c.Config.Env, redact_assignment);
        redact_labels(&mut c.Config.Labels);
        redact_args(&mut c.Config.Cmd);
        redact_args(&mut c.Config.Entrypoint);
        if let Some(h) = &mut c.Config.Healthcheck {
            redact_health(&mut h.Test);
        }
        for p in c.Processes.iter_mut().flatten() {
            redact_args(&mut p.Args);
        }
    }
    for i in &mut snap.images {
        redact_list(&mut i.Config.Env, redact_assignment);
        redact_labels(&mut i.Config.Labels);
        redact_args(&mut i.Config.Cmd);
        redact_args(&mut i.Config.Entrypoint);
        if let Some(h) = &mut i.Config.Healthcheck {
            redact_health(&mut h.Test);
        }
        for h in &mut i.History {
            if let Cow::Owned(r) = redact_text(&h.CreatedBy) {
                h.CreatedBy = r;
            }
        }
    }
}

/// Every string of a serialisable value (a Report) with secret-looking words redacted: the
/// last line of defence for evidence built from facts this module did not see (daemon
/// flags, unit files, error messages quoting a command line).
///
/// A first pass only looks (`probe::changes`, no copy of the value); the value is rebuilt
/// through a JSON tree only when some string needs redacting, which a report rarely has (at
/// 100,000 containers the tree was a copy of the whole report, twice).
pub fn redact_all<T>(value: &mut T)
where
    T: serde::Serialize + serde::de::DeserializeOwned,
{
    fn walk(v: &mut serde_json::Value, changed: &mut bool) {
        match v {
            serde_json::Value::String(s) => {
                if let Cow::Owned(r) = redact_text(s) {
                    *s = r;
                    *changed = true;
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(|i| walk(i, changed)),
            serde_json::Value::Object(map) => {
                for (k, item) in map.iter_mut() {
                    // The checks' own prose (`--password-stdin` in a remediation) is not data.
                    if !PROSE.contains(&k.as_str()) {
                        walk(item, changed);
                    }
                }
            }
            _ => {}
        }
    }
    if !probe::changes(&*value) {
        return;
    }
    let Ok(mut tree) = serde_json::to_value(&*value) else {
        return;
    };
    let mut changed = false;
    walk(&mut tree, &mut changed);
    if changed && let Ok(v) = serde_json::from_value(tree) {
        *value = v;
    }
}

/// [`redact_all`] of a report, its check results probed (and, where needed, rebuilt) one
/// at a time on all cores; the rest of the report (header, baseline, waivers) as one value.
/// The probe of every evidence string was a seventh of a 10,000-container scan, on one core.
pub fn redact_report(report: &mut crate::results::Report) {
    let results = std::mem::take(&mut report.results);
    redact_all(report);
    report.results = results;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per = report.results.len().div_ceil(cores).max(1);
    if report.results.len() <= per {
        report.results.iter_mut().for_each(redact_all);
        return;
    }
    std::thread::scope(|s| {
        for run in report.results.chunks_mut(per) {
            s.spawn(|| run.iter_mut().for_each(redact_all));
        }
    });
}

/// Keys whose values are the checks' own prose, never redacted.
const PROSE: [&str; 6] = [
    "title",
    "section_title",
    "description",
    "remediation",
    "impact",
    "references",
];

/// Would `redact_all` change anything? A serde serializer that visits the strings the JSON
/// tree of the value would hold (values, not keys; not under a [`PROSE`] key) and stops at
/// the first that `redact_text` would change.
mod probe {
    use std::fmt;

    use serde::ser::{self, Serialize};

    use super::{Cow, PROSE, redact_text};

    /// Whether some string of `value` needs redacting.
    pub fn changes<T: Serialize + ?Sized>(value: &T) -> bool {
        matches!(value.serialize(Probe), Err(Stop::Found))
    }

    #[derive(Debug)]
    pub enum Stop {
        /// A string to redact: the walk stops there.
        Found,
        /// The value does not serialise (then `redact_all` leaves it as it is too).
        Custom,
    }

    impl fmt::Display for Stop {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(match self {
                Stop::Found => "a string to redact",
                Stop::Custom => "does not serialise",
            })
        }
    }

    impl std::error::Error for Stop {}

    impl ser::Error for Stop {
        fn custom<T: fmt::Display>(_: T) -> Self {
            Stop::Custom
        }
    }

    fn text(s: &str) -> Result<(), Stop> {
        match redact_text(s) {
            Cow::Owned(_) => Err(Stop::Found),
            Cow::Borrowed(_) => Ok(()),
        }
    }

    /// Walks a value.
    #[derive(Clone, Copy)]
    struct Probe;

    /// Walks the elements of a sequence; `skip`: those of a tuple variant named like prose
    /// (JSON holds it as `{"variant": [...]}`).
    struct Items {
        skip: bool,
    }

    /// Walks a map or struct: whether the current key is prose; `skip`: all of a struct
    /// variant named like prose (`{"variant": {...}}`).
    #[derive(Default)]
    struct Entries {
        prose: bool,
        skip: bool,
    }

    impl ser::Serializer for Probe {
        type Ok = ();
        type Error = Stop;
        type SerializeSeq = Items;
        type SerializeTuple = Items;
        type SerializeTupleStruct = Items;
        type SerializeTupleVariant = Items;
        type SerializeMap = Entries;
        type SerializeStruct = Entries;
        type SerializeStructVariant = Entries;

        fn serialize_bool(self, _: bool) -> Result<(), Stop> {
            Ok(())
        }
        fn serialize_i8(self, _: i8) -> Result<(), Stop> {
            Ok(())
        }
        fn serialize_i16(self, _: i16) -> Result<(), Stop> {
            Ok(())
        }
        fn serialize_i32(self, _: i32) -> Result<(), Stop> {
            Ok(())
        }
        fn serialize_i64(self, _: i64) -> Result<(), Stop> {
            Ok(())
        }
        fn serialize_u8(self, _: u8) -> Result<(), Stop> {
            Ok(())
        }
        fn serialize_u16(self, _: u16) -> Result<(), Stop> {
            Ok(())
        }
        fn serialize_u32(self, _: u32) -> Result<(), Stop> {
            Ok(())
        }
        fn serialize_u64(self, _: u64) -> Result<(), Stop> {
            Ok(())
        }
        fn serialize_f32(self, _: f32) -> Result<(), Stop> {
            Ok(())
        }
        fn serialize_f64(self, _: f64) -> Result<(), Stop> {
            Ok(())
        }
        fn serialize_char(self, v: char) -> Result<(), Stop> {
            text(v.encode_utf8(&mut [0; 4]))
        }
        fn serialize_str(self, v: &str) -> Result<(), Stop> {
            text(v)
        }
        // JSON holds bytes as an array of numbers.
        fn serialize_bytes(self, _: &[u8]) -> Result<(), Stop> {
            Ok(())
        }
        fn serialize_none(self) -> Result<(), Stop> {
            Ok(())
        }
        fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<(), Stop> {
            v.serialize(self)
        }
        fn serialize_unit(self) -> Result<(), Stop> {
            Ok(())
        }
        fn serialize_unit_struct(self, _: &'static str) -> Result<(), Stop> {
            Ok(())
        }
        // A unit variant is a JSON string of its name.
        fn serialize_unit_variant(
            self,
            _: &'static str,
            _: u32,
            variant: &'static str,
        ) -> Result<(), Stop> {
            text(variant)
        }
        fn serialize_newtype_struct<T: Serialize + ?Sized>(
            self,
            _: &'static str,
            v: &T,
        ) -> Result<(), Stop> {
            v.serialize(self)
        }
        // `{"variant": value}`: the variant is a key.
        fn serialize_newtype_variant<T: Serialize + ?Sized>(
            self,
            _: &'static str,
            _: u32,
            variant: &'static str,
            v: &T,
        ) -> Result<(), Stop> {
            if PROSE.contains(&variant) {
                return Ok(());
            }
            v.serialize(self)
        }
        fn serialize_seq(self, _: Option<usize>) -> Result<Items, Stop> {
            Ok(Items { skip: false })
        }
        fn serialize_tuple(self, _: usize) -> Result<Items, Stop> {
            Ok(Items { skip: false })
        }
        fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Items, Stop> {
            Ok(Items { skip: false })
        }
        fn serialize_tuple_variant(
            self,
            _: &'static str,
            _: u32,
            variant: &'static str,
            _: usize,
        ) -> Result<Items, Stop> {
            Ok(Items {
                skip: PROSE.contains(&variant),
            })
        }
        fn serialize_map(self, _: Option<usize>) -> Result<Entries, Stop> {
            Ok(Entries::default())
        }
        fn serialize_struct(self, _: &'static str, _: usize) -> Result<Entries, Stop> {
            Ok(Entries::default())
        }
        fn serialize_struct_variant(
            self,
            _: &'static str,
            _: u32,
            variant: &'static str,
            _: usize,
        ) -> Result<Entries, Stop> {
            Ok(Entries {
                prose: false,
                skip: PROSE.contains(&variant),
            })
        }
    }

    /// The four list-like serializers of `Items` differ only in their trait and method names:
    /// each probes its elements unless the list is skipped.
    macro_rules! probe_items {
        ($($trait:ident :: $method:ident),*) => {$(
            impl ser::$trait for Items {
                type Ok = ();
                type Error = Stop;
                fn $method<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Stop> {
                    if self.skip {
                        return Ok(());
                    }
                    v.serialize(Probe)
                }
                fn end(self) -> Result<(), Stop> {
                    Ok(())
                }
            }
        )*};
    }
    probe_items!(
        SerializeSeq::serialize_element,
        SerializeTuple::serialize_element,
        SerializeTupleStruct::serialize_field,
        SerializeTupleVariant::serialize_field
    );

    impl ser::SerializeMap for Entries {
        type Ok = ();
        type Error = Stop;
        fn serialize_key<T: Serialize + ?Sized>(&mut self, k: &T) -> Result<(), Stop> {
            self.prose = k.serialize(KeyIsProse)?;
            Ok(())
        }
        fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Stop> {
            if self.prose || self.skip {
                return Ok(());
            }
            v.serialize(Probe)
        }
        fn end(self) -> Result<(), Stop> {
            Ok(())
        }
    }

    impl ser::SerializeStruct for Entries {
        type Ok = ();
        type Error = Stop;
        fn serialize_field<T: Serialize + ?Sized>(
            &mut self,
            key: &'static str,
            v: &T,
        ) -> Result<(), Stop> {
            if self.skip || PROSE.contains(&key) {
                return Ok(());
            }
            v.serialize(Probe)
        }
        fn end(self) -> Result<(), Stop> {
            Ok(())
        }
    }

    impl ser::SerializeStructVariant for Entries {
        type Ok = ();
        type Error = Stop;
        fn serialize_field<T: Serialize + ?Sized>(
            &mut self,
            key: &'static str,
            v: &T,
        ) -> Result<(), Stop> {
            ser::SerializeStruct::serialize_field(self, key, v)
        }
        fn end(self) -> Result<(), Stop> {
            Ok(())
        }
    }

    /// Is a map key one of [`PROSE`]? Keys that are not strings never are.
    struct KeyIsProse;

    impl ser::Serializer for KeyIsProse {
        type Ok = bool;
        type Error = Stop;
        type SerializeSeq = ser::Impossible<bool, Stop>;
        type SerializeTuple = ser::Impossible<bool, Stop>;
        type SerializeTupleStruct = ser::Impossible<bool, Stop>;
        type SerializeTupleVariant = ser::Impossible<bool, Stop>;
        type SerializeMap = ser::Impossible<bool, Stop>;
        type SerializeStruct = ser::Impossible<bool, Stop>;
        type SerializeStructVariant = ser::Impossible<bool, Stop>;

        fn serialize_str(self, v: &str) -> Result<bool, Stop> {
            Ok(PROSE.contains(&v))
        }
        fn serialize_unit_variant(
            self,
            _: &'static str,
            _: u32,
            variant: &'static str,
        ) -> Result<bool, Stop> {
            Ok(PROSE.contains(&variant))
        }
        fn serialize_newtype_struct<T: Serialize + ?Sized>(
            self,
            _: &'static str,
            v: &T,
        ) -> Result<bool, Stop> {
            v.serialize(self)
        }
        fn serialize_bool(self, _: bool) -> Result<bool, Stop> {
            Ok(false)
        }
        fn serialize_i8(self, _: i8) -> Result<bool, Stop> {
            Ok(false)
        }
        fn serialize_i16(self, _: i16) -> Result<bool, Stop> {
            Ok(false)
        }
        fn serialize_i32(self, _: i32) -> Result<bool, Stop> {
            Ok(false)
        }
        fn serialize_i64(self, _: i64) -> Result<bool, Stop> {
            Ok(false)
        }
        fn serialize_u8(self, _: u8) -> Result<bool, Stop> {
            Ok(false)
        }
        fn serialize_u16(self, _: u16) -> Result<bool, Stop> {
            Ok(false)
        }
        fn serialize_u32(self, _: u32) -> Result<bool, Stop> {
            Ok(false)
        }
        fn serialize_u64(self, _: u64) -> Result<bool, Stop> {
            Ok(false)
        }
        fn serialize_f32(self, _: f32) -> Result<bool, Stop> {
            Ok(false)
        }
        fn serialize_f64(self, _: f64) -> Result<bool, Stop> {
            Ok(false)
        }
        fn serialize_char(self, _: char) -> Result<bool, Stop> {
            Ok(false)
        }
        fn serialize_bytes(self, _: &[u8]) -> Result<bool, Stop> {
            Err(Stop::Custom)
        }
        fn serialize_none(self) -> Result<bool, Stop> {
            Err(Stop::Custom)
        }
        fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<bool, Stop> {
            v.serialize(self)
        }
        fn serialize_unit(self) -> Result<bool, Stop> {
            Err(Stop::Custom)
        }
        fn serialize_unit_struct(self, _: &'static str) -> Result<bool, Stop> {
            Err(Stop::Custom)
        }
        fn serialize_newtype_variant<T: Serialize + ?Sized>(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: &T,
        ) -> Result<bool, Stop> {
            Err(Stop::Custom)
        }
        fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Stop> {
            Err(Stop::Custom)
        }
        fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Stop> {
            Err(Stop::Custom)
        }
        fn serialize_tuple_struct(
            self,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeTupleStruct, Stop> {
            Err(Stop::Custom)
        }
        fn serialize_tuple_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeTupleVariant, Stop> {
            Err(Stop::Custom)
        }
        fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Stop> {
            Err(Stop::Custom)
        }
        fn serialize_struct(
            self,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeStruct, Stop> {
            Err(Stop::Custom)
        }
        fn serialize_struct_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeStructVariant, Stop> {
            Err(Stop::Custom)
        }
    }
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

    #[test]
    fn multi_byte_values_are_judged_by_characters_not_sliced() {
        // "AKIA" + "a" + 8 two-byte letters: byte 20 falls inside a character.
        let found = env(&["X=AKIAaÉÉÉÉÉÉÉÉ", "Y=AKIAÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉ"]);
        assert!(found.iter().all(|f| !f.contains("AWS")), "{found:?}");
    }

    #[test]
    fn a_snapshots_faults_are_redacted() {
        let mut snap = Snapshot {
            faults: vec!["inspect failed: dockerd --password=hunter2hunter2".into()],
            ..Snapshot::default()
        };
        redact_snapshot(&mut snap);
        assert!(!snap.faults[0].contains("hunter2"), "{}", snap.faults[0]);
        assert!(snap.faults[0].starts_with("inspect failed: dockerd --password="));
    }

    /// Result by result on several threads, a report is redacted as it is whole.
    #[test]
    fn a_report_is_redacted_result_by_result_as_whole() {
        let text = include_str!("../../tests/fixtures/reports/risky-report.json");
        let mut report = crate::report::json::parse(text).unwrap();
        let secret = "--password=hunter2hunter2 AKIAIOSFODNN7EXAMPLE";
        report.notes.push(format!("daemon flags {secret}"));
        let n = report.results.len();
        for i in [0, n / 2, n - 1] {
            let r = &mut report.results[i];
            r.reason = format!("seen {secret}");
            if let Some(f) = r.findings.first_mut() {
                f.value = format!("Cmd=sh -c 'run {secret}'");
            }
        }
        let mut whole = report.clone();
        redact_all(&mut whole);
        let mut by_result = report.clone();
        redact_report(&mut by_result);
        assert_ne!(
            serde_json::to_value(&whole).unwrap(),
            serde_json::to_value(&report).unwrap()
        );
        assert_eq!(
            serde_json::to_value(&by_result).unwrap(),
            serde_json::to_value(&whole).unwrap()
        );
        assert!(
            !serde_json::to_string(&by_result)
                .unwrap()
                .contains("hunter2")
        );
    }

    #[test]
    fn redaction_keeps_the_rule_and_4_10_still_finds_it() {
        assert_eq!(
            redact_assignment("DB_PASSWORD=hunter2hunter2"),
            "DB_PASSWORD=<redacted: the key names a secret>"
        );
        assert_eq!(redact_assignment("PATH=/usr/bin"), "PATH=/usr/bin");
        let mut args: Vec<String> = [
            "app",
            "--password=hunter2",
            "--api-token",
            "s3cr3tvalue",
            "--verbose",
            "postgres://bob:pw1234@db/x",
            "KEY=AKIAIOSFODNN7EXAMPLE",
        ]
        .map(String::from)
        .into();
        redact_args(&mut args);
        assert_eq!(
            args,
            [
                "app",
                "--password=<redacted: the key names a secret>",
                "--api-token",
                "<redacted: the flag names a secret>",
                "--verbose",
                "<redacted: value is a URL with a password>",
                "KEY=<redacted: value looks like an AWS access key ID>",
            ]
        );
        let again = args.clone();
        redact_args(&mut args);
        assert_eq!(args, again, "idempotent");
        let text = "/bin/sh -c #(nop) ENV GITHUB=ghp_0123456789abcdefghijABCDEFGHIJ012345 X=1";
        let red = redact_text(text);
        assert_eq!(
            red,
            "/bin/sh -c #(nop) ENV GITHUB=<redacted: value looks like a GitHub token> X=1"
        );
        // The verdict survives redaction: the same finding, from the marker.
        let before = env(&["KEY=AKIAIOSFODNN7EXAMPLE"]);
        let after = env(&[&redact_assignment("KEY=AKIAIOSFODNN7EXAMPLE")]);
        assert_eq!(before, after);
        assert_eq!(redact_text("plain words only"), "plain words only");
        assert!(matches!(redact_text("é ü x"), Cow::Borrowed(_)));
    }
}
