#include "fasterapi/sse.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <stdexcept>
#include <string>

namespace fasterapi::sse {
namespace {

constexpr std::string_view event_not_single_line = "SSE 'event' must be a single line";
constexpr std::string_view id_not_single_line = "SSE 'id' must be a single line";
constexpr std::string_view id_has_nul = "SSE 'id' must not contain null characters";
constexpr std::string_view retry_negative = "SSE 'retry' must be a non-negative integer";

bool has_line_break(std::string_view s) noexcept {
    return s.find_first_of("\r\n") != std::string_view::npos;
}

// The next `c` in [p, end), or end. memchr is vectorised, which a byte loop
// looking for either of two bytes is not.
const char* find(const char* p, const char* end, char c) noexcept {
    const void* hit = std::memchr(p, c, static_cast<std::size_t>(end - p));
    return hit ? static_cast<const char*>(hit) : end;
}

// Appends prefix + line + "\n" for each line of `text`, the lines being what
// FastAPI's _split_sse_lines gives: "\r\n", "\r" and "\n" each end a line,
// and the piece after the last break is a line even when empty.
//   ("data: ", "a\r\nb\n") -> "data: a\ndata: b\ndata: \n"
// The next CR and the next LF are looked up once each and reused until
// passed, so text with many lines is still read at memchr's speed.
void append_lines(std::string& out, std::string_view prefix, std::string_view text) {
    const char* p = text.data();
    const char* const end = p + text.size();
    const char* cr = find(p, end, '\r');
    const char* lf = find(p, end, '\n');
    for (;;) {
        const char* brk = std::min(cr, lf);
        out.append(prefix);
        out.append(p, static_cast<std::size_t>(brk - p));
        out.push_back('\n');
        if (brk == end) return;
        p = brk + 1;
        if (*brk == '\r' && p != end && *p == '\n') ++p;
        if (cr < p) cr = find(p, end, '\r');
        if (lf < p) lf = find(p, end, '\n');
    }
}

void append_field(std::string& out, std::string_view prefix, std::string_view value) {
    out.append(prefix);
    out.append(value);
    out.push_back('\n');
}

}  // namespace

std::optional<std::string_view> check_event(std::string_view event) noexcept {
    if (has_line_break(event)) return event_not_single_line;
    return std::nullopt;
}

std::optional<std::string_view> check_id(std::string_view id) noexcept {
    // FastAPI looks for NUL before line breaks; an id with both gets NUL's message.
    if (id.find('\0') != std::string_view::npos) return id_has_nul;
    if (has_line_break(id)) return id_not_single_line;
    return std::nullopt;
}

std::optional<std::string_view> check_retry(std::int64_t retry) noexcept {
    if (retry < 0) return retry_negative;
    return std::nullopt;
}

std::optional<std::string_view> check(const Event& e) noexcept {
    if (e.event)
        if (auto problem = check_event(*e.event)) return problem;
    if (e.id)
        if (auto problem = check_id(*e.id)) return problem;
    if (e.retry)
        if (auto problem = check_retry(*e.retry)) return problem;
    return std::nullopt;
}

void append_event(std::string& out, const Event& e) {
    if (auto problem = check(e)) throw std::invalid_argument(std::string(*problem));
    if (e.comment) append_lines(out, ": ", *e.comment);
    if (e.event) append_field(out, "event: ", *e.event);
    if (e.data) append_lines(out, "data: ", *e.data);
    if (e.id) append_field(out, "id: ", *e.id);
    if (e.retry) {
        char digits[24];
        auto [last, ec] = std::to_chars(digits, digits + sizeof digits, *e.retry);
        static_cast<void>(ec);  // 24 bytes hold every int64
        append_field(out, "retry: ", std::string_view(digits, static_cast<std::size_t>(last - digits)));
    }
    out.push_back('\n');
}

void append_comment(std::string& out, std::string_view comment) {
    append_lines(out, ": ", comment);
    out.push_back('\n');
}

}  // namespace fasterapi::sse
