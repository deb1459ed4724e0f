// Router: matching a decoded request path against the app's route patterns
// with Starlette's semantics.
//
// Starlette compiles "/files/{name}.txt" to the regex ^/files/(?P<name>[^/]+)\.txt$
// and tries routes in declaration order: the first route whose pattern and
// method match handles the request (FULL); failing that, the first route whose
// pattern matches but whose method does not answers 405 (PARTIAL); otherwise
// 404, or a 307 to the other slash form when that form would match.
//
// A Pattern is that regex as parts: literal text, a segment parameter
// ([^/]+, greedy with backtracking) and a rest parameter (.*, the `path`
// convertor). Matching follows Python's re exactly, including `$` matching
// just before a final "\n".
//
// What must hold: for every path, match() picks the route and captures that
// Starlette's router picks.
#pragma once

#include <cstdint>
#include <string_view>

#include "fasterapi/http/request.hpp"

namespace fasterapi::router {

// Method bits; a route's method set is their union.
enum : std::uint16_t {
    m_get = 1 << 0, m_head = 1 << 1, m_post = 1 << 2, m_put = 1 << 3,
    m_delete = 1 << 4, m_patch = 1 << 5, m_options = 1 << 6, m_trace = 1 << 7,
    m_connect = 1 << 8,
};
std::uint16_t method_bit(http::Method m) noexcept;

enum class PartKind : std::uint8_t { literal, segment, rest };

struct Part {
    PartKind kind;
    std::string_view text;  // literal text, or the parameter's name
};

struct Pattern {
    const Part* parts;
    std::uint8_t part_count;
    std::uint8_t capture_count;
    std::uint16_t methods;
    const char* allow;  // the 405 Allow header value, e.g. "GET, POST"
};

inline constexpr std::size_t max_captures = 16;

struct Captures {
    std::string_view values[max_captures];
    std::uint8_t count = 0;
};

// Matches one pattern against the whole path; fills `captures` on success.
bool match_pattern(const Pattern& p, std::string_view path, Captures& captures) noexcept;

}  // namespace fasterapi::router
