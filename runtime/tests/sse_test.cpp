// sse: the encoder against the shared table data/sse_cases.json, whose
// expected bytes tests/test_sse_encoding.py checks against FastAPI's own
// encoder, so the two cannot drift; then appending, validation, and random
// text against a plain line splitter written from the specification.
#include "fasterapi/sse.hpp"

#include <catch2/catch.hpp>
#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace sse = fasterapi::sse;

namespace {

struct Fields {
    std::optional<std::string> data, event, id, comment;
    std::optional<std::int64_t> retry;

    sse::Event view() const {
        sse::Event e;
        if (data) e.data = *data;
        if (event) e.event = *event;
        if (id) e.id = *id;
        if (comment) e.comment = *comment;
        e.retry = retry;
        return e;
    }
};

struct EventCase {
    std::string name;
    Fields fields;
    std::string expected;
};

struct CommentCase {
    std::string comment;
    std::string expected;
};

struct InvalidCase {
    std::string name;
    Fields fields;
    std::string error;
};

struct Table {
    std::string keepalive_comment;
    std::int64_t ping_interval_seconds = 0;
    std::vector<EventCase> events;
    std::vector<CommentCase> comments;
    std::vector<InvalidCase> invalid;
};

std::string text(simdjson::dom::element e) { return std::string(std::string_view(e)); }

Fields read_fields(simdjson::dom::object o) {
    Fields f;
    for (auto [key, value] : o) {
        if (key == "data") f.data = text(value);
        else if (key == "event") f.event = text(value);
        else if (key == "id") f.id = text(value);
        else if (key == "comment") f.comment = text(value);
        else if (key == "retry") f.retry = std::int64_t(value);
        else FAIL("unknown field in sse_cases.json: " << key);
    }
    return f;
}

const Table& table() {
    static const Table t = [] {
        Table t;
        simdjson::dom::parser parser;
        simdjson::dom::element doc = parser.load(FASTERAPI_SSE_CASES);
        t.keepalive_comment = text(doc["keepalive_comment"]);
        t.ping_interval_seconds = std::int64_t(doc["ping_interval_seconds"]);
        for (simdjson::dom::object c : doc["events"])
            t.events.push_back({text(c["name"]), read_fields(c["fields"]), text(c["expected"])});
        for (simdjson::dom::object c : doc["comments"])
            t.comments.push_back({text(c["comment"]), text(c["expected"])});
        for (simdjson::dom::object c : doc["invalid"])
            t.invalid.push_back({text(c["name"]), read_fields(c["fields"]), text(c["error"])});
        return t;
    }();
    return t;
}

// Control bytes spelled out, so a failed comparison shows where lines break.
std::string visible(std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned char c : s) {
        if (c == '\n') out += "\\n";
        else if (c == '\r') out += "\\r";
        else if (c == '\\') out += "\\\\";
        else if (c < 0x20 || c == 0x7f) {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        } else out += static_cast<char>(c);
    }
    return out;
}

std::string encode(const sse::Event& e) {
    std::string out;
    sse::append_event(out, e);
    return out;
}

// What the specification's line rules give, written the slow, obvious way:
// CRLF, then lone CR, become LF; split on LF; keep every piece.
std::vector<std::string> reference_lines(std::string_view s) {
    std::string unified;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\r') {
            unified += '\n';
            if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
        } else unified += s[i];
    }
    std::vector<std::string> lines(1);
    for (char c : unified) {
        if (c == '\n') lines.emplace_back();
        else lines.back() += c;
    }
    return lines;
}

std::string reference_data_event(std::string_view data) {
    std::string out;
    for (const auto& line : reference_lines(data)) out += "data: " + line + "\n";
    return out + "\n";
}

}  // namespace

TEST_CASE("every event in the shared table encodes to FastAPI's bytes", "[sse]") {
    REQUIRE(table().events.size() > 10);
    for (const auto& c : table().events) {
        INFO(c.name);
        CHECK(visible(encode(c.fields.view())) == visible(c.expected));
        CHECK_FALSE(sse::check(c.fields.view()));
    }
}

TEST_CASE("every comment in the shared table encodes to FastAPI's bytes", "[sse]") {
    REQUIRE_FALSE(table().comments.empty());
    for (const auto& c : table().comments) {
        INFO(visible(c.comment));
        std::string out;
        sse::append_comment(out, c.comment);
        CHECK(visible(out) == visible(c.expected));
        sse::Event only_comment;
        only_comment.comment = c.comment;
        CHECK(encode(only_comment) == out);
    }
}

