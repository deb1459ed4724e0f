// Router: patterns match as Starlette's compiled regexes do.
#include "fasterapi/router.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace fasterapi::router;
using namespace std::string_view_literals;

namespace {

struct Built {
    std::vector<Part> parts;
    Pattern pattern{};
};

// "/files/{name}.txt" style templates; "{x:path}" is a rest parameter,
// "{x:int}", "{x:float}" and "{x:uuid}" typed segment parameters.
Built make(std::string_view tmpl) {
    Built b;
    std::size_t pos = 0;
    std::uint8_t captures = 0;
    while (pos < tmpl.size()) {
        std::size_t open = tmpl.find('{', pos);
        if (open == std::string_view::npos) {
            b.parts.push_back({PartKind::literal, tmpl.substr(pos)});
            break;
        }
        if (open > pos) b.parts.push_back({PartKind::literal, tmpl.substr(pos, open - pos)});
        std::size_t close = tmpl.find('}', open);
        std::string_view name = tmpl.substr(open + 1, close - open - 1);
        std::size_t colon = name.find(':');
        std::string_view convertor = colon == std::string_view::npos ? "str"sv : name.substr(colon + 1);
        Part part{convertor == "path" ? PartKind::rest : PartKind::segment, name.substr(0, colon)};
        if (convertor == "int") part.convertor = Convertor::int_;
        if (convertor == "float") part.convertor = Convertor::float_;
        if (convertor == "uuid") part.convertor = Convertor::uuid;
        b.parts.push_back(part);
        ++captures;
        pos = close + 1;
    }
    b.pattern = Pattern{b.parts.data(), static_cast<std::uint8_t>(b.parts.size()), captures, m_get, "GET"};
    return b;
}

std::vector<std::string> match(std::string_view tmpl, std::string_view path) {
    Built b = make(tmpl);
    Captures c;
    if (!match_pattern(b.pattern, path, c)) return {"<none>"};
    std::vector<std::string> out;
    for (std::size_t i = 0; i < c.count; ++i) out.emplace_back(c.values[i]);
    return out;
}

using V = std::vector<std::string>;

}  // namespace

TEST_CASE("static paths match exactly, or just before a final newline") {
    CHECK(match("/items", "/items") == V{});
    CHECK(match("/items", "/items/") == V{"<none>"});
    CHECK(match("/items", "/item") == V{"<none>"});
    CHECK(match("/items", "/items\n") == V{});  // Python's `$`
    CHECK(match("/items", "/items\n\n") == V{"<none>"});
    CHECK(match("/", "/") == V{});
}

TEST_CASE("segment parameters take one non-empty segment") {
    CHECK(match("/users/{id}", "/users/42") == V{"42"});
    CHECK(match("/users/{id}", "/users/") == V{"<none>"});
    CHECK(match("/users/{id}", "/users/a/b") == V{"<none>"});
    CHECK(match("/users/{id}", "/users/a\n") == V{"a\n"});  // [^/] takes the newline
    CHECK(match("/users/{id}/posts/{p}", "/users/1/posts/2") == V{"1", "2"});
}

TEST_CASE("parameters backtrack as the regex does") {
    CHECK(match("/files/{name}.txt", "/files/a.b.txt") == V{"a.b"});
    CHECK(match("/files/{name}.txt", "/files/.txt") == V{"<none>"});
    CHECK(match("/pair/{a}-{b}", "/pair/x-y-z") == V{"x-y", "z"});
    CHECK(match("/pair/{a}-{b}", "/pair/-") == V{"<none>"});
}

TEST_CASE("rest parameters take everything but a newline, possibly nothing") {
    CHECK(match("/static/{p:path}", "/static/css/site.css") == V{"css/site.css"});
    CHECK(match("/static/{p:path}", "/static/") == V{""});
    CHECK(match("/static/{p:path}", "/static") == V{"<none>"});
    CHECK(match("/static/{p:path}", "/static/a\n") == V{"a"});
    CHECK(match("/static/{p:path}", "/static/a\nb") == V{"<none>"});
    CHECK(match("/{p:path}/end", "/a/b/end") == V{"a/b"});
}

