#include "fasterapi/router.hpp"

#include <bit>
#include <cstring>

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
        case http::Method::other: return m_other;
    }
    return m_other;
}

namespace {

// Python's `$` without MULTILINE: the end, or just before a final newline.
bool at_end(std::string_view path, std::size_t pos) noexcept {
    return pos == path.size() || (pos + 1 == path.size() && path[pos] == '\n');
}

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

bool is_hex(char c) noexcept { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// The end of the run of digits starting at `pos`.
std::size_t digits_end(std::string_view s, std::size_t pos) noexcept {
    while (pos < s.size() && is_digit(s[pos])) ++pos;
    return pos;
}

// Where the uuid regex, [0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12},
// stops when it matches at `pos`, or npos. It can stop in one place only: a
// dash after a group must be taken (the next group cannot start with one)
// and a hex digit cannot be.
std::size_t uuid_end(std::string_view s, std::size_t pos) noexcept {
    constexpr std::size_t groups[] = {8, 4, 4, 4, 12};
    for (std::size_t g = 0; g < 5; ++g) {
        for (std::size_t k = 0; k < groups[g]; ++k, ++pos) {
            if (pos >= s.size() || !is_hex(s[pos])) return std::string_view::npos;
        }
        if (g < 4 && pos < s.size() && s[pos] == '-') ++pos;
    }
    return pos;
}

// Tries the rest of the pattern after a parameter that took path[pos, stop).
bool match_from(const Part* parts, std::size_t n, std::string_view path, std::size_t pos,
                Captures& caps, std::uint8_t cap) noexcept;

bool take(const Part* parts, std::size_t n, std::string_view path, std::size_t pos, std::size_t stop,
          Captures& caps, std::uint8_t cap) noexcept {
    if (!match_from(parts + 1, n - 1, path, stop, caps, static_cast<std::uint8_t>(cap + 1))) return false;
    caps.values[cap] = path.substr(pos, stop - pos);
    return true;
}

// Backtracking in the order Python's re tries alternatives: each parameter
// first takes the longest run its regex allows, then gives back one byte at
// a time (float: with its fraction first, then without), so the first
// success is the match re.match would report.
bool match_from(const Part* parts, std::size_t n, std::string_view path, std::size_t pos,
                Captures& caps, std::uint8_t cap) noexcept {
    if (n == 0) return at_end(path, pos);
    const Part& part = parts[0];
    switch (part.kind) {
        case PartKind::literal:
            if (path.substr(pos, part.text.size()) != part.text) return false;
            return match_from(parts + 1, n - 1, path, pos + part.text.size(), caps, cap);
        case PartKind::segment: {
            switch (part.convertor) {
                case Convertor::str: {
                    std::size_t end = pos;
                    while (end < path.size() && path[end] != '/') ++end;
                    for (std::size_t stop = end; stop > pos; --stop) {
                        if (take(parts, n, path, pos, stop, caps, cap)) return true;
                    }
                    return false;
                }
                case Convertor::int_: {
                    for (std::size_t stop = digits_end(path, pos); stop > pos; --stop) {
                        if (take(parts, n, path, pos, stop, caps, cap)) return true;
                    }
                    return false;
                }
                case Convertor::float_: {
                    const std::size_t whole = digits_end(path, pos);
                    if (whole == pos) return false;
                    if (whole < path.size() && path[whole] == '.') {
                        for (std::size_t stop = digits_end(path, whole + 1); stop > whole + 1; --stop) {
                            if (take(parts, n, path, pos, stop, caps, cap)) return true;
                        }
                    }
                    for (std::size_t stop = whole; stop > pos; --stop) {
                        if (take(parts, n, path, pos, stop, caps, cap)) return true;
                    }
                    return false;
                }
                case Convertor::uuid: {
                    const std::size_t stop = uuid_end(path, pos);
                    return stop != std::string_view::npos && take(parts, n, path, pos, stop, caps, cap);
                }
            }
            return false;
        }
        case PartKind::rest:
            // `.` does not match "\n" in Python's re without DOTALL.
            std::size_t end = pos;
            while (end < path.size() && path[end] != '\n') ++end;
            for (std::size_t stop = end + 1; stop-- > pos;) {
                if (take(parts, n, path, pos, stop, caps, cap)) return true;
            }
            return false;
    }
    return false;
}

}  // namespace

bool fills(Convertor c, std::string_view s) noexcept {
    switch (c) {
        case Convertor::str: return !s.empty();
        case Convertor::int_: return !s.empty() && digits_end(s, 0) == s.size();
        case Convertor::float_: {
            const std::size_t whole = digits_end(s, 0);
            if (whole == 0) return false;
            if (whole == s.size()) return true;
            return s[whole] == '.' && whole + 1 < s.size() && digits_end(s, whole + 1) == s.size();
        }
        case Convertor::uuid: return uuid_end(s, 0) == s.size();
    }
    return false;
}

bool match_pattern(const Pattern& p, std::string_view path, Captures& captures) noexcept {
    if (!match_from(p.parts, p.part_count, path, 0, captures, 0)) return false;
    captures.count = p.capture_count;
    return true;
}

std::uint64_t mix(std::uint64_t h) noexcept {
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDull;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ull;
    h ^= h >> 33;
    return h;
}

std::uint64_t path_hash(std::string_view path, std::uint64_t seed) noexcept {
    constexpr std::uint64_t k = 0xBF58476D1CE4E5B9ull;
    const std::size_t n = path.size();
    std::uint64_t h = seed ^ (static_cast<std::uint64_t>(n) * 0x9E3779B97F4A7C15ull);
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t w = 0;
        if constexpr (std::endian::native == std::endian::little) {
            std::memcpy(&w, path.data() + i, 8);
        } else {
            for (std::size_t b = 0; b < 8; ++b) w |= std::uint64_t(std::uint8_t(path[i + b])) << (8 * b);
        }
        h = (h ^ w) * k;
        h ^= h >> 31;
    }
    if (i < n) {
        std::uint64_t w = 0;
        for (std::size_t b = 0; i + b < n; ++b) w |= std::uint64_t(std::uint8_t(path[i + b])) << (8 * b);
        h = (h ^ w) * k;
        h ^= h >> 31;
    }
    return mix(h);
}

