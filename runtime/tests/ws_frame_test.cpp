// The WebSocket frame parser and encoder, case by case in the spirit of the
// Autobahn|Testsuite categories (framing, ping/pong, reserved bits, opcodes,
// fragmentation, UTF-8, close, limits, compression). Every input is fed
// whole, one byte at a time, and cut at random points: all three must give
// the same events.
#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "fasterapi/ws/frame.hpp"

namespace ws = fasterapi::ws;
using Kind = ws::Event::Kind;
using namespace std::string_literals;

namespace {

std::string bytes(std::initializer_list<int> b) {
    std::string s;
    for (int c : b) s += static_cast<char>(c);
    return s;
}

// How a test client frames a payload; anything a broken client might send.
struct Spec {
    bool fin = true;
    bool rsv1 = false;
    bool rsv2 = false;
    bool rsv3 = false;
    bool masked = true;
    int length_bytes = -1;  // -1: minimal; 0, 2 or 8: that encoding
    std::array<std::uint8_t, 4> key = {0x37, 0xfa, 0x21, 0x3d};
};

std::string frame(int opcode, std::string_view payload, const Spec& s = {}) {
    std::string out;
    out += static_cast<char>((s.fin ? 0x80 : 0) | (s.rsv1 ? 0x40 : 0) | (s.rsv2 ? 0x20 : 0) | (s.rsv3 ? 0x10 : 0) |
                             opcode);
    const std::uint64_t n = payload.size();
    int form = s.length_bytes;
    if (form < 0) form = n <= 125 ? 0 : n <= 0xffff ? 2 : 8;
    const char mask_bit = s.masked ? '\x80' : '\x00';
    if (form == 0) {
        out += static_cast<char>(mask_bit | static_cast<char>(n));
    } else if (form == 2) {
        out += static_cast<char>(mask_bit | 126);
        out += static_cast<char>(n >> 8);
        out += static_cast<char>(n);
    } else {
        out += static_cast<char>(mask_bit | 127);
        for (int i = 7; i >= 0; --i) out += static_cast<char>(n >> (8 * i));
    }
    if (s.masked) {
        for (std::uint8_t k : s.key) out += static_cast<char>(k);
        for (std::size_t i = 0; i < payload.size(); ++i) out += static_cast<char>(payload[i] ^ s.key[i % 4]);
    } else {
        out.append(payload);
    }
    return out;
}

std::string close_payload(std::uint16_t code, std::string_view reason = {}) {
    std::string s;
    s += static_cast<char>(code >> 8);
    s += static_cast<char>(code);
    return s.append(reason);
}

// Server frames made into client frames: each frame's header bits kept, a
// mask added. Lets the parser read what the encoder wrote.
std::string mask_server_frames(std::string_view wire) {
    std::string out;
    while (!wire.empty()) {
        const auto b0 = static_cast<std::uint8_t>(wire[0]);
        const std::uint8_t len7 = static_cast<std::uint8_t>(wire[1]) & 0x7f;
        std::size_t at = 2;
        std::uint64_t n = len7;
        if (len7 == 126) {
            n = (std::uint64_t{static_cast<std::uint8_t>(wire[2])} << 8) | static_cast<std::uint8_t>(wire[3]);
            at = 4;
        } else if (len7 == 127) {
            n = 0;
            for (int i = 2; i < 10; ++i) n = (n << 8) | static_cast<std::uint8_t>(wire[i]);
            at = 10;
        }
        Spec s;
        s.fin = (b0 & 0x80) != 0;
        s.rsv1 = (b0 & 0x40) != 0;
        out += frame(b0 & 0x0f, wire.substr(at, n), s);
        wire.remove_prefix(at + n);
    }
    return out;
}

struct Options {
    ws::ParserLimits limits;
    std::optional<ws::DeflateParams> deflate;
};

// Feeds `wire` in the pieces `cuts` delimits; each event as one string:
// "text:<payload>", "binary:<n>", "ping:<payload>", "pong:<payload>",
// "close:<code>:<reason>", "error:<code>". Stops at close or error.
std::vector<std::string> run(std::string_view wire, const std::vector<std::size_t>& cuts, const Options& o) {
    ws::FrameParser p(o.limits, o.deflate);
    std::vector<std::string> events;
    std::size_t from = 0;
    for (std::size_t to : cuts) {
        // A fresh copy per read: the parser must not keep pointers into input.
        const std::string piece(wire.substr(from, to - from));
        from = to;
        std::string_view in = piece;
        for (;;) {
            const ws::Event e = p.next(in);
            if (e.kind == Kind::need_more) {
                REQUIRE(in.empty());
                break;
            }
            switch (e.kind) {
            case Kind::text: events.push_back("text:" + std::string(e.payload)); break;
            case Kind::binary:
                events.push_back("binary:" + std::to_string(e.payload.size()) + ":" +
                                 std::string(e.payload.substr(0, 16)));
                break;
            case Kind::ping: events.push_back("ping:" + std::string(e.payload)); break;
            case Kind::pong: events.push_back("pong:" + std::string(e.payload)); break;
            case Kind::close:
                events.push_back("close:" + std::to_string(e.code) + ":" + std::string(e.payload));
                break;
            case Kind::error: events.push_back("error:" + std::to_string(e.code)); break;
            case Kind::need_more: break;
            }
            if (e.kind == Kind::close || e.kind == Kind::error) {
                REQUIRE((p.closed() || p.failed()));
                // Whatever follows is ignored.
                std::string_view rest = in;
                CHECK(p.next(rest).kind == Kind::need_more);
                CHECK(rest.empty());
                return events;
            }
        }
    }
    return events;
}

// Runs `wire` whole, one byte at a time and in random pieces; all must agree.
std::vector<std::string> events(std::string_view wire, const Options& o = {}) {
    const std::vector<std::string> whole = run(wire, {wire.size()}, o);
    if (wire.size() <= 70000) {
        std::vector<std::size_t> each;
        for (std::size_t i = 1; i <= wire.size(); ++i) each.push_back(i);
        REQUIRE(run(wire, each, o) == whole);
    }
    std::mt19937 rng(static_cast<unsigned>(wire.size()));
    for (int round = 0; round < 4; ++round) {
        std::vector<std::size_t> cuts;
        for (int i = 0; i < 6; ++i) cuts.push_back(rng() % (wire.size() + 1));
        cuts.push_back(wire.size());
        std::sort(cuts.begin(), cuts.end());
        REQUIRE(run(wire, cuts, o) == whole);
    }
    return whole;
}

using Events = std::vector<std::string>;

Options with_deflate(bool takeover = true) {
    Options o;
    ws::DeflateParams p;
    p.client_no_context_takeover = p.server_no_context_takeover = !takeover;
    o.deflate = p;
    return o;
}

std::string compressed(std::string_view message, bool takeover = true) {
    ws::DeflateParams p;
    p.client_no_context_takeover = p.server_no_context_takeover = !takeover;
    ws::Deflater d(p);
    std::string out;
    REQUIRE(d.compress(message, out));
    return out;
}

std::string pattern(std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i % 26);
    return s;
}

}  // namespace

