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

constexpr Field point[] = {
    {.name = "x"sv, .type = Type::int_, .ge = 0},
    {.name = "y"sv, .type = Type::int_, .required = false},
};

constexpr Field item[] = {
    {.name = "name"sv, .type = Type::str, .min_length = 1, .max_length = 4},
    {.name = "price"sv, .type = Type::float_, .gt = 0},
    {.name = "quantity"sv, .type = Type::int_, .required = false, .le = 100},
    {.name = "tags"sv, .type = Type::str, .list = true, .required = false, .max_length = 2},
    {.name = "in_stock"sv, .type = Type::bool_, .nullable = true, .required = false},
    {.name = "at"sv, .type = Type::model, .nullable = true, .required = false, .fields = point, .field_count = 2},
    {.name = "path"sv, .type = Type::model, .list = true, .required = false, .fields = point, .field_count = 2},
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

TEST_CASE("nested models and lists of them") {
    std::vector<Value> v;
    REQUIRE(parse(R"({"name": "a", "price": 1, "at": {"x": 1, "z": 0}, "path": [{"x": 0, "y": -1}, {"x": 2}]})", v));
    REQUIRE(v[5].kind == Value::Kind::model);
    REQUIRE(v[5].items.size() == 2);
    CHECK(v[5].items[0].i == 1);
    CHECK(v[5].items[1].kind == Value::Kind::absent);
    REQUIRE(v[6].kind == Value::Kind::list);
    REQUIRE(v[6].items.size() == 2);
    CHECK(v[6].items[0].kind == Value::Kind::model);
    CHECK(v[6].items[0].items[1].i == -1);
    REQUIRE(parse(R"({"name": "a", "price": 1, "at": null})", v));
    CHECK(v[5].kind == Value::Kind::null);
    for (const char* json : {R"({"name": "a", "price": 1, "at": {"y": 1}})", R"({"name": "a", "price": 1, "at": [1]})",
                             R"({"name": "a", "price": 1, "path": [null]})",
                             R"({"name": "a", "price": 1, "path": [{"x": -1}]})"}) {
        INFO(json);
        CHECK_FALSE(parse(json, v));
    }
}

TEST_CASE("constraints: a value outside them is pydantic's to report") {
    std::vector<Value> v;
    CHECK(parse(R"({"name": "\u00e9\u00e9\u00e9\u00e9", "price": 1})", v));  // 4 code points, 8 bytes
    CHECK(parse(R"({"name": "a", "price": 1, "quantity": 100, "tags": ["a", "b"]})", v));
    for (const char* json : {R"({"name": "", "price": 1})", R"({"name": "abcde", "price": 1})",
                             R"({"name": "a", "price": 0})", R"({"name": "a", "price": -1.5})",
                             R"({"name": "a", "price": 1, "quantity": 101})",
                             R"({"name": "a", "price": 1, "quantity": 9007199254740993})",
                             R"({"name": "a", "price": 1, "tags": ["a", "b", "c"]})"}) {
        INFO(json);
        CHECK_FALSE(parse(json, v));
    }
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
    constexpr Field unbounded_price[] = {{.name = "price"sv, .type = Type::float_}};
    REQUIRE(fasterapi::body::parse(R"({"price": -0})", unbounded_price, 1, v));  // json.loads: the int 0, so 0.0
    CHECK(v[0].d == 0.0);
    CHECK_FALSE(std::signbit(v[0].d));
    CHECK_FALSE(fasterapi::body::parse(R"({"price": -0.0})", unbounded_price, 1, v));
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

namespace {

constexpr std::string_view status_texts[] = {"open"sv, "9"sv};
constexpr std::int64_t status_numbers[] = {9};
constexpr Field order[] = {
    {.name = "id"sv, .type = Type::uuid},
    {.name = "placed"sv, .type = Type::date, .required = false},
    {.name = "at"sv, .type = Type::datetime, .nullable = true, .required = false},
    {.name = "window"sv, .type = Type::time, .required = false},
    {.name = "total"sv, .type = Type::decimal, .required = false},
    {.name = "status"sv, .type = Type::choice, .list = true, .required = false, .str_choices = status_texts,
     .str_choice_count = 2, .int_choices = status_numbers, .int_choice_count = 1},
};

bool parse_order(const std::string& json, std::vector<Value>& out) {
    return fasterapi::body::parse(json, order, sizeof(order) / sizeof(order[0]), out);
}

}  // namespace

TEST_CASE("typed fields take the texts the parameter converters take") {
    std::vector<Value> v;
    REQUIRE(parse_order(R"({"id": "12345678-1234-5678-1234-567812345678", "placed": "2024-02-29",
                            "at": "2024-03-01T10:00:00+05:30", "window": "09:30", "total": "-1.50",
                            "status": ["open", 9, "9"]})", v));
    CHECK(v[0].kind == Value::Kind::uuid);
    CHECK(v[0].s == "12345678-1234-5678-1234-567812345678");
    CHECK(v[1].kind == Value::Kind::date);
    CHECK(v[1].i == 20240229);
    CHECK(v[2].kind == Value::Kind::datetime);
    CHECK(v[2].ymd == 20240301);
    CHECK(v[2].b);
    CHECK(v[2].offset == 5 * 3600 + 30 * 60);
    CHECK(v[3].kind == Value::Kind::time);
    CHECK_FALSE(v[3].b);
    CHECK(v[4].kind == Value::Kind::decimal);
    CHECK(v[4].s == "-1.50");
    REQUIRE(v[5].items.size() == 3);
    CHECK(v[5].items[0].i == 0);
    CHECK(v[5].items[1].i == 2);  // the integers come after the texts
    CHECK(v[5].items[2].i == 1);
    REQUIRE(parse_order(R"({"id": "12345678123456781234567812345678", "total": 15})", v));
    CHECK(v[4].s == "15");
}

TEST_CASE("typed fields leave every other spelling to pydantic") {
    std::vector<Value> v;
    const std::string id = R"("id": "12345678-1234-5678-1234-567812345678")";
    for (const char* rest : {R"("placed": 20240229)", R"("placed": "2023-02-29")", R"("at": 1700000000)",
                             R"("at": "2024-03-01")", R"("window": 3600)", R"("total": 1.5)", R"("total": "1e3")",
                             R"("total": 123456789012345678901234)", R"("status": ["OPEN"])",
                             R"("status": [9.0])", R"("status": [true])", R"("status": "open")"}) {
        CHECK_FALSE(parse_order("{" + id + ", " + rest + "}", v));
    }
    CHECK_FALSE(parse_order(R"({"id": "{12345678-1234-5678-1234-567812345678}"})", v));
    CHECK_FALSE(parse_order(R"({"id": 1})", v));
}