std::uint32_t slot_of(const Table& table, std::string_view path) noexcept {
    const std::uint64_t h = path_hash(path, table.seed);
    const std::uint64_t bucket = ((h >> 32) * table.bucket_count) >> 32;
    return static_cast<std::uint32_t>(((h ^ table.displacements[bucket]) * 0x9E3779B97F4A7C15ull) >> table.slot_shift);
}

namespace {

// Byte equality without a call into libc: labels and paths are short.
inline bool same_bytes(const char* a, const char* b, std::size_t n) noexcept {
    for (; n >= 8; n -= 8, a += 8, b += 8) {
        std::uint64_t x, y;
        std::memcpy(&x, a, 8);
        std::memcpy(&y, b, 8);
        if (x != y) return false;
    }
    for (; n; --n, ++a, ++b) {
        if (*a != *b) return false;
    }
    return true;
}

// The index of the first `c` in p[0, n), or n: eight bytes at a time, never
// reading past p + n (a zero byte of w ^ c*0x01..01 is a match; the lowest
// flagged byte is exact).
inline std::size_t find_byte(const char* p, std::size_t n, char c) noexcept {
    std::size_t i = 0;
    if constexpr (std::endian::native == std::endian::little) {
        constexpr std::uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
        const std::uint64_t pattern = ones * static_cast<std::uint8_t>(c);
        for (; i + 8 <= n; i += 8) {
            std::uint64_t w;
            std::memcpy(&w, p + i, 8);
            w ^= pattern;
            const std::uint64_t hit = (w - ones) & ~w & highs;
            if (hit) return i + static_cast<std::size_t>(std::countr_zero(hit) >> 3);
        }
    }
    for (; i < n; ++i) {
        if (p[i] == c) return i;
    }
    return n;
}

// The walk of the tree of segments. `pos` is where the next segment starts,
// size + 1 once the path has none left. Captures are (begin, end) offsets
// into the path until a route wins, so a step that fails costs no
// string_view. A node may lead on by its literal child for the segment, typed
// parameters and a str parameter: the last way is taken in the loop, the
// others are recursive calls, so the depth is at most max_captures + the
// path's segments. The order does not change the answer: a route is matched
// along one way only, and the smallest matching route wins wherever it is
// found.
struct Search {
    Search(const Table& t, std::string_view p, std::uint16_t m, Result& r) noexcept
        : table(t), nodes(t.nodes), literals(t.literals), data(p.data()), size(p.size()), method(m), result(r) {}

    const Table& table;
    const Node* nodes;
    const Literal* literals;
    const char* data;
    std::size_t size;
    std::uint16_t method;
    Result& result;
    std::size_t after_newline = 0;  // 1 + the offset of the last "\n", 0 when none; found when first needed
    bool newline_known = false;
    std::size_t begins[max_captures];
    std::size_t ends[max_captures];

