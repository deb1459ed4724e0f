// Handshake: the WebSocket opening handshake (RFC 6455 §4.2), as pure functions.
//
// A client asks to switch an HTTP/1.1 GET to WebSocket with
//
//   Upgrade: websocket                       (case-insensitive token)
//   Connection: Upgrade                      (a list containing "upgrade")
//   Sec-WebSocket-Key: <base64 of 16 bytes>
//   Sec-WebSocket-Version: 13
//   [Sec-WebSocket-Protocol: chat, superchat]       (offered subprotocols)
//   [Sec-WebSocket-Extensions: permessage-deflate]  (see deflate.hpp)
//
// and the server accepts with 101 Switching Protocols, echoing
// Sec-WebSocket-Accept = base64(SHA-1(key + the RFC's GUID)), at most one of
// the offered subprotocols, and the extensions it agreed to.
//
// The checks below take header values as the HTTP parser hands them over
// (OWS already trimmed). check_handshake() runs them all on a parsed Request,
// in this order, and says what to answer:
//   1. not a GET, or HTTP/1.0           -> 400
//   2. no "websocket" in Upgrade        -> 400 (not a WebSocket request; the
//                                          route may answer it otherwise)
//   3. no "upgrade" in Connection       -> 400
//   4. Sec-WebSocket-Version is not 13  -> 426 with "Sec-WebSocket-Version: 13"
//   5. Sec-WebSocket-Key missing, repeated or not base64 of 16 bytes -> 400
//   6. otherwise                        -> 0: accept (101) or refuse (403)
//
// What must hold:
//   - nothing here allocates on behalf of the peer beyond the lists it returns,
//     and every view returned points into the caller's header values.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fasterapi::http {
struct Request;
}

namespace fasterapi::ws {

// SHA-1 (FIPS 180-4), for Sec-WebSocket-Accept only: not for security.
class Sha1 {
public:
    using Digest = std::array<std::uint8_t, 20>;

    Sha1() noexcept;
    void update(std::string_view bytes) noexcept;
    // The digest of everything updated; the object must not be used after.
    Digest finish() noexcept;

private:
    void block(const std::uint8_t* p) noexcept;

    std::array<std::uint32_t, 5> h_;
    std::array<std::uint8_t, 64> buffer_{};
    std::size_t buffered_ = 0;
    std::uint64_t length_ = 0;  // bytes updated
};

// sha1("abc") -> a9993e36 4706816a ba3e2571 7850c26c 9cd0d89d.
Sha1::Digest sha1(std::string_view bytes) noexcept;

// Standard base64 with padding (RFC 4648 §4): "hello" -> "aGVsbG8=".
std::string base64_encode(std::string_view bytes);

// Sec-WebSocket-Accept for a Sec-WebSocket-Key:
// "dGhlIHNhbXBsZSBub25jZQ==" -> "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=".
std::string accept_key(std::string_view client_key);

// Sec-WebSocket-Key is base64 (with padding) of exactly 16 bytes: 22
// alphabet characters and "==". Padding bits are not required to be zero.
bool valid_client_key(std::string_view value) noexcept;

// Sec-WebSocket-Version names the one version this server speaks: "13".
bool supported_version(std::string_view value) noexcept;

// Upgrade lists "websocket" (case-insensitive): "websocket", "WebSocket".
bool upgrade_has_websocket(std::string_view value) noexcept;

// Connection lists "upgrade" (case-insensitive): "keep-alive, Upgrade".
bool connection_has_upgrade(std::string_view value) noexcept;

// Appends the subprotocols one Sec-WebSocket-Protocol value offers, in order;
// elements that are not tokens are skipped. "chat, superchat" -> chat, superchat.
void parse_protocols(std::string_view value, std::vector<std::string_view>& out);

// The outcome of checking a Request (numbered in the note above).
struct Handshake {
    std::uint16_t status = 0;         // 0: valid; else 400 or 426 to answer
    const char* detail = "";          // why not, for logs and tests
    bool upgrade = false;             // Upgrade names websocket (step 2 passed)
    std::string_view key;             // Sec-WebSocket-Key
    std::vector<std::string_view> protocols;   // offered subprotocols, in order
    std::vector<std::string_view> extensions;  // every Sec-WebSocket-Extensions value
};

// Runs the checks above on a parsed request; views point into `request`.
Handshake check_handshake(const http::Request& request);

// Appends the 101 response head: status line, Upgrade, Connection,
// Sec-WebSocket-Accept, then Sec-WebSocket-Protocol and
// Sec-WebSocket-Extensions when not empty, then `extra_headers`
// ("name: value\r\n" lines, already validated) and the empty line.
void append_accept_response(std::string& out, std::string_view client_key,
                            std::string_view protocol = {}, std::string_view extensions = {},
                            std::string_view extra_headers = {});

}  // namespace fasterapi::ws
