// Writer: serialises a Response into the bytes of an HTTP/1.1 response head.
//
// The order is uvicorn's, so responses compare byte for byte apart from the
// date: status line, `date`, `server`, `content-length` (when the connection
// computes it), the handler's own headers verbatim, `Transfer-Encoding` (for
// a streamed body), `Connection`, blank line. The server's own header names
// are lower case, as uvicorn writes them, except the two framing lines h11
// adds itself, which it spells `Transfer-Encoding: chunked` and
// `Connection: close`.
//
// What must hold:
//   - a response to HEAD, or with status 1xx/204/304, carries no body, and no
//     computed content-length for 1xx/204/304 (RFC 9110 §8.6).
//   - `Connection: close` is written exactly when the server closes the
//     connection after this response for reasons of its own.
//   - the only allocation is the growth of `out` (amortised across responses).
#pragma once

#include <string>
#include <string_view>

#include "fasterapi/http/response.hpp"

namespace fasterapi::http {

struct ResponseFraming {
    bool head_request = false;       // the request was HEAD: no body bytes
    bool close = false;              // the connection closes after this response
    bool chunked = false;            // a streamed body: `Transfer-Encoding: chunked` after the headers
    std::string_view date;           // IMF-fixdate
    std::string_view server;         // empty: no server header
};

// Appends the status line and header section of `r`; returns true when
// r.body must follow on the wire.
// {200, "content-type: text/plain\r\n", "hi"} ->
//   "HTTP/1.1 200 OK\r\ndate: ...\r\nserver: fasterapi\r\ncontent-length: 2\r\n"
//   "content-type: text/plain\r\n\r\n", true
bool write_head(std::string& out, const Response& r, const ResponseFraming& framing);

// The interim response sent before reading a body the client asked
// permission to send.
inline constexpr std::string_view continue_response = "HTTP/1.1 100 Continue\r\n\r\n";

}  // namespace fasterapi::http