    void consider(std::uint32_t route, std::uint8_t count) noexcept {
        if (route >= result.full) return;
        if (table.patterns[route].methods & method) {
            result.full = route;
            for (std::uint8_t i = 0; i < count; ++i) {
                result.captures.values[i] = std::string_view(data + begins[i], ends[i] - begins[i]);
            }
            result.captures.count = count;
        } else if (route < result.partial) {
            result.partial = route;
        }
    }

    // Whether path[pos:] holds no "\n" (`.` does not match one).
    bool no_newline_from(std::size_t pos) noexcept {
        if (!newline_known) {
            for (std::size_t i = size; i > 0; --i) {
                if (data[i - 1] == '\n') {
                    after_newline = i;
                    break;
                }
            }
            newline_known = true;
        }
        return after_newline <= pos;
    }

    // The segment starting at `pos`: where it ends (the next '/' or the end
    // of the path) and its first min(length, 8) bytes as a little-endian
    // word, zero-padded (Literal::word of the segment). The first 8 bytes are
    // read once for both, never past the end of the path.
    struct Segment {
        std::size_t end;
        std::uint64_t word;
    };

    Segment segment_at(std::size_t pos) const noexcept {
        const std::size_t avail = size - pos;
        if (avail == 0) return {pos, 0};
        if constexpr (std::endian::native == std::endian::little) {
            std::uint64_t w = 0;
            if (avail >= 8) {
                std::memcpy(&w, data + pos, 8);
            } else if (size >= 8) {  // the last 8 bytes of the path, shifted down to start at pos
                std::memcpy(&w, data + size - 8, 8);
                w >>= 8 * (8 - avail);
            } else {
                for (std::size_t i = 0; i < avail; ++i) w |= std::uint64_t(std::uint8_t(data[pos + i])) << (8 * i);
            }
            constexpr std::uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
            const std::uint64_t x = w ^ (ones * '/');
            const std::uint64_t hit = (x - ones) & ~x & highs;
            // The lowest flagged byte is exact; beyond `avail` there are zeros, never '/'.
            if (hit) {
                const std::size_t k = static_cast<std::size_t>(std::countr_zero(hit) >> 3);
                return {pos + k, w & ((std::uint64_t{1} << (8 * k)) - 1)};  // k < 8
            }
            if (avail <= 8) return {size, w};
            return {pos + 8 + find_byte(data + pos + 8, avail - 8, '/'), w};
        } else {
            const std::size_t end = pos + find_byte(data + pos, avail, '/');
            std::uint64_t w = 0;
            for (std::size_t i = 0; i < 8 && pos + i < end; ++i) w |= std::uint64_t(std::uint8_t(data[pos + i])) << (8 * i);
            return {end, w};
        }
    }

    static bool same(const Literal& l, std::uint64_t w, const char* segment, std::size_t length) noexcept {
        return l.head == w && l.segment.size() == length &&
               (length <= 8 || same_bytes(segment + 8, l.segment.data() + 8, length - 8));
    }

    // The child of `node` for the literal segment path[pos, pos + length) whose word is w, or no_node.
    std::uint32_t literal_child(const Node& node, std::size_t pos, std::size_t length,
                                std::uint64_t w) const noexcept {
        if (node.literal_slots == 0) return no_node;
        const Literal* l = literals + node.literals_begin;
        if (node.hash_bits == 0) {
            for (std::uint32_t k = 0; k < node.literal_slots; ++k) {
                if (same(l[k], w, data + pos, length)) return l[k].child;
            }
            return no_node;
        }
        const std::uint32_t mask = node.literal_slots - 1;
        for (std::uint32_t k = literal_slot(w, length, node.hash_bits);; k = (k + 1) & mask) {
            if (l[k].child == no_node) return no_node;
            if (same(l[k], w, data + pos, length)) return l[k].child;
        }
    }

