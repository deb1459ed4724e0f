// The WebSocket opening handshake: SHA-1 against FIPS 180 vectors, base64
// against RFC 4648, the RFC 6455 accept key, each header check, and the
// whole check on requests parsed by the HTTP parser.
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "fasterapi/http/parser.hpp"
#include "fasterapi/ws/handshake.hpp"

namespace ws = fasterapi::ws;
namespace http = fasterapi::http;

namespace {

std::string hex(const ws::Sha1::Digest& d) {
    std::string s;
    char buf[3];
    for (std::uint8_t b : d) {
        std::snprintf(buf, sizeof buf, "%02x", b);
        s += buf;
    }
    return s;
}

http::Request parse_request(std::string_view head) {
    http::Parser p;
    const std::string bytes(head);
    REQUIRE(p.parse(bytes) == http::Parser::Result::complete);
    return p.take_request();
}

const std::string good_head =
    "GET /chat HTTP/1.1\r\n"
    "Host: server.example.com\r\n"
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Origin: http://example.com\r\n"
    "Sec-WebSocket-Protocol: chat, superchat\r\n"
    "Sec-WebSocket-Protocol: v2.chat\r\n"
    "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
    "Sec-WebSocket-Version: 13\r\n";

// good_head with the field `name` dropped, and `extra` added.
std::string head_with(std::string_view drop, std::string_view extra = {}) {
    std::string out;
    std::string_view rest = good_head;
    while (!rest.empty()) {
        const std::size_t end = rest.find("\r\n") + 2;
        const std::string_view line = rest.substr(0, end);
        if (drop.empty() || line.substr(0, drop.size()) != drop) out.append(line);
        rest.remove_prefix(end);
    }
    return out.append(extra).append("\r\n");
}

}  // namespace

