// App: the trampolines' converters accept exactly what pydantic surely accepts.
#include "fasterapi/app.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using fasterapi::Arg;
namespace conv = fasterapi::conv;

TEST_CASE("to_int accepts plain decimal integers only") {
    Arg a;
    REQUIRE(conv::to_int("42", a));
    CHECK(a.kind == Arg::Kind::int_);
    CHECK(a.i == 42);
    REQUIRE(conv::to_int("-7", a));
    CHECK(a.i == -7);
    REQUIRE(conv::to_int("+3", a));
    CHECK(a.i == 3);
    REQUIRE(conv::to_int("007", a));
    CHECK(a.i == 7);
    REQUIRE(conv::to_int("999999999999999999", a));
    CHECK(a.i == 999999999999999999LL);
    // pydantic accepts some of these (" 1", "1_0", "1.0"): FastAPI decides them.
    for (const char* s : {"", "-", "+", " 1", "1 ", "1_0", "1.0", "1e3", "0x10", "abc", "1234567890123456789"}) {
        CHECK_FALSE(conv::to_int(s, a));
    }
}

TEST_CASE("to_float accepts plain decimals only") {
    Arg a;
    REQUIRE(conv::to_float("1.5", a));
    CHECK(a.d == 1.5);
    REQUIRE(conv::to_float("-2", a));
    CHECK(a.d == -2.0);
    REQUIRE(conv::to_float("-0", a));
    CHECK(std::signbit(a.d));
    REQUIRE(conv::to_float("0.1", a));
    CHECK(a.d == 0.1);
    for (const char* s : {"", ".5", "5.", "1e3", "inf", "nan", "1,5", "--1", "1.2.3", " 1"}) {
        CHECK_FALSE(conv::to_float(s, a));
    }
}

TEST_CASE("to_bool takes pydantic's spellings in any case") {
    Arg a;
    for (const char* s : {"1", "true", "TRUE", "True", "on", "yes", "Y", "t"}) {
        REQUIRE(conv::to_bool(s, a));
        CHECK(a.b);
    }
    for (const char* s : {"0", "false", "Off", "NO", "n", "F"}) {
        REQUIRE(conv::to_bool(s, a));
        CHECK_FALSE(a.b);
    }
    for (const char* s : {"", "2", "tru", "yess", "truee", "-1"}) CHECK_FALSE(conv::to_bool(s, a));
}

TEST_CASE("query_last returns the last value, as Starlette's QueryParams.get") {
    fasterapi::Call call;
    call.request.storage = "a=1&b=x&a=2&c";
    call.request.query = call.request.storage;
    REQUIRE(call.query_last("a"));
    CHECK(*call.query_last("a") == "2");
    CHECK(*call.query_last("c") == "");
    CHECK(call.query_last("zz") == nullptr);
}
