// Router: finding the route for a decoded request path, with Starlette's
// semantics and without scanning every route.
//
// Starlette compiles "/files/{name}.txt" to the regex ^/files/(?P<name>[^/]+)\.txt$
// and tries routes in declaration order: the first route whose pattern and
// method match handles the request (FULL); failing that, the first route whose
// pattern matches but whose method does not answers 405 (PARTIAL); otherwise
// 404, or a 307 to the other slash form when that form would match.
//
// A Pattern is that regex as parts: literal text, a segment parameter with
// its convertor's regex (str [^/]+, int [0-9]+, float [0-9]+(\.[0-9]+)?, uuid
// 32 hex digits with optional dashes; greedy with backtracking) and a rest
// parameter (.*, the `path` convertor). match_pattern() follows Python's re
// exactly, including `$` matching just before a final "\n"; it is the
// reference the Table is checked against, and the matcher for templates the
// tree cannot hold.
//
// A Table is planned at build time (fasterapi.plan) and emitted as constant
// arrays. lookup() computes the same answer as a scan of every pattern in
// declaration order:
//   1. a path ending in "\n" (only "%0A" produces one) takes the scan itself;
//   2. a static path (a route template without parameters) is found by a
//      perfect hash and one string compare; its entry lists, precomputed, every
//      route whose pattern matches that exact path (parameterised ones too),
//      in declaration order, with their captures;
//   3. any other path can only match parameterised routes: the tree of
//      segments (per node: children by literal segment, one per
//      segment-parameter convertor, and rest-parameter routes) and the fallback patterns (templates such as "/{a}-{b}" the
//      tree cannot hold) yield every match, and the smallest route index
//      wins, which is what declaration order means. Subtrees whose smallest
//      route cannot beat the best FULL match so far are skipped.
//
// What must hold: for every path and method, lookup() picks the route and
// captures that Starlette's router picks (tests/test_router_equivalence.py
// checks this against Starlette on random route sets).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "fasterapi/http/request.hpp"

namespace fasterapi::router {

// Method bits; a route's method set is their union. m_other stands for every
// method without a bit of its own; m_any is the set of a route that accepts
// every method (a Mount, a Starlette Route without methods). Bit 0 (no
// method) is in no set: any_match() looks up with it.
enum : std::uint16_t {
    m_get = 1 << 0, m_head = 1 << 1, m_post = 1 << 2, m_put = 1 << 3,
    m_delete = 1 << 4, m_patch = 1 << 5, m_options = 1 << 6, m_trace = 1 << 7,
    m_connect = 1 << 8, m_other = 1 << 9,
    m_any = (1 << 10) - 1,
};
std::uint16_t method_bit(http::Method m) noexcept;

enum class PartKind : std::uint8_t { literal, segment, rest };

// Starlette's convertor of a segment parameter, by its regex.
enum class Convertor : std::uint8_t { str, int_, float_, uuid };

struct Part {
    PartKind kind;
    std::string_view text;  // literal text, or the parameter's name
    Convertor convertor = Convertor::str;  // of a segment parameter
};

// Whether a segment parameter with convertor `c` can take all of `s`
// (s holds no '/'): fills(Convertor::int_, "007") is true, "7a" false.
bool fills(Convertor c, std::string_view s) noexcept;

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

// ---- The planned table --------------------------------------------------

// A capture of a precomputed static match: path.substr(offset, length).
struct Span {
    std::uint16_t offset;
    std::uint16_t length;
};

// A route matching a static path, with its captures at spans[span_begin ...].
struct StaticMatch {
    std::uint16_t route;
    std::uint16_t span_begin;
};

// One slot of the perfect hash; an empty slot has matches_count 0.
struct StaticSlot {
    std::string_view path;
    std::uint32_t matches_begin;
    std::uint32_t matches_count;
};

// A literal segment leading from a node to a child. `head` is the segment's
// first 8 bytes as a little-endian word, zero-padded: a segment is compared
// by its length and that word first.
inline constexpr std::uint32_t no_node = 0xFFFFFFFF;

struct Literal {
    std::string_view segment;
    std::uint32_t child = no_node;  // no_node: an empty slot of a hashed table
    std::uint64_t head = 0;

    constexpr Literal() = default;
    constexpr Literal(std::string_view s, std::uint32_t c) noexcept : segment(s), child(c), head(word(s)) {}

