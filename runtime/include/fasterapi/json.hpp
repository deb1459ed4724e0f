// JSON encoding of Python objects, byte-identical to what FastAPI sends.
//
// FastAPI answers a path operation without a response model with
// `JSONResponse(jsonable_encoder(value))`, i.e.
//   json.dumps(jsonable_encoder(value), ensure_ascii=False, allow_nan=False,
//              separators=(",", ":")).encode("utf-8")
// These functions produce the same bytes without building the intermediate
// Python objects. Every function here needs the GIL.
//
// What must hold:
//   - a value is encoded here only when the bytes are certain to be FastAPI's;
//     anything else is handed to FastAPI's own `jsonable_encoder` (for that
//     sub-value only) and its result encoded with `dumps` semantics.
//   - on failure (a Python exception is set) the output is unspecified and the
//     caller answers 500, as FastAPI does when json.dumps raises.
//   - when a value holds more than one problem, the exception raised is the
//     one Python raises: jsonable_encoder's first, then json.dumps' (the first
//     in document order), then the UTF-8 encoding's (lone surrogates). Only
//     the position in a UnicodeEncodeError's message differs: it counts from
//     the start of the offending str, not of the whole document.
#pragma once

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <string>
#include <string_view>

namespace fasterapi::json {

// Appends `json.dumps(obj, ensure_ascii=False, allow_nan=False,
// separators=(",", ":"))` encoded as UTF-8. Returns false with a Python
// exception set where json.dumps would raise (NaN/inf, unsupported type,
// unsupported key, lone surrogate on encoding).
bool dumps(PyObject* obj, std::string& out);

// Appends the bytes of dumps(jsonable_encoder(obj)). `jsonable_encoder` is
// fastapi.encoders.jsonable_encoder (borrowed reference, kept by the caller);
// it is called only for sub-values that are not plain dict/list/tuple/str/
// int/float/bool/None (exact types), and for a whole plain dict when one of
// its keys is not of those exact types. Plain dicts drop str keys starting
// with "_sa", as jsonable_encoder's sqlalchemy_safe=True does.
bool encode_jsonable(PyObject* obj, PyObject* jsonable_encoder, std::string& out);

// Appends `json.dumps(obj)` with json's defaults (ensure_ascii=True,
// separators (", ", ": ")) — what FastAPI writes into an event's `data:` —
// when obj is plain: exact dicts with str keys, lists, str, int, bool, None
// and finite floats, nested at most 32 deep. Returns false, with `out` as it
// was and no exception set, for anything else (the caller lets Python do it).
bool dumps_plain_ascii(PyObject* obj, std::string& out);

// Appends a JSON string literal for UTF-8 text, escaping as json.dumps with
// ensure_ascii=False does: \" \\ \n \r \t \b \f, other bytes below 0x20 as
// \u00XX, everything else raw.
void append_string(std::string_view utf8, std::string& out);

// Appends repr(float(v)) for a finite v: "1.0", "0.1", "1e+16", "1e-05",
// "-0.0", "1.7976931348623157e+308".
void append_double(double v, std::string& out);

}  // namespace fasterapi::json
