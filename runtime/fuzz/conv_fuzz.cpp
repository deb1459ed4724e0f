// libFuzzer harness for the parameter converters (fasterapi/app.hpp, conv::)
// that trampolines run on path captures, query values and header values,
// and for the query of a Call (parse_qsl and Starlette's QueryParams.get).
//
// The input is one value as a client sends it, converted by every converter,
// then a query string. What must hold:
//   1. what a converter accepts, written out again in its canonical form,
//      is the input (less what the converter documents it ignores: a '+',
//      leading zeros, the case of hex digits and of a bool):
//        to_int   -> the same number with std::from_chars on the digits;
//        to_float -> the double std::strtod reads;
//        to_date, to_time, to_datetime -> the same text from the packed fields,
//        and only real days, hours, minutes, offsets;
//        to_uuid, to_decimal -> a view of the input itself;
//   2. within() agrees with a direct comparison of the value;
//   3. query_list counts exactly the fields of that name, query_last gives
//      the last of them;
//   4. nothing crashes, leaks or reads out of bounds (ASan, UBSan): each
//      converter gets a buffer of exactly the value's size.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "common.hpp"
#include "fasterapi/app.hpp"

namespace conv = fasterapi::conv;
using fasterapi::Arg;
using fasterapi::fuzz::date_text;
using fasterapi::fuzz::two;

