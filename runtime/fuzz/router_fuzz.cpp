// libFuzzer harness for the router (fasterapi/router.hpp) over a planned
// table (router_table.inc, what `fasterapi build` emits for router_app.py).
//
// The input is a request's method and path as the dispatcher hands them to
// the router: byte 0 picks the method and whether the path is percent-decoded
// first (as Call::path is) or taken as it is; byte 1 picks the root path; the
// rest is the path. What must hold:
//   1. lookup() answers as scan(), the declaration-order scan of every
//      pattern: the same FULL route, the same 405 route, the same captures;
//   2. a FULL route's pattern matches the path with those captures, and the
//      captures are views into the path;
//   3. route_path() is a suffix of the path; any_match() is lookup()'s
//      "some route matches";
//   4. slash_redirect() offers only the other slash form of the path, and
//      only one that some route matches;
//   5. nothing crashes, leaks or reads out of bounds (ASan, UBSan): the path
//      is in a buffer of exactly its size.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "fasterapi/router.hpp"
#include "fasterapi/text.hpp"

namespace router = fasterapi::router;

namespace planned {
using fasterapi::router::Convertor;
using fasterapi::router::Part;
using fasterapi::router::PartKind;
using namespace std::string_view_literals;
#include "router_table.inc"
}  // namespace planned

namespace {

[[noreturn]] void fail(const char* what, std::string_view path, const std::string& a = {}, const std::string& b = {}) {
    std::fprintf(stderr, "router_fuzz: %s\n  path: \"%.*s\"\n  first:  %s\n  second: %s\n", what,
                 static_cast<int>(path.size()), path.data(), a.c_str(), b.c_str());
    std::abort();
}

std::string describe(const router::Result& r) {
    std::string s = "full=" + std::to_string(static_cast<std::int64_t>(r.full == router::no_route ? -1 : r.full));
    s += " partial=" + std::to_string(static_cast<std::int64_t>(r.partial == router::no_route ? -1 : r.partial));
    if (r.full != router::no_route) {
        for (std::size_t i = 0; i < r.captures.count; ++i) s.append(" [").append(r.captures.values[i]).append("]");
    }
    return s;
}

constexpr std::uint16_t methods[] = {
    0, router::m_get, router::m_head, router::m_post, router::m_put, router::m_delete,
    router::m_patch, router::m_options, router::m_trace, router::m_connect, router::m_other,
};
constexpr std::string_view roots[] = {"", "/api", "/api/", "/users", "/"};

void check_path(std::string_view path, std::uint16_t method) {
    const router::Table& table = planned::table;
    router::Result found, reference;
    router::lookup(table, path, method, found);
    router::scan(table, path, method, reference);
    if (describe(found) != describe(reference)) fail("lookup and scan disagree", path, describe(found), describe(reference));
    if (found.full != router::no_route) {
        if (found.full >= table.route_count) fail("route index out of range", path);
        const router::Pattern& p = table.patterns[found.full];
        if (method != 0 && !(p.methods & method)) fail("a FULL route without the method", path, describe(found));
        if (found.captures.count != p.capture_count) fail("capture count differs from the pattern's", path);
        router::Captures again;
        if (!router::match_pattern(p, path, again)) fail("the FULL route's pattern does not match", path);
        for (std::size_t i = 0; i < found.captures.count; ++i) {
            const std::string_view v = found.captures.values[i];
            if (v != again.values[i]) fail("captures differ from the pattern's", path, describe(found));
            if (!v.empty() && (v.data() < path.data() || v.data() + v.size() > path.data() + path.size()))
                fail("a capture outside the path", path, describe(found));
        }
    }
    if (found.partial != router::no_route && found.partial >= table.route_count) fail("405 route out of range", path);
    if (method == 0 && found.full != router::no_route) fail("a FULL match without a method", path);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const std::uint16_t method = methods[(data[0] & 0x7F) % (sizeof methods / sizeof methods[0])];
    const bool decode = data[0] & 0x80;
    const std::string_view root = roots[data[1] % (sizeof roots / sizeof roots[0])];
    std::string decoded;
    std::string_view raw(reinterpret_cast<const char*>(data) + 2, size - 2);
    if (decode) {
        fasterapi::text::unquote(raw, decoded);
        raw = decoded;
    }
    auto buffer = std::make_unique<char[]>(raw.empty() ? 1 : raw.size());  // exact: a read past it is caught
    std::memcpy(buffer.get(), raw.data(), raw.size());
    const std::string_view path(buffer.get(), raw.size());

    const std::string_view route = router::route_path(path, root);
    if (route.size() > path.size() || path.substr(path.size() - route.size()) != route)
        fail("route_path is not a suffix of the path", path, std::string(route));
    check_path(route, method);
    check_path(path, method);

    router::Result any;
    router::lookup(planned::table, route, 0, any);
    if (router::any_match(planned::table, route) != (any.partial != router::no_route)) fail("any_match", route);

    std::string other = "untouched";
    if (router::slash_redirect(planned::table, path, root, other)) {
        std::string_view stem = path, other_stem = other;
        while (!stem.empty() && stem.back() == '/') stem.remove_suffix(1);
        while (!other_stem.empty() && other_stem.back() == '/') other_stem.remove_suffix(1);
        if (stem != other_stem || other == path) fail("a redirect to other than the other slash form", path, other);
        if (!router::any_match(planned::table, router::route_path(other, root))) fail("a redirect nowhere", path, other);
    }
    return 0;
}
