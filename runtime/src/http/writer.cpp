#include "fasterapi/http/writer.hpp"

#include <charconv>

namespace fasterapi::http {

bool write_head(std::string& out, const Response& r, const ResponseFraming& framing) {
    const bool body_allowed = status_allows_body(r.status);
    const std::string_view reason = reason_phrase(r.status);
    char status[8];
    const auto status_end = std::to_chars(status, status + sizeof status, r.status).ptr;
    char length[24];
    char* length_end = length;
    const bool computed_length = body_allowed && !r.has_content_length;
    if (computed_length) length_end = std::to_chars(length, length + sizeof length, r.body.size()).ptr;

    out.reserve(out.size() + 128 + reason.size() + framing.server.size() + r.headers.size());
    out.append("HTTP/1.1 ");
    out.append(status, status_end);
    out.push_back(' ');
    out.append(reason);
    out.append("\r\ndate: ");
    out.append(framing.date);
    out.append("\r\n");
    if (!framing.server.empty()) {
        out.append("server: ");
        out.append(framing.server);
        out.append("\r\n");
    }
    if (computed_length) {
        out.append("content-length: ");
        out.append(length, length_end);
        out.append("\r\n");
    }
    out.append(r.headers);
    if (framing.chunked) out.append("Transfer-Encoding: chunked\r\n");
    if (framing.close) out.append("Connection: close\r\n");
    out.append("\r\n");
    return body_allowed && !framing.head_request && !r.body.empty();
}

}  // namespace fasterapi::http