TEST_CASE("RFC 6455 §5.7 examples", "[frame]") {
    SECTION("a masked text frame parses; the unmasked one is what the server writes") {
        CHECK(events(bytes({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58})) ==
              Events{"text:Hello"});
        std::string out;
        ws::append_frame(out, ws::Opcode::text, "Hello");
        CHECK(out == bytes({0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}));
        out.clear();
        ws::append_message(out, ws::Opcode::text, "Hello");
        CHECK(out == bytes({0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}));
    }
    SECTION("a fragmented text message") {
        std::string out;
        ws::append_message(out, ws::Opcode::text, "Hello", nullptr, 3);
        CHECK(out == bytes({0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f}));
        CHECK(events(mask_server_frames(out)) == Events{"text:Hello"});
    }
    SECTION("ping and pong") {
        std::string out;
        CHECK(ws::append_ping(out, "Hello"));
        CHECK(out == bytes({0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}));
        CHECK(events(bytes({0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58})) ==
              Events{"pong:Hello"});
        CHECK(events(mask_server_frames(out)) == Events{"ping:Hello"});
    }
    SECTION("256 bytes and 64 KiB in one binary frame") {
        std::string out;
        ws::append_frame(out, ws::Opcode::binary, std::string(256, 'x'));
        CHECK(out.substr(0, 4) == bytes({0x82, 0x7e, 0x01, 0x00}));
        CHECK(out.size() == 4 + 256);
        out.clear();
        ws::append_frame(out, ws::Opcode::binary, std::string(65536, 'y'));
        CHECK(out.substr(0, 10) == bytes({0x82, 0x7f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00}));
        CHECK(out.size() == 10 + 65536);
        CHECK(events(mask_server_frames(out)) == Events{"binary:65536:yyyyyyyyyyyyyyyy"});
    }
}

