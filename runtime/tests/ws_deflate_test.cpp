// permessage-deflate: parsing extension offers, negotiating RFC 7692's
// parameters, and the Inflater/Deflater pair on the RFC's own examples,
// round trips, corrupt input and decompression bombs.
#include <catch2/catch.hpp>

#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "fasterapi/ws/deflate.hpp"

namespace ws = fasterapi::ws;
using Status = ws::Inflater::Status;
using namespace std::string_literals;

namespace {

std::string bytes(std::initializer_list<int> b) {
    std::string s;
    for (int c : b) s += static_cast<char>(c);
    return s;
}

std::string describe(const std::vector<ws::ExtensionOffer>& offers) {
    std::string s;
    for (const ws::ExtensionOffer& o : offers) {
        s += "[" + o.name;
        for (const ws::ExtensionParam& p : o.params) s += ";" + p.name + (p.has_value ? "=" + p.value : "");
        s += "]";
    }
    return s;
}

std::string parse(std::string_view value) {
    std::vector<ws::ExtensionOffer> offers;
    ws::parse_extensions(value, offers);
    return describe(offers);
}

std::optional<std::string> response_to(std::string_view value, const ws::DeflateOptions& options = {}) {
    const std::string_view values[] = {value};
    const auto a = ws::negotiate_deflate(values, options);
    if (!a) return std::nullopt;
    return a->response;
}

// Inflates one message given in `pieces`; the status of the first failure or of finish().
Status inflate_message(ws::Inflater& in, const std::vector<std::string>& pieces, std::string& out,
                       std::size_t limit = 1 << 20) {
    for (const std::string& p : pieces)
        if (const Status s = in.inflate(p, out, limit); s != Status::ok) return s;
    return in.finish(out, limit);
}

std::string inflate_one(ws::Inflater& in, std::string_view payload, std::size_t limit = 1 << 20) {
    std::string out;
    REQUIRE(inflate_message(in, {std::string(payload)}, out, limit) == Status::ok);
    return out;
}

std::string compress(ws::Deflater& d, std::string_view message) {
    std::string out;
    REQUIRE(d.compress(message, out));
    return out;
}

std::string random_text(std::mt19937& rng, std::size_t n) {
    static const std::string words[] = {"socket ", "frame ", "deflate ", "µ ", "{\"id\": ", "42, ", "window "};
    std::string s;
    while (s.size() < n) {
        if (rng() % 8 == 0) s += static_cast<char>(rng() % 256);
        else s += words[rng() % std::size(words)];
    }
    s.resize(n);
    return s;
}

}  // namespace

TEST_CASE("extension offers parse with parameters, quotes and several elements", "[deflate]") {
    CHECK(parse("permessage-deflate") == "[permessage-deflate]");
    CHECK(parse("permessage-deflate; client_max_window_bits") == "[permessage-deflate;client_max_window_bits]");
    CHECK(parse("permessage-deflate;server_max_window_bits=10 ; client_no_context_takeover") ==
          "[permessage-deflate;server_max_window_bits=10;client_no_context_takeover]");
    CHECK(parse("permessage-deflate; server_max_window_bits = \"10\"") ==
          "[permessage-deflate;server_max_window_bits=10]");
    CHECK(parse("a; x=\"q\\\"uo,te\", b") == "[a;x=q\"uo,te][b]");
    CHECK(parse("x-foo, permessage-deflate; client_max_window_bits, permessage-deflate") ==
          "[x-foo][permessage-deflate;client_max_window_bits][permessage-deflate]");
    CHECK(parse(" , a ,, b ,") == "[a][b]");
    CHECK(parse("") == "");
}

TEST_CASE("an element with a syntax error is skipped, the rest kept", "[deflate]") {
    CHECK(parse("a; =1, b") == "[b]");
    CHECK(parse("a; x=, b") == "[b]");
    CHECK(parse("a; x=\"unterminated, b") == "");
    CHECK(parse("a; x=\"q,\"junk, b") == "[b]");
    CHECK(parse("a b, c") == "[c]");
    CHECK(parse("a;;x, c") == "[c]");
    CHECK(parse("@, c; y=1") == "[c;y=1]");
    CHECK(parse("a; x=\"\x01\", c") == "[c]");
}

