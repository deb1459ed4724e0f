#include "fasterapi/http/request.hpp"

namespace fasterapi::http {

namespace {

constexpr unsigned char ascii_lower(unsigned char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<unsigned char>(c + ('a' - 'A')) : c;
}

}  // namespace

Method method_from_token(std::string_view token) noexcept {
    // Methods are case-sensitive (RFC 9110 §9.1): "get" is an unknown method.
    switch (token.size()) {
    case 3:
        if (token == "GET") return Method::get;
        if (token == "PUT") return Method::put;
        break;
    case 4:
        if (token == "POST") return Method::post;
        if (token == "HEAD") return Method::head;
        break;
    case 5:
        if (token == "PATCH") return Method::patch;
        if (token == "TRACE") return Method::trace;
        break;
    case 6:
        if (token == "DELETE") return Method::delete_;
        break;
    case 7:
        if (token == "OPTIONS") return Method::options;
        if (token == "CONNECT") return Method::connect;
        break;
    default:
        break;
    }
    return Method::other;
}

std::string_view method_name(Method m) noexcept {
    switch (m) {
    case Method::get: return "GET";
    case Method::head: return "HEAD";
    case Method::post: return "POST";
    case Method::put: return "PUT";
    case Method::delete_: return "DELETE";
    case Method::patch: return "PATCH";
    case Method::options: return "OPTIONS";
    case Method::trace: return "TRACE";
    case Method::connect: return "CONNECT";
    case Method::other: break;
    }
    return "";
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (ascii_lower(static_cast<unsigned char>(a[i])) !=
            ascii_lower(static_cast<unsigned char>(b[i])))
            return false;
    }
    return true;
}

const Header* Request::find_header(std::string_view name) const noexcept {
    for (const Header& h : headers) {
        if (iequals(h.name, name)) return &h;
    }
    return nullptr;
}

}  // namespace fasterapi::http
