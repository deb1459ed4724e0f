// JSON bodies validated in C++: for a pydantic model whose fields are all
// plain scalars (str, int, float, bool), lists of them, or Optional of
// either, a body that matches the model exactly is parsed (simdjson, DOM:
// the whole document is validated, as json.loads does) into BodyValues on
// the reactor thread, without the GIL; the extension then builds the model
// the way pydantic's model_construct would, which for such input is what
// validation returns.
//
// "Exactly" is deliberately narrow, so that the result is provably
// pydantic's: an object whose keys name fields at most once each, every
// required field present, strings for str, integers within int64 for int,
// finite numbers for float (integers become floats as pydantic makes them),
// true/false for bool, null only where the field is Optional, arrays of the
// element type for lists. Anything else — a type pydantic would coerce
// ("1" for an int, 1 for a bool), an error, JSON that Python reads and
// simdjson does not (NaN, lone surrogates, other encodings) — returns false,
// and FastAPI's own code validates the request, with its exact errors.
//
// What must hold:
//   - Field names are the model's field names, which are also the JSON keys
//     (no aliases: the generator checks it).
//   - Call::body holds one BodyValue per field, in field order, after parse()
//     returned true; absent ones take the model's defaults.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fasterapi {

class Call;

namespace body {

enum class Type : std::uint8_t { str, int_, float_, bool_ };

struct Field {
    std::string_view name;
    Type type;
    bool list;      // list[type]
    bool nullable;  // Optional[...]: null gives None
    bool required;  // no default: absent -> pydantic reports it (false here)
};

struct Value {
    enum class Kind : std::uint8_t { absent, null, str, int_, float_, bool_, list };
    Kind kind = Kind::absent;
    bool b = false;
    std::int64_t i = 0;
    double d = 0;
    std::string s;
    std::vector<Value> items;  // of a list
};

// Parses `json` against `fields` into `out` (resized to n); false when the
// body is not an exact match (see above).
bool parse(std::string_view json, const Field* fields, std::size_t n, std::vector<Value>& out);

// For trampolines: validates call.request.body into call.body.
bool model(Call& call, const Field* fields, std::size_t n);

}  // namespace body
}  // namespace fasterapi
