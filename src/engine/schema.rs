//! The shape of the facts CEL expressions may touch, derived from the snapshot types'
//! JSON Schema, and a type check over a compiled expression: unknown fields, operators on
//! the wrong types (`int + string`, a string compared with an int), functions called on
//! values that have no such method (`.size()` of a bool), and an expression whose result is
//! not what its key needs (a `finding` that is not a bool) are load errors, never a silent
//! PASS or an ERROR in the middle of a scan. Types that cannot be known (`dyn`: free-form
//! JSON, params) are never rejected.
use std::collections::BTreeMap;
use std::sync::Arc;

use cel::common::ast::{EntryExpr, Expr, IdedExpr, LiteralValue};
use serde_json::Value as Json;

/// Shared subtrees (`Arc`): validating an expression clones types at every step, and a deep
/// copy of the snapshot's type per step made loading the checks slow.
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    /// An object with a fixed set of fields.
    Object(Arc<BTreeMap<String, Ty>>),
    /// A map with free keys (labels, settings).
    Map(Arc<Ty>),
    List(Arc<Ty>),
    Prim(Prim),
    /// Anything (free-form JSON, params, results not known).
    Any,
}

/// The primitive CEL types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prim {
    Bool,
    Int,
    Uint,
    Double,
    String,
    Bytes,
    Null,
    Timestamp,
    Duration,
    /// Any value (a helper parameter that takes everything).
    Dyn,
}

impl Prim {
    pub fn name(self) -> &'static str {
        match self {
            Prim::Bool => "bool",
            Prim::Int => "int",
            Prim::Uint => "uint",
            Prim::Double => "double",
            Prim::String => "string",
            Prim::Bytes => "bytes",
            Prim::Null => "null",
            Prim::Timestamp => "timestamp",
            Prim::Duration => "duration",
            Prim::Dyn => "dyn",
        }
    }

    fn ty(self) -> Ty {
        match self {
            Prim::Dyn => Ty::Any,
            p => Ty::Prim(p),
        }
    }
}

impl Ty {
    /// Builds the type of `schema` (a schemars root schema with `$defs`).
    pub fn from_schema(schema: &Json) -> Ty {
        let defs = schema.get("$defs").cloned().unwrap_or(Json::Null);
        convert(schema, &defs, 0)
    }

    pub fn object(fields: impl IntoIterator<Item = (String, Ty)>) -> Ty {
        Ty::Object(Arc::new(fields.into_iter().collect()))
    }

    const BOOL: Ty = Ty::Prim(Prim::Bool);
    const INT: Ty = Ty::Prim(Prim::Int);
    const STRING: Ty = Ty::Prim(Prim::String);

    /// The name with its article, for messages: `an int`, `a string`.
    fn a(&self) -> String {
        let name = self.name();
        let article = if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        format!("{article} {name}")
    }

    /// The name in messages: `int`, `list`, `map`, `object`.
    fn name(&self) -> &'static str {
        match self {
            Ty::Object(_) => "object",
            Ty::Map(_) => "map",
            Ty::List(_) => "list",
            Ty::Prim(p) => p.name(),
            Ty::Any => "dyn",
        }
    }

    /// What may be compared with what: numbers with numbers, maps with objects.
    fn family(&self) -> Option<&'static str> {
        match self {
            Ty::Any | Ty::Prim(Prim::Null | Prim::Dyn) => None,
            Ty::Prim(Prim::Int | Prim::Uint | Prim::Double) => Some("number"),
            Ty::Object(_) | Ty::Map(_) => Some("map"),
            t => Some(t.name()),
        }
    }

    fn is(&self, family: &str) -> bool {
        self.family().is_none_or(|f| f == family)
    }
}

fn convert(schema: &Json, defs: &Json, depth: usize) -> Ty {
    if depth > 32 {
        return Ty::Any;
    }
    if let Some(r) = schema.get("$ref").and_then(Json::as_str) {
        let name = r.trim_start_matches("#/$defs/");
        return defs
            .get(name)
            .map_or(Ty::Any, |d| convert(d, defs, depth + 1));
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(options) = schema.get(key).and_then(Json::as_array) {
            // Option<T> is `anyOf: [T, null]`: take the non-null branch.
            let non_null: Vec<&Json> = options
                .iter()
                .filter(|o| o.get("type") != Some(&Json::from("null")))
                .collect();
            return match non_null.as_slice() {
                [one] => convert(one, defs, depth + 1),
                _ => Ty::Any,
            };
        }
    }
    let types: Vec<&str> = match schema.get("type") {
        Some(Json::String(t)) => vec![t.as_str()],
        Some(Json::Array(ts)) => ts
            .iter()
            .filter_map(Json::as_str)
            .filter(|t| *t != "null")
            .collect(),
        _ => vec![],
    };
    match types.as_slice() {
        ["object"] => {
            if let Some(props) = schema.get("properties").and_then(Json::as_object) {
                Ty::Object(Arc::new(
                    props
                        .iter()
                        .map(|(k, v)| (k.clone(), convert(v, defs, depth + 1)))
                        .collect(),
                ))
            } else if let Some(extra) = schema.get("additionalProperties") {
                Ty::Map(Arc::new(convert(extra, defs, depth + 1)))
            } else {
                Ty::Any
            }
        }
        ["array"] => Ty::List(Arc::new(
            schema
                .get("items")
                .map_or(Ty::Any, |i| convert(i, defs, depth + 1)),
        )),
        ["string"] => Ty::STRING,
        ["integer"] => Ty::INT,
        ["number"] => Ty::Prim(Prim::Double),
        ["boolean"] => Ty::BOOL,
        _ => Ty::Any,
    }
}

