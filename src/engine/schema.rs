//! The shape of the facts CEL expressions may touch, derived from the snapshot types'
//! JSON Schema, and a walk over a compiled expression that rejects unknown fields at load
//! time (a typo in a check is a load error, never a silent PASS).
use std::collections::BTreeMap;
use std::sync::Arc;

use cel::common::ast::{EntryExpr, Expr, IdedExpr};
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
    Scalar,
    /// Anything (free-form JSON, results of functions).
    Any,
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
        [] => Ty::Any,
        _ => Ty::Scalar,
    }
}

/// Walks `expr`, checking every field selection on a known object against `vars`.
/// Returns the first problem found as a message.
pub fn check_fields(expr: &IdedExpr, vars: &BTreeMap<String, Ty>) -> Result<(), String> {
    let mut scope: Vec<(String, Ty)> = vars.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    infer(expr, &mut scope).map(|_| ())
}

fn lookup(scope: &[(String, Ty)], name: &str) -> Option<Ty> {
    scope
        .iter()
        .rev()
        .find(|(n, _)| n == name)
        .map(|(_, t)| t.clone())
}

fn infer(e: &IdedExpr, scope: &mut Vec<(String, Ty)>) -> Result<Ty, String> {
    match &e.expr {
        Expr::Ident(name) => lookup(scope, name).ok_or_else(|| {
            let known: Vec<&str> = scope
                .iter()
                .map(|(n, _)| n.as_str())
                .filter(|n| !n.starts_with('@'))
                .collect();
            format!(
                "unknown variable '{name}' (available here: {})",
                known.join(", ")
            )
        }),
        Expr::Select(sel) => {
            let operand = infer(&sel.operand, scope)?;
            field(&operand, &sel.field)
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
            Ok(match (call.func_name.as_str(), args.as_slice()) {
                ("_[_]", [container, key]) => index(container, key, &call.args[1]),
                ("_?_:_", [_, a, b]) if a == b => a.clone(),
                ("filter" | "distinct" | "sort" | "reverse" | "slice", _) => {
                    target.unwrap_or(Ty::Any)
                }
                _ => Ty::Any,
            })
        }
        Expr::Comprehension(comp) => {
            let range = infer(&comp.iter_range, scope)?;
            let (first, second) = match &range {
                Ty::List(elem) => (Ty::Scalar, (**elem).clone()),
                Ty::Map(value) => (Ty::Scalar, (**value).clone()),
                Ty::Object(_) => (Ty::Scalar, Ty::Any),
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
            scope.push((comp.accu_var.clone(), init));
            infer(&comp.loop_cond, scope)?;
            infer(&comp.loop_step, scope)?;
            let result = infer(&comp.result, scope);
            scope.truncate(depth);
            result?;
            // `filter` keeps the element type; other macros give booleans or new lists.
            Ok(Ty::Any)
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
            Ok(Ty::Any)
        }
        Expr::Struct(st) => {
            for entry in &st.entries {
                if let EntryExpr::StructField(f) = &entry.expr {
                    infer(&f.value, scope)?;
                }
            }
            Ok(Ty::Any)
        }
        Expr::Literal(_) => Ok(Ty::Scalar),
        _ => Ok(Ty::Any),
    }
}

fn field(operand: &Ty, name: &str) -> Result<Ty, String> {
    match operand {
        Ty::Object(fields) => fields.get(name).cloned().ok_or_else(|| {
            let known: Vec<&str> = fields.keys().map(String::as_str).collect();
            format!("unknown field '{name}' (known here: {})", known.join(", "))
        }),
        Ty::Map(value) => Ok((**value).clone()),
        Ty::List(_) | Ty::Scalar => Err(format!(
            "field '{name}' selected on a value that has no fields"
        )),
        Ty::Any => Ok(Ty::Any),
    }
}

fn index(container: &Ty, key: &Ty, key_expr: &IdedExpr) -> Ty {
    match container {
        Ty::List(elem) => (**elem).clone(),
        Ty::Map(value) => (**value).clone(),
        Ty::Object(fields) => match &key_expr.expr {
            Expr::Literal(cel::common::ast::LiteralValue::String(s)) => {
                fields.get(&**s).cloned().unwrap_or(Ty::Any)
            }
            _ => {
                let _ = key;
                Ty::Any
            }
        },
        _ => Ty::Any,
    }
}
