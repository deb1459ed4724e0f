// The response writer and the date cache: the head's bytes and their order,
// framing rules (HEAD, 1xx/204/304, close, chunked), IMF-fixdate.
#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "fasterapi/http/date.hpp"
#include "fasterapi/http/writer.hpp"

namespace http = fasterapi::http;

TEST_CASE("the response head is written in uvicorn's order", "[writer]") {
    http::ResponseFraming f;
    f.date = "Sun, 06 Nov 1994 08:49:37 GMT";
    f.server = "fasterapi";

    http::Response r;
    r.add_header("content-type", "application/json");
    r.body = "{}";
    std::string out;
    CHECK(http::write_head(out, r, f));
    CHECK(out == "HTTP/1.1 200 OK\r\ndate: Sun, 06 Nov 1994 08:49:37 GMT\r\nserver: fasterapi\r\n"
                 "content-length: 2\r\ncontent-type: application/json\r\n\r\n");

    // The handler's own content-length is kept; no server header when empty;
    // a close is spelled out, as h11 spells the lines it adds itself.
    http::Response own;
    own.status = 404;
    own.add_header("Content-Length", "9");
    own.body = "Not Found";
    CHECK(own.has_content_length);
    f.server = "";
    f.close = true;
    out.clear();
    CHECK(http::write_head(out, own, f));
    CHECK(out == "HTTP/1.1 404 Not Found\r\ndate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
                 "Content-Length: 9\r\nConnection: close\r\n\r\n");
    f.close = false;
    // A streamed body's framing line, then the close, last, in h11's spelling
    // and order.
    http::Response streamed;
    streamed.add_header("content-type", "text/plain");
    streamed.has_content_length = true;
    f.chunked = true;
    f.close = true;
    out.clear();
    http::write_head(out, streamed, f);
    CHECK(out == "HTTP/1.1 200 OK\r\ndate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
                 "content-type: text/plain\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
    f.chunked = false;
    f.close = false;

    // No body and no computed length for 204/304/1xx; none on the wire for HEAD.
    for (std::uint16_t status : {204, 304, 101}) {
        http::Response empty;
        empty.status = status;
        empty.body = "ignored";
        out.clear();
        CHECK_FALSE(http::write_head(out, empty, f));
        CHECK(out.find("content-length") == std::string::npos);
    }
    f.head_request = true;
    out.clear();
    CHECK_FALSE(http::write_head(out, r, f));
    CHECK(out.find("content-length: 2\r\n") != std::string::npos);

    // Unknown codes keep the space before an empty reason phrase.
    http::Response odd;
    odd.status = 599;
    out.clear();
    f.head_request = false;
    http::write_head(out, odd, f);
    CHECK(out.rfind("HTTP/1.1 599 \r\n", 0) == 0);
}

TEST_CASE("the date header is an IMF-fixdate in UTC", "[writer]") {
    std::array<char, 29> text{};
    http::DateCache::format(784111777, text);
    CHECK(std::string_view(text.data(), text.size()) == "Sun, 06 Nov 1994 08:49:37 GMT");
    http::DateCache::format(951782400, text);  // a leap day
    CHECK(std::string_view(text.data(), text.size()) == "Tue, 29 Feb 2000 00:00:00 GMT");
    http::DateCache cache;
    CHECK(cache.now().size() == 29);
    CHECK(cache.now().data() == cache.now().data());
}

TEST_CASE("a response's own framing lines are read as h11 reads them", "[writer]") {
    using http::own_framing;
    CHECK(own_framing("transfer-encoding: Chunked\r\n").chunked);
    CHECK_FALSE(own_framing("transfer-encoding: Chunked\r\n").refused);
    CHECK(own_framing("transfer-encoding: gzip, chunked\r\n").refused);
    CHECK(own_framing("transfer-encoding: identity\r\n").refused);
    const http::OwnFraming twice = own_framing("transfer-encoding: chunked\r\nx-a: 1\r\ntransfer-encoding: chunked\r\n");
    CHECK(twice.refused);
    CHECK_FALSE(twice.chunked);
    CHECK(own_framing("connection: Upgrade, Close\r\n").close);
    CHECK(own_framing("connection: keep-alive\r\n").connection);
    CHECK_FALSE(own_framing("connection: keep-alive\r\n").close);
    CHECK_FALSE(own_framing("x-connection: close\r\n").connection);

    // Lines h11 will not send: the name is no token, or the value has NUL,
    // whitespace other than inner spaces and tabs, or space at its ends.
    for (const char* bad : {"x bad: v\r\n", ": v\r\n", "x-a:  padded\r\n", "x-a: padded \r\n", "x-a: a\vb\r\n",
                            "x-a: \tb\r\n", "x-a:v\r\n"}) {
        CAPTURE(bad);
        CHECK(own_framing(std::string("content-type: text/plain\r\n") + bad).refused);
    }
    for (const char* good : {"x-a: \r\n", "x-a: caf\xe9\r\n", "x-a: a\tb c\r\n", "x-a: a\x01\x7f\r\n",
                             "x-~!#$%&'*+.^_`|: 1\r\n"}) {
        CAPTURE(good);
        CHECK_FALSE(own_framing(good).refused);
    }
    CHECK(own_framing(std::string("x-a: a\0b\r\n", 11)).refused);
    CHECK_FALSE(own_framing("content-length: 5\r\ncontent-length: 5, 5\r\n").refused);
    CHECK(own_framing("content-length: 5\r\ncontent-length: 6\r\n").refused);
    CHECK(own_framing("content-length: five\r\n").refused);
    CHECK(own_framing("content-length: -1\r\n").refused);

    std::string headers = "content-length: 5\r\nx-a: 1\r\nContent-Length: 5\r\ntransfer-encoding: chunked\r\n";
    http::remove_header(headers, "content-length");
    CHECK(headers == "x-a: 1\r\ntransfer-encoding: chunked\r\n");
    http::remove_header(headers, "transfer-encoding");
    CHECK(headers == "x-a: 1\r\n");
}
