#include "fasterapi/ws/handshake.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

#include "fasterapi/http/request.hpp"

namespace fasterapi::ws {

namespace {

constexpr std::string_view websocket_guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
constexpr char base64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::uint32_t rotl(std::uint32_t x, int n) noexcept { return (x << n) | (x >> (32 - n)); }

constexpr bool is_ows(char c) noexcept { return c == ' ' || c == '\t'; }

std::string_view trim_ows(std::string_view s) noexcept {
    while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
    return s;
}

bool is_base64_char(char c) noexcept {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
}

// tchar of RFC 9110 §5.6.2.
bool is_tchar(char c) noexcept {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
    return c != '\0' && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

bool is_token(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (char c : s)
        if (!is_tchar(c)) return false;
    return true;
}

// Calls fn(element) for each comma-separated element, OWS trimmed, until fn
// returns true; returns whether it did. "a , b" -> "a", "b".
template <class Fn>
bool any_element(std::string_view value, Fn&& fn) {
    for (;;) {
        const std::size_t comma = value.find(',');
        if (fn(trim_ows(value.substr(0, comma)))) return true;
        if (comma == std::string_view::npos) return false;
        value.remove_prefix(comma + 1);
    }
}

}  // namespace

Sha1::Sha1() noexcept : h_{0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u} {}

void Sha1::block(const std::uint8_t* p) noexcept {
    std::uint32_t w[80];
    for (int t = 0; t < 16; ++t)
        w[t] = (std::uint32_t{p[4 * t]} << 24) | (std::uint32_t{p[4 * t + 1]} << 16) |
               (std::uint32_t{p[4 * t + 2]} << 8) | std::uint32_t{p[4 * t + 3]};
    for (int t = 16; t < 80; ++t) w[t] = rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
    std::uint32_t a = h_[0], b = h_[1], c = h_[2], d = h_[3], e = h_[4];
    for (int t = 0; t < 80; ++t) {
        std::uint32_t f, k;
        if (t < 20) {
            f = (b & c) | (~b & d);
            k = 0x5A827999u;
        } else if (t < 40) {
            f = b ^ c ^ d;
            k = 0x6ED9EBA1u;
        } else if (t < 60) {
            f = (b & c) | (b & d) | (c & d);
            k = 0x8F1BBCDCu;
        } else {
            f = b ^ c ^ d;
            k = 0xCA62C1D6u;
        }
        const std::uint32_t temp = rotl(a, 5) + f + e + k + w[t];
        e = d;
        d = c;
        c = rotl(b, 30);
        b = a;
        a = temp;
    }
    h_[0] += a;
    h_[1] += b;
    h_[2] += c;
    h_[3] += d;
    h_[4] += e;
}

void Sha1::update(std::string_view bytes) noexcept {
    const auto* p = reinterpret_cast<const std::uint8_t*>(bytes.data());
    std::size_t n = bytes.size();
    length_ += n;
    if (buffered_ > 0) {
        const std::size_t take = std::min(n, buffer_.size() - buffered_);
        std::memcpy(buffer_.data() + buffered_, p, take);
        buffered_ += take;
        p += take;
        n -= take;
        if (buffered_ < buffer_.size()) return;
        block(buffer_.data());
        buffered_ = 0;
    }
    for (; n >= 64; p += 64, n -= 64) block(p);
    std::memcpy(buffer_.data(), p, n);
    buffered_ = n;
}

Sha1::Digest Sha1::finish() noexcept {
    const std::uint64_t bits = length_ * 8;
    // Padding: 0x80, zeros to 56 mod 64, then the length in bits, big-endian.
    buffer_[buffered_++] = 0x80;
    if (buffered_ > 56) {
        std::memset(buffer_.data() + buffered_, 0, 64 - buffered_);
        block(buffer_.data());
        buffered_ = 0;
    }
    std::memset(buffer_.data() + buffered_, 0, 56 - buffered_);
    for (int i = 0; i < 8; ++i) buffer_[56 + i] = static_cast<std::uint8_t>(bits >> (56 - 8 * i));
    block(buffer_.data());
    Digest out;
    for (int i = 0; i < 5; ++i)
        for (int j = 0; j < 4; ++j) out[4 * i + j] = static_cast<std::uint8_t>(h_[i] >> (24 - 8 * j));
    return out;
}

Sha1::Digest sha1(std::string_view bytes) noexcept {
    Sha1 s;
    s.update(bytes);
    return s.finish();
}

std::string base64_encode(std::string_view bytes) {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    const std::size_t n = bytes.size();
    std::string out;
    out.reserve((n + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        const std::uint32_t v = (std::uint32_t{p[i]} << 16) | (std::uint32_t{p[i + 1]} << 8) | p[i + 2];
        out += base64_alphabet[v >> 18];
        out += base64_alphabet[(v >> 12) & 63];
        out += base64_alphabet[(v >> 6) & 63];
        out += base64_alphabet[v & 63];
    }
    if (n - i == 1) {
        const std::uint32_t v = std::uint32_t{p[i]} << 16;
        out += base64_alphabet[v >> 18];
        out += base64_alphabet[(v >> 12) & 63];
        out += "==";
    } else if (n - i == 2) {
        const std::uint32_t v = (std::uint32_t{p[i]} << 16) | (std::uint32_t{p[i + 1]} << 8);
        out += base64_alphabet[v >> 18];
        out += base64_alphabet[(v >> 12) & 63];
        out += base64_alphabet[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

std::string accept_key(std::string_view client_key) {
    Sha1 s;
    s.update(client_key);
    s.update(websocket_guid);
    const Sha1::Digest d = s.finish();
    return base64_encode(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

bool valid_client_key(std::string_view value) noexcept {
    // 16 bytes = 5 groups of 3 and one lone byte: 5 * 4 + 2 characters, "==".
    if (value.size() != 24 || value[22] != '=' || value[23] != '=') return false;
    for (std::size_t i = 0; i < 22; ++i)
        if (!is_base64_char(value[i])) return false;
    return true;
}

bool supported_version(std::string_view value) noexcept { return value == "13"; }

bool upgrade_has_websocket(std::string_view value) noexcept {
    return any_element(value, [](std::string_view e) { return http::iequals(e, "websocket"); });
}

bool connection_has_upgrade(std::string_view value) noexcept {
    return any_element(value, [](std::string_view e) { return http::iequals(e, "upgrade"); });
}

void parse_protocols(std::string_view value, std::vector<std::string_view>& out) {
    any_element(value, [&](std::string_view e) {
        if (is_token(e)) out.push_back(e);
        return false;
    });
}

Handshake check_handshake(const http::Request& request) {
    Handshake h;
    const auto fail = [&](std::uint16_t status, const char* detail) {
        h.status = status;
        h.detail = detail;
        return std::move(h);
    };
    bool connection_upgrade = false;
    bool has_version = false;
    bool version_ok = true;
    std::size_t keys = 0;
    for (const http::Header& f : request.headers) {
        if (http::iequals(f.name, "upgrade")) {
            h.upgrade = h.upgrade || upgrade_has_websocket(f.value);
        } else if (http::iequals(f.name, "connection")) {
            connection_upgrade = connection_upgrade || connection_has_upgrade(f.value);
        } else if (http::iequals(f.name, "sec-websocket-version")) {
            version_ok = version_ok && supported_version(f.value);
            has_version = true;
        } else if (http::iequals(f.name, "sec-websocket-key")) {
            h.key = f.value;
            ++keys;
        } else if (http::iequals(f.name, "sec-websocket-protocol")) {
            parse_protocols(f.value, h.protocols);
        } else if (http::iequals(f.name, "sec-websocket-extensions")) {
            h.extensions.push_back(f.value);
        }
    }
    if (request.method != http::Method::get) return fail(400, "a WebSocket handshake must be a GET");
    if (request.version_minor < 1) return fail(400, "a WebSocket handshake needs HTTP/1.1");
    if (!h.upgrade) return fail(400, "Upgrade does not name websocket");
    if (!connection_upgrade) return fail(400, "Connection does not list upgrade");
    if (!has_version || !version_ok) return fail(426, "Sec-WebSocket-Version is not 13");
    if (keys != 1 || !valid_client_key(h.key)) return fail(400, "Sec-WebSocket-Key is not base64 of 16 bytes");
    return h;
}

void append_accept_response(std::string& out, std::string_view client_key, std::string_view protocol,
                            std::string_view extensions, std::string_view extra_headers) {
    out.append("HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n");
    out.append("sec-websocket-accept: ").append(accept_key(client_key)).append("\r\n");
    if (!protocol.empty()) out.append("sec-websocket-protocol: ").append(protocol).append("\r\n");
    if (!extensions.empty()) out.append("sec-websocket-extensions: ").append(extensions).append("\r\n");
    out.append(extra_headers).append("\r\n");
}

}  // namespace fasterapi::ws