/// A type error and where it is: the ids of the expression nodes it was found in, innermost
/// first (a node the parser made for a macro has no source offset; an enclosing one does).
#[derive(Debug, Clone, PartialEq)]
pub struct TypeError {
    pub message: String,
    pub ids: Vec<u64>,
}

impl TypeError {
    fn at(id: u64, message: String) -> TypeError {
        TypeError {
            message,
            ids: vec![id],
        }
    }

    /// A problem of the whole expression (its result type): no node of its own.
    fn whole(message: String) -> TypeError {
        TypeError {
            message,
            ids: Vec::new(),
        }
    }

    /// The message with its position in `source` (as `source_info` locates the node; the
    /// start for the whole expression): `MESSAGE (at line 1, column 14: `c.Name.matches(…)`)`.
    pub fn describe(&self, info: &cel::common::ast::SourceInfo, source: &str) -> String {
        let start = if self.ids.is_empty() {
            Some(0)
        } else {
            self.ids
                .iter()
                .find_map(|id| info.offset_for(*id))
                .map(|(start, _)| start as usize)
        };
        match start {
            Some(start) => format!("{} ({})", self.message, position(source, start)),
            None => self.message.clone(),
        }
    }
}

/// `at line L, column C: `LINE``: where byte offset `start` of `source` is (cel's offsets
/// are bytes; the column counts characters), with the source line it is on, shortened
/// around the position when long.
pub fn position(source: &str, start: usize) -> String {
    let before = &source[..source.floor_char_boundary(start.min(source.len()))];
    let line_no = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count();
    let line = source[line_start..].lines().next().unwrap_or("");
    let chars: Vec<char> = line.trim_end().chars().collect();
    let from = col.saturating_sub(30);
    let to = (col + 40).min(chars.len());
    let mut shown: String = chars[from.min(to)..to].iter().collect();
    if from > 0 {
        shown.insert(0, '…');
    }
    if to < chars.len() {
        shown.push('…');
    }
    format!("at line {line_no}, column {}: `{}`", col + 1, shown.trim())
}

/// Walks `expr`, checking every field selection on a known object against `vars`.
/// Returns the first problem found.
pub fn check_fields(expr: &IdedExpr, vars: &BTreeMap<String, Ty>) -> Result<(), TypeError> {
    infer_expr(expr, vars).map(|_| ())
}

/// The type of `expr` with `vars` in scope, or the first type error in it.
pub fn infer_expr(expr: &IdedExpr, vars: &BTreeMap<String, Ty>) -> Result<Ty, TypeError> {
    let mut scope: Vec<(String, Ty)> = vars.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    infer(expr, &mut scope)
}

/// Type-checks the expression of check key `key` (`finding`, `unknown`, `files`, …): its
/// fields and operators, the regular expressions of its `matches()` calls, and that its
/// result is what the key needs (bool for `applies`, `finding`, `info_when`; string for
/// `unknown`, `not_applicable`; a list of file facts or paths for `files`).
pub fn check_expression(
    expr: &IdedExpr,
    vars: &BTreeMap<String, Ty>,
    key: &str,
) -> Result<(), TypeError> {
    check_regexes(expr)?;
    let ty = infer_expr(expr, vars)?;
    if key == "files" {
        return files_element(&ty).map(|_| ()).map_err(TypeError::whole);
    }
    let want = match key {
        "applies" | "finding" | "info_when" => Ty::BOOL,
        "unknown" | "not_applicable" => Ty::STRING,
        _ => return Ok(()),
    };
    if ty.family().is_some_and(|f| Some(f) != want.family()) {
        return Err(TypeError::whole(format!(
            "must be {}, but this expression gives {}",
            want.a(),
            ty.a()
        )));
    }
    Ok(())
}

/// What the engine accepts as `files` (engine/eval.rs `evaluate_files`): a list whose items
/// are file facts (objects with `Path`: `host.Files[\"daemon.json\"]`, `host.RegistryCerts`,
/// `withDropIns(…)`) or paths (strings). Returns the item type, which is the type of `f`.
pub fn files_element(ty: &Ty) -> Result<Ty, String> {
    const WANT: &str = "must be a list of file facts (objects with `Path`, such as \
                        `[host.Files[\"daemon.json\"]]` or `host.RegistryCerts`) or of paths";
    match ty {
        Ty::List(elem) => match &**elem {
            Ty::Object(fields) if !fields.contains_key("Path") => Err(format!(
                "{WANT}, but its items are objects without `Path` (fields: {})",
                fields.keys().cloned().collect::<Vec<_>>().join(", ")
            )),
            Ty::Object(_) | Ty::Any | Ty::Prim(Prim::String | Prim::Dyn) => Ok((**elem).clone()),
            other => Err(format!("{WANT}, but its items are {}s", other.name())),
        },
        Ty::Any | Ty::Prim(Prim::Dyn) => Ok(Ty::Any),
        Ty::Object(fields) if fields.contains_key("Path") => Err(format!(
            "{WANT}, but this expression gives one file fact: put it in a list (`[…]`)"
        )),
        other => Err(format!("{WANT}, but this expression gives {}", other.a())),
    }
}

