//! A serialisable value (a container, an image, the host) as cel's runtime value in one pass.
//!
//! `cel::to_value` builds a `cel::Value` tree and `Context::add_variable_from_value` then
//! copies that whole tree into cel's `Box<dyn Val>` form: two trees per object, every field
//! name allocated twice (the profile of a 2,000-container scan: 43 % of evaluation). This
//! serializer builds the `Val` tree directly, with struct field names borrowed (`&'static str`
//! keys, shared by every object). The result is the value the two-step conversion gives:
//! the same types (`Int` for signed, `UInt` for unsigned integers, `null` for `None` and unit,
//! a unit variant as its name, `{variant: value}` for the other variants) and the same keys.
use std::collections::HashMap;
use std::fmt;

use cel::common::types::{
    CelBool, CelBytes, CelDouble, CelInt, CelList, CelMap, CelMapKey, CelNull, CelString, CelUInt,
};
use cel::common::value::Val;
use serde::ser::{self, Impossible, Serialize};

/// A CEL value that owns its data (its field names are `'static`).
pub type BoxVal = Box<dyn Val + 'static>;

/// `value` as a CEL value; errors as `cel::to_value`'s: a map key that is not a bool,
/// integer or string.
pub fn to_val<T: Serialize + ?Sized>(value: &T) -> Result<BoxVal, Error> {
    value.serialize(ValSerializer)
}

/// Why a value has no CEL form.
#[derive(Debug)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

type Entries = HashMap<CelMapKey<'static>, BoxVal>;

fn map(entries: Entries) -> BoxVal {
    Box::new(CelMap::from(entries))
}

/// `{variant: value}`.
fn variant(name: &'static str, value: BoxVal) -> BoxVal {
    map(HashMap::from([(CelMapKey::from(name), value)]))
}

struct ValSerializer;

impl ser::Serializer for ValSerializer {
    type Ok = BoxVal;
    type Error = Error;
    type SerializeSeq = List;
    type SerializeTuple = List;
    type SerializeTupleStruct = List;
    type SerializeTupleVariant = List;
    type SerializeMap = Map;
    type SerializeStruct = Map;
    type SerializeStructVariant = Map;