TEST_CASE("RFC 7692 §7.2.3 examples as frames", "[frame][compression]") {
    const std::string hello_z = bytes({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00});
    SECTION("7.2.3.1 one compressed frame, and the same fragmented") {
        // The RFC's server frames: c1 07 f2 48 cd c9 c9 07 00; 41 03 f2 48 cd + 80 04 c9 c9 07 00.
        CHECK(events(frame(0x1, hello_z, {.rsv1 = true}), with_deflate()) == Events{"text:Hello"});
        const std::string fragmented =
            frame(0x1, hello_z.substr(0, 3), {.fin = false, .rsv1 = true}) + frame(0x0, hello_z.substr(3));
        CHECK(events(fragmented, with_deflate()) == Events{"text:Hello"});

        ws::DeflateParams p;
        ws::Deflater d(p);
        std::string out;
        ws::append_message(out, ws::Opcode::text, "Hello", &d);
        CHECK(out == bytes({0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}));
        out.clear();
        ws::append_frame(out, ws::Opcode::text, hello_z.substr(0, 3), false, true);
        ws::append_frame(out, ws::Opcode::continuation, hello_z.substr(3));
        CHECK(out == bytes({0x41, 0x03, 0xf2, 0x48, 0xcd, 0x80, 0x04, 0xc9, 0xc9, 0x07, 0x00}));
        // append_message cuts at most 3 bytes per frame, RSV1 on the first only.
        ws::Deflater d2(p);
        out.clear();
        ws::append_message(out, ws::Opcode::text, "Hello", &d2, 3);
        CHECK(out == bytes({0x41, 0x03, 0xf2, 0x48, 0xcd, 0x00, 0x03, 0xc9, 0xc9, 0x07, 0x80, 0x01, 0x00}));
        CHECK(events(mask_server_frames(out), with_deflate()) == Events{"text:Hello"});
    }
    SECTION("7.2.3.2 two messages sharing the window") {
        const std::string wire =
            frame(0x1, hello_z, {.rsv1 = true}) + frame(0x1, bytes({0xf2, 0x00, 0x11, 0x00, 0x00}), {.rsv1 = true});
        CHECK(events(wire, with_deflate()) == Events{"text:Hello", "text:Hello"});
        CHECK(events(wire, with_deflate(false)) == Events{"text:Hello", "error:1007"});
    }
    SECTION("7.2.3.3 stored block, 7.2.3.4 BFINAL, 7.2.3.5 two blocks") {
        CHECK(events(frame(0x1, bytes({0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00}),
                           {.rsv1 = true}),
                     with_deflate()) == Events{"text:Hello"});
        CHECK(events(frame(0x1, bytes({0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00}), {.rsv1 = true}),
                     with_deflate()) == Events{"text:Hello"});
        CHECK(events(frame(0x1, bytes({0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00}),
                           {.rsv1 = true}),
                     with_deflate()) == Events{"text:Hello"});
    }
}

TEST_CASE("framing: payload lengths across every length encoding", "[frame]") {
    for (std::size_t n : {0u, 1u, 125u, 126u, 127u, 128u, 65535u, 65536u, 65537u}) {
        const std::string payload = pattern(n);
        INFO(n);
        CHECK(events(frame(0x1, payload)) == Events{"text:" + payload});
        CHECK(events(frame(0x2, payload)) == Events{"binary:" + std::to_string(n) + ":" + payload.substr(0, 16)});
    }
    // Non-minimal length encodings are allowed by RFC 6455.
    CHECK(events(frame(0x1, "Hello", {.length_bytes = 2})) == Events{"text:Hello"});
    CHECK(events(frame(0x1, "Hello", {.length_bytes = 8})) == Events{"text:Hello"});
    CHECK(events(frame(0x9, "ping", {.length_bytes = 8})) == Events{"ping:ping"});
    // Any masking key, including zero, and every phase of it across pieces.
    CHECK(events(frame(0x1, pattern(1000), {.key = {0, 0, 0, 0}})) == Events{"text:" + pattern(1000)});
    CHECK(events(frame(0x1, pattern(1001), {.key = {0xff, 0x01, 0x80, 0x7f}})) == Events{"text:" + pattern(1001)});
}

