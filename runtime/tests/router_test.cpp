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

// "/files/{name}.txt" style templates; "{x:path}" is a rest parameter.
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
        bool rest = name.size() > 5 && name.substr(name.size() - 5) == ":path";
        b.parts.push_back({rest ? PartKind::rest : PartKind::segment, name});
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

TEST_CASE("method bits") {
    CHECK(method_bit(fasterapi::http::Method::get) == m_get);
    CHECK(method_bit(fasterapi::http::Method::delete_) == m_delete);
    CHECK(method_bit(fasterapi::http::Method::other) == 0);
}