    void visit(std::uint32_t index, std::size_t pos, std::uint8_t count) noexcept {
        for (;;) {
            const Node& node = nodes[index];
            if (node.min_route >= result.full) return;
            if (pos > size) {
                const std::uint16_t* r = table.route_lists + node.end_begin;
                for (std::uint32_t k = 0; k < node.end_count; ++k) consider(r[k], count);
                return;
            }
            if (node.rest_count != 0 && count < max_captures && no_newline_from(pos)) [[unlikely]] {
                begins[count] = pos;
                ends[count] = size;
                const std::uint16_t* r = table.route_lists + node.end_begin + node.end_count;
                for (std::uint32_t k = 0; k < node.rest_count; ++k) consider(r[k], static_cast<std::uint8_t>(count + 1));
            }
            const auto [end, word] = segment_at(pos);
            const std::size_t length = end - pos;
            const std::uint32_t literal = literal_child(node, pos, length, word);
            if (length != 0 && count < max_captures) {
                if (node.typed_count != 0) [[unlikely]] {
                    const std::string_view segment(data + pos, length);
                    for (std::uint32_t k = 0; k < node.typed_count; ++k) {
                        const TypedChild& t = table.typed[node.typed_begin + k];
                        if (!fills(t.convertor, segment)) continue;
                        begins[count] = pos;
                        ends[count] = end;
                        visit(t.child, end + 1, static_cast<std::uint8_t>(count + 1));
                    }
                }
                if (node.param_child >= 0) {
                    begins[count] = pos;
                    ends[count] = end;
                    if (literal == no_node) {  // the parameter is the only way on: no recursion
                        index = static_cast<std::uint32_t>(node.param_child);
                        pos = end + 1;
                        ++count;
                        continue;
                    }
                    visit(static_cast<std::uint32_t>(node.param_child), end + 1, static_cast<std::uint8_t>(count + 1));
                }
            }
            if (literal == no_node) return;
            index = literal;
            pos = end + 1;
        }
    }
};

// The fallback templates, in declaration order, that can still beat result.full.
// Out of line: its Captures (zeroed, 264 bytes) would otherwise be set up on every lookup.
[[gnu::noinline]] void match_fallback(const Table& table, std::string_view path, std::uint16_t method,
                                      Result& result) noexcept {
    Captures caps;
    for (std::uint32_t k = 0; k < table.fallback_count; ++k) {
        const std::uint32_t route = table.fallback[k];
        if (route >= result.full) break;
        const Pattern& p = table.patterns[route];
        if (!match_pattern(p, path, caps)) continue;
        if (p.methods & method) {
            result.full = route;
            result.captures = caps;
            break;
        }
        if (route < result.partial) result.partial = route;
    }
}

}  // namespace

void scan(const Table& table, std::string_view path, std::uint16_t method, Result& result) noexcept {
    result = Result{};
    Captures caps;
    for (std::uint32_t i = 0; i < table.route_count; ++i) {
        const Pattern& p = table.patterns[i];
        if (!match_pattern(p, path, caps)) continue;
        if (p.methods & method) {
            result.full = i;
            result.captures = caps;
            return;
        }
        if (result.partial == no_route) result.partial = i;
    }
}

void lookup(const Table& table, std::string_view path, std::uint16_t method, Result& result) noexcept {
    if (!path.empty() && path.back() == '\n') {
        scan(table, path, method, result);
        return;
    }
    result.full = no_route;
    result.partial = no_route;
    result.captures.count = 0;

    if ((table.static_lengths >> (path.size() < 63 ? path.size() : 63)) & 1) {
        const StaticSlot& slot = table.slots[slot_of(table, path)];
        if (slot.matches_count != 0 && slot.path == path) {
            for (std::uint32_t k = 0; k < slot.matches_count; ++k) {
                const StaticMatch& m = table.static_matches[slot.matches_begin + k];
                const Pattern& p = table.patterns[m.route];
                if (p.methods & method) {
                    result.full = m.route;
                    result.captures.count = p.capture_count;
                    for (std::uint8_t c = 0; c < p.capture_count; ++c) {
                        const Span& s = table.spans[m.span_begin + c];
                        result.captures.values[c] = path.substr(s.offset, s.length);
                    }
                    return;
                }
                if (result.partial == no_route) result.partial = m.route;
            }
            return;
        }
    }

    if (table.node_count != 0 && !path.empty() && path[0] == '/') {
        Search search(table, path, method, result);
        search.visit(0, 1, 0);
    }
    if (table.fallback_count != 0) match_fallback(table, path, method, result);
}

std::string_view route_path(std::string_view path, std::string_view root_path) noexcept {
    if (root_path.empty() || !path.starts_with(root_path)) return path;
    if (path.size() == root_path.size()) return {};
    if (path[root_path.size()] == '/') return path.substr(root_path.size());
    return path;
}

bool slash_redirect(const Table& table, std::string_view path, std::string_view root_path, std::string& other) {
    const std::string_view route = route_path(path, root_path);
    if (route == "/") return false;
    other.assign(path);
    if (!route.empty() && route.back() == '/') {
        while (!other.empty() && other.back() == '/') other.pop_back();
    } else {
        other.push_back('/');
    }
    return any_match(table, route_path(other, root_path));
}

}  // namespace fasterapi::router