TEST_CASE("framing: several messages back to back in one read", "[frame]") {
    std::string wire;
    for (int i = 0; i < 20; ++i) wire += frame(0x1, "m" + std::to_string(i));
    Events expected;
    for (int i = 0; i < 20; ++i) expected.push_back("text:m" + std::to_string(i));
    CHECK(events(wire) == expected);
}

TEST_CASE("framing: a client frame must be masked", "[frame]") {
    CHECK(events(frame(0x1, "Hello", {.masked = false})) == Events{"error:1002"});
    CHECK(events(frame(0x9, "", {.masked = false})) == Events{"error:1002"});
    CHECK(events(frame(0x1, "ok") + frame(0x2, "x", {.masked = false})) == Events{"text:ok", "error:1002"});
}

TEST_CASE("framing: a 64-bit length with its high bit set is a protocol error", "[frame]") {
    std::string wire = bytes({0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0x05, 1, 2, 3, 4});
    CHECK(events(wire) == Events{"error:1002"});
    ws::ParserLimits huge;
    huge.max_message_bytes = SIZE_MAX;
    CHECK(events(wire, {huge, std::nullopt}) == Events{"error:1002"});
}

TEST_CASE("ping and pong", "[frame][ping]") {
    CHECK(events(frame(0x9, "")) == Events{"ping:"});
    CHECK(events(frame(0x9, pattern(125))) == Events{"ping:" + pattern(125)});
    CHECK(events(frame(0x9, pattern(126))) == Events{"error:1002"});
    CHECK(events(frame(0x9, pattern(126), {.length_bytes = 2})) == Events{"error:1002"});
    CHECK(events(frame(0x9, "\x00\xff\xfe"s)) == Events{"ping:\x00\xff\xfe"s});  // binary payload
    CHECK(events(frame(0xA, "unsolicited")) == Events{"pong:unsolicited"});
    CHECK(events(frame(0x9, "a", {.fin = false})) == Events{"error:1002"});
    std::string ten;
    Events expected;
    for (int i = 0; i < 10; ++i) {
        ten += frame(0x9, "p" + std::to_string(i));
        expected.push_back("ping:p" + std::to_string(i));
    }
    CHECK(events(ten) == expected);

    std::string out;
    CHECK(ws::append_pong(out, pattern(125)));
    CHECK_FALSE(ws::append_pong(out, pattern(126)));
    CHECK_FALSE(ws::append_ping(out, pattern(126)));
    CHECK(out.size() == 2 + 125);
}

TEST_CASE("reserved bits without an extension are protocol errors", "[frame][rsv]") {
    for (int op : {0x1, 0x2, 0x8, 0x9, 0xA}) {
        INFO(op);
        CHECK(events(frame(op, "", {.rsv1 = true})) == Events{"error:1002"});
        CHECK(events(frame(op, "", {.rsv2 = true})) == Events{"error:1002"});
        CHECK(events(frame(op, "", {.rsv3 = true})) == Events{"error:1002"});
        CHECK(events(frame(op, "", {.rsv1 = true, .rsv2 = true, .rsv3 = true})) == Events{"error:1002"});
    }
    // The error comes after the messages before it.
    CHECK(events(frame(0x1, "ok") + frame(0x1, "no", {.rsv2 = true}) + frame(0x9, "")) ==
          Events{"text:ok", "error:1002"});
}