TEST_CASE("typed parameters take what Starlette's convertor regexes take") {
    CHECK(match("/i/{n:int}", "/i/007") == V{"007"});
    CHECK(match("/i/{n:int}", "/i/-1") == V{"<none>"});
    CHECK(match("/i/{n:int}", "/i/1e3") == V{"<none>"});
    CHECK(match("/i/{n:int}", "/i/5\n") == V{"5"});  // `$` before a final newline
    CHECK(match("/i/{a:int}{b:int}", "/i/123") == V{"12", "3"});
    CHECK(match("/v{n:int}/x", "/v12/x") == V{"12"});
    CHECK(match("/f/{x:float}", "/f/1.50") == V{"1.50"});
    CHECK(match("/f/{x:float}", "/f/1.") == V{"<none>"});
    CHECK(match("/f/{x:float}", "/f/.5") == V{"<none>"});
    CHECK(match("/f/{x:float}.txt", "/f/1.5.txt") == V{"1.5"});
    CHECK(match("/f/{x:float}.txt", "/f/1.txt") == V{"1"});
    CHECK(match("/f/{a:float}{b:int}", "/f/1.55") == V{"1.5", "5"});  // the fraction first, then shorter
    CHECK(match("/f/{a:float}.{b:int}", "/f/1.5") == V{"1", "5"});
    CHECK(match("/u/{x:uuid}", "/u/12345678-1234-1234-1234-123456789ABC") == V{"12345678-1234-1234-1234-123456789ABC"});
    CHECK(match("/u/{x:uuid}", "/u/12345678123412341234123456789abc") == V{"12345678123412341234123456789abc"});
    CHECK(match("/u/{x:uuid}", "/u/12345678-12341234-1234-123456789abc") == V{"12345678-12341234-1234-123456789abc"});
    CHECK(match("/u/{x:uuid}", "/u/12345678--1234-1234-1234-123456789abc") == V{"<none>"});
    CHECK(match("/u/{x:uuid}", "/u/12345678-1234-1234-1234-123456789abg") == V{"<none>"});
    CHECK(match("/u/{x:uuid}{y}", "/u/12345678-1234-1234-1234-123456789abcd") == V{"12345678-1234-1234-1234-123456789abc", "d"});
}

TEST_CASE("fills: a whole segment for a typed parameter") {
    CHECK(fills(Convertor::int_, "0"));
    CHECK_FALSE(fills(Convertor::int_, ""));
    CHECK_FALSE(fills(Convertor::int_, "1 "));
    CHECK(fills(Convertor::float_, "10.25"));
    CHECK(fills(Convertor::float_, "10"));
    CHECK_FALSE(fills(Convertor::float_, "10."));
    CHECK_FALSE(fills(Convertor::float_, "1.2.3"));
    CHECK(fills(Convertor::uuid, "12345678-1234-1234-1234-123456789abc"));
    CHECK_FALSE(fills(Convertor::uuid, "12345678-1234-1234-1234-123456789abcd"));
    CHECK(fills(Convertor::str, "x"));
}

TEST_CASE("method bits") {
    CHECK(method_bit(fasterapi::http::Method::get) == m_get);
    CHECK(method_bit(fasterapi::http::Method::delete_) == m_delete);
    CHECK(method_bit(fasterapi::http::Method::other) == m_other);
    CHECK((m_any & m_other) != 0);
    CHECK((m_any & m_connect) != 0);
}