TEST_CASE("the server accepts permessage-deflate as offered", "[deflate]") {
    CHECK(response_to("permessage-deflate") == "permessage-deflate");
    CHECK(response_to("permessage-deflate; client_max_window_bits") == "permessage-deflate");
    CHECK(response_to("permessage-deflate; client_max_window_bits=10") ==
          "permessage-deflate; client_max_window_bits=10");
    CHECK(response_to("permessage-deflate; client_max_window_bits=15") == "permessage-deflate");
    CHECK(response_to("permessage-deflate; server_max_window_bits=10") ==
          "permessage-deflate; server_max_window_bits=10");
    CHECK(response_to("permessage-deflate; server_max_window_bits=\"8\"") ==
          "permessage-deflate; server_max_window_bits=8");
    CHECK(response_to("permessage-deflate; server_max_window_bits=15") ==
          "permessage-deflate; server_max_window_bits=15");
    CHECK(response_to("permessage-deflate; server_no_context_takeover") ==
          "permessage-deflate; server_no_context_takeover");
    CHECK(response_to("Permessage-Deflate; Client_No_Context_Takeover") ==
          "permessage-deflate; client_no_context_takeover");
    CHECK(response_to("x-webkit-deflate-frame") == std::nullopt);

    const std::string_view values[] = {"permessage-deflate; server_no_context_takeover; client_max_window_bits=9"};
    const auto a = ws::negotiate_deflate(values);
    REQUIRE(a);
    CHECK(a->params.server_no_context_takeover);
    CHECK_FALSE(a->params.client_no_context_takeover);
    CHECK(a->params.server_max_window_bits == 15);
    CHECK(a->params.client_max_window_bits == 9);
}

TEST_CASE("invalid offers are declined and the next acceptable one is taken", "[deflate]") {
    const std::vector<std::string> invalid = {
        "permessage-deflate; server_max_window_bits",         // needs a value
        "permessage-deflate; server_max_window_bits=7",
        "permessage-deflate; server_max_window_bits=16",
        "permessage-deflate; server_max_window_bits=08",      // leading zero
        "permessage-deflate; server_max_window_bits=\"1 0\"",
        "permessage-deflate; server_max_window_bits=-9",
        "permessage-deflate; client_max_window_bits=0",
        "permessage-deflate; client_max_window_bits=\"\"",
        "permessage-deflate; server_no_context_takeover=1",   // takes no value
        "permessage-deflate; client_no_context_takeover=\"\"",
        "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
        "permessage-deflate; client_max_window_bits; client_max_window_bits=10",
        "permessage-deflate; server_max_window_bits=10; server_max_window_bits=10",
        "permessage-deflate; mystery",
    };
    for (const std::string& offer : invalid) {
        INFO(offer);
        CHECK(response_to(offer) == std::nullopt);
        CHECK(response_to(offer + ", permessage-deflate; client_max_window_bits=12") ==
              "permessage-deflate; client_max_window_bits=12");
    }
    const std::string_view values[] = {"x-foo, permessage-deflate; server_max_window_bits=7",
                                       "permessage-deflate; server_no_context_takeover"};
    const auto a = ws::negotiate_deflate(values);
    REQUIRE(a);
    CHECK(a->response == "permessage-deflate; server_no_context_takeover");
}

TEST_CASE("server preferences shape the response within what the client offered", "[deflate]") {
    ws::DeflateOptions o;
    o.server_no_context_takeover = true;
    o.client_no_context_takeover = true;
    o.server_max_window_bits = 10;
    o.client_max_window_bits = 11;
    CHECK(response_to("permessage-deflate", o) ==
          "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10");
    CHECK(response_to("permessage-deflate; client_max_window_bits", o) ==
          "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; "
          "client_max_window_bits=11");
    CHECK(response_to("permessage-deflate; client_max_window_bits=9; server_max_window_bits=12", o) ==
          "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; "
          "client_max_window_bits=9");
    const std::string_view values[] = {"permessage-deflate"};
    const auto a = ws::negotiate_deflate(values, o);
    REQUIRE(a);
    CHECK(a->params.client_max_window_bits == 15);  // not offered: the client may use 15
    CHECK(a->params.server_max_window_bits == 10);
}

