// body::parse: a JSON body is taken in C++ only when it matches the model
// exactly; everything else is left to pydantic (false).
#include "fasterapi/body.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

using fasterapi::body::Field;
using fasterapi::body::Type;
using fasterapi::body::Value;
using namespace std::string_view_literals;

namespace {

constexpr Field item[] = {
    {"name"sv, Type::str, false, false, true},
    {"price"sv, Type::float_, false, false, true},
    {"quantity"sv, Type::int_, false, false, false},
    {"tags"sv, Type::str, true, false, false},
    {"in_stock"sv, Type::bool_, false, true, false},
};
constexpr std::size_t n = sizeof(item) / sizeof(item[0]);

bool parse(const std::string& json, std::vector<Value>& out) { return fasterapi::body::parse(json, item, n, out); }

}  // namespace

TEST_CASE("an exactly typed object fills every field, absent ones stay absent") {
    std::vector<Value> v;
    REQUIRE(parse(R"({"price": 12.5, "name": "caf\u00e9", "tags": ["a", "b"], "in_stock": null, "x": [1, {}]})", v));
    REQUIRE(v.size() == n);
    CHECK(v[0].kind == Value::Kind::str);
    CHECK(v[0].s == "caf\xc3\xa9");
    CHECK(v[1].kind == Value::Kind::float_);
    CHECK(v[1].d == 12.5);
    CHECK(v[2].kind == Value::Kind::absent);
    REQUIRE(v[3].kind == Value::Kind::list);
    REQUIRE(v[3].items.size() == 2);
    CHECK(v[3].items[1].s == "b");
    CHECK(v[4].kind == Value::Kind::null);
}

TEST_CASE("integers become floats for float fields, as pydantic converts them") {
    std::vector<Value> v;
    REQUIRE(parse(R"({"name": "a", "price": 3, "quantity": -7})", v));
    CHECK(v[1].kind == Value::Kind::float_);
    CHECK(v[1].d == 3.0);
    CHECK(v[2].i == -7);
    REQUIRE(parse(R"({"name": "a", "price": 18446744073709551615})", v));
    CHECK(v[1].d == 18446744073709551616.0);
    REQUIRE(parse(R"({"name": "a", "price": 1e2})", v));
    CHECK(v[1].d == 100.0);
    REQUIRE(parse(R"({"name": "a", "price": -0})", v));  // json.loads: the int 0, so 0.0
    CHECK(v[1].d == 0.0);
    CHECK_FALSE(std::signbit(v[1].d));
}

TEST_CASE("anything pydantic would coerce, reject or read differently is left to it") {
    std::vector<Value> v;
    for (const char* json : {
             R"({"price": 1})",                                      // required name missing
             R"({"name": "a", "price": "1"})",                       // str for float: pydantic coerces
             R"({"name": "a", "price": 1, "quantity": 1.0})",        // float for int
             R"({"name": "a", "price": 1, "quantity": "2"})",        // str for int
             R"({"name": "a", "price": 1, "quantity": 9223372036854775808})",  // beyond int64
             R"({"name": "a", "price": 1, "in_stock": 1})",          // int for bool
             R"({"name": null, "price": 1})",                        // null, not Optional
             R"({"name": "a", "price": -0.0})",                      // negative zero: see body.cpp
             R"({"name": "a", "price": 1e400})",                     // inf for json.loads
             R"({"name": "a", "price": NaN})",                       // Python's extension
             R"({"name": "a", "name": "b", "price": 1})",            // json.loads keeps the last
             R"({"name": "a", "price": 1, "tags": ["a", 1]})",       // a list item of another type
             R"({"name": "a", "price": 1, "tags": "a"})",            // not a list
             R"({"name": "lone \ud800", "price": 1})",              // json.loads allows it
             R"({"name": "a", "price": 1, "x": [1, 2,]})",          // invalid in an ignored key
             R"({"name": "a", "price": 1} x)",                      // trailing garbage
             R"([{"name": "a", "price": 1}])",                       // not an object
             "",
         }) {
        INFO(json);
        CHECK_FALSE(parse(json, v));
    }
}