// ---- The planned table, as generated code lays it out -----------------------
//
// Routes: 0 GET /users/{id}, 1 GET /users/me, 2 PUT /users/me, 3 GET /static/{p:path},
// 4 GET /files/{n}.txt (fallback), 5 GET /users/{id}/posts.
namespace {

constexpr Part users_id[] = {{PartKind::literal, "/users/"sv}, {PartKind::segment, "id"sv}};
constexpr Part users_me[] = {{PartKind::literal, "/users/me"sv}};
constexpr Part static_p[] = {{PartKind::literal, "/static/"sv}, {PartKind::rest, "p"sv}};
constexpr Part files_n[] = {{PartKind::literal, "/files/"sv}, {PartKind::segment, "n"sv}, {PartKind::literal, ".txt"sv}};
constexpr Part posts[] = {{PartKind::literal, "/users/"sv}, {PartKind::segment, "id"sv}, {PartKind::literal, "/posts"sv}};

constexpr Pattern table_patterns[] = {
    {users_id, 2, 1, m_get, "GET"},  {users_me, 1, 0, m_get, "GET"},  {users_me, 1, 0, m_put, "PUT"},
    {static_p, 2, 1, m_get, "GET"},  {files_n, 3, 1, m_get, "GET"},   {posts, 3, 1, m_get, "GET"},
};
constexpr std::uint32_t displacements[] = {0};
// "/users/me" is matched by route 0 (capturing "me"), then routes 1 and 2.
constexpr StaticMatch static_matches[] = {{0, 0}, {1, 1}, {2, 1}};
constexpr Span spans[] = {{7, 2}};
// root -"static"-> 1 (rest: 3); root -"users"-> 2; 2 -{param}-> 3 (end: 0); 3 -"posts"-> 4 (end: 5)
constexpr Node nodes[] = {
    {1, 2, 0, -1, 0, 0, 3, 0, 0, 0}, {0, 0, 0, -1, 0, 0, 0, 0, 1, 3}, {1, 0, 0, 3, 0, 0, 3, 0, 0, 0},
    {0, 1, 0, -1, 0, 0, 2, 1, 0, 0}, {0, 0, 0, -1, 0, 0, 1, 1, 0, 5},
};
constexpr Literal literals[] = {{"posts"sv, 4}, {"static"sv, 1}, {"users"sv, 2}};
constexpr std::uint16_t route_lists[] = {3, 5, 0};
constexpr std::uint16_t fallback[] = {4};

struct Planned {
    StaticSlot slots[4] = {};
    Table table{};

    Planned() {
        constexpr std::uint64_t seed = 12345;
        table = Table{table_patterns, 6, seed, displacements, 1, slots, 62, std::uint64_t{1} << 9, static_matches,
                      spans, nodes, 5, literals, nullptr, route_lists, fallback, 1};
        slots[slot_of(table, "/users/me")] = {"/users/me"sv, 0, 3};
    }
};

std::string answer(const Table& t, std::string_view path, std::uint16_t method, bool reference = false) {
    Result r;
    if (reference) {
        scan(t, path, method, r);
    } else {
        lookup(t, path, method, r);
    }
    if (r.full != no_route) {
        std::string out = "full " + std::to_string(r.full);
        for (std::size_t i = 0; i < r.captures.count; ++i) out.append(" ").append(r.captures.values[i]);
        return out;
    }
    if (r.partial != no_route) return "405 " + std::to_string(r.partial);
    return "404";
}

}  // namespace

TEST_CASE("a static hit answers with every route that matches it, in declaration order") {
    Planned p;
    CHECK(answer(p.table, "/users/me", m_get) == "full 0 me");  // declared first: captures the static path
    CHECK(answer(p.table, "/users/me", m_put) == "full 2");
    CHECK(answer(p.table, "/users/me", m_post) == "405 0");
}

TEST_CASE("the tree, the rest parameter and the fallback pick the smallest matching route") {
    Planned p;
    CHECK(answer(p.table, "/users/42", m_get) == "full 0 42");
    CHECK(answer(p.table, "/users/42", m_delete) == "405 0");
    CHECK(answer(p.table, "/users/42/posts", m_get) == "full 5 42");
    CHECK(answer(p.table, "/users//posts", m_get) == "404");
    CHECK(answer(p.table, "/static/", m_get) == "full 3 ");
    CHECK(answer(p.table, "/static/a/b", m_get) == "full 3 a/b");
    CHECK(answer(p.table, "/static/a\nb", m_get) == "404");
    CHECK(answer(p.table, "/files/a.b.txt", m_get) == "full 4 a.b");
    CHECK(answer(p.table, "/users/me\n", m_get) == "full 0 me\n");  // a final newline takes the scan
    CHECK(any_match(p.table, "/users/x"));
    CHECK_FALSE(any_match(p.table, "/users/"));
}