TEST_CASE("with permessage-deflate, RSV1 is allowed only on a data message's first frame", "[frame][rsv]") {
    const Options d = with_deflate();
    CHECK(events(frame(0x9, "", {.rsv1 = true}), d) == Events{"error:1002"});
    CHECK(events(frame(0x8, "", {.rsv1 = true}), d) == Events{"error:1002"});
    const std::string z = compressed("Hello");
    CHECK(events(frame(0x1, z.substr(0, 2), {.fin = false, .rsv1 = true}) + frame(0x0, z.substr(2), {.rsv1 = true}),
                 d) == Events{"error:1002"});
    CHECK(events(frame(0x1, "Hello", {.rsv2 = true}), d) == Events{"error:1002"});
    // Uncompressed messages stay allowed, interleaved with compressed ones.
    CHECK(events(frame(0x1, "plain") + frame(0x1, z, {.rsv1 = true}) + frame(0x2, "raw"), d) ==
          Events{"text:plain", "text:Hello", "binary:3:raw"});
}

TEST_CASE("reserved opcodes are protocol errors", "[frame][opcode]") {
    for (int op : {0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF}) {
        INFO(op);
        CHECK(events(frame(op, "")) == Events{"error:1002"});
        CHECK(events(frame(op, "reserved")) == Events{"error:1002"});
        CHECK(events(frame(0x1, "before") + frame(op, "") + frame(0x9, "")) == Events{"text:before", "error:1002"});
    }
}

TEST_CASE("fragmentation", "[frame][fragmentation]") {
    SECTION("fragments reassemble, empty ones included") {
        CHECK(events(frame(0x1, "frag", {.fin = false}) + frame(0x0, "ment")) == Events{"text:fragment"});
        CHECK(events(frame(0x1, "", {.fin = false}) + frame(0x0, "", {.fin = false}) + frame(0x0, "")) ==
              Events{"text:"});
        CHECK(events(frame(0x2, "ab", {.fin = false}) + frame(0x0, "cd")) == Events{"binary:4:abcd"});
        std::string wire = frame(0x1, "x", {.fin = false});
        for (int i = 0; i < 200; ++i) wire += frame(0x0, "y", {.fin = false});
        wire += frame(0x0, "z");
        CHECK(events(wire) == Events{"text:x" + std::string(200, 'y') + "z"});
    }
    SECTION("control frames may come between fragments") {
        CHECK(events(frame(0x1, "fr", {.fin = false}) + frame(0x9, "p1") + frame(0x0, "ag", {.fin = false}) +
                     frame(0xA, "p2") + frame(0x0, "ment")) == Events{"ping:p1", "pong:p2", "text:fragment"});
        CHECK(events(frame(0x1, "fr", {.fin = false}) + frame(0x8, close_payload(1000, "bye"))) ==
              Events{"close:1000:bye"});
    }
    SECTION("a continuation needs a message to continue") {
        CHECK(events(frame(0x0, "orphan")) == Events{"error:1002"});
        CHECK(events(frame(0x0, "orphan", {.fin = false})) == Events{"error:1002"});
        CHECK(events(frame(0x1, "done") + frame(0x0, "late")) == Events{"text:done", "error:1002"});
    }
    SECTION("a new data frame cannot start inside a message") {
        CHECK(events(frame(0x1, "a", {.fin = false}) + frame(0x1, "b")) == Events{"error:1002"});
        CHECK(events(frame(0x2, "a", {.fin = false}) + frame(0x1, "b", {.fin = false})) == Events{"error:1002"});
        CHECK(events(frame(0x1, "a", {.fin = false}) + frame(0x9, "") + frame(0x2, "b")) ==
              Events{"ping:", "error:1002"});
    }
    SECTION("the encoder splits messages into fragments") {
        std::string out;
        ws::append_message(out, ws::Opcode::binary, pattern(10), nullptr, 4);
        CHECK(out == "\x02\x04"s + pattern(10).substr(0, 4) + "\x00\x04"s + pattern(10).substr(4, 4) + "\x80\x02"s +
                         pattern(10).substr(8));
        out.clear();
        ws::append_message(out, ws::Opcode::text, pattern(8), nullptr, 4);  // no empty last frame
        CHECK(out == "\x01\x04"s + pattern(8).substr(0, 4) + "\x80\x04"s + pattern(8).substr(4));
        out.clear();
        ws::append_message(out, ws::Opcode::text, "", nullptr, 4);
        CHECK(out == "\x81\x00"s);
    }
}