/// Every regular expression literal given to `matches()` (`s.matches('…')`,
/// `matches(s, '…')`) compiles with the `regex` crate, the engine cel evaluates it with:
/// an invalid one would make the check ERROR on every object in every scan.
fn check_regexes(e: &IdedExpr) -> Result<(), TypeError> {
    let mut problem = None;
    visit(e, &mut |node| {
        if problem.is_some() {
            return;
        }
        if let Expr::Call(call) = &node.expr
            && call.func_name == "matches"
        {
            let pattern = match (&call.target, call.args.as_slice()) {
                (Some(_), [p]) | (None, [_, p]) => p,
                _ => return,
            };
            if let Expr::Literal(LiteralValue::String(re)) = &pattern.expr
                && let Err(err) = regex::Regex::new(re)
            {
                // The crate's message draws the pattern with a caret; its last line says
                // what is wrong.
                let text = err.to_string();
                let why = text
                    .lines()
                    .rev()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or(&text)
                    .trim()
                    .trim_start_matches("error: ");
                problem = Some(TypeError {
                    message: format!("invalid regular expression {:?} in matches(): {why}", &**re),
                    ids: vec![pattern.id, node.id],
                });
            }
        }
    });
    problem.map_or(Ok(()), Err)
}

/// Calls `f` on `e` and every expression below it.
fn visit(e: &IdedExpr, f: &mut dyn FnMut(&IdedExpr)) {
    f(e);
    match &e.expr {
        Expr::Select(sel) => visit(&sel.operand, f),
        Expr::Call(call) => {
            if let Some(t) = &call.target {
                visit(t, f);
            }
            for a in &call.args {
                visit(a, f);
            }
        }
        Expr::Comprehension(comp) => {
            for x in [
                &comp.iter_range,
                &comp.accu_init,
                &comp.loop_cond,
                &comp.loop_step,
                &comp.result,
            ] {
                visit(x, f);
            }
        }
        Expr::List(list) => list.elements.iter().for_each(|x| visit(x, f)),
        Expr::Map(map) => {
            for entry in &map.entries {
                if let EntryExpr::MapEntry(me) = &entry.expr {
                    visit(&me.key, f);
                    visit(&me.value, f);
                }
            }
        }
        Expr::Struct(st) => {
            for entry in &st.entries {
                if let EntryExpr::StructField(sf) = &entry.expr {
                    visit(&sf.value, f);
                }
            }
        }
        _ => {}
    }
}

fn lookup(scope: &[(String, Ty)], name: &str) -> Option<Ty> {
    scope
        .iter()
        .rev()
        .find(|(n, _)| n == name)
        .map(|(_, t)| t.clone())
}

fn literal(l: &LiteralValue) -> Ty {
    match l {
        LiteralValue::Boolean(_) => Ty::BOOL,
        LiteralValue::Int(_) => Ty::INT,
        LiteralValue::UInt(_) => Ty::Prim(Prim::Uint),
        LiteralValue::Double(_) => Ty::Prim(Prim::Double),
        LiteralValue::String(_) => Ty::STRING,
        LiteralValue::Bytes(_) => Ty::Prim(Prim::Bytes),
        LiteralValue::Null => Ty::Prim(Prim::Null),
    }
}

/// The type of `e`; an error found below `e` gets `e`'s id appended (see `TypeError`).
fn infer(e: &IdedExpr, scope: &mut Vec<(String, Ty)>) -> Result<Ty, TypeError> {
    infer_node(e, scope).map_err(|mut err| {
        err.ids.push(e.id);
        err
    })
}

