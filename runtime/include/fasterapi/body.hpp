// JSON bodies validated in C++: for a pydantic model whose fields are all
// plain scalars (str, int, float, bool; UUID, date, datetime, time and
// Decimal from strings as the parameter converters take them, Decimal also
// from integers; Enum members and Literal values from their str or int
// values), nested models of the same kind,
// lists of either, or Optional of any of these, with numeric and length
// constraints, a body that matches the model exactly is parsed (simdjson, DOM:
// the whole document is validated, as json.loads does) into BodyValues on
// the reactor thread, without the GIL; the extension then builds the model
// the way pydantic's model_construct would, which for such input is what
// validation returns.
//
// "Exactly" is deliberately narrow, so that the result is provably
// pydantic's: an object whose keys name fields at most once each, every
// required field present, strings for str, integers within int64 for int,
// finite numbers for float (integers become floats as pydantic makes them),
// true/false for bool, objects for nested models, null only where the field
// is Optional, arrays of the element type for lists, every constraint met.
// Anything else — a type pydantic would coerce
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
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace fasterapi {

class Call;

namespace body {

enum class Type : std::uint8_t { str, int_, float_, bool_, model, uuid, date, datetime, time, decimal, choice };

inline constexpr double unbounded = std::numeric_limits<double>::infinity();

struct Field {
    std::string_view name;
    Type type;
    bool list = false;      // list[type]
    bool nullable = false;  // Optional[...]: null gives None
    bool required = true;   // no default: absent -> pydantic reports it (false here)
    const Field* fields = nullptr;  // of a nested model (type model)
    std::size_t field_count = 0;
    // Constraints (Field(gt=..., min_length=...)): a value outside them is
    // pydantic's to report. Numbers compare as doubles; the lengths are of a
    // str in code points, or of a list.
    double gt = -unbounded, ge = -unbounded, lt = unbounded, le = unbounded;
    std::size_t min_length = 0, max_length = static_cast<std::size_t>(-1);
    // Of a choice: the JSON strings, then the JSON integers, that pydantic
    // turns into a member or literal; Value::i is the index in that order.
    const std::string_view* str_choices = nullptr;
    std::size_t str_choice_count = 0;
    const std::int64_t* int_choices = nullptr;
    std::size_t int_choice_count = 0;
};

struct Value {
    enum class Kind : std::uint8_t { absent, null, str, int_, float_, bool_, list, model, uuid, date, datetime, time,
                                     decimal, choice };
    Kind kind = Kind::absent;
    bool b = false;  // of a time or datetime: has a UTC offset, of `offset` seconds
    std::int32_t offset = 0;
    std::int32_t ymd = 0;  // of a datetime: its date, packed as Arg's
    std::int64_t i = 0;    // date, time, choice: packed as Arg's
    // str, uuid and decimal: the text.
    double d = 0;
    std::string s;
    std::vector<Value> items;  // of a list; of a nested model, one per field
};

// Parses `json` against `fields` into `out` (resized to n); false when the
// body is not an exact match (see above).
bool parse(std::string_view json, const Field* fields, std::size_t n, std::vector<Value>& out);

// For trampolines: validates call.request.body into call.body.
bool model(Call& call, const Field* fields, std::size_t n);

}  // namespace body
}  // namespace fasterapi
