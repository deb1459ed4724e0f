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

}  // namespace conv
}  // namespace fasterapi
