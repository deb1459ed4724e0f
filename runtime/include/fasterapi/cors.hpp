// CORS: what Starlette's CORSMiddleware does to the head of a response that
// passes through it, for apps whose only middleware is CORSMiddleware.
//
// Such an app's compiled routes answer in C++ and Python as usual, and each
// response made inside the middleware (everything but ServerErrorMiddleware's
// 500s, which are outside it) is rewritten as the middleware's send() would:
// with an Origin header, its simple headers set and, when the origin is
// allowed explicitly (or all are, with credentials), Access-Control-Allow-
// Origin mirrored; and in every case, Origin or not, `vary` set to the
// existing Vary values plus "Origin". Preflight requests (OPTIONS with
// Origin and Access-Control-Request-Method) are not filtered: the app itself
// answers them.
//
// What must hold:
//   - header names are compared as Starlette's MutableHeaders compares them
//     (exact bytes of the lower-case name); setting a header replaces its
//     first occurrence in place, drops the others, or appends it.
//   - bytes are latin-1 text: values go out as they came in.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fasterapi::cors {

// One CORSMiddleware's settings, as its constructor computed them.
struct Policy {
    std::vector<std::pair<std::string, std::string>> simple_headers;  // lower-case names, in order
    bool allow_all_origins = false;
    bool allow_credentials = false;
    std::vector<std::string> allow_origins;  // latin-1 bytes
};

// Rewrites `header_lines` ("name: value\r\n" ...) for a request whose Origin
// header is `origin` (nullptr: none), through `policies`, innermost first.
void apply(const std::vector<Policy>& policies, const std::string* origin, std::string& header_lines);

// A preflight request that CORSMiddleware answers itself.
inline bool preflight(bool options, bool has_origin, bool has_request_method) noexcept {
    return options && has_origin && has_request_method;
}

}  // namespace fasterapi::cors
