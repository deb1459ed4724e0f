#include "fasterapi/router.hpp"

namespace fasterapi::router {

std::uint16_t method_bit(http::Method m) noexcept {
    switch (m) {
        case http::Method::get: return m_get;
        case http::Method::head: return m_head;
        case http::Method::post: return m_post;
        case http::Method::put: return m_put;
        case http::Method::delete_: return m_delete;
        case http::Method::patch: return m_patch;
        case http::Method::options: return m_options;
        case http::Method::trace: return m_trace;
        case http::Method::connect: return m_connect;
        case http::Method::other: return 0;
    }
    return 0;
}

namespace {

// Python's `$` without MULTILINE: the end, or just before a final newline.
bool at_end(std::string_view path, std::size_t pos) noexcept {
    return pos == path.size() || (pos + 1 == path.size() && path[pos] == '\n');
}

// Backtracking in the order Python's re tries alternatives: each parameter
// first takes the longest run it can, then gives back one byte at a time, so
// the first success is the match re.match would report.
bool match_from(const Part* parts, std::size_t n, std::string_view path, std::size_t pos,
                Captures& caps, std::uint8_t cap) noexcept {
    if (n == 0) return at_end(path, pos);
    const Part& part = parts[0];
    switch (part.kind) {
        case PartKind::literal:
            if (path.substr(pos, part.text.size()) != part.text) return false;
            return match_from(parts + 1, n - 1, path, pos + part.text.size(), caps, cap);
        case PartKind::segment: {
            std::size_t end = pos;
            while (end < path.size() && path[end] != '/') ++end;
            for (std::size_t stop = end; stop > pos; --stop) {
                if (match_from(parts + 1, n - 1, path, stop, caps, cap + 1)) {
                    caps.values[cap] = path.substr(pos, stop - pos);
                    return true;
                }
            }
            return false;
        }
        case PartKind::rest:
            // `.` does not match "\n" in Python's re without DOTALL.
            std::size_t end = pos;
            while (end < path.size() && path[end] != '\n') ++end;
            for (std::size_t stop = end + 1; stop-- > pos;) {
                if (match_from(parts + 1, n - 1, path, stop, caps, cap + 1)) {
                    caps.values[cap] = path.substr(pos, stop - pos);
                    return true;
                }
            }
            return false;
    }
    return false;
}

}  // namespace

bool match_pattern(const Pattern& p, std::string_view path, Captures& captures) noexcept {
    if (!match_from(p.parts, p.part_count, path, 0, captures, 0)) return false;
    captures.count = p.capture_count;
    return true;
}

}  // namespace fasterapi::router