    fn serialize_bool(self, v: bool) -> Result<BoxVal, Error> {
        Ok(Box::new(CelBool::from(v)))
    }
    fn serialize_i8(self, v: i8) -> Result<BoxVal, Error> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i16(self, v: i16) -> Result<BoxVal, Error> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i32(self, v: i32) -> Result<BoxVal, Error> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i64(self, v: i64) -> Result<BoxVal, Error> {
        Ok(Box::new(CelInt::from(v)))
    }
    fn serialize_u8(self, v: u8) -> Result<BoxVal, Error> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u16(self, v: u16) -> Result<BoxVal, Error> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u32(self, v: u32) -> Result<BoxVal, Error> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u64(self, v: u64) -> Result<BoxVal, Error> {
        Ok(Box::new(CelUInt::from(v)))
    }
    fn serialize_f32(self, v: f32) -> Result<BoxVal, Error> {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<BoxVal, Error> {
        Ok(Box::new(CelDouble::from(v)))
    }
    fn serialize_char(self, v: char) -> Result<BoxVal, Error> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<BoxVal, Error> {
        Ok(Box::new(CelString::from(v.to_string())))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<BoxVal, Error> {
        Ok(Box::new(CelBytes::from(v.to_vec())))
    }
    fn serialize_none(self) -> Result<BoxVal, Error> {
        Ok(Box::new(CelNull))
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<BoxVal, Error> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<BoxVal, Error> {
        Ok(Box::new(CelNull))
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<BoxVal, Error> {
        Ok(Box::new(CelNull))
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<BoxVal, Error> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<BoxVal, Error> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        name: &'static str,
        v: &T,
    ) -> Result<BoxVal, Error> {
        Ok(variant(name, v.serialize(ValSerializer)?))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<List, Error> {
        Ok(List {
            items: Vec::with_capacity(len.unwrap_or(0)),
            variant: None,
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<List, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<List, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        name: &'static str,
        len: usize,
    ) -> Result<List, Error> {
        Ok(List {
            items: Vec::with_capacity(len),
            variant: Some(name),
        })
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Map, Error> {
        Ok(Map {
            entries: HashMap::with_capacity(len.unwrap_or(0)),
            next_key: None,
            variant: None,
        })
    }
    fn serialize_struct(self, _: &'static str, len: usize) -> Result<Map, Error> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        name: &'static str,
        len: usize,
    ) -> Result<Map, Error> {
        Ok(Map {
            entries: HashMap::with_capacity(len),
            next_key: None,
            variant: Some(name),
        })
    }
}

/// A list being built; `variant`: a tuple variant's name, the list's key.
struct List {
    items: Vec<BoxVal>,
    variant: Option<&'static str>,
}

impl List {
    fn push<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        self.items.push(v.serialize(ValSerializer)?);
        Ok(())
    }

    fn finish(self) -> Result<BoxVal, Error> {
        let list: BoxVal = Box::new(CelList::from(self.items));
        Ok(match self.variant {
            Some(name) => variant(name, list),
            None => list,
        })
    }
}

impl ser::SerializeSeq for List {
    type Ok = BoxVal;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        self.push(v)
    }
    fn end(self) -> Result<BoxVal, Error> {
        self.finish()
    }
}

impl ser::SerializeTuple for List {
    type Ok = BoxVal;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        self.push(v)
    }
    fn end(self) -> Result<BoxVal, Error> {
        self.finish()
    }
}

impl ser::SerializeTupleStruct for List {
    type Ok = BoxVal;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        self.push(v)
    }
    fn end(self) -> Result<BoxVal, Error> {
        self.finish()
    }
}

impl ser::SerializeTupleVariant for List {
    type Ok = BoxVal;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        self.push(v)
    }
    fn end(self) -> Result<BoxVal, Error> {
        self.finish()
    }
}

/// A map or struct being built; `variant`: a struct variant's name, the map's key.
struct Map {
    entries: Entries,
    next_key: Option<CelMapKey<'static>>,
    variant: Option<&'static str>,
}

impl Map {
    fn finish(self) -> Result<BoxVal, Error> {
        let m = map(self.entries);
        Ok(match self.variant {
            Some(name) => variant(name, m),
            None => m,
        })
    }
}

impl ser::SerializeMap for Map {
    type Ok = BoxVal;
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, k: &T) -> Result<(), Error> {
        self.next_key = Some(k.serialize(KeySerializer)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        let key = self
            .next_key
            .take()
            .ok_or_else(|| Error("serialize_value called before serialize_key".into()))?;
        self.entries.insert(key, v.serialize(ValSerializer)?);
        Ok(())
    }
    fn end(self) -> Result<BoxVal, Error> {
        self.finish()
    }
}

impl ser::SerializeStruct for Map {
    type Ok = BoxVal;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> Result<(), Error> {
        // The field name is borrowed: one copy for every object of the type.
        self.entries
            .insert(CelMapKey::from(key), v.serialize(ValSerializer)?);
        Ok(())
    }
    fn end(self) -> Result<BoxVal, Error> {
        self.finish()
    }
}

impl ser::SerializeStructVariant for Map {
    type Ok = BoxVal;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> Result<(), Error> {
        ser::SerializeStruct::serialize_field(self, key, v)
    }
    fn end(self) -> Result<BoxVal, Error> {
        self.finish()
    }
}

/// Map keys: bool, integers and strings (and what wraps them), as cel's own serializer.
struct KeySerializer;

fn bad_key(what: &str) -> Error {
    Error(format!("{what} is not supported as a map key"))
}

impl ser::Serializer for KeySerializer {
    type Ok = CelMapKey<'static>;
    type Error = Error;
    type SerializeSeq = Impossible<CelMapKey<'static>, Error>;
    type SerializeTuple = Impossible<CelMapKey<'static>, Error>;
    type SerializeTupleStruct = Impossible<CelMapKey<'static>, Error>;
    type SerializeTupleVariant = Impossible<CelMapKey<'static>, Error>;
    type SerializeMap = Impossible<CelMapKey<'static>, Error>;
    type SerializeStruct = Impossible<CelMapKey<'static>, Error>;
    type SerializeStructVariant = Impossible<CelMapKey<'static>, Error>;

    fn serialize_bool(self, v: bool) -> Result<Self::Ok, Error> {
        Ok(CelMapKey::from(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Self::Ok, Error> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i16(self, v: i16) -> Result<Self::Ok, Error> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i32(self, v: i32) -> Result<Self::Ok, Error> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i64(self, v: i64) -> Result<Self::Ok, Error> {
        Ok(CelMapKey::from(v))
    }
    fn serialize_u8(self, v: u8) -> Result<Self::Ok, Error> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u16(self, v: u16) -> Result<Self::Ok, Error> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u32(self, v: u32) -> Result<Self::Ok, Error> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u64(self, v: u64) -> Result<Self::Ok, Error> {
        Ok(CelMapKey::from(v))
    }
    fn serialize_f32(self, _: f32) -> Result<Self::Ok, Error> {
        Err(bad_key("a float"))
    }
    fn serialize_f64(self, _: f64) -> Result<Self::Ok, Error> {
        Err(bad_key("a float"))
    }
    fn serialize_char(self, v: char) -> Result<Self::Ok, Error> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<Self::Ok, Error> {
        Ok(CelMapKey::from(v.to_string()))
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<Self::Ok, Error> {
        Err(bad_key("bytes"))
    }
    fn serialize_none(self) -> Result<Self::Ok, Error> {
        Err(bad_key("None"))
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<Self::Ok, Error> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<Self::Ok, Error> {
        Err(bad_key("null"))
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Self::Ok, Error> {
        Err(bad_key("a unit struct"))
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<Self::Ok, Error> {
        Ok(CelMapKey::from(variant))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<Self::Ok, Error> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Self::Ok, Error> {
        Err(bad_key("a newtype variant"))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        Err(bad_key("a list"))
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Error> {
        Err(bad_key("a tuple"))
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        Err(bad_key("a tuple struct"))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(bad_key("a tuple variant"))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Err(bad_key("a map"))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Error> {
        Err(bad_key("a struct"))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(bad_key("a struct variant"))
    }
}

#[cfg(test)]
mod tests {
    use cel::Value;

    use super::*;
    use crate::engine::derive::{DeriveContext, derive, derive_image};
    use crate::snapshot::Snapshot;

    /// A value with every number's type and every map sorted: `Value`'s own equality takes
    /// `1` and `1u` for equal, and a `HashMap`'s order is random.
    fn shape(v: &Value) -> String {
        match v {
            Value::Map(m) => {
                let mut entries: Vec<String> = m
                    .map
                    .iter()
                    .map(|(k, v)| format!("{k:?}: {}", shape(v)))
                    .collect();
                entries.sort();
                format!("{{{}}}", entries.join(", "))
            }
            Value::List(items) => {
                let items: Vec<String> = items.iter().map(shape).collect();
                format!("[{}]", items.join(", "))
            }
            other => format!("{other:?}"),
        }
    }

    fn same<T: Serialize>(value: &T) {
        let one_pass = to_val(value).unwrap();
        let two_step: Box<dyn Val> = cel::to_value(value).unwrap().try_into().unwrap();
        let (a, b) = (
            Value::try_from(one_pass.as_ref()).unwrap(),
            Value::try_from(two_step.as_ref()).unwrap(),
        );
        assert_eq!(shape(&a), shape(&b));
        assert_eq!(one_pass.get_type(), two_step.get_type());
    }

    #[test]
    fn one_pass_gives_the_value_of_the_two_step_conversion() {
        for text in [
            include_str!("../../tests/fixtures/snapshots/risky.json"),
            include_str!("../../tests/fixtures/v2/files-snapshot.json"),
        ] {
            let snap = Snapshot::from_json(text).unwrap();
            same(&snap);
            let ctx = DeriveContext::new(&snap);
            for c in &snap.containers {
                same(&derive(c, &ctx));
            }
            for i in &snap.images {
                same(&derive_image(i, None));
            }
        }
        // Numbers of each kind, keys that are not strings, enums, bytes, nulls.
        #[derive(serde::Serialize)]
        enum E {
            Unit,
            New(u8),
            Tuple(i32, f32),
            Struct { a: Option<i64> },
        }
        let keys: std::collections::BTreeMap<u16, bool> = [(1, true), (2, false)].into();
        same(&serde_json::json!({"a": [1, -1, 1.5, null, "x", {"b": {}}], "big": u64::MAX}));
        same(&(E::Unit, E::New(7), E::Tuple(-3, 0.5), E::Struct { a: None }));
        same(&(keys, serde_bytes_like(), 'c', ()));
        assert!(to_val(&std::collections::BTreeMap::from([(1.5f32.to_bits(), 1)])).is_ok());
        let float_key: HashMap<String, HashMap<Vec<u8>, u8>> =
            [("k".into(), [(vec![1u8], 1u8)].into())].into();
        assert!(to_val(&float_key).is_err() && cel::to_value(&float_key).is_err());
    }

    /// Bytes through `serialize_bytes`.
    fn serde_bytes_like() -> impl Serialize {
        struct B;
        impl Serialize for B {
            fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_bytes(&[1, 2, 3])
            }
        }
        B
    }
}