    // The first 8 bytes of `s`, little-endian, zero-padded: word("ab") == 0x6261.
    static constexpr std::uint64_t word(std::string_view s) noexcept {
        std::uint64_t w = 0;
        for (std::size_t i = 0; i < s.size() && i < 8; ++i) w |= std::uint64_t(std::uint8_t(s[i])) << (8 * i);
        return w;
    }
};

// Where a node's hashed literal table starts probing for a segment of
// `length` bytes whose word is `w` (Python's twin: fasterapi.plan.radix.literal_slot).
constexpr std::uint32_t literal_slot(std::uint64_t w, std::size_t length, unsigned bits) noexcept {
    return static_cast<std::uint32_t>(((w + length) * 0x9E3779B97F4A7C15ull) >> (64 - bits));
}

// The node after a typed segment parameter, taken when the segment fills it.
struct TypedChild {
    Convertor convertor;
    std::uint32_t child;
};

// A node of the tree of segments (fasterapi.plan.radix). Its literal
// children are literals[literals_begin ...]: literal_slots entries scanned in
// order when hash_bits is 0, else a table of 2^hash_bits slots probed
// linearly from literal_slot().
struct Node {
    std::uint32_t literals_begin;
    std::uint32_t literal_slots;
    std::uint32_t hash_bits;
    std::int32_t param_child;   // the node after one str segment parameter, or -1
    std::uint32_t typed_begin;  // typed[typed_begin ...]: the nodes after int, float, uuid parameters
    std::uint32_t typed_count;
    // route_lists[end_begin ...]: end_count routes whose template ends here,
    // then rest_count routes whose rest parameter starts here.
    std::uint32_t end_begin;
    std::uint32_t end_count;
    std::uint32_t rest_count;
    std::uint32_t min_route;  // the smallest route index in this subtree
};

struct Table {
    const Pattern* patterns;  // every route, in declaration order
    std::uint32_t route_count;
    // Perfect hash of static paths (see slot_of); paths whose length no static
    // path has (bit min(size, 63) of static_lengths clear) skip it.
    std::uint64_t seed;
    const std::uint32_t* displacements;
    std::uint32_t bucket_count;
    const StaticSlot* slots;
    std::uint32_t slot_shift;  // 64 - log2(number of slots)
    std::uint64_t static_lengths;
    const StaticMatch* static_matches;
    const Span* spans;
    // The tree of segments of parameterised templates; node 0 is the root
    // (none when node_count is 0).
    const Node* nodes;
    std::uint32_t node_count;
    const Literal* literals;
    const TypedChild* typed;
    const std::uint16_t* route_lists;
    // Routes matched with match_pattern(), in declaration order.
    const std::uint16_t* fallback;
    std::uint32_t fallback_count;
};

inline constexpr std::uint32_t no_route = 0xFFFFFFFF;

struct Result {
    std::uint32_t full = no_route;     // the route that handles the request
    std::uint32_t partial = no_route;  // without a FULL match: the route whose Allow a 405 sends
    Captures captures;                 // of `full`
};

// The hash the plan used, over the path's bytes: the seed, 8-byte
// little-endian words and the length, mixed. Python's twin: fasterapi.plan.perfect_hash.
std::uint64_t path_hash(std::string_view path, std::uint64_t seed) noexcept;
std::uint64_t mix(std::uint64_t h) noexcept;
// The slot the plan gave `path`: bucket by multiply-shift, displaced, multiply-shift.
std::uint32_t slot_of(const Table& table, std::string_view path) noexcept;

// The route for `path` (percent-decoded) and `method` (a method bit, 0 for
// none), as Starlette picks it.
void lookup(const Table& table, std::string_view path, std::uint16_t method, Result& result) noexcept;

// The reference: every pattern in declaration order, as Starlette scans.
void scan(const Table& table, std::string_view path, std::uint16_t method, Result& result) noexcept;

// Whether any route matches `path` whatever the method (redirect_slashes).
inline bool any_match(const Table& table, std::string_view path) noexcept {
    Result r;
    lookup(table, path, 0, r);
    return r.partial != no_route;
}

// The part of the decoded request path that routes match, as Starlette's
// get_route_path takes it: with root_path "/api", "/api/items" -> "/items",
// "/api" -> "", "/apix" and "/items" unchanged. An app's root_path
// (FastAPI(root_path=...)) is what FastAPI puts in the scope; the server
// itself adds none, as uvicorn without --root-path.
std::string_view route_path(std::string_view path, std::string_view root_path) noexcept;

// redirect_slashes, as Starlette's router does it when no route matched:
// unless the route path is "/", the other slash form of the full path
// (trailing slashes stripped, or one added) is written to `other` and true
// returned when some route matches its route path, whatever the method.
bool slash_redirect(const Table& table, std::string_view path, std::string_view root_path,
                      std::string& other);

}  // namespace fasterapi::router