TEST_CASE("lookup agrees with the scan of every pattern") {
    Planned p;
    for (std::string_view path : {"/"sv, ""sv, "/users"sv, "/users/"sv, "/users/me"sv, "/users/me/"sv, "/users/me/posts"sv,
                                  "/users/a\n"sv, "/static"sv, "/static/x\n"sv, "/files/.txt"sv, "/files/x.txt\n"sv,
                                  "/users/me\n"sv, "//users/me"sv, "/users/a/posts/"sv}) {
        for (int method : {int{m_get}, int{m_put}, int{m_post}, 0}) {
            INFO(std::string(path) << " " << method);
            const auto bit = static_cast<std::uint16_t>(method);
            CHECK(answer(p.table, path, bit) == answer(p.table, path, bit, true));
        }
    }
}

TEST_CASE("route paths under a root path, as Starlette's get_route_path") {
    CHECK(route_path("/api/items", "/api") == "/items");
    CHECK(route_path("/api", "/api") == "");
    CHECK(route_path("/api/", "/api") == "/");
    CHECK(route_path("/apix", "/api") == "/apix");
    CHECK(route_path("/items", "/api") == "/items");
    CHECK(route_path("/items", "") == "/items");
    CHECK(route_path("/api/items", "/api/") == "/api/items");
    CHECK(route_path("/api//items", "/api/") == "/items");
}

TEST_CASE("redirect_slashes: the other slash form of the full path, matched on its route path") {
    Planned p;
    std::string other;
    CHECK(slash_redirect(p.table, "/users/me/", "", other));
    CHECK(other == "/users/me");
    CHECK(slash_redirect(p.table, "/users/me///", "", other));
    CHECK(other == "/users/me");
    CHECK(slash_redirect(p.table, "/static", "", other));
    CHECK(other == "/static/");
    CHECK(slash_redirect(p.table, "/api/static", "/api", other));
    CHECK(other == "/api/static/");
    CHECK_FALSE(slash_redirect(p.table, "/api/nowhere", "/api", other));
    CHECK_FALSE(slash_redirect(p.table, "/", "", other));
    CHECK_FALSE(slash_redirect(p.table, "/api/", "/api", other));  // the route path is "/"
}

TEST_CASE("a node with many literal children hashes them; segments compare whole") {
    // Routes: 0..9 GET /<name>/{id} for ten names, some longer than 8 bytes
    // with the same first 8 bytes and length.
    static constexpr std::string_view names[] = {"a",          "bb",         "statistics", "statisticz", "users",
                                                 "user",       "",           "repos",      "repository", "x"};
    static Part parts[10][2];
    static Pattern patterns[10];
    for (int i = 0; i < 10; ++i) {
        parts[i][0] = {PartKind::literal, names[i]};  // only the pattern's arity matters below
        parts[i][1] = {PartKind::segment, "id"};
        patterns[i] = {parts[i], 2, 1, m_get, "GET"};
    }
    // The root's table: 32 slots (2^5 >= 2 * 10), each name at its probe position.
    static Literal table[32];
    static Node nodes[21];
    static std::uint16_t lists[10];
    nodes[0] = {0, 32, 5, -1, 0, 0, 0, 0, 0, 0};
    for (std::uint32_t i = 0; i < 10; ++i) {
        std::uint32_t k = literal_slot(Literal::word(names[i]), names[i].size(), 5);
        while (table[k].child != no_node) k = (k + 1) & 31;
        table[k] = Literal{names[i], 1 + 2 * i};
        nodes[1 + 2 * i] = {0, 0, 0, static_cast<std::int32_t>(2 + 2 * i), 0, 0, 0, 0, 0, i};
        nodes[2 + 2 * i] = {0, 0, 0, -1, 0, 0, i, 1, 0, i};
        lists[i] = static_cast<std::uint16_t>(i);
    }
    static const std::uint32_t displacements[] = {0};
    static StaticSlot slots[4] = {};
    const Table t{patterns, 10, 1, displacements, 1, slots, 62, 0, nullptr, nullptr, nodes, 21, table, nullptr, lists,
                  nullptr, 0};
    CHECK(answer(t, "/statistics/7", m_get) == "full 2 7");
    CHECK(answer(t, "/statisticz/7", m_get) == "full 3 7");
    CHECK(answer(t, "/statisticy/7", m_get) == "404");
    CHECK(answer(t, "/user/7", m_get) == "full 5 7");
    CHECK(answer(t, "/users/7", m_get) == "full 4 7");
    CHECK(answer(t, "/usersx/7", m_get) == "404");
    CHECK(answer(t, "//7", m_get) == "full 6 7");
    CHECK(answer(t, "/x/7", m_post) == "405 9");
    CHECK(answer(t, "/repository/abc", m_get) == "full 8 abc");
    CHECK(answer(t, "/repository", m_get) == "404");
}