fn infer_node(e: &IdedExpr, scope: &mut Vec<(String, Ty)>) -> Result<Ty, TypeError> {
    let here = |message: String| TypeError::at(e.id, message);
    match &e.expr {
        Expr::Ident(name) => lookup(scope, name).ok_or_else(|| {
            here({
                let known: Vec<&str> = scope
                    .iter()
                    .map(|(n, _)| n.as_str())
                    .filter(|n| !n.starts_with('@'))
                    .collect();
                format!(
                    "unknown variable '{name}' (available here: {})",
                    known.join(", ")
                )
            })
        }),
        Expr::Select(sel) => {
            let operand = infer(&sel.operand, scope)?;
            if sel.test {
                // has(x.f): whether the field is set.
                return Ok(Ty::BOOL);
            }
            field(&operand, &sel.field).map_err(here)
        }
        Expr::Call(call) => {
            let target = match &call.target {
                Some(t) => Some(infer(t, scope)?),
                None => None,
            };
            let mut args = Vec::with_capacity(call.args.len());
            for a in &call.args {
                args.push(infer(a, scope)?);
            }
            self::call(&call.func_name, target, &args, &call.args).map_err(here)
        }
        Expr::Comprehension(comp) => {
            let range = infer(&comp.iter_range, scope)?;
            let (first, second) = match &range {
                Ty::List(elem) => (Ty::INT, (**elem).clone()),
                Ty::Map(value) => (Ty::STRING, (**value).clone()),
                Ty::Object(_) => (Ty::STRING, Ty::Any),
                Ty::Prim(p) if *p != Prim::Dyn => {
                    return Err(here(format!("cannot iterate over {}", Ty::Prim(*p).a())));
                }
                _ => (Ty::Any, Ty::Any),
            };
            // One variable: list element or map key. Two variables: index/key and value.
            let depth = scope.len();
            match &comp.iter_var2 {
                None => scope.push((
                    comp.iter_var.clone(),
                    if matches!(range, Ty::List(_)) {
                        second
                    } else {
                        first
                    },
                )),
                Some(v2) => {
                    scope.push((comp.iter_var.clone(), first));
                    scope.push((v2.clone(), second));
                }
            }
            let init = infer(&comp.accu_init, scope)?;
            // An accumulating list starts empty: its element type is not known yet.
            let accu = match init {
                Ty::List(_) => Ty::List(Arc::new(Ty::Any)),
                t => t,
            };
            scope.push((comp.accu_var.clone(), accu));
            let result = (|| {
                let cond = infer(&comp.loop_cond, scope)?;
                if !cond.is("bool") {
                    return Err(here(format!(
                        "a condition must be a bool, not {}",
                        cond.a()
                    )));
                }
                infer(&comp.loop_step, scope)?;
                infer(&comp.result, scope)
            })();
            scope.truncate(depth);
            result
        }
        Expr::List(list) => {
            let mut elem = None;
            for item in &list.elements {
                let t = infer(item, scope)?;
                elem = Some(if elem.as_ref().is_none_or(|e| *e == t) {
                    t
                } else {
                    Ty::Any
                });
            }
            Ok(Ty::List(Arc::new(elem.unwrap_or(Ty::Any))))
        }
        Expr::Map(map) => {
            for entry in &map.entries {
                if let EntryExpr::MapEntry(me) = &entry.expr {
                    infer(&me.key, scope)?;
                    infer(&me.value, scope)?;
                }
            }
            Ok(Ty::Map(Arc::new(Ty::Any)))
        }
        Expr::Struct(st) => {
            for entry in &st.entries {
                if let EntryExpr::StructField(f) = &entry.expr {
                    infer(&f.value, scope)?;
                }
            }
            Ok(Ty::Any)
        }
        Expr::Literal(l) => Ok(literal(l)),
        _ => Ok(Ty::Any),
    }
}

/// Operator symbols as messages show them.
fn symbol(func: &str) -> &str {
    match func {
        "_+_" => "+",
        "_-_" => "-",
        "_*_" => "*",
        "_/_" => "/",
        "_%_" => "%",
        "_<_" => "<",
        "_<=_" => "<=",
        "_>_" => ">",
        "_>=_" => ">=",
        "_==_" => "==",
        "_!=_" => "!=",
        "_&&_" => "&&",
        "_||_" => "||",
        other => other,
    }
}