TEST_CASE("RFC 7692 §7.2.3 examples decompress, and compress to the same bytes", "[deflate]") {
    const std::string hello = bytes({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00});
    const std::string hello_again = bytes({0xf2, 0x00, 0x11, 0x00, 0x00});
    ws::DeflateParams takeover;
    ws::DeflateParams no_takeover;
    no_takeover.server_no_context_takeover = no_takeover.client_no_context_takeover = true;

    SECTION("7.2.3.1 a message compressed with one block") {
        ws::Inflater in(takeover);
        CHECK(inflate_one(in, hello) == "Hello");
        ws::Deflater d(takeover);
        CHECK(compress(d, "Hello") == hello);
    }
    SECTION("7.2.3.2 sharing the LZ77 window between messages") {
        ws::Deflater d(takeover);
        CHECK(compress(d, "Hello") == hello);
        CHECK(compress(d, "Hello") == hello_again);
        ws::Inflater in(takeover);
        CHECK(inflate_one(in, hello) == "Hello");
        CHECK(inflate_one(in, hello_again) == "Hello");
        CHECK(in.holds_memory());

        ws::Deflater fresh(no_takeover);
        CHECK(compress(fresh, "Hello") == hello);
        CHECK(compress(fresh, "Hello") == hello);
        CHECK_FALSE(fresh.holds_memory());
        ws::Inflater forgetful(no_takeover);
        CHECK(inflate_one(forgetful, hello) == "Hello");
        CHECK_FALSE(forgetful.holds_memory());
        std::string out;
        CHECK(inflate_message(forgetful, {hello_again}, out) == Status::corrupt);  // refers to a forgotten window
    }
    SECTION("7.2.3.3 a stored block") {
        ws::Inflater in(takeover);
        CHECK(inflate_one(in, bytes({0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00})) == "Hello");
    }
    SECTION("7.2.3.4 a block with BFINAL set, then the window goes on") {
        ws::Inflater in(takeover);
        CHECK(inflate_one(in, bytes({0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00})) == "Hello");
        CHECK(inflate_one(in, hello_again) == "Hello");
        // Without the extra 0x00 the stream simply ended: accepted too.
        ws::Inflater lenient(takeover);
        CHECK(inflate_one(lenient, bytes({0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00})) == "Hello");
        CHECK(inflate_one(lenient, hello_again) == "Hello");
    }
    SECTION("7.2.3.5 two blocks in one message") {
        ws::Inflater in(takeover);
        CHECK(inflate_one(in, bytes({0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00})) ==
              "Hello");
    }
    SECTION("the examples inflate the same one byte at a time") {
        ws::Inflater in(takeover);
        for (const std::string& msg : {hello, hello_again}) {
            std::vector<std::string> pieces;
            for (char c : msg) pieces.emplace_back(1, c);
            std::string out;
            CHECK(inflate_message(in, pieces, out) == Status::ok);
            CHECK(out == "Hello");
        }
    }
}

TEST_CASE("an empty message compresses to one zero byte and both forms inflate to nothing", "[deflate]") {
    ws::DeflateParams p;
    ws::Deflater d(p);
    CHECK(compress(d, "") == "\x00"s);
    ws::Inflater in(p);
    CHECK(inflate_one(in, "\x00"s).empty());
    CHECK(inflate_one(in, "").empty());
    CHECK(compress(d, "Hello") == bytes({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}));
    CHECK(inflate_one(in, bytes({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00})) == "Hello");
}

TEST_CASE("an empty message after another compresses, keeping the shared window", "[deflate]") {
    // zlib refuses a second flush with no input in between (Z_BUF_ERROR):
    // the empty message must not reach it, nor cost the window.
    const std::string hello = bytes({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00});
    ws::DeflateParams takeover;
    ws::Deflater d(takeover);
    CHECK(compress(d, "Hello") == hello);
    CHECK(compress(d, "") == "\x00"s);
    CHECK(compress(d, "") == "\x00"s);
    CHECK(d.holds_memory());
    CHECK(compress(d, "Hello") == bytes({0xf2, 0x00, 0x11, 0x00, 0x00}));  // still refers back to the first
    ws::Inflater in(takeover);
    CHECK(inflate_one(in, hello) == "Hello");
    CHECK(inflate_one(in, "\x00"s).empty());
    CHECK(inflate_one(in, bytes({0xf2, 0x00, 0x11, 0x00, 0x00})) == "Hello");
}

TEST_CASE("compressed messages round-trip for every window size, with and without takeover", "[deflate]") {
    std::mt19937 rng(7692);
    for (int bits = 8; bits <= 15; ++bits) {
        for (bool takeover : {true, false}) {
            ws::DeflateParams p;
            p.server_max_window_bits = p.client_max_window_bits = static_cast<std::uint8_t>(bits);
            p.server_no_context_takeover = p.client_no_context_takeover = !takeover;
            ws::Deflater d(p);
            ws::Inflater in(p);
            for (std::size_t n : {0u, 1u, 100u, 5000u, 70000u}) {
                const std::string msg = random_text(rng, n);
                const std::string z = compress(d, msg);
                // Split the compressed bytes at a few random points.
                std::vector<std::string> pieces;
                std::size_t at = 0;
                while (at < z.size()) {
                    const std::size_t take = 1 + rng() % (z.size() - at);
                    pieces.push_back(z.substr(at, take));
                    at += take;
                }
                std::string out;
                INFO("bits " << bits << " takeover " << takeover << " size " << n);
                REQUIRE(inflate_message(in, pieces, out) == Status::ok);
                REQUIRE(out == msg);
            }
            CHECK(d.holds_memory() == takeover);
            CHECK(in.holds_memory() == takeover);
        }
    }
}