TEST_CASE("segments of 8 bytes, short paths and the end of the path") {
    // Routes: 0 GET /abcdefgh/{id}, 1 GET /ab/{id}, 2 GET //{id}; the root's literals are scanned.
    static constexpr Part p0[] = {{PartKind::literal, "/abcdefgh/"sv}, {PartKind::segment, "id"sv}};
    static constexpr Part p1[] = {{PartKind::literal, "/ab/"sv}, {PartKind::segment, "id"sv}};
    static constexpr Part p2[] = {{PartKind::literal, "//"sv}, {PartKind::segment, "id"sv}};
    static constexpr Pattern patterns[] = {{p0, 2, 1, m_get, "GET"}, {p1, 2, 1, m_get, "GET"}, {p2, 2, 1, m_get, "GET"}};
    static constexpr Literal literals[] = {{""sv, 1}, {"ab"sv, 3}, {"abcdefgh"sv, 5}};
    static constexpr Node nodes[] = {
        {0, 3, 0, -1, 0, 0, 3, 0, 0, 0},
        {0, 0, 0, 2, 0, 0, 3, 0, 0, 2}, {0, 0, 0, -1, 0, 0, 2, 1, 0, 2},
        {0, 0, 0, 4, 0, 0, 3, 0, 0, 1}, {0, 0, 0, -1, 0, 0, 1, 1, 0, 1},
        {0, 0, 0, 6, 0, 0, 3, 0, 0, 0}, {0, 0, 0, -1, 0, 0, 0, 1, 0, 0},
    };
    static constexpr std::uint16_t lists[] = {0, 1, 2};
    static const std::uint32_t displacements[] = {0};
    static StaticSlot slots[4] = {};
    const Table t{patterns, 3, 1, displacements, 1, slots, 62, 0, nullptr, nullptr, nodes, 7, literals, nullptr, lists,
                  nullptr, 0};
    CHECK(answer(t, "/abcdefgh/1", m_get) == "full 0 1");
    CHECK(answer(t, "/abcdefgh/123456789", m_get) == "full 0 123456789");
    CHECK(answer(t, "/abcdefg/1", m_get) == "404");
    CHECK(answer(t, "/abcdefghi/1", m_get) == "404");
    CHECK(answer(t, "/ab/1", m_get) == "full 1 1");
    CHECK(answer(t, "/ab/", m_get) == "404");
    CHECK(answer(t, "/ab", m_get) == "404");
    CHECK(answer(t, "//x", m_get) == "full 2 x");
    CHECK(answer(t, "//", m_get) == "404");
    CHECK(answer(t, "/", m_get) == "404");
    CHECK(answer(t, "", m_get) == "404");
    CHECK(answer(t, "ab/1", m_get) == "404");
}