/// The result type of calling `func` (an operator, a function, or a method of `target`).
fn call(func: &str, target: Option<Ty>, args: &[Ty], exprs: &[IdedExpr]) -> Result<Ty, String> {
    let mismatch = |a: &Ty, b: &Ty| {
        Err(format!(
            "'{}' cannot combine {} and {}",
            symbol(func),
            a.a(),
            b.a()
        ))
    };
    let method_on = |want: &[&str]| -> Result<(), String> {
        match &target {
            Some(t) if t.family().is_some_and(|f| !want.contains(&f)) => Err(format!(
                "{func}() is not a method of {} (it is one of: {})",
                t.a(),
                want.join(", ")
            )),
            _ => Ok(()),
        }
    };
    let string_args = || -> Result<(), String> {
        for a in args {
            if !a.is("string") {
                return Err(format!("{func}() takes a string, not {}", a.a()));
            }
        }
        Ok(())
    };
    Ok(match (func, args) {
        ("_[_]", [container, key]) => index(container, key, &exprs[1])?,
        ("_?_:_", [cond, a, b]) => {
            if !cond.is("bool") {
                return Err(format!("a condition must be a bool, not {}", cond.a()));
            }
            match (a, b) {
                _ if a == b => a.clone(),
                (Ty::Prim(Prim::Null), other) | (other, Ty::Prim(Prim::Null)) => other.clone(),
                (Ty::List(_), Ty::List(_)) => Ty::List(Arc::new(Ty::Any)),
                _ if a.family().is_some() && a.family() == b.family() => a.clone(),
                _ => Ty::Any,
            }
        }
        ("_&&_" | "_||_", [a, b]) => {
            for t in [a, b] {
                if !t.is("bool") {
                    return Err(format!("'{}' needs bools, not {}", symbol(func), t.a()));
                }
            }
            Ty::BOOL
        }
        ("!_", [a]) => {
            if !a.is("bool") {
                return Err(format!("'!' needs a bool, not {}", a.a()));
            }
            Ty::BOOL
        }
        ("-_", [a]) => {
            if !a.is("number") {
                return Err(format!("'-' needs a number, not {}", a.a()));
            }
            a.clone()
        }
        ("_+_", [a, b]) => match (a.family(), b.family()) {
            (None, _) => b.clone(),
            (_, None) => a.clone(),
            (Some(x), Some(y)) if x == y && ["number", "string", "list", "bytes"].contains(&x) => {
                match (a, b) {
                    (Ty::List(l), Ty::List(r)) if l == r => a.clone(),
                    (Ty::List(_), Ty::List(_)) => Ty::List(Arc::new(Ty::Any)),
                    _ => a.clone(),
                }
            }
            (Some("timestamp"), Some("duration")) => a.clone(),
            (Some("duration"), Some("timestamp" | "duration")) => b.clone(),
            _ => return mismatch(a, b),
        },
        ("_-_" | "_*_" | "_/_" | "_%_", [a, b]) => match (a.family(), b.family()) {
            (Some("number"), Some("number")) | (None, Some("number")) => b.clone(),
            (Some("number"), None) => a.clone(),
            (None, None) => Ty::Any,
            (Some("timestamp" | "duration"), _) if func == "_-_" => Ty::Any,
            _ => return mismatch(a, b),
        },
        ("_<_" | "_<=_" | "_>_" | "_>=_", [a, b]) => {
            if let (Some(x), Some(y)) = (a.family(), b.family())
                && (x != y || ["list", "map"].contains(&x))
            {
                return mismatch(a, b);
            }
            Ty::BOOL
        }
        ("_==_" | "_!=_", [a, b]) => {
            if let (Some(x), Some(y)) = (a.family(), b.family())
                && x != y
            {
                return mismatch(a, b);
            }
            Ty::BOOL
        }
        ("@in", [elem, range]) => {
            let member = match range {
                Ty::List(e) => (**e).clone(),
                Ty::Map(_) | Ty::Object(_) => Ty::STRING,
                Ty::Any | Ty::Prim(Prim::Dyn) => Ty::Any,
                other => {
                    return Err(format!(
                        "'in' needs a list or a map on its right, not {}",
                        other.a()
                    ));
                }
            };
            if let (Some(x), Some(y)) = (elem.family(), member.family())
                && x != y
            {
                return Err(format!(
                    "'in' looks for {} among {}s",
                    elem.a(),
                    member.name()
                ));
            }
            Ty::BOOL
        }
        ("size", _) => {
            let of = target.as_ref().or(args.first());
            if let Some(t) = of
                && t.family()
                    .is_some_and(|f| !["string", "bytes", "list", "map"].contains(&f))
            {
                return Err(format!("size() of {}, which has no size", t.a()));
            }
            Ty::INT
        }
        ("contains" | "startsWith" | "endsWith" | "matches", _) if target.is_some() => {
            // lists have no `contains`; `x in list` is the way.
            if let Some(t) = &target
                && t.family().is_some_and(|f| f != "string")
            {
                let hint = if t.name() == "list" && func == "contains" {
                    " (use `x in list`)"
                } else {
                    ""
                };
                return Err(format!(
                    "{func}() is a string method, called on {}{hint}",
                    t.a()
                ));
            }
            string_args()?;
            Ty::BOOL
        }
        (
            "lowerAscii" | "upperAscii" | "trim" | "replace" | "substring" | "charAt" | "format",
            _,
        ) if target.is_some() => {
            method_on(&["string"])?;
            Ty::STRING
        }
        ("indexOf" | "lastIndexOf", _) if target.is_some() => {
            method_on(&["string", "list"])?;
            Ty::INT
        }
        ("split", _) if target.is_some() => {
            method_on(&["string"])?;
            Ty::List(Arc::new(Ty::STRING))
        }
        ("join", _) if target.is_some() => {
            method_on(&["list"])?;
            Ty::STRING
        }
        ("filter" | "distinct" | "sort" | "reverse" | "slice" | "sortBy", _) => {
            method_on(&["list"])?;
            target.unwrap_or(Ty::Any)
        }
        ("flatten", _) => {
            method_on(&["list"])?;
            Ty::List(Arc::new(Ty::Any))
        }
        ("int", [_]) => Ty::INT,
        ("uint", [_]) => Ty::Prim(Prim::Uint),
        ("double", [_]) => Ty::Prim(Prim::Double),
        ("string", [_]) => Ty::STRING,
        ("bool", [_]) => Ty::BOOL,
        ("timestamp", [_]) => Ty::Prim(Prim::Timestamp),
        ("duration", [_]) => Ty::Prim(Prim::Duration),
        ("matches", [a, b]) => {
            for t in [a, b] {
                if !t.is("string") {
                    return Err(format!("matches() takes strings, not {}", t.a()));
                }
            }
            Ty::BOOL
        }
        _ => match HELPERS.iter().find(|h| h.name == func) {
            Some(h) if target.is_none() => {
                if h.params.len() != args.len() {
                    return Err(format!(
                        "{func}() takes {} arguments: {}",
                        h.params.len(),
                        h.signature()
                    ));
                }
                for ((name, want), got) in h.params.iter().zip(args) {
                    let want = want.ty();
                    if let (Some(w), Some(g)) = (want.family(), got.family())
                        && w != g
                    {
                        return Err(format!(
                            "{func}(): '{name}' must be {}, not {} ({})",
                            want.a(),
                            got.a(),
                            h.signature()
                        ));
                    }
                }
                h.returns.ty()
            }
            // A global call that is neither CEL's nor ours fails in every scan
            // ("Undeclared reference"): say so at load time. Operators and the macros'
            // internal calls (`_&&_`, `@in`, `@not_strictly_false`) are not names.
            None if target.is_none()
                && func.starts_with(|c: char| c.is_ascii_alphabetic())
                && !CEL_GLOBALS.contains(&func) =>
            {
                return Err(format!(
                    "unknown function '{func}()': not a CEL function nor a dockbench helper (docs/fields.md lists them)"
                ));
            }
            _ => Ty::Any,
        },
    })
}