namespace {

[[noreturn]] void fail(const char* what, std::string_view in) {
    std::fprintf(stderr, "conv_fuzz: %s: \"%.*s\"\n", what, static_cast<int>(in.size()), in.data());
    std::abort();
}

bool digit(char c) { return c >= '0' && c <= '9'; }

bool real_date(std::int64_t packed) {
    const std::int64_t y = packed / 10000, m = packed / 100 % 100, d = packed % 100;
    static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= days[m - 1] + (m == 2 && leap);
}

// The time of an Arg as to_time would read it back, with as many fraction
// digits as `fraction_digits`, and a zero offset signed `zero_sign`.
std::string time_text(const Arg& a, bool seconds, std::size_t fraction_digits, char zulu, char zero_sign) {
    const std::int64_t h = a.i / 10000000000LL, mi = a.i / 100000000LL % 100, s = a.i / 1000000 % 100,
                       us = a.i % 1000000;
    std::string t = two(h) + ":" + two(mi);
    if (seconds) t += ":" + two(s);
    if (fraction_digits > 0) {
        char b[8];
        std::snprintf(b, sizeof b, "%06lld", static_cast<long long>(us));
        t += "." + std::string(b, fraction_digits);
    }
    if (a.b) {
        if (zulu) {
            t += zulu;
        } else {
            const std::int32_t off = a.offset < 0 ? -a.offset : a.offset;
            t += (a.offset < 0 || (a.offset == 0 && zero_sign == '-') ? "-" : "+") + two(off / 3600) + ":" +
                 two(off / 60 % 60);
        }
    }
    return t;
}

// The shape of a time text accepted by to_time: seconds present, fraction
// digits, a 'Z'/'z' suffix.
void time_shape(std::string_view s, bool& seconds, std::size_t& fraction, char& zulu) {
    seconds = s.size() > 5 && s[5] == ':';
    fraction = 0;
    if (seconds && s.size() > 8 && s[8] == '.') {
        while (9 + fraction < s.size() && digit(s[9 + fraction])) ++fraction;
    }
    zulu = (!s.empty() && (s.back() == 'Z' || s.back() == 'z')) ? s.back() : 0;
}

void check_time(const Arg& a, std::string_view s, const char* what) {
    const std::int64_t h = a.i / 10000000000LL, mi = a.i / 100000000LL % 100, sec = a.i / 1000000 % 100;
    if (h > 23 || mi > 59 || sec > 59) fail(what, s);
    if (a.b && (a.offset <= -86400 || a.offset >= 86400)) fail("offset out of range", s);
    if (!a.b && a.offset != 0) fail("an offset without a zone", s);
    bool seconds;
    std::size_t fraction;
    char zulu;
    time_shape(s, seconds, fraction, zulu);
    // "-00:00" and "+00:00" are the same offset; the text says which it was.
    const char zero_sign = s.size() >= 6 ? s[s.size() - 6] : 0;
    if (time_text(a, seconds, fraction, zulu, zero_sign) != s) fail("a time does not read back", s);
}

void check_value(std::string_view s) {
    Arg a;
    if (conv::to_int(s, a)) {
        if (a.kind != Arg::Kind::int_) fail("to_int kind", s);
        std::string_view digits = s;
        const bool negative = digits[0] == '-';
        if (digits[0] == '+' || digits[0] == '-') digits.remove_prefix(1);
        while (digits.size() > 1 && digits[0] == '0') digits.remove_prefix(1);
        std::string expected = (negative && digits != "0" ? "-" : "") + std::string(digits);
        if (std::to_string(a.i) != expected) fail("to_int does not read back", s);
    }
    if (conv::to_float(s, a)) {
        if (a.kind != Arg::Kind::float_ || !std::isfinite(a.d)) fail("to_float kind or non-finite", s);
        const std::string copy(s);
        if (a.d != std::strtod(copy.c_str(), nullptr)) fail("to_float differs from strtod", s);
        if (s.find_first_not_of("+-.0123456789") != std::string_view::npos) fail("to_float took a non-digit", s);
    }
    if (conv::to_bool(s, a)) {
        std::string low(s);
        for (char& c : low) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        const bool yes = low == "1" || low == "true" || low == "on" || low == "yes" || low == "t" || low == "y";
        const bool no = low == "0" || low == "false" || low == "off" || low == "no" || low == "f" || low == "n";
        if (a.kind != Arg::Kind::bool_ || !(yes || no) || a.b != yes) fail("to_bool", s);
    }
    if (conv::to_uuid(s, a)) {
        if (a.kind != Arg::Kind::uuid || a.s.data() != s.data() || a.s.size() != s.size()) fail("to_uuid view", s);
        std::size_t hex = 0;
        for (char c : s) hex += std::isxdigit(static_cast<unsigned char>(c)) != 0;
        if (hex != 32) fail("to_uuid took other than 32 hex digits", s);
    }
    if (conv::to_decimal(s, a)) {
        if (a.kind != Arg::Kind::decimal || a.s.data() != s.data() || a.s.size() != s.size()) fail("to_decimal", s);
        if (s.find_first_not_of("-.0123456789") != std::string_view::npos) fail("to_decimal took a non-digit", s);
    }
    if (conv::to_date(s, a)) {
        if (a.kind != Arg::Kind::date || !real_date(a.i) || date_text(a.i) != s) fail("to_date", s);
    }
    if (conv::to_time(s, a)) {
        if (a.kind != Arg::Kind::time) fail("to_time kind", s);
        check_time(a, s, "to_time out of range");
    }
    if (conv::to_datetime(s, a)) {
        if (a.kind != Arg::Kind::datetime || !real_date(a.ymd)) fail("to_datetime date", s);
        if (date_text(a.ymd) != s.substr(0, 10)) fail("to_datetime date does not read back", s);
        if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') fail("to_datetime separator", s);
        check_time(a, s.substr(11), "to_datetime time out of range");
    }
    static constexpr std::string_view choices[] = {"red", "green", "", "blue"};
    if (conv::to_choice(s, choices, 4, a)) {
        if (a.kind != Arg::Kind::choice || a.i < 0 || a.i >= 4 || choices[a.i] != s) fail("to_choice", s);
    }
    // header_to_str and header_to_choice take ASCII only.
    if (conv::header_to_str(s, a) != conv::ascii(s)) fail("header_to_str", s);
}

void check_within(std::string_view s, std::uint8_t knobs) {
    Arg a;
    fasterapi::Limits l;
    l.has_gt = knobs & 1, l.gt = -5;
    l.has_ge = knobs & 2, l.ge = 0;
    l.has_lt = knobs & 4, l.lt = 1e6;
    l.has_le = knobs & 8, l.le = 100.5;
    if (knobs & 16) l.min_length = 2;
    if (knobs & 32) l.max_length = 4;
    if (conv::to_int(s, a)) {
        const bool in = (!l.has_gt || a.i > -5) && (!l.has_ge || a.i >= 0) && (!l.has_lt || a.i < 1000000) &&
                        (!l.has_le || a.i <= 100);
        const bool huge = a.i > (1LL << 53) || a.i < -(1LL << 53);
        if (conv::within(a, l) != (in && !huge)) fail("within differs for an int", s);
    }
    if (conv::to_float(s, a)) {
        const bool in = (!l.has_gt || a.d > -5) && (!l.has_ge || a.d >= 0) && (!l.has_lt || a.d < 1e6) &&
                        (!l.has_le || a.d <= 100.5);
        if (conv::within(a, l) != in) fail("within differs for a float", s);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::uint8_t knobs = data[0];
    const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    // The value is the input up to the first NUL, the query string what follows.
    const std::size_t nul = rest.find('\0');
    const std::string_view value = rest.substr(0, nul);
    const std::string_view query = nul == std::string_view::npos ? std::string_view() : rest.substr(nul + 1);

    auto buffer = std::make_unique<char[]>(value.empty() ? 1 : value.size());  // exact: a read past it is caught
    std::memcpy(buffer.get(), value.data(), value.size());
    const std::string_view exact(buffer.get(), value.size());
    check_value(exact);
    check_within(exact, knobs);

    fasterapi::Call call;
    std::string storage(query);
    call.request.query = storage;
    const auto& fields = call.query();
    const std::string_view name = fields.empty() ? std::string_view("q") : std::string_view(fields[knobs % fields.size()].first);
    std::size_t expected = 0;
    const std::string* last = nullptr;
    for (const auto& [k, v] : fields) {
        if (k == name) {
            ++expected;
            last = &v;
        }
    }
    if (call.query_last(name) != last) fail("query_last is not the last field of its name", query);
    Arg list;
    std::size_t count = 99;
    const auto of = static_cast<fasterapi::ListOf>(knobs >> 6);
    if (conv::query_list(call, name, of, list, count)) {
        if (count != expected) fail("query_list counted wrongly", query);
        if (count > 0 && (list.kind != Arg::Kind::list || list.s != name || list.i != of)) fail("query_list arg", query);
        for (const auto& [k, v] : fields) {
            Arg item;
            if (k == name && !conv::list_item(v, of, item)) fail("query_list accepted a bad item", v);
        }
    } else {
        bool any_bad = false;
        for (const auto& [k, v] : fields) {
            Arg item;
            any_bad |= k == name && !conv::list_item(v, of, item);
        }
        if (!any_bad) fail("query_list refused good items", query);
    }
    return 0;
}