TEST_CASE("every invalid event in the shared table is refused with its message", "[sse]") {
    REQUIRE_FALSE(table().invalid.empty());
    for (const auto& c : table().invalid) {
        INFO(c.name);
        const sse::Event e = c.fields.view();
        auto problem = sse::check(e);
        REQUIRE(problem);
        CHECK(*problem == c.error);
        std::string out = "kept";
        try {
            sse::append_event(out, e);
            FAIL("append_event accepted an invalid event");
        } catch (const std::invalid_argument& ex) {
            CHECK(std::string(ex.what()) == c.error);
        }
        CHECK(out == "kept");
    }
}

TEST_CASE("keep-alive ping and interval are FastAPI's", "[sse]") {
    CHECK(sse::keepalive_comment == table().keepalive_comment);
    CHECK(sse::keepalive_comment == ": ping\n\n");
    CHECK(sse::ping_interval == std::chrono::seconds(table().ping_interval_seconds));
    CHECK(sse::ping_interval == std::chrono::seconds(15));
    std::string out;
    sse::append_comment(out, "ping");
    CHECK(out == sse::keepalive_comment);
}

TEST_CASE("the header's example", "[sse]") {
    sse::Event e;
    e.comment = "hi";
    e.event = "tick";
    e.data = "a\r\nb";
    e.id = "7";
    e.retry = 3000;
    CHECK(encode(e) == ": hi\nevent: tick\ndata: a\ndata: b\nid: 7\nretry: 3000\n\n");
    CHECK(encode({}) == "\n");
}

TEST_CASE("events append after what the buffer holds", "[sse]") {
    std::string out = "HTTP body so far\n\n";
    sse::Event first;
    first.data = "1";
    sse::Event second;
    second.event = "e";
    second.data = "2\n3";
    sse::append_event(out, first);
    sse::append_comment(out, "ping");
    sse::append_event(out, second);
    CHECK(out == "HTTP body so far\n\ndata: 1\n\n: ping\n\nevent: e\ndata: 2\ndata: 3\n\n");
}

TEST_CASE("field checks one by one", "[sse]") {
    CHECK_FALSE(sse::check_event(""));
    CHECK_FALSE(sse::check_event("a b:c\tд"));
    CHECK_FALSE(sse::check_event(std::string_view("a\0b", 3)));
    CHECK(sse::check_event("a\nb") == "SSE 'event' must be a single line");
    CHECK(sse::check_event("\r") == "SSE 'event' must be a single line");

    CHECK_FALSE(sse::check_id(""));
    CHECK_FALSE(sse::check_id("evt-1 x"));
    CHECK(sse::check_id("\n") == "SSE 'id' must be a single line");
    CHECK(sse::check_id("1\r\n") == "SSE 'id' must be a single line");
    CHECK(sse::check_id(std::string_view("\0", 1)) == "SSE 'id' must not contain null characters");
    CHECK(sse::check_id(std::string_view("\n\0", 2)) == "SSE 'id' must not contain null characters");

    CHECK_FALSE(sse::check_retry(0));
    CHECK_FALSE(sse::check_retry(INT64_MAX));
    CHECK(sse::check_retry(-1) == "SSE 'retry' must be a non-negative integer");
    CHECK(sse::check_retry(INT64_MIN) == "SSE 'retry' must be a non-negative integer");
}

TEST_CASE("data and comments take their bytes as they are", "[sse]") {
    // Bytes that are not UTF-8 are not the encoder's business; they pass.
    sse::Event e;
    const std::string odd("\xff\xfe\x00\x85", 4);
    e.data = odd;
    CHECK(encode(e) == "data: " + odd + "\n\n");
}

TEST_CASE("long data with many lines of every break style", "[sse]") {
    std::string data;
    const char* breaks[] = {"\n", "\r\n", "\r"};
    for (int i = 0; i < 3000; ++i) {
        data += "line " + std::to_string(i);
        data += breaks[i % 3];
        if (i % 7 == 0) data += breaks[(i / 7) % 3];  // empty lines too
    }
    sse::Event e;
    e.data = data;
    CHECK(encode(e) == reference_data_event(data));
}

TEST_CASE("random text splits as the specification says", "[sse]") {
    std::mt19937 rng(20240611);
    // Near misses too: bytes that differ from CR or LF by one bit or by 0x80.
    const char alphabet[] = {'a', 'b', ' ', ':', '\r', '\n', '\0', '\xc3', '\xa9',
                             '\x0b', '\x0c', '\x8a', '\x8d', '\x09', '\x0e'};
    std::uniform_int_distribution<int> pick(0, sizeof alphabet - 1);
    std::uniform_int_distribution<int> length(0, 64);
    for (int round = 0; round < 20000; ++round) {
        std::string data;
        for (int n = length(rng); n > 0; --n) data += alphabet[pick(rng)];
        INFO(visible(data));
        sse::Event e;
        e.data = data;
        REQUIRE(visible(encode(e)) == visible(reference_data_event(data)));
    }
}
