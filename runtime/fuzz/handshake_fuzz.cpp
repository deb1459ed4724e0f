// libFuzzer harness for the WebSocket opening handshake (ws/handshake.hpp)
// and the permessage-deflate negotiation (ws/deflate.hpp): the header
// fields a client sends to open a WebSocket.
//
// Byte 0 picks the request line (method, HTTP version) and the server's
// DeflateOptions; the rest is header lines, "name:value" separated by LF,
// with the bytes the HTTP parser refuses in a field (CR, NUL) left out and
// the value's surrounding whitespace trimmed, as the parser hands them over.
// What must hold:
//   1. check_handshake answers 0, 400 or 426; when 0, the key is valid, and
//      every view it returns (key, protocols, extension values) points into
//      the request; every protocol is a non-empty token;
//   2. Sec-WebSocket-Accept is 28 characters of base64;
//   3. parse_extensions gives offers whose names and parameter names are
//      tokens, and which, written out again (values quoted), parse back to
//      the same offers;
//   4. an agreement has window bits in 8..15 and never more than the client
//      offered, and its response value, read as an offer, is accepted with
//      the same parameters;
//   5. nothing crashes, leaks or reads out of bounds (ASan, UBSan).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fasterapi/http/request.hpp"
#include "fasterapi/ws/deflate.hpp"
#include "fasterapi/ws/handshake.hpp"

namespace http = fasterapi::http;
namespace ws = fasterapi::ws;

namespace {

[[noreturn]] void fail(const char* what, std::string_view a = {}, std::string_view b = {}) {
    std::fprintf(stderr, "handshake_fuzz: %s\n  first:  %.*s\n  second: %.*s\n", what, static_cast<int>(a.size()),
                 a.data(), static_cast<int>(b.size()), b.data());
    std::abort();
}

bool tchar(char c) {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
    return c != '\0' && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

bool token(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!tchar(c)) return false;
    return true;
}

bool inside(std::string_view v, const std::string& storage) {
    return v.empty() || (v.data() >= storage.data() && v.data() + v.size() <= storage.data() + storage.size());
}

std::string write_offer(const ws::ExtensionOffer& offer) {
    std::string s = offer.name;
    for (const ws::ExtensionParam& p : offer.params) {
        s.append("; ").append(p.name);
        if (!p.has_value) continue;
        s.append("=\"");
        for (char c : p.value) {
            if (c == '"' || c == '\\') s.push_back('\\');
            s.push_back(c);
        }
        s.push_back('"');
    }
    return s;
}

std::string describe(const std::vector<ws::ExtensionOffer>& offers) {
    std::string s;
    for (const ws::ExtensionOffer& o : offers) {
        s.append("{").append(o.name);
        for (const ws::ExtensionParam& p : o.params) {
            s.append(" ").append(p.name);
            if (p.has_value) s.append("=<").append(p.value).append(">");
        }
        s.append("}");
    }
    return s;
}

std::string describe(const ws::DeflateParams& p) {
    return std::to_string(p.server_no_context_takeover) + std::to_string(p.client_no_context_takeover) + " " +
           std::to_string(p.server_max_window_bits) + " " + std::to_string(p.client_max_window_bits);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::uint8_t knobs = data[0];
    const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);

    http::Request request;
    request.method = (knobs & 1) ? http::Method::post : http::Method::get;
    request.version_minor = (knobs & 2) ? 0 : 1;
    request.storage.reserve(input.size());
    for (char c : input)
        if (c != '\r' && c != '\0') request.storage.push_back(c);
    std::string_view rest = request.storage;
    const auto trim = [](std::string_view v) {
        while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
        while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
        return v;
    };
    while (!rest.empty()) {
        const std::size_t lf = rest.find('\n');
        const std::string_view line = rest.substr(0, lf);
        rest = lf == std::string_view::npos ? std::string_view() : rest.substr(lf + 1);
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) continue;
        request.headers.push_back({line.substr(0, colon), trim(line.substr(colon + 1))});
    }

    // 1, 2
    const ws::Handshake h = ws::check_handshake(request);
    if (h.status != 0 && h.status != 400 && h.status != 426) fail("status out of range", std::to_string(h.status));
    if (!inside(h.key, request.storage)) fail("the key points outside the request");
    for (std::string_view p : h.protocols) {
        if (!token(p)) fail("a protocol that is not a token", p);
        if (!inside(p, request.storage)) fail("a protocol points outside the request", p);
    }
    for (std::string_view e : h.extensions)
        if (!inside(e, request.storage)) fail("an extension value points outside the request", e);
    if (h.status == 0) {
        if (!ws::valid_client_key(h.key)) fail("accepted an invalid key", h.key);
        const std::string accept = ws::accept_key(h.key);
        if (accept.size() != 28 || accept.back() != '=') fail("Sec-WebSocket-Accept is not base64 of 20 bytes", accept);
        std::string head;
        ws::append_accept_response(head, h.key, h.protocols.empty() ? std::string_view() : h.protocols.front());
        if (head.find(accept) == std::string::npos) fail("the 101 lacks the accept key", head);
    }

    // 3
    for (const http::Header& f : request.headers) {
        std::vector<ws::ExtensionOffer> offers;
        ws::parse_extensions(f.value, offers);
        std::string written;
        for (const ws::ExtensionOffer& o : offers) {
            if (!token(o.name)) fail("an offer name that is not a token", o.name, f.value);
            for (const ws::ExtensionParam& p : o.params)
                if (!token(p.name)) fail("a parameter name that is not a token", p.name, f.value);
            if (!written.empty()) written.append(", ");
            written.append(write_offer(o));
        }
        std::vector<ws::ExtensionOffer> again;
        ws::parse_extensions(written, again);
        if (describe(offers) != describe(again)) fail("offers written out again read back differently", describe(offers),
                                                      describe(again));
    }

    // 4
    ws::DeflateOptions options;
    options.server_no_context_takeover = knobs & 4;
    options.client_no_context_takeover = knobs & 8;
    options.server_max_window_bits = static_cast<std::uint8_t>(8 + ((knobs >> 4) & 7));
    options.client_max_window_bits = static_cast<std::uint8_t>((knobs & 0x80) ? 9 : 15);
    std::vector<std::string_view> values;
    for (const http::Header& f : request.headers) values.push_back(f.value);
    const std::optional<ws::DeflateAgreement> agreed = ws::negotiate_deflate(values, options);
    if (agreed) {
        const ws::DeflateParams& p = agreed->params;
        if (p.server_max_window_bits < 8 || p.server_max_window_bits > 15 || p.client_max_window_bits < 8 ||
            p.client_max_window_bits > 15)
            fail("window bits out of range", describe(p));
        if (p.server_max_window_bits > options.server_max_window_bits) fail("server window above the server's", describe(p));
        if ((options.server_no_context_takeover && !p.server_no_context_takeover) ||
            (options.client_no_context_takeover && !p.client_no_context_takeover))
            fail("a takeover option the server wants was dropped", describe(p));
        std::vector<ws::ExtensionOffer> response;
        ws::parse_extensions(agreed->response, response);
        if (response.size() != 1) fail("the response is not one offer", agreed->response);
        const std::optional<ws::DeflateAgreement> echo = ws::accept_deflate_offer(response.front(), options);
        if (!echo) fail("the response is not an acceptable offer", agreed->response);
        if (describe(echo->params) != describe(p)) fail("the response reads as other parameters", describe(p),
                                                        describe(echo->params));
    }
    return 0;
}