TEST_CASE("UTF-8 in text messages", "[frame][utf8]") {
    const std::string kosme = "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5";
    SECTION("valid text, code points split across fragments") {
        CHECK(events(frame(0x1, kosme)) == Events{"text:" + kosme});
        for (std::size_t cut = 0; cut <= kosme.size(); ++cut) {
            INFO(cut);
            CHECK(events(frame(0x1, kosme.substr(0, cut), {.fin = false}) + frame(0x0, kosme.substr(cut))) ==
                  Events{"text:" + kosme});
        }
        std::string one_per_frame = frame(0x1, "", {.fin = false});
        for (char c : kosme) one_per_frame += frame(0x0, std::string(1, c), {.fin = false});
        one_per_frame += frame(0x0, "");
        CHECK(events(one_per_frame) == Events{"text:" + kosme});
    }
    SECTION("invalid text fails with 1007; the same bytes as binary are fine") {
        const std::vector<std::string> invalid = {
            "\x80", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xfe", "\xff",
            kosme + "\xed\xa0\x80" + "edited", "\xce",  // the last: a message ending mid-sequence
        };
        for (const std::string& s : invalid) {
            INFO(s);
            CHECK(events(frame(0x1, s)) == Events{"error:1007"});
            CHECK(events(frame(0x1, s.substr(0, 1), {.fin = false}) + frame(0x0, s.substr(1))) ==
                  Events{"error:1007"});
            CHECK(events(frame(0x2, s)).front().rfind("binary:", 0) == 0);
        }
    }
    SECTION("fail fast: the error comes with the bad byte, before the frame or message ends") {
        const std::string payload = kosme + "\xf4\x90\x80\x80" + "edited";
        const std::string wire = frame(0x1, payload);
        ws::FrameParser p;
        const std::size_t bad_at = 6 + kosme.size() + 1;  // header, κόσμε, then F4 90: the 90 is the bad byte
        std::string_view first = std::string_view(wire).substr(0, bad_at);
        CHECK(p.next(first).kind == Kind::need_more);
        std::string_view bad = std::string_view(wire).substr(bad_at, 1);
        const ws::Event e = p.next(bad);
        CHECK(e.kind == Kind::error);
        CHECK(e.code == 1007);

        // Across frames: the first fragment is already bad; the message never finishes.
        ws::FrameParser q;
        const std::string frag = frame(0x1, "ok\xc0", {.fin = false});
        std::string_view in = frag;
        CHECK(q.next(in).code == 1007);
    }
    SECTION("compressed text is validated after inflating") {
        CHECK(events(frame(0x1, compressed(kosme), {.rsv1 = true}), with_deflate()) == Events{"text:" + kosme});
        CHECK(events(frame(0x1, compressed("ok\xed\xa0\x80"), {.rsv1 = true}), with_deflate()) ==
              Events{"error:1007"});
        CHECK(events(frame(0x1, compressed("ends mid \xe2\x82"), {.rsv1 = true}), with_deflate()) ==
              Events{"error:1007"});
        CHECK(events(frame(0x2, compressed("\xff\xfe"), {.rsv1 = true}), with_deflate()) ==
              Events{"binary:2:\xff\xfe"});
    }
}

