#include "fasterapi/body.hpp"

#include <simdjson.h>

#include <cmath>
#include <string>

#include "fasterapi/app.hpp"

namespace fasterapi::body {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

bool object(const element& e, const Field* fields, std::size_t n, std::vector<Value>& out);

// Integers beyond 2^53 are not compared as doubles: pydantic compares them exactly.
constexpr std::int64_t exact_double = std::int64_t{1} << 53;

bool within(double x, const Field& f) { return x > f.gt && x >= f.ge && x < f.lt && x <= f.le; }

bool bounded(const Field& f) { return f.gt != -unbounded || f.ge != -unbounded || f.lt != unbounded || f.le != unbounded; }

bool length_ok(std::size_t n, const Field& f) { return n >= f.min_length && n <= f.max_length; }

std::size_t code_points(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;  // simdjson has validated the UTF-8
    return n;
}

bool choice(Value& out, std::size_t index) {
    out.kind = Value::Kind::choice;
    out.i = static_cast<std::int64_t>(index);
    return true;
}

// A UUID, date, datetime, time or Decimal from a JSON string, as the
// parameter converters take its text; a Decimal also from a JSON integer.
bool typed(const element& e, Type type, Value& out) {
    if (type == Type::decimal && e.type() == element_type::INT64) {
        out.kind = Value::Kind::decimal;
        out.s = std::to_string(e.get_int64().value_unsafe());
        return true;
    }
    if (e.type() != element_type::STRING) return false;  // numbers as timestamps and the like: pydantic decides
    std::string_view s = e.get_string().value_unsafe();
    Arg a;
    bool ok = false;
    switch (type) {
        case Type::uuid: ok = conv::to_uuid(s, a); out.kind = Value::Kind::uuid; break;
        case Type::date: ok = conv::to_date(s, a); out.kind = Value::Kind::date; break;
        case Type::datetime: ok = conv::to_datetime(s, a); out.kind = Value::Kind::datetime; break;
        case Type::time: ok = conv::to_time(s, a); out.kind = Value::Kind::time; break;
        case Type::decimal: ok = conv::to_decimal(s, a); out.kind = Value::Kind::decimal; break;
        default: break;
    }
    if (!ok) return false;
    out.b = a.b;
    out.offset = a.offset;
    out.ymd = a.ymd;
    out.i = a.i;
    if (type == Type::uuid || type == Type::decimal) out.s.assign(s);
    return true;
}

// One item of field `f`'s type from `e` (the field itself, or an item of its list), or false.
bool item(const element& e, const Field& f, Value& out) {
    switch (f.type) {
        case Type::str: {
            std::string_view s;
            if (e.type() != element_type::STRING || e.get_string().get(s)) return false;
            if (!f.list && !length_ok(code_points(s), f)) return false;
            out.kind = Value::Kind::str;
            out.s.assign(s);
            return true;
        }
        case Type::int_: {
            if (e.type() != element_type::INT64) return false;  // 1.0, "1", true: pydantic coerces; not here
            const std::int64_t i = e.get_int64().value_unsafe();
            if (bounded(f) && (i > exact_double || i < -exact_double || !within(static_cast<double>(i), f))) return false;
            out.kind = Value::Kind::int_;
            out.i = i;
            return true;
        }
        case Type::float_: {
            double d;
            switch (e.type()) {
                // pydantic's float(int): correctly rounded, as this conversion is.
                case element_type::INT64: d = static_cast<double>(e.get_int64().value_unsafe()); break;
                case element_type::UINT64: d = static_cast<double>(e.get_uint64().value_unsafe()); break;
                case element_type::DOUBLE: d = e.get_double().value_unsafe(); break;
                default: return false;
            }
            // json.loads reads "-0" as the int 0 (so 0.0), and some simdjson
            // versions as the double -0.0: which text it was is not known here.
            if (!std::isfinite(d) || (d == 0 && std::signbit(d)) || !within(d, f)) return false;
            out.kind = Value::Kind::float_;
            out.d = d;
            return true;
        }
        case Type::bool_: {
            if (e.type() != element_type::BOOL) return false;  // 0/1 and "yes": pydantic coerces; not here
            out.kind = Value::Kind::bool_;
            out.b = e.get_bool().value_unsafe();
            return true;
        }
        case Type::model:
            out.kind = Value::Kind::model;
            return object(e, f.fields, f.field_count, out.items);
        case Type::uuid:
        case Type::date:
        case Type::datetime:
        case Type::time:
        case Type::decimal:
            return typed(e, f.type, out);
        case Type::choice: {
            if (e.type() == element_type::STRING) {
                std::string_view s = e.get_string().value_unsafe();
                for (std::size_t k = 0; k < f.str_choice_count; ++k) {
                    if (f.str_choices[k] == s) return choice(out, k);
                }
            } else if (e.type() == element_type::INT64) {
                const std::int64_t i = e.get_int64().value_unsafe();
                for (std::size_t k = 0; k < f.int_choice_count; ++k) {
                    if (f.int_choices[k] == i) return choice(out, f.str_choice_count + k);
                }
            }
            return false;
        }
    }
    return false;
}

bool value(const element& e, const Field& f, Value& out) {
    if (e.type() == element_type::NULL_VALUE) {
        if (!f.nullable) return false;
        out.kind = Value::Kind::null;
        return true;
    }
    if (!f.list) return item(e, f, out);
    simdjson::dom::array items;
    if (e.get_array().get(items) || !length_ok(items.size(), f)) return false;
    out.kind = Value::Kind::list;
    out.items.clear();
    out.items.reserve(items.size());
    for (element x : items) {
        out.items.emplace_back();
        if (!item(x, f, out.items.back())) return false;
    }
    return true;
}

bool object(const element& e, const Field* fields, std::size_t n, std::vector<Value>& out) {
    simdjson::dom::object object;
    if (e.get_object().get(object)) return false;
    out.assign(n, Value{});
    for (auto [key, v] : object) {
        std::size_t k = 0;
        while (k < n && fields[k].name != key) ++k;
        if (k == n) continue;  // not a field: pydantic ignores extra keys
        if (out[k].kind != Value::Kind::absent) return false;  // repeated: json.loads keeps the last; leave it to it
        if (!value(v, fields[k], out[k])) return false;
    }
    for (std::size_t k = 0; k < n; ++k) {
        if (fields[k].required && out[k].kind == Value::Kind::absent) return false;
    }
    return true;
}

}  // namespace

bool parse(std::string_view json, const Field* fields, std::size_t n, std::vector<Value>& out) {
    // One parser per thread: reactor threads parse without locks, and the
    // parser's buffers are reused from request to request.
    thread_local simdjson::dom::parser parser;
    element doc;
    if (parser.parse(json.data(), json.size(), true).get(doc)) return false;  // copies into padding
    return object(doc, fields, n, out);
}

bool model(Call& call, const Field* fields, std::size_t n) {
    return parse(call.request.body, fields, n, call.body);
}

}  // namespace fasterapi::body