/// CEL's global functions (the standard library and the conversions); methods (`x.f()`) of
/// the strings and lists extensions are not listed: they are typed loosely.
const CEL_GLOBALS: &[&str] = &[
    "size",
    "int",
    "uint",
    "double",
    "string",
    "bool",
    "bytes",
    "timestamp",
    "duration",
    "dyn",
    "type",
    "matches",
    "contains",
    "startsWith",
    "endsWith",
    "max",
    "min",
    "has",
    "exists",
    "all",
    "exists_one",
    "map",
    "filter",
];

fn field(operand: &Ty, name: &str) -> Result<Ty, String> {
    match operand {
        Ty::Object(fields) => fields.get(name).cloned().ok_or_else(|| {
            let known: Vec<&str> = fields.keys().map(String::as_str).collect();
            format!("unknown field '{name}' (known here: {})", known.join(", "))
        }),
        Ty::Map(value) => Ok((**value).clone()),
        Ty::List(_) | Ty::Prim(_) => Err(format!(
            "field '{name}' selected on {}, which has no fields",
            operand.a()
        )),
        Ty::Any => Ok(Ty::Any),
    }
}

fn index(container: &Ty, key: &Ty, key_expr: &IdedExpr) -> Result<Ty, String> {
    Ok(match container {
        Ty::List(elem) => {
            if !key.is("number") {
                return Err(format!("a list index must be an int, not {}", key.a()));
            }
            (**elem).clone()
        }
        Ty::Map(value) => (**value).clone(),
        Ty::Object(fields) => match &key_expr.expr {
            Expr::Literal(LiteralValue::String(s)) => fields.get(&**s).cloned().unwrap_or(Ty::Any),
            _ => Ty::Any,
        },
        Ty::Prim(p) if *p != Prim::Dyn => {
            return Err(format!("cannot index {}", Ty::Prim(*p).a()));
        }
        _ => Ty::Any,
    })
}

/// A variable expressions may read: its name, its type in the field reference, and where.
pub struct Variable {
    pub name: &'static str,
    pub ty: &'static str,
    pub visible: &'static str,
    pub doc: &'static str,
}

/// The variables of `engine::eval::variable_types`, as the field reference documents them.
pub const VARIABLES: &[Variable] = &[
    Variable {
        name: "c",
        ty: "[Container](#container)",
        visible: "container checks",
        doc: "the container being evaluated",
    },
    Variable {
        name: "image",
        ty: "[Image](#image)",
        visible: "image checks",
        doc: "the image being evaluated",
    },
    Variable {
        name: "containers",
        ty: "list([Container](#container))",
        visible: "every check",
        doc: "every container in scope (running only, unless `--all`)",
    },
    Variable {
        name: "images",
        ty: "list([Image](#image))",
        visible: "every check",
        doc: "every image in scope (those containers use, unless `--all-images`)",
    },
    Variable {
        name: "host",
        ty: "[Host](#host)",
        visible: "every check",
        doc: "facts of the host: files, audit rules, users, mounts, /proc, firewall, resolver",
    },
    Variable {
        name: "daemon",
        ty: "[Daemon](#daemon)",
        visible: "every check",
        doc: "the daemon: `/info`, `/version`, its configuration with sources, networks, swarm",
    },
    Variable {
        name: "scan",
        ty: "[ScanFacts](#scanfacts)",
        visible: "every check",
        doc: "the scan itself: mode and scope flags",
    },
    Variable {
        name: "params",
        ty: "map(string, dyn)",
        visible: "every check",
        doc: "the benchmark's `[params]` table (thresholds); an unknown name is a load error",
    },
];

/// A CEL function dockbench adds to the standard library. Registered in
/// `engine/eval.rs::register_functions`; a test keeps the two lists equal.
pub struct Helper {
    pub name: &'static str,
    pub params: &'static [(&'static str, Prim)],
    pub returns: Prim,
    pub doc: &'static str,
}

impl Helper {
    /// `pathWithin(path: string, dir: string) -> bool`.
    pub fn signature(&self) -> String {
        let params: Vec<String> = self
            .params
            .iter()
            .map(|(n, t)| format!("{n}: {}", t.name()))
            .collect();
        format!(
            "{}({}) -> {}",
            self.name,
            params.join(", "),
            self.returns.name()
        )
    }
}

