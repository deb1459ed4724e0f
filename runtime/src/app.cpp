#include "fasterapi/app.hpp"

#include <charconv>

#include "fasterapi/text.hpp"

namespace fasterapi {

const std::vector<std::pair<std::string, std::string>>& Call::query() {
    if (!query_parsed_) {
        text::parse_query(request.query, query_);
        query_parsed_ = true;
    }
    return query_;
}

const std::string* Call::query_last(std::string_view name) {
    const auto& q = query();
    for (auto it = q.rbegin(); it != q.rend(); ++it) {
        if (it->first == name) return &it->second;
    }
    return nullptr;
}

namespace conv {

namespace {
bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// Optional sign, then 1..max_digits digits, nothing else.
bool plain_digits(std::string_view s, std::size_t max_digits) noexcept {
    std::size_t i = (!s.empty() && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
    std::size_t n = s.size() - i;
    if (n == 0 || n > max_digits) return false;
    for (; i < s.size(); ++i) {
        if (!is_digit(s[i])) return false;
    }
    return true;
}
}  // namespace

bool to_int(std::string_view s, Arg& out) noexcept {
    if (!plain_digits(s, 18)) return false;
    std::size_t i = s[0] == '+' ? 1 : 0;
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data() + i, s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return false;
    out.kind = Arg::Kind::int_;
    out.i = v;
    return true;
}

bool to_float(std::string_view s, Arg& out) noexcept {
    // [+-]digits[.digits]: both Python and std::from_chars round these correctly.
    std::size_t dot = s.find('.');
    std::string_view whole = s.substr(0, dot);
    if (!plain_digits(whole, 300)) return false;
    if (dot != std::string_view::npos) {
        std::string_view frac = s.substr(dot + 1);
        if (frac.empty() || frac.size() > 300) return false;
        for (char c : frac) {
            if (!is_digit(c)) return false;
        }
    }
    std::size_t i = s[0] == '+' ? 1 : 0;
    double v = 0;
    auto [p, ec] = std::from_chars(s.data() + i, s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return false;
    out.kind = Arg::Kind::float_;
    out.d = v;
    return true;
}

bool ascii(std::string_view s) noexcept {
    for (char c : s) {
        if (static_cast<unsigned char>(c) >= 0x80) return false;
    }
    return true;
}

void json_body(Call& call) noexcept {
    const http::Header* type = call.request.find_header("content-type");
    if (call.request.body.empty() || !type || !http::iequals(type->value, "application/json")) call.use_asgi = true;
}

bool to_bool(std::string_view s, Arg& out) noexcept {
    if (s.size() > 5) return false;
    char low[5];
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        low[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    std::string_view v(low, s.size());
    bool value;
    if (v == "1" || v == "true" || v == "on" || v == "yes" || v == "t" || v == "y") {
        value = true;
    } else if (v == "0" || v == "false" || v == "off" || v == "no" || v == "f" || v == "n") {
        value = false;
    } else {
        return false;
    }
    out.kind = Arg::Kind::bool_;
    out.b = value;
    return true;
}

namespace {
bool is_hex(char c) noexcept { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Exactly `n` digits at s[at..], as a number.
bool digits_at(std::string_view s, std::size_t at, std::size_t n, int& v) noexcept {
    if (at + n > s.size()) return false;
    v = 0;
    for (std::size_t k = at; k < at + n; ++k) {
        if (!is_digit(s[k])) return false;
        v = v * 10 + (s[k] - '0');
    }
    return true;
}

bool leap(int y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// YYYY-MM-DD at the start of `s`: y*10000 + m*100 + d.
bool date_prefix(std::string_view s, std::int64_t& packed) noexcept {
    static constexpr int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, m, d;
    if (s.size() < 10 || s[4] != '-' || s[7] != '-') return false;
    if (!digits_at(s, 0, 4, y) || !digits_at(s, 5, 2, m) || !digits_at(s, 8, 2, d)) return false;
    if (y < 1 || m < 1 || m > 12 || d < 1) return false;
    if (d > month_days[m - 1] + (m == 2 && leap(y) ? 1 : 0)) return false;
    packed = y * 10000LL + m * 100 + d;
    return true;
}

// HH:MM[:SS[.f{1,6}]] then an optional Z/z or +HH:MM/-HH:MM, the whole of `s`.
bool time_text(std::string_view s, Arg& out) noexcept {
    int h, mi, sec = 0, us = 0;
    if (s.size() < 5 || s[2] != ':' || !digits_at(s, 0, 2, h) || !digits_at(s, 3, 2, mi)) return false;
    if (h > 23 || mi > 59) return false;
    std::size_t at = 5;
    if (at < s.size() && s[at] == ':') {
        if (!digits_at(s, at + 1, 2, sec) || sec > 59) return false;
        at += 3;
        if (at < s.size() && s[at] == '.') {
            std::size_t n = 0;
            ++at;
            while (at < s.size() && is_digit(s[at])) {
                if (++n > 6) return false;  // pydantic truncates past microseconds: leave it to it
                us = us * 10 + (s[at++] - '0');
            }
            if (n == 0) return false;
            for (; n < 6; ++n) us *= 10;
        }
    }
    out.b = false;
    out.offset = 0;
    if (at < s.size()) {
        if (s[at] == 'Z' || s[at] == 'z') {
            if (at + 1 != s.size()) return false;
        } else if (s[at] == '+' || s[at] == '-') {
            int oh, om;
            if (s.size() != at + 6 || s[at + 3] != ':' || !digits_at(s, at + 1, 2, oh) ||
                !digits_at(s, at + 4, 2, om) || oh > 23 || om > 59) {
                return false;
            }
            out.offset = (s[at] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
        } else {
            return false;
        }
        out.b = true;
    }
    out.i = h * 10000000000LL + mi * 100000000LL + sec * 1000000LL + us;
    return true;
}
}  // namespace

bool to_uuid(std::string_view s, Arg& out) noexcept {
    if (s.size() == 36) {
        for (std::size_t k = 0; k < 36; ++k) {
            bool hyphen = k == 8 || k == 13 || k == 18 || k == 23;
            if (hyphen ? s[k] != '-' : !is_hex(s[k])) return false;
        }
    } else if (s.size() == 32) {
        for (char c : s) {
            if (!is_hex(c)) return false;
        }
    } else {
        return false;
    }
    out.kind = Arg::Kind::uuid;
    out.s = s;
    return true;
}

bool to_date(std::string_view s, Arg& out) noexcept {
    std::int64_t packed;
    if (s.size() != 10 || !date_prefix(s, packed)) return false;
    out.kind = Arg::Kind::date;
    out.i = packed;
    return true;
}

bool to_time(std::string_view s, Arg& out) noexcept {
    if (!time_text(s, out)) return false;
    out.kind = Arg::Kind::time;
    return true;
}

bool to_datetime(std::string_view s, Arg& out) noexcept {
    std::int64_t date;
    if (s.size() < 16 || !date_prefix(s, date) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ')) return false;
    if (!time_text(s.substr(11), out)) return false;
    out.kind = Arg::Kind::datetime;
    out.ymd = static_cast<std::int32_t>(date);
    return true;
}

bool to_decimal(std::string_view s, Arg& out) noexcept {
    std::size_t at = (!s.empty() && s[0] == '-') ? 1 : 0;
    std::size_t whole = 0, frac = 0;
    while (at < s.size() && is_digit(s[at])) ++at, ++whole;
    if (whole == 0 || whole > 40) return false;
    if (at < s.size()) {
        if (s[at++] != '.') return false;
        while (at < s.size() && is_digit(s[at])) ++at, ++frac;
        if (frac == 0 || frac > 40 || at != s.size()) return false;
    }
    out.kind = Arg::Kind::decimal;
    out.s = s;
    return true;
}

bool to_choice(std::string_view s, const std::string_view* choices, std::size_t n, Arg& out) noexcept {
    for (std::size_t k = 0; k < n; ++k) {
        if (choices[k] == s) {
            out.kind = Arg::Kind::choice;
            out.i = static_cast<std::int64_t>(k);
            return true;
        }
    }
    return false;
}

bool list_item(std::string_view s, ListOf of, Arg& out) noexcept {
    switch (of) {
        case list_str: return to_str(s, out);
        case list_int: return to_int(s, out);
        case list_float: return to_float(s, out);
        case list_bool: return to_bool(s, out);
    }
    return false;
}

bool query_list(Call& call, std::string_view name, ListOf of, Arg& out, std::size_t& count) noexcept {
    count = 0;
    Arg item;
    for (const auto& [key, value] : call.query()) {
        if (key != name) continue;
        if (!list_item(value, of, item)) return false;
        ++count;
    }
    if (count > 0) {
        out.kind = Arg::Kind::list;
        out.i = of;
        out.s = name;
    }
    return true;
}

bool within(const Arg& a, const Limits& l) noexcept {
    if (a.kind == Arg::Kind::str) {
        if (l.min_length < 0 && l.max_length < 0) return true;
        std::int64_t n = 0;  // code points: bytes that do not continue a UTF-8 sequence
        for (char c : a.s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
        return (l.min_length < 0 || n >= l.min_length) && (l.max_length < 0 || n <= l.max_length);
    }
    double v;
    if (a.kind == Arg::Kind::int_) {
        if (a.i > (1LL << 53) || a.i < -(1LL << 53)) return false;
        v = static_cast<double>(a.i);
    } else if (a.kind == Arg::Kind::float_) {
        v = a.d;
    } else {
        return true;
    }
    return (!l.has_gt || v > l.gt) && (!l.has_ge || v >= l.ge) && (!l.has_lt || v < l.lt) &&
           (!l.has_le || v <= l.le);
}

}  // namespace conv
}  // namespace fasterapi
