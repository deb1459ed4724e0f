#include "fasterapi/http/response.hpp"

#include "fasterapi/http/request.hpp"

namespace fasterapi::http {

void Response::add_header(std::string_view name, std::string_view value) {
    headers.reserve(headers.size() + name.size() + value.size() + 4);
    headers.append(name);
    headers.append(": ");
    headers.append(value);
    headers.append("\r\n");
    if (iequals(name, "content-length")) has_content_length = true;
}

namespace {

std::string_view trimmed(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// h11's header grammar: a name is a token; a value is empty, or runs of
// bytes other than NUL and whitespace with spaces or tabs between them.
bool token_char(unsigned char c) noexcept {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool visible(unsigned char c) noexcept {
    return c != 0 && c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\v' && c != '\f';
}

bool sendable(std::string_view name, std::string_view raw_value) noexcept {
    if (name.empty()) return false;
    for (unsigned char c : name) {
        if (!token_char(c)) return false;
    }
    if (raw_value.empty()) return true;
    if (!visible(static_cast<unsigned char>(raw_value.front())) || !visible(static_cast<unsigned char>(raw_value.back())))
        return false;
    for (unsigned char c : raw_value) {
        if (!visible(c) && c != ' ' && c != '\t') return false;
    }
    return true;
}

// Calls fn(name, trimmed value, line start, next line start) for each
// "name: value\r\n" line, until fn returns true.
template <typename Fn>
void each_line(std::string_view headers, Fn&& fn) {
    std::size_t at = 0;
    while (at < headers.size()) {
        std::size_t end = headers.find("\r\n", at);
        const std::size_t next = end == std::string_view::npos ? headers.size() : end + 2;
        if (end == std::string_view::npos) end = headers.size();
        const std::string_view line = headers.substr(at, end - at);
        const std::size_t colon = line.find(':');
        if (colon != std::string_view::npos && fn(line.substr(0, colon), trimmed(line.substr(colon + 1)), at, next)) {
            return;
        }
        at = next;
    }
}

}  // namespace

OwnFraming own_framing(std::string_view headers) noexcept {
    OwnFraming own;
    int encodings = 0;
    std::string_view length;
    each_line(headers, [&](std::string_view name, std::string_view value, std::size_t from, std::size_t to) {
        // The line as written, "name: value", its value untrimmed.
        std::string_view raw = headers.substr(from, to - from);
        if (raw.ends_with("\r\n")) raw.remove_suffix(2);
        if (raw.size() < name.size() + 2 || raw[name.size() + 1] != ' ' || !sendable(name, raw.substr(name.size() + 2)))
            own.refused = true;
        if (iequals(name, "content-length")) {
            // Digits, and one length however often it is repeated.
            while (true) {
                const std::size_t comma = value.find(',');
                const std::string_view part = trimmed(value.substr(0, comma));
                if (part.empty() || part.find_first_not_of("0123456789") != std::string_view::npos ||
                    (!length.empty() && part != length)) {
                    own.refused = true;
                }
                length = part;
                if (comma == std::string_view::npos) break;
                value.remove_prefix(comma + 1);
            }
        } else if (iequals(name, "transfer-encoding")) {
            ++encodings;
            own.chunked = encodings == 1 && iequals(value, "chunked");
            if (!own.chunked) own.refused = true;
        } else if (iequals(name, "connection")) {
            own.connection = true;
            while (!value.empty()) {
                const std::size_t comma = value.find(',');
                if (iequals(trimmed(value.substr(0, comma)), "close")) own.close = true;
                value = comma == std::string_view::npos ? std::string_view{} : value.substr(comma + 1);
            }
        }
        return false;
    });
    return own;
}

void remove_header(std::string& headers, std::string_view name) {
    bool again = true;
    while (again) {
        again = false;
        each_line(headers, [&](std::string_view found, std::string_view, std::size_t from, std::size_t to) {
            if (!iequals(found, name)) return false;
            headers.erase(from, to - from);
            again = true;
            return true;  // `headers` changed: look again from the start
        });
    }
}

std::string_view reason_phrase(std::uint16_t status) noexcept {
    // The phrases of RFC 9110 §15 (plus the common extensions Starlette
    // knows), spelled as Python's http.HTTPStatus spells them, because that
    // is what uvicorn writes.
    switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 102: return "Processing";
    case 103: return "Early Hints";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 203: return "Non-Authoritative Information";
    case 204: return "No Content";
    case 205: return "Reset Content";
    case 206: return "Partial Content";
    case 207: return "Multi-Status";
    case 208: return "Already Reported";
    case 226: return "IM Used";
    case 300: return "Multiple Choices";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 305: return "Use Proxy";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 402: return "Payment Required";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 407: return "Proxy Authentication Required";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Request Entity Too Large";
    case 414: return "Request-URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Requested Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 418: return "I'm a Teapot";
    case 421: return "Misdirected Request";
    case 422: return "Unprocessable Entity";
    case 423: return "Locked";
    case 424: return "Failed Dependency";
    case 425: return "Too Early";
    case 426: return "Upgrade Required";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 451: return "Unavailable For Legal Reasons";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    case 506: return "Variant Also Negotiates";
    case 507: return "Insufficient Storage";
    case 508: return "Loop Detected";
    case 510: return "Not Extended";
    case 511: return "Network Authentication Required";
    default: return "";
    }
}

}  // namespace fasterapi::http
