#include "fasterapi/body.hpp"

#include <simdjson.h>

#include <cmath>

#include "fasterapi/app.hpp"

namespace fasterapi::body {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// One scalar of `type` from `e`, or false.
bool scalar(const element& e, Type type, Value& out) {
    switch (type) {
        case Type::str: {
            std::string_view s;
            if (e.type() != element_type::STRING || e.get_string().get(s)) return false;
            out.kind = Value::Kind::str;
            out.s.assign(s);
            return true;
        }
        case Type::int_: {
            if (e.type() != element_type::INT64) return false;  // 1.0, "1", true: pydantic coerces; not here
            out.kind = Value::Kind::int_;
            out.i = e.get_int64().value_unsafe();
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
            if (!std::isfinite(d) || (d == 0 && std::signbit(d))) return false;
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
    }
    return false;
}

bool value(const element& e, const Field& f, Value& out) {
    if (e.type() == element_type::NULL_VALUE) {
        if (!f.nullable) return false;
        out.kind = Value::Kind::null;
        return true;
    }
    if (!f.list) return scalar(e, f.type, out);
    simdjson::dom::array items;
    if (e.get_array().get(items)) return false;
    out.kind = Value::Kind::list;
    out.items.clear();
    out.items.reserve(items.size());
    for (element item : items) {
        out.items.emplace_back();
        if (!scalar(item, f.type, out.items.back())) return false;
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
    simdjson::dom::object object;
    if (doc.get_object().get(object)) return false;
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

bool model(Call& call, const Field* fields, std::size_t n) {
    return parse(call.request.body, fields, n, call.body);
}

}  // namespace fasterapi::body