TEST_CASE("an inflater with a larger window decodes a smaller-window stream", "[deflate]") {
    ws::DeflateParams small;
    small.server_max_window_bits = 9;
    ws::Deflater d(small);
    ws::Inflater in(ws::DeflateParams{});
    std::mt19937 rng(1);
    const std::string msg = random_text(rng, 20000);
    CHECK(inflate_one(in, compress(d, msg), 1 << 16) == msg);
}

TEST_CASE("a message inflates the same whole and byte by byte, whatever window was agreed", "[deflate]") {
    // A client that agreed to 8 bits but refers 1000 bytes back. zlib would
    // take that distance when the bytes it points to came out of the same
    // inflate() call and refuse it otherwise, so a small window would make
    // the verdict depend on how the payload was split.
    std::mt19937 rng(7);
    const std::string block = random_text(rng, 1000);
    const std::string msg = block + block;
    ws::Deflater d(ws::DeflateParams{});
    const std::string payload = compress(d, msg);
    REQUIRE(payload.size() < msg.size() * 3 / 4);

    ws::DeflateParams agreed;
    agreed.client_max_window_bits = 8;
    ws::Inflater whole(agreed);
    CHECK(inflate_one(whole, payload) == msg);

    ws::Inflater split(agreed);
    std::vector<std::string> bytewise;
    for (char c : payload) bytewise.emplace_back(1, c);
    std::string out;
    CHECK(inflate_message(split, bytewise, out) == Status::ok);
    CHECK(out == msg);
}

TEST_CASE("a decompression bomb stops at the limit without holding more than the limit", "[deflate]") {
    ws::DeflateParams p;
    ws::Deflater d(p);
    const std::string zeros(8 << 20, '\0');
    const std::string bomb = compress(d, zeros);
    CHECK(bomb.size() < 16 * 1024);  // ~1000:1

    const std::size_t limit = 64 * 1024;
    ws::Inflater in(p);
    std::string out;
    CHECK(in.inflate(bomb, out, limit) == Status::too_big);
    CHECK(out.size() == limit);  // the first `limit` bytes, nothing more
    CHECK(out.capacity() <= 2 * limit);

    // At exactly the limit the message fits; one byte less does not.
    ws::Deflater d2(p);
    const std::string exact = compress(d2, std::string(limit, 'x'));
    ws::Inflater fits(p);
    std::string a;
    CHECK(inflate_message(fits, {exact}, a, limit) == Status::ok);
    CHECK(a.size() == limit);
    ws::Inflater over(p);
    std::string b;
    CHECK(inflate_message(over, {exact}, b, limit - 1) == Status::too_big);
    CHECK(b.size() == limit - 1);
}

TEST_CASE("corrupt compressed data is reported, never silently truncated", "[deflate]") {
    ws::DeflateParams p;
    std::string out;
    SECTION("invalid block type") {
        ws::Inflater in(p);
        CHECK(inflate_message(in, {bytes({0xff, 0xff, 0xff})}, out) == Status::corrupt);
    }
    SECTION("a stored block whose length check fails") {
        ws::Inflater in(p);
        CHECK(inflate_message(in, {bytes({0x00, 0x05, 0x00, 0x00, 0x00})}, out) == Status::corrupt);
    }
    SECTION("a message cut short inside a stored block") {
        // 7.2.3.3's stored block announces 5 bytes; only 2 arrive.
        ws::Inflater in(p);
        CHECK(inflate_message(in, {bytes({0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65})}, out) == Status::corrupt);
    }
    SECTION("a distance past the start of the window") {
        ws::Inflater in(p);
        CHECK(inflate_message(in, {bytes({0xf2, 0x00, 0x11, 0x00, 0x00})}, out) == Status::corrupt);
    }
    SECTION("more than one BFINAL block in a message") {
        ws::Inflater in(p);
        const std::string final_hello = bytes({0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00});
        CHECK(inflate_message(in, {final_hello + final_hello}, out) == Status::corrupt);
    }
}
