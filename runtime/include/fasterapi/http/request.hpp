// Request: one parsed HTTP/1.1 request, owning its bytes.
//
// The parser works on views into the connection buffer; when a request is
// complete it is copied once into a Request so the connection may keep
// reading (pipelining) while a handler runs on another thread. Every view in
// a Request points into its own `storage`, so a Request may be moved freely
// (std::string's small-buffer optimisation is defeated by reserving first).
//
// What must hold:
//   - `target` is the raw request-target; `path` and `query` are views into
//     it (path without the query, query without the '?'); neither is
//     percent-decoded.
//   - header names keep the client's spelling; lookups are case-insensitive.
//   - `body` is the decoded body (chunked framing removed).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fasterapi::http {

enum class Method : std::uint8_t {
    get, head, post, put, delete_, patch, options, trace, connect, other
};

// "GET" -> Method::get; unknown tokens -> Method::other.
Method method_from_token(std::string_view token) noexcept;
std::string_view method_name(Method m) noexcept;

struct Header {
    std::string_view name;
    std::string_view value;
};

bool iequals(std::string_view a, std::string_view b) noexcept;

struct Request {
    Method method = Method::other;
    std::string_view method_token;
    std::string_view target;
    std::string_view path;
    std::string_view query;
    int version_minor = 1;  // HTTP/1.<minor>; only 0 and 1 are accepted
    std::vector<Header> headers;
    std::string_view body;
    bool keep_alive = true;
    // The client's address, as uvicorn gives it in scope["client"]: host
    // text and port ("" and 0 when unknown).
    std::string peer_host;
    std::uint16_t peer_port = 0;

    std::string storage;  // owns every view above

    // First header with this name (case-insensitive), or nullptr.
    const Header* find_header(std::string_view name) const noexcept;
};

}  // namespace fasterapi::http
