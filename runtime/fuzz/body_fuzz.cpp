// libFuzzer harness for JSON bodies validated in C++ (fasterapi/body.hpp).
//
// The input is a request body. It is validated against a model with a field
// of every kind body::parse takes: str, int, float, bool, UUID, date,
// datetime, time, Decimal, Enum/Literal choices, lists, Optional, nested
// models and lists of them, with numeric and length constraints. What must
// hold when parse() accepts the body:
//   1. every value has its field's kind (absent only where the field has a
//      default, null only where it is Optional, a list only for a list) and
//      meets its constraints;
//   2. the values, written out again as JSON, validate to the same values
//      (a decoded-then-validated value round-trips);
//   3. parsing the same body again gives the same answer (the parser is
//      reused from call to call);
// and always: nothing crashes, leaks or reads out of bounds (ASan, UBSan).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "common.hpp"
#include "fasterapi/body.hpp"

using fasterapi::body::Field;
using fasterapi::body::Type;
using fasterapi::body::Value;
using fasterapi::fuzz::date_text;
using fasterapi::fuzz::two;
using namespace std::string_view_literals;

namespace {

constexpr std::string_view colours[] = {"red"sv, "green"sv, ""sv};
constexpr std::int64_t levels[] = {1, 2, -3};

constexpr Field address[] = {
    {.name = "street"sv, .type = Type::str, .min_length = 1, .max_length = 8},
    {.name = "zip"sv, .type = Type::decimal, .required = false},
    {.name = "colour"sv, .type = Type::choice, .nullable = true, .required = false, .str_choices = colours,
     .str_choice_count = 3, .int_choices = levels, .int_choice_count = 3},
};

constexpr Field item[] = {
    {.name = "name"sv, .type = Type::str},
    {.name = "price"sv, .type = Type::float_, .gt = 0, .le = 1e6},
    {.name = "count"sv, .type = Type::int_, .required = false, .ge = -10, .lt = 1000},
    {.name = "big"sv, .type = Type::int_, .required = false},
    {.name = "ratio"sv, .type = Type::float_, .nullable = true, .required = false},
    {.name = "on"sv, .type = Type::bool_, .required = false},
    {.name = "tags"sv, .type = Type::str, .list = true, .required = false, .max_length = 3},
    {.name = "scores"sv, .type = Type::int_, .list = true, .nullable = true, .required = false, .ge = 0,
     .min_length = 1},
    {.name = "id"sv, .type = Type::uuid, .required = false},
    {.name = "day"sv, .type = Type::date, .required = false},
    {.name = "at"sv, .type = Type::datetime, .nullable = true, .required = false},
    {.name = "alarm"sv, .type = Type::time, .required = false},
    {.name = "amount"sv, .type = Type::decimal, .required = false},
    {.name = "level"sv, .type = Type::choice, .required = false, .str_choices = colours, .str_choice_count = 2,
     .int_choices = levels, .int_choice_count = 3},
    {.name = "home"sv, .type = Type::model, .nullable = true, .required = false, .fields = address,
     .field_count = 3},
    {.name = "stops"sv, .type = Type::model, .list = true, .required = false, .fields = address, .field_count = 3,
     .max_length = 4},
    {.name = "\xc3\xa9t\xc3\xa9"sv, .type = Type::str, .required = false, .min_length = 2, .max_length = 3},
};
constexpr std::size_t item_count = sizeof(item) / sizeof(item[0]);

[[noreturn]] void fail(const char* what, std::string_view a = {}, std::string_view b = {}) {
    std::fprintf(stderr, "body_fuzz: %s\n  first:  %.*s\n  second: %.*s\n", what, static_cast<int>(a.size()), a.data(),
                 static_cast<int>(b.size()), b.data());
    std::abort();
}

std::size_t code_points(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

bool within(double x, const Field& f) { return x > f.gt && x >= f.ge && x < f.lt && x <= f.le; }

Value::Kind kind_of(Type t) {
    switch (t) {
        case Type::str: return Value::Kind::str;
        case Type::int_: return Value::Kind::int_;
        case Type::float_: return Value::Kind::float_;
        case Type::bool_: return Value::Kind::bool_;
        case Type::model: return Value::Kind::model;
        case Type::uuid: return Value::Kind::uuid;
        case Type::date: return Value::Kind::date;
        case Type::datetime: return Value::Kind::datetime;
        case Type::time: return Value::Kind::time;
        case Type::decimal: return Value::Kind::decimal;
        case Type::choice: return Value::Kind::choice;
    }
    return Value::Kind::absent;
}

void check_fields(const Field* fields, std::size_t n, const std::vector<Value>& values, std::string_view body);

void check_item(const Field& f, const Value& v, std::string_view body) {
    if (v.kind != kind_of(f.type)) fail("an item has the wrong kind", f.name, body);
    switch (f.type) {
        case Type::str:
            if (!f.list && (code_points(v.s) < f.min_length || code_points(v.s) > f.max_length))
                fail("a str outside its length limits", f.name, body);
            break;
        case Type::int_:
            if ((f.gt != -fasterapi::body::unbounded || f.ge != -fasterapi::body::unbounded ||
                 f.lt != fasterapi::body::unbounded || f.le != fasterapi::body::unbounded) &&
                !within(static_cast<double>(v.i), f))
                fail("an int outside its bounds", f.name, body);
            break;
        case Type::float_:
            if (!std::isfinite(v.d) || !within(v.d, f)) fail("a float outside its bounds", f.name, body);
            break;
        case Type::model:
            check_fields(f.fields, f.field_count, v.items, body);
            break;
        case Type::choice:
            if (v.i < 0 || static_cast<std::size_t>(v.i) >= f.str_choice_count + f.int_choice_count)
                fail("a choice index out of range", f.name, body);
            break;
        default:
            break;
    }
}

void check_fields(const Field* fields, std::size_t n, const std::vector<Value>& values, std::string_view body) {
    if (values.size() != n) fail("not one value per field", body);
    for (std::size_t k = 0; k < n; ++k) {
        const Field& f = fields[k];
        const Value& v = values[k];
        if (v.kind == Value::Kind::absent) {
            if (f.required) fail("a required field is absent", f.name, body);
        } else if (v.kind == Value::Kind::null) {
            if (!f.nullable) fail("null for a field that is not Optional", f.name, body);
        } else if (f.list) {
            if (v.kind != Value::Kind::list) fail("a list field without a list", f.name, body);
            if (v.items.size() < f.min_length || v.items.size() > f.max_length)
                fail("a list outside its length limits", f.name, body);
            for (const Value& x : v.items) check_item(f, x, body);
        } else {
            check_item(f, v, body);
        }
    }
}

// ---- Writing values out as JSON -------------------------------------------

void string_literal(std::string_view s, std::string& out) {
    out.push_back('"');
    for (unsigned char c : s) {
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(static_cast<char>(c));
        } else if (c < 0x20) {
            char b[8];
            std::snprintf(b, sizeof b, "\\u%04x", c);
            out.append(b);
        } else {
            out.push_back(static_cast<char>(c));
        }
    }
    out.push_back('"');
}

std::string time_text(const Value& v) {
    char b[32];
    std::snprintf(b, sizeof b, "%02lld:%02lld:%02lld.%06lld", static_cast<long long>(v.i / 10000000000LL),
                  static_cast<long long>(v.i / 100000000LL % 100), static_cast<long long>(v.i / 1000000 % 100),
                  static_cast<long long>(v.i % 1000000));
    std::string t = b;
    if (v.b) {
        const long long off = v.offset < 0 ? -static_cast<long long>(v.offset) : v.offset;
        t += (v.offset < 0 ? "-" : "+") + two(off / 3600) + ":" + two(off / 60 % 60);
    }
    return t;
}

void write_fields(const Field* fields, std::size_t n, const std::vector<Value>& values, std::string& out);

void write_item(const Field& f, const Value& v, std::string& out) {
    switch (v.kind) {
        case Value::Kind::str:
        case Value::Kind::uuid:
        case Value::Kind::decimal: string_literal(v.s, out); break;
        case Value::Kind::int_: out.append(std::to_string(v.i)); break;
        case Value::Kind::float_: {
            char b[40];
            std::snprintf(b, sizeof b, "%.17g", v.d);
            out.append(b);
            break;
        }
        case Value::Kind::bool_: out.append(v.b ? "true" : "false"); break;
        case Value::Kind::date: string_literal(date_text(v.i), out); break;
        case Value::Kind::time: string_literal(time_text(v), out); break;
        case Value::Kind::datetime: string_literal(date_text(v.ymd) + "T" + time_text(v), out); break;
        case Value::Kind::choice: {
            const auto k = static_cast<std::size_t>(v.i);
            if (k < f.str_choice_count) {
                string_literal(f.str_choices[k], out);
            } else {
                out.append(std::to_string(f.int_choices[k - f.str_choice_count]));
            }
            break;
        }
        case Value::Kind::model: write_fields(f.fields, f.field_count, v.items, out); break;
        case Value::Kind::null: out.append("null"); break;
        case Value::Kind::list:
        case Value::Kind::absent: fail("an item that cannot be written", f.name); break;
    }
}

void write_fields(const Field* fields, std::size_t n, const std::vector<Value>& values, std::string& out) {
    out.push_back('{');
    bool first = true;
    for (std::size_t k = 0; k < n; ++k) {
        const Value& v = values[k];
        if (v.kind == Value::Kind::absent) continue;
        if (!first) out.push_back(',');
        first = false;
        string_literal(fields[k].name, out);
        out.push_back(':');
        if (v.kind == Value::Kind::list) {
            out.push_back('[');
            for (std::size_t i = 0; i < v.items.size(); ++i) {
                if (i > 0) out.push_back(',');
                write_item(fields[k], v.items[i], out);
            }
            out.push_back(']');
        } else {
            write_item(fields[k], v, out);
        }
    }
    out.push_back('}');
}

// Everything observable about values, for comparing.
void describe(const std::vector<Value>& values, std::string& out) {
    for (const Value& v : values) {
        char b[96];
        std::snprintf(b, sizeof b, "(%d %d %d %d %lld %a ", static_cast<int>(v.kind), v.b, v.offset, v.ymd,
                      static_cast<long long>(v.i), v.d);
        out.append(b).append(v.s).append(" [");
        describe(v.items, out);
        out.append("])");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    std::vector<Value> values;
    const bool ok = fasterapi::body::parse(body, item, item_count, values);

    std::vector<Value> again;
    if (fasterapi::body::parse(body, item, item_count, again) != ok) fail("a second parse answers differently", body);
    if (!ok) return 0;

    check_fields(item, item_count, values, body);
    std::string first, second;
    describe(values, first);
    describe(again, second);
    if (first != second) fail("a second parse gives other values", first, second);

    std::string written;
    write_fields(item, item_count, values, written);
    std::vector<Value> reread;
    if (!fasterapi::body::parse(written, item, item_count, reread))
        fail("accepted values, written out again, are refused", body, written);
    std::string third;
    describe(reread, third);
    if (first != third) fail("accepted values, written out again, read back differently", first, third);
    return 0;
}