TEST_CASE("SHA-1 matches the FIPS 180 test vectors", "[handshake]") {
    CHECK(hex(ws::sha1("abc")) == "a9993e364706816aba3e25717850c26c9cd0d89d");
    CHECK(hex(ws::sha1("")) == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    CHECK(hex(ws::sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
          "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    CHECK(hex(ws::sha1("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrs"
                       "mnopqrstnopqrstu")) == "a49b2446a02c645bf419f995b67091253a04a259");
    ws::Sha1 million;
    const std::string thousand(1000, 'a');
    for (int i = 0; i < 1000; ++i) million.update(thousand);
    CHECK(hex(million.finish()) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

TEST_CASE("SHA-1 pads correctly around the block boundary, however the input is split", "[handshake]") {
    const std::vector<std::pair<std::size_t, const char*>> expected = {
        {55, "c1c8bbdc22796e28c0e15163d20899b65621d65a"}, {56, "c2db330f6083854c99d4b5bfb6e8f29f201be699"},
        {57, "f08f24908d682555111be7ff6f004e78283d989a"}, {63, "03f09f5b158a7a8cdad920bddc29b81c18a551f5"},
        {64, "0098ba824b5c16427bd7a1122a5a442a25ec644d"}, {65, "11655326c708d70319be2610e8a57d9a5b959d3b"},
        {119, "ee971065aaa017e0632a8ca6c77bb3bf8b1dfc56"}, {120, "f34c1488385346a55709ba056ddd08280dd4c6d6"},
        {128, "ad5b3fdbcb526778c2839d2f151ea753995e26a0"},
    };
    for (const auto& [n, digest] : expected) {
        const std::string s(n, 'a');
        INFO(n);
        CHECK(hex(ws::sha1(s)) == digest);
        for (std::size_t cut = 0; cut <= n; ++cut) {
            ws::Sha1 h;
            h.update(std::string_view(s).substr(0, cut));
            h.update(std::string_view(s).substr(cut));
            REQUIRE(hex(h.finish()) == digest);
        }
    }
}

TEST_CASE("base64 matches RFC 4648 and the accept key matches RFC 6455 §1.3", "[handshake]") {
    CHECK(ws::base64_encode("") == "");
    CHECK(ws::base64_encode("f") == "Zg==");
    CHECK(ws::base64_encode("fo") == "Zm8=");
    CHECK(ws::base64_encode("foo") == "Zm9v");
    CHECK(ws::base64_encode("foob") == "Zm9vYg==");
    CHECK(ws::base64_encode("fooba") == "Zm9vYmE=");
    CHECK(ws::base64_encode("foobar") == "Zm9vYmFy");
    CHECK(ws::base64_encode("\xfb\xff\xbf") == "+/+/");
    CHECK(ws::accept_key("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST_CASE("Sec-WebSocket-Key must be base64 of exactly 16 bytes", "[handshake]") {
    CHECK(ws::valid_client_key("dGhlIHNhbXBsZSBub25jZQ=="));
    CHECK(ws::valid_client_key("AAAAAAAAAAAAAAAAAAAAAA=="));
    CHECK(ws::valid_client_key("+/+/+/+/+/+/+/+/+/+/+/=="));
    CHECK(ws::valid_client_key("AAAAAAAAAAAAAAAAAAAAAB=="));  // padding bits set: still 16 bytes
    CHECK_FALSE(ws::valid_client_key(""));
    CHECK_FALSE(ws::valid_client_key("dGhlIHNhbXBsZSBub25jZQ="));    // 23
    CHECK_FALSE(ws::valid_client_key("dGhlIHNhbXBsZSBub25jZQ==="));  // 25
    CHECK_FALSE(ws::valid_client_key("AAAAAAAAAAAAAAAAAAAAAAA="));   // 17 bytes
    CHECK_FALSE(ws::valid_client_key("AAAAAAAAAAAAAAAAAAAA"));       // 15 bytes
    CHECK_FALSE(ws::valid_client_key("AAAAAAAAAAAAAAAAAAAAAAAA"));   // 18 bytes
    CHECK_FALSE(ws::valid_client_key("AAAAAAAAAA=AAAAAAAAAAA=="));
    CHECK_FALSE(ws::valid_client_key("AAAAAAAAAAAAAAAAAAAA-_=="));   // URL-safe alphabet
    CHECK_FALSE(ws::valid_client_key("AAAAAAAAAAA AAAAAAAAAA=="));
}

TEST_CASE("version, Upgrade and Connection checks", "[handshake]") {
    CHECK(ws::supported_version("13"));
    CHECK_FALSE(ws::supported_version("8"));
    CHECK_FALSE(ws::supported_version("13, 8"));
    CHECK_FALSE(ws::supported_version("013"));
    CHECK_FALSE(ws::supported_version(""));

    CHECK(ws::upgrade_has_websocket("websocket"));
    CHECK(ws::upgrade_has_websocket("WebSocket"));
    CHECK(ws::upgrade_has_websocket("h2c, WEBSOCKET"));
    CHECK_FALSE(ws::upgrade_has_websocket("websockets"));
    CHECK_FALSE(ws::upgrade_has_websocket("web socket"));
    CHECK_FALSE(ws::upgrade_has_websocket(""));

    CHECK(ws::connection_has_upgrade("Upgrade"));
    CHECK(ws::connection_has_upgrade("keep-alive, Upgrade"));
    CHECK(ws::connection_has_upgrade("upgrade,keep-alive"));
    CHECK(ws::connection_has_upgrade("keep-alive ,\tUPGRADE "));
    CHECK_FALSE(ws::connection_has_upgrade("keep-alive"));
    CHECK_FALSE(ws::connection_has_upgrade("upgrades"));
    CHECK_FALSE(ws::connection_has_upgrade(""));
}

TEST_CASE("Sec-WebSocket-Protocol lists offered subprotocols in order", "[handshake]") {
    std::vector<std::string_view> out;
    ws::parse_protocols("chat, superchat", out);
    ws::parse_protocols("v2.chat", out);
    CHECK(out == std::vector<std::string_view>{"chat", "superchat", "v2.chat"});
    out.clear();
    ws::parse_protocols("a,, b ,\tc", out);
    CHECK(out == std::vector<std::string_view>{"a", "b", "c"});
    out.clear();
    ws::parse_protocols("a b, \"q\", ok", out);  // not tokens: skipped
    CHECK(out == std::vector<std::string_view>{"ok"});
    out.clear();
    ws::parse_protocols("", out);
    CHECK(out.empty());
}

TEST_CASE("a valid opening handshake is accepted with its offers", "[handshake]") {
    const http::Request r = parse_request(good_head + "\r\n");
    const ws::Handshake h = ws::check_handshake(r);
    CHECK(h.status == 0);
    CHECK(h.upgrade);
    CHECK(h.key == "dGhlIHNhbXBsZSBub25jZQ==");
    CHECK(h.protocols == std::vector<std::string_view>{"chat", "superchat", "v2.chat"});
    CHECK(h.extensions == std::vector<std::string_view>{"permessage-deflate; client_max_window_bits"});

    std::string out;
    ws::append_accept_response(out, h.key, "chat", "permessage-deflate", "x-extra: 1\r\n");
    CHECK(out ==
          "HTTP/1.1 101 Switching Protocols\r\n"
          "upgrade: websocket\r\n"
          "connection: Upgrade\r\n"
          "sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
          "sec-websocket-protocol: chat\r\n"
          "sec-websocket-extensions: permessage-deflate\r\n"
          "x-extra: 1\r\n"
          "\r\n");
    out.clear();
    ws::append_accept_response(out, h.key);
    CHECK(out ==
          "HTTP/1.1 101 Switching Protocols\r\n"
          "upgrade: websocket\r\n"
          "connection: Upgrade\r\n"
          "sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
          "\r\n");
}

TEST_CASE("each broken part of a handshake gets its answer", "[handshake]") {
    const auto status_of = [](const std::string& head) { return ws::check_handshake(parse_request(head)).status; };
    const std::string post = "POST" + head_with("").substr(3);
    CHECK(status_of(post) == 400);
    std::string v10 = head_with("");
    v10.replace(v10.find("HTTP/1.1"), 8, "HTTP/1.0");
    CHECK(status_of(v10) == 400);

    const ws::Handshake no_upgrade = ws::check_handshake(parse_request(head_with("Upgrade:")));
    CHECK(no_upgrade.status == 400);
    CHECK_FALSE(no_upgrade.upgrade);
    CHECK(status_of(head_with("Upgrade:", "Upgrade: h2c\r\n")) == 400);
    CHECK(status_of(head_with("Upgrade:", "Upgrade: WebSocket\r\n")) == 0);

    CHECK(status_of(head_with("Connection:")) == 400);
    CHECK(status_of(head_with("Connection:", "Connection: keep-alive\r\n")) == 400);
    CHECK(status_of(head_with("Connection:", "Connection: keep-alive\r\nConnection: upgrade\r\n")) == 0);

    CHECK(status_of(head_with("Sec-WebSocket-Version:")) == 426);
    CHECK(status_of(head_with("Sec-WebSocket-Version:", "Sec-WebSocket-Version: 8\r\n")) == 426);
    CHECK(status_of(head_with("", "Sec-WebSocket-Version: 8\r\n")) == 426);

    CHECK(status_of(head_with("Sec-WebSocket-Key:")) == 400);
    CHECK(status_of(head_with("Sec-WebSocket-Key:", "Sec-WebSocket-Key: c2hvcnQ=\r\n")) == 400);
    CHECK(status_of(head_with("", "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\n")) == 400);
}