TEST_CASE("close frames", "[frame][close]") {
    CHECK(events(frame(0x8, "")) == Events{"close:1005:"});
    CHECK(events(frame(0x8, close_payload(1000))) == Events{"close:1000:"});
    CHECK(events(frame(0x8, close_payload(1000, "Hello"))) == Events{"close:1000:Hello"});
    CHECK(events(frame(0x8, close_payload(1000, std::string(123, 'r')))) ==
          Events{"close:1000:" + std::string(123, 'r')});
    CHECK(events(frame(0x8, close_payload(1000, std::string(124, 'r')))) == Events{"error:1002"});
    CHECK(events(frame(0x8, "\x03"s)) == Events{"error:1002"});  // one byte: half a code
    CHECK(events(frame(0x8, "\x03"s, {.length_bytes = 2})) == Events{"error:1002"});
    CHECK(events(frame(0x8, close_payload(1000, "x"), {.length_bytes = 8})) == Events{"close:1000:x"});
    CHECK(events(frame(0x8, close_payload(1000, "\xce\xba\xe1\xbd\xb9"))) == Events{"close:1000:\xce\xba\xe1\xbd\xb9"});
    CHECK(events(frame(0x8, close_payload(1000, "bad \xed\xa0\x80"))) == Events{"error:1007"});
    CHECK(events(frame(0x8, close_payload(1000, "cut \xce"))) == Events{"error:1007"});
    // Nothing after a close is parsed.
    CHECK(events(frame(0x8, close_payload(1001)) + frame(0x1, "after") + "garbage") == Events{"close:1001:"});

    SECTION("valid codes") {
        for (int code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000,
                         4999}) {
            INFO(code);
            CHECK(ws::valid_close_code(static_cast<std::uint16_t>(code)));
            CHECK(events(frame(0x8, close_payload(static_cast<std::uint16_t>(code), "r"))) ==
                  Events{"close:" + std::to_string(code) + ":r"});
        }
    }
    SECTION("invalid codes") {
        for (int code : {0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535}) {
            INFO(code);
            CHECK_FALSE(ws::valid_close_code(static_cast<std::uint16_t>(code)));
            CHECK(events(frame(0x8, close_payload(static_cast<std::uint16_t>(code)))) == Events{"error:1002"});
        }
    }
}

TEST_CASE("the close encoder", "[frame][close]") {
    std::string out;
    ws::append_close(out, 1000, "bye");
    CHECK(out == "\x88\x05\x03\xe8"s + "bye");
    out.clear();
    ws::append_close(out, 1005, "ignored");
    CHECK(out == "\x88\x00"s);
    out.clear();
    ws::append_close(out, 0);
    CHECK(out == "\x88\x00"s);
    out.clear();
    ws::append_close(out, 1001, std::string(200, 'a'));
    CHECK(out.size() == 2 + 125);
    out.clear();
    // 62 two-byte characters are 124 bytes: cut to 61 (122 bytes), not mid-character.
    std::string e_acute;
    for (int i = 0; i < 62; ++i) e_acute += "\xc3\xa9";
    ws::append_close(out, 1000, e_acute);
    CHECK(out.size() == 2 + 2 + 122);
    CHECK(events(mask_server_frames(out)) == Events{"close:1000:" + e_acute.substr(0, 122)});
    out.clear();
    // Three-byte characters: 41 of them are 123 bytes, which fit exactly.
    std::string euros;
    for (int i = 0; i < 45; ++i) euros += "\xe2\x82\xac";
    ws::append_close(out, 4000, euros);
    CHECK(events(mask_server_frames(out)) == Events{"close:4000:" + euros.substr(0, 123)});
}

TEST_CASE("message size limits", "[frame][limits]") {
    Options o;
    o.limits.max_message_bytes = 1000;
    CHECK(events(frame(0x2, pattern(1000)), o) == Events{"binary:1000:" + pattern(16)});
    CHECK(events(frame(0x2, pattern(1001)), o) == Events{"error:1009"});
    CHECK(events(frame(0x1, pattern(600), {.fin = false}) + frame(0x0, pattern(400)), o) ==
          Events{"text:" + pattern(600) + pattern(400)});
    CHECK(events(frame(0x1, pattern(600), {.fin = false}) + frame(0x0, pattern(401)), o) == Events{"error:1009"});
    // Control frames do not count toward the message.
    CHECK(events(frame(0x1, pattern(990), {.fin = false}) + frame(0x9, pattern(100)) + frame(0x0, pattern(10)), o) ==
          Events{"ping:" + pattern(100), "text:" + pattern(990) + pattern(10)});

    SECTION("an oversized frame fails from its header, before any payload arrives") {
        ws::FrameParser p(o.limits);
        const std::string header = frame(0x2, pattern(5000)).substr(0, 8);
        std::string_view in = header;
        const ws::Event e = p.next(in);
        CHECK(e.kind == Kind::error);
        CHECK(e.code == 1009);
        // A terabyte announced: the same, nothing allocated for it.
        ws::FrameParser q;
        const std::string tera = bytes({0x82, 0xff, 0, 0, 0x01, 0, 0, 0, 0, 0, 1, 2, 3, 4});
        std::string_view t = tera;
        CHECK(q.next(t).code == 1009);
    }
    SECTION("the default is 16 MiB") {
        ws::FrameParser p;
        const std::string header = bytes({0x82, 0xff, 0, 0, 0, 0, 0x01, 0, 0, 0x01, 1, 2, 3, 4});
        std::string_view in = header;
        CHECK(p.next(in).code == 1009);
        CHECK(ws::ParserLimits{}.max_message_bytes == 16u * 1024 * 1024);
    }
}