pub const HELPERS: &[Helper] = &[
    Helper {
        name: "configuredFileUnknown",
        params: &[("files", Prim::Dyn), ("key", Prim::String)],
        returns: Prim::Dyn,
        doc: "`fileUnknown` for a file the daemon's configuration names (`tlscacert`, `tlscert`, `tlskey`): also \"the configured file PATH does not exist\" (ERROR) when its `Path` is set and nothing is there",
    },
    Helper {
        name: "fileUnknown",
        params: &[("files", Prim::Dyn), ("key", Prim::String)],
        returns: Prim::Dyn,
        doc: "why the file `key` of `host.Files` (with its drop-ins) is not known, for `unknown`: \"file facts not collected\" when the key is absent; the worst unread file's status with the reason `PATH: why; PATH: why` naming each unread one (SKIP when it cannot exist in this scan, ERROR when it could not be read); \"\" when every one was read",
    },
    Helper {
        name: "filesUnknown",
        params: &[("files", Prim::Dyn)],
        returns: Prim::Dyn,
        doc: "of a list of file facts (`host.RegistryCerts`), those not read: \"\" when every one was, else the worst one's status (ERROR beats SKIP) with the reason `PATH: why; PATH: why`",
    },
    Helper {
        name: "infoUnknown",
        params: &[("daemon", Prim::Dyn), ("what", Prim::String)],
        returns: Prim::Dyn,
        doc: "for `unknown`: `daemon.InfoStatus` with the reason `WHAT: why` when the daemon's info (`/info`) could not be read; \"\" when it was read, or was not asked for (a snapshot without it: checks then read the configuration)",
    },
    Helper {
        name: "ownedBy",
        params: &[("file", Prim::Dyn), ("want", Prim::String)],
        returns: Prim::Bool,
        doc: "the file fact's owner and group are `want` (`OWNER:GROUP`, e.g. `root:root`, `root:docker`): `root` is id 0 whatever the scanned host calls it (names never decide); another name matches that name, or root (stricter); a `want` without `:` is an evaluation error",
    },
    Helper {
        name: "ownerOf",
        params: &[("file", Prim::Dyn)],
        returns: Prim::String,
        doc: "the file fact's `owner:group` as evidence: each as its name in the scanned host's passwd/group, else its number (`deploy:root`, `4242:0`)",
    },
    Helper {
        name: "pathWithin",
        params: &[("path", Prim::String), ("dir", Prim::String)],
        returns: Prim::Bool,
        doc: "`path` is `dir` or below it, on whole components after lexical normalisation (`/etc/` = `/etc`; `/etcd` is not within `/etc`; `/var/../etc` is)",
    },
    Helper {
        name: "permsWithin",
        params: &[("mode", Prim::Int), ("allowed", Prim::String)],
        returns: Prim::Bool,
        doc: "no permission bit of `mode` lies outside the octal mask `allowed` (0600 is within \"644\"; 0460 is not, though 460 < 644 as numbers); a mask that is not octal is an evaluation error",
    },
    Helper {
        name: "processesUnknown",
        params: &[("c", Prim::Dyn), ("proc", Prim::Dyn)],
        returns: Prim::Dyn,
        doc: "for `unknown` of a check reading `c.Processes`: when the container runs and its processes were not read, the status that says why (`c.Kernel.Status` if it has a reason, else `proc` — pass `host.Proc` — if it has one, else \"container processes not collected\"); \"\" otherwise",
    },
    Helper {
        name: "restartRetries",
        params: &[("policy", Prim::Dyn)],
        returns: Prim::Int,
        doc: "how often Docker restarts a container with this `HostConfig.RestartPolicy`: -1 without limit (`always`, `unless-stopped`, `on-failure` with a count of 0 or less), 0 never (`no`, none), else the `on-failure` count",
    },
    Helper {
        name: "securityOption",
        params: &[("daemon", Prim::Dyn), ("name", Prim::String)],
        returns: Prim::Bool,
        doc: "the daemon lists `name=NAME` (`apparmor`, `selinux`, `seccomp`, `userns`, `rootless`) among its security options (`docker info`), or its info is not known, so that a check evaluates (or says what it could not know) instead of SKIPping on a guess",
    },
    Helper {
        name: "show",
        params: &[("value", Prim::Dyn)],
        returns: Prim::String,
        doc: "any value as evidence text: lists joined with \", \", maps as `k=v`",
    },
    Helper {
        name: "withDropIns",
        params: &[("file", Prim::Dyn)],
        returns: Prim::Dyn,
        doc: "a systemd unit's file fact followed by its drop-ins (`[file] + file.DropIns`): the files a unit check judges, e.g. as `files`",
    },
    Helper {
        name: "withReason",
        params: &[("status", Prim::Dyn), ("text", Prim::String)],
        returns: Prim::Dyn,
        doc: "the fact status `status` (any object with `State`, such as `host.Audit` or `daemon.InfoStatus`) with its `Reason` replaced by `text`, keeping its state: an `unknown` expression names what it could not know and still SKIPs when the fact cannot exist in this kind of scan, ERRORs when it could not be read; not a status: `text` alone (ERROR)",
    },
    Helper {
        name: "worst",
        params: &[("statuses", Prim::Dyn)],
        returns: Prim::Dyn,
        doc: "of a list of fact statuses (or objects carrying one, such as files), the first that is `unavailable` (ERROR beats SKIP), else the first; \"\" for an empty list",
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::cel_env;

    fn check(src: &str, key: &str) -> Result<(), String> {
        let mut vars = crate::engine::eval::variable_types();
        vars.insert(
            "params".into(),
            Ty::object([("limit".to_string(), Ty::Any)]),
        );
        let p = cel_env().compile(src).expect("compiles");
        check_expression(p.expression(), &vars, key).map_err(|e| e.describe(p.source_info(), src))
    }

    #[test]
    fn files_must_be_a_list_of_file_facts_or_paths() {
        for src in [
            "[host.Files['daemon.json']]",
            "host.RegistryCerts",
            "withDropIns(host.Files['docker.service'])",
            "[host.Files['docker.service']] + host.Files['docker.service'].DropIns",
            "['/etc/docker']",
        ] {
            check(src, "files").unwrap_or_else(|e| panic!("{src}: {e}"));
        }
        for (src, message) in [
            ("host.Files", "but this expression gives a map"),
            (
                "host.Files['daemon.json']",
                "one file fact: put it in a list",
            ),
            ("daemon.Networks", "its items are objects without `Path`"),
            ("[1, 2]", "its items are ints"),
            ("host.Files['daemon.json'].Path", "gives a string"),
        ] {
            let err = check(src, "files").expect_err(src);
            assert!(err.contains("must be a list of file facts"), "{src}: {err}");
            assert!(err.contains(message), "{src}: {err}");
        }
    }

    #[test]
    fn invalid_regular_expressions_are_rejected_where_they_are() {
        check("c.Name.matches('^web-[0-9]+$')", "finding").unwrap();
        check("matches(c.Name, '(?i)db')", "finding").unwrap();
        let err = check("c.Name != '' &&\n  c.Name.matches('web-[0-9')", "finding").unwrap_err();
        assert!(
            err.contains(
                "invalid regular expression \"web-[0-9\" in matches(): unclosed character class"
            ),
            "{err}"
        );
        assert!(err.contains("at line 2, column"), "{err}");
        let err = check("containers.exists(x, matches(x.Name, '*'))", "finding").unwrap_err();
        assert!(
            err.contains("repetition operator missing expression"),
            "{err}"
        );
        // Positions count characters, though cel's offsets are bytes.
        let err = check("c.Name == 'ééé' && c.Name + 1 == ''", "finding").unwrap_err();
        assert!(err.contains("at line 1, column 27:"), "{err}");
        // Positions of type errors too.
        let err = check("c.HostConfig.Privileged &&\n c.Name", "finding").unwrap_err();
        assert!(err.contains("at line 1, column"), "{err}");
    }

    #[test]
    fn well_typed_expressions_pass() {
        for src in [
            "c.HostConfig.Memory <= 0 && c.HostConfig.RestartPolicy.Name in ['always', 'no']",
            "c.Mounts.exists(m, pathWithin(m.Source, '/etc') && m.RW)",
            "size(c.HostConfig.CapAdd) > 0 || c.Config.Cmd.size() == 2",
            "c.State.Health == null || c.State.Health.Status == 'unhealthy'",
            "params.limit > 3 && c.HostConfig.PidsLimit == null",
            "c.Mounts.map(m, m.Source).join(', ') != ''",
            "permsWithin(host.Files['daemon.json'].Mode, '644')",
            "c.HostConfig.NanoCpus > 0.5",
        ] {
            check(src, "finding").unwrap_or_else(|e| panic!("{src}: {e}"));
        }
        check("c.Name + ': ' + string(c.HostConfig.Memory)", "evidence").unwrap();
        check("host.Proc.Available ? '' : host.Proc.Reason", "unknown").unwrap();
    }

    #[test]
    fn type_errors_are_rejected_with_what_is_wrong() {
        for (src, key, message) in [
            (
                "c.HostConfig.Memory + c.Name == ''",
                "finding",
                "'+' cannot combine an int and a string",
            ),
            (
                "nosuchHelper(c)",
                "finding",
                "unknown function 'nosuchHelper()'",
            ),
            (
                "c.Name > 3",
                "finding",
                "'>' cannot combine a string and an int",
            ),
            (
                "c.Name == 0",
                "finding",
                "'==' cannot combine a string and an int",
            ),
            (
                "c.HostConfig.Privileged.size() > 0",
                "finding",
                "size() of a bool",
            ),
            (
                "c.HostConfig.Privileged && c.Name",
                "finding",
                "'&&' needs bools, not a string",
            ),
            (
                "c.Name",
                "finding",
                "must be a bool, but this expression gives a string",
            ),
            (
                "c.HostConfig.Privileged",
                "unknown",
                "must be a string, but this expression gives a bool",
            ),
            (
                "c.HostConfig.CapAdd.contains('ALL')",
                "finding",
                "use `x in list`",
            ),
            (
                "pathWithin(c.HostConfig.Memory, '/')",
                "finding",
                "'path' must be a string, not an int",
            ),
            (
                "1 in c.HostConfig.CapAdd",
                "finding",
                "'in' looks for an int among strings",
            ),
            (
                "c.Name.Foo == ''",
                "finding",
                "field 'Foo' selected on a string",
            ),
            (
                "c.HostConfig.Memory.exists(m, true)",
                "finding",
                "cannot iterate over an int",
            ),
        ] {
            let err = check(src, key).expect_err(src);
            assert!(err.contains(message), "{src}: {err}");
        }
    }

    /// HELPERS documents and types exactly the functions engine/eval.rs registers.
    #[test]
    fn helper_table_matches_the_registered_functions() {
        let source = include_str!("eval.rs");
        let mut registered: Vec<&str> = source
            .split("add_function(")
            .skip(1)
            .filter_map(|rest| rest.trim_start().strip_prefix('"')?.split('"').next())
            .collect();
        registered.sort();
        let mut documented: Vec<&str> = HELPERS.iter().map(|h| h.name).collect();
        documented.sort();
        assert_eq!(
            registered, documented,
            "add the helper to engine/schema.rs HELPERS"
        );
    }
}
