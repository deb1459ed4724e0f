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

TEST_CASE("to_uuid takes the hyphenated and the 32-digit forms, any case") {
    Arg a;
    REQUIRE(conv::to_uuid("12345678-1234-5678-1234-567812345678", a));
    CHECK(a.kind == Arg::Kind::uuid);
    CHECK(a.s == "12345678-1234-5678-1234-567812345678");
    CHECK(conv::to_uuid("ABCDEF01-1234-5678-1234-567812345678", a));
    CHECK(conv::to_uuid("12345678123456781234567812345678", a));
    // pydantic takes braces and urn: prefixes too; these are left to it, as are non-UUIDs.
    for (const char* s : {"{12345678-1234-5678-1234-567812345678}", "urn:uuid:12345678-1234-5678-1234-567812345678",
                          "12345678-123456781234567812345678", "1234567-81234-5678-1234-567812345678",
                          "12345678-1234-5678-1234-56781234567g", "1234567812345678123456781234567", ""}) {
        CHECK_FALSE(conv::to_uuid(s, a));
    }
}

TEST_CASE("to_date takes YYYY-MM-DD for real days only") {
    Arg a;
    REQUIRE(conv::to_date("2024-02-29", a));
    CHECK(a.kind == Arg::Kind::date);
    CHECK(a.i == 20240229);
    CHECK(conv::to_date("0001-01-01", a));
    CHECK(conv::to_date("9999-12-31", a));
    CHECK(conv::to_date("2000-02-29", a));
    for (const char* s : {"2023-02-29", "1900-02-29", "2024-04-31", "0000-01-01", "2024-13-01", "2024-00-01",
                          "2024-01-00", "2024-1-01", "20240101", "2024-01-01T00:00", "2024-01-01 ", "1700000000"}) {
        CHECK_FALSE(conv::to_date(s, a));
    }
}

TEST_CASE("to_time and to_datetime take ISO times with an optional UTC offset") {
    Arg a;
    REQUIRE(conv::to_time("12:30", a));
    CHECK(a.kind == Arg::Kind::time);
    CHECK(a.i == 12 * 10000000000LL + 30 * 100000000LL);
    CHECK_FALSE(a.b);
    REQUIRE(conv::to_time("23:59:59.5", a));
    CHECK(a.i % 1000000 == 500000);
    REQUIRE(conv::to_time("00:00:01.000001Z", a));
    CHECK(a.b);
    CHECK(a.offset == 0);
    CHECK(a.i == 1000001);
    REQUIRE(conv::to_time("08:00-05:30", a));
    CHECK(a.offset == -(5 * 3600 + 30 * 60));
    for (const char* s : {"24:00", "12:60", "12:30:60", "1:2:3", "12:3", "12", "12:30:00.", "12:30:00.1234567",
                          "12:30:00+24:00", "12:30:00+0200", "12:30:00Z0", "123000", "12:30 "}) {
        CHECK_FALSE(conv::to_time(s, a));
    }
    REQUIRE(conv::to_datetime("2024-01-01T12:30:00+02:00", a));
    CHECK(a.kind == Arg::Kind::datetime);
    CHECK(a.ymd == 20240101);
    CHECK(a.offset == 7200);
    CHECK(conv::to_datetime("2024-01-01 12:30", a));
    CHECK(conv::to_datetime("2024-01-01t12:30", a));
    for (const char* s : {"2024-01-01", "2024-01-01T", "2024-02-30T00:00", "2024-01-01X12:30", "1700000000"}) {
        CHECK_FALSE(conv::to_datetime(s, a));
    }
}

TEST_CASE("to_decimal takes plain decimal numbers only") {
    Arg a;
    REQUIRE(conv::to_decimal("-12.50", a));
    CHECK(a.kind == Arg::Kind::decimal);
    CHECK(a.s == "-12.50");
    CHECK(conv::to_decimal("0001.10", a));
    for (const char* s : {"", "-", "+1", ".5", "5.", "1e3", "1_0", " 1", "NaN", "1.2.3"}) {
        CHECK_FALSE(conv::to_decimal(s, a));
    }
}

TEST_CASE("to_choice finds the text among the choices") {
    static constexpr std::string_view choices[] = {"red", "dark green", "caf\xc3\xa9"};
    Arg a;
    REQUIRE(conv::to_choice("dark green", choices, 3, a));
    CHECK(a.kind == Arg::Kind::choice);
    CHECK(a.i == 1);
    CHECK_FALSE(conv::to_choice("RED", choices, 3, a));
    CHECK_FALSE(conv::header_to_choice("caf\xc3\xa9", choices, 3, a));  // a header is latin-1 to Starlette
}

TEST_CASE("query_list converts every value of a repeated key") {
    fasterapi::Call call;
    call.request.storage = "n=1&x=a&n=-2&n=3";
    call.request.query = call.request.storage;
    Arg a;
    std::size_t count = 0;
    REQUIRE(conv::query_list(call, "n", fasterapi::list_int, a, count));
    CHECK(count == 3);
    CHECK(a.kind == Arg::Kind::list);
    CHECK(a.s == "n");
    REQUIRE(conv::query_list(call, "missing", fasterapi::list_int, a, count));
    CHECK(count == 0);
    CHECK_FALSE(conv::query_list(call, "x", fasterapi::list_int, a, count));
}

TEST_CASE("within checks bounds and lengths in code points") {
    Arg a;
    fasterapi::Limits bounds{.ge = 1, .lt = 10, .has_ge = true, .has_lt = true};
    REQUIRE(conv::to_int("1", a));
    CHECK(conv::within(a, bounds));
    REQUIRE(conv::to_int("10", a));
    CHECK_FALSE(conv::within(a, bounds));
    REQUIRE(conv::to_int("9007199254740993", a));  // past 2^53: FastAPI compares it exactly
    CHECK_FALSE(conv::within(a, fasterapi::Limits{.ge = 0, .has_ge = true}));
    fasterapi::Limits length{.min_length = 2, .max_length = 3};
    CHECK(conv::within(Arg{.kind = Arg::Kind::str, .s = "\xc3\xa9\xc3\xa9"}, length));
    CHECK_FALSE(conv::within(Arg{.kind = Arg::Kind::str, .s = "a"}, length));
    CHECK_FALSE(conv::within(Arg{.kind = Arg::Kind::str, .s = "abcd"}, length));
}