TEST_CASE("compression: a decompression bomb fails with 1009 at the limit", "[frame][compression][limits]") {
    Options o = with_deflate();
    o.limits.max_message_bytes = 100 * 1024;
    const std::string bomb = compressed(std::string(4 << 20, 'z'));
    CHECK(bomb.size() < 8192);
    CHECK(events(frame(0x2, bomb, {.rsv1 = true}), o) == Events{"error:1009"});
    // A message right at the limit passes.
    CHECK(events(frame(0x2, compressed(std::string(100 * 1024, 'z')), {.rsv1 = true}), o) ==
          Events{"binary:102400:zzzzzzzzzzzzzzzz"});

    // Invalid UTF-8 before the limit is 1007, however the bytes arrive;
    // after it, the limit is reached first.
    CHECK(events(frame(0x1, compressed("ok\xff" + std::string(300000, 'z')), {.rsv1 = true}), o) ==
          Events{"error:1007"});
    CHECK(events(frame(0x1, compressed(std::string(300000, 'z') + "\xff"), {.rsv1 = true}), o) ==
          Events{"error:1009"});

    // It fails while the frame is still arriving: the first 2 KiB of the
    // bomb already inflate past the limit.
    ws::FrameParser p(o.limits, o.deflate);
    const std::string wire = frame(0x2, bomb, {.rsv1 = true});
    std::string_view in = std::string_view(wire).substr(0, 2048);
    const ws::Event e = p.next(in);
    CHECK(e.kind == Kind::error);
    CHECK(e.code == 1009);
}

TEST_CASE("compression: messages, fragments, context takeover and corrupt data", "[frame][compression]") {
    std::mt19937 rng(12);
    for (bool takeover : {true, false}) {
        ws::DeflateParams p;
        p.client_no_context_takeover = p.server_no_context_takeover = !takeover;
        ws::Deflater d(p);
        std::string wire;
        Events expected;
        for (int i = 0; i < 12; ++i) {
            std::string msg = pattern(static_cast<std::size_t>(rng() % 3000));
            for (char& c : msg)
                if (rng() % 5 == 0) c = ' ';
            std::string out;
            // The encoder's own output, fragmented or not, read back.
            ws::append_message(out, ws::Opcode::text, msg, &d, i % 3 == 0 ? 0 : 1 + rng() % 700);
            if (i % 4 == 1) ws::append_ping(out, "mid");
            wire += mask_server_frames(out);
            expected.push_back("text:" + msg);
            if (i % 4 == 1) expected.push_back("ping:mid");
        }
        INFO("takeover " << takeover);
        CHECK(events(wire, with_deflate(takeover)) == expected);
    }
    CHECK(events(frame(0x1, bytes({0xff, 0xff, 0xff}), {.rsv1 = true}), with_deflate()) == Events{"error:1007"});
    CHECK(events(frame(0x2, "", {.rsv1 = true}), with_deflate()) == Events{"binary:0:"});
    CHECK(events(frame(0x2, "\x00"s, {.rsv1 = true}), with_deflate()) == Events{"binary:0:"});
}

TEST_CASE("take_payload moves a message out; the parser stays small", "[frame]") {
    ws::FrameParser p;
    const std::string wire = frame(0x1, "first") + frame(0x2, pattern(300)) + frame(0x9, "p");
    std::string_view in = wire;
    ws::Event e = p.next(in);
    REQUIRE(e.kind == Kind::text);
    CHECK(p.take_payload() == "first");
    CHECK(p.take_payload().empty());
    e = p.next(in);
    REQUIRE(e.kind == Kind::binary);
    CHECK(e.payload == pattern(300));
    e = p.next(in);
    REQUIRE(e.kind == Kind::ping);
    CHECK(p.take_payload().empty());
    CHECK(e.payload == "p");
    CHECK_FALSE(p.in_message());
    CHECK(sizeof(ws::FrameParser) <= 256);
}
