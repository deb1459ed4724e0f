// Deflate: the permessage-deflate extension (RFC 7692), negotiation and codec.
//
// Negotiation. A client lists extension offers in Sec-WebSocket-Extensions
// (several header values, several offers, in preference order), e.g.
//
//   permessage-deflate; client_max_window_bits, permessage-deflate
//
// negotiate_deflate() accepts the first permessage-deflate offer it can
// honour and returns the parameters both sides then use plus the response's
// Sec-WebSocket-Extensions value. An offer is skipped (RFC 7692 §7.1) when it
// has an unknown parameter, a parameter twice, a value where none is allowed,
// no value where one is required, or a window size that is not a decimal
// 8..15 without leading zeros (quoted or not). In the response:
//   - server_no_context_takeover when the client asked or the server wants it;
//   - client_no_context_takeover when the client hinted it or the server
//     wants it: the server may then free its inflater between messages;
//   - server_max_window_bits=N when the client asked (N <= its value) or the
//     server wants a window below 15;
//   - client_max_window_bits=N only when the client offered the parameter
//     (RFC 7692 §7.1.2.2), with N <= its value.
//
// Codec. A compressed message is one raw DEFLATE stream (zlib, negative
// windowBits) flushed with Z_SYNC_FLUSH, minus the 00 00 ff ff that flush
// ends with (§7.2.1); the receiver appends those four bytes back (§7.2.2).
// With context takeover each side keeps its LZ77 window from message to
// message; without it the stream is dropped after each message — so an idle
// connection that negotiated no context takeover holds no zlib memory.
//
// What must hold:
//   - Inflater never holds more than `limit` output bytes: it decompresses
//     in small steps and stops with too_big as soon as the message would
//     exceed the limit, so a small compressed message cannot make the server
//     allocate unbounded memory (zip bomb).
//   - what Inflater makes of a message does not depend on how its payload
//     was split into pieces: it always inflates with a 32 KiB window (see
//     the constructor), whatever client_max_window_bits was agreed.
//   - a compressed message must end on a DEFLATE block boundary once the
//     tail is added back (or end its stream with a BFINAL block, §7.2.3.4);
//     anything else is corrupt, not silently truncated.
//   - zlib cannot compress with a 256-byte window (windowBits 8 is refused for
//     raw streams), so when the client limits the server to 8 bits the
//     Deflater emits Huffman-only blocks, which never refer back at all.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

struct z_stream_s;

namespace fasterapi::ws {

// One parameter of an extension offer: `name` alone, or `name=value` (the
// value unquoted when it was a quoted-string).
struct ExtensionParam {
    std::string name;
    std::string value;
    bool has_value = false;
};

struct ExtensionOffer {
    std::string name;
    std::vector<ExtensionParam> params;
};

// Appends the offers of one Sec-WebSocket-Extensions value (RFC 6455 §9.1);
// an element with a syntax error is skipped, the others kept.
// `a; x=1, b; y="2"` -> {a, [x=1]}, {b, [y=2]}.
void parse_extensions(std::string_view value, std::vector<ExtensionOffer>& out);

// What the server prefers; the agreement never exceeds what the client offered.
struct DeflateOptions {
    bool server_no_context_takeover = false;
    bool client_no_context_takeover = false;
    std::uint8_t server_max_window_bits = 15;  // 8..15
    std::uint8_t client_max_window_bits = 15;  // 8..15; applies only if offered
};

// The agreed parameters, which the Deflater (server to client) and the
// Inflater (client to server) of one connection are built from.
struct DeflateParams {
    bool server_no_context_takeover = false;
    bool client_no_context_takeover = false;
    std::uint8_t server_max_window_bits = 15;
    std::uint8_t client_max_window_bits = 15;
};

struct DeflateAgreement {
    DeflateParams params;
    std::string response;  // the Sec-WebSocket-Extensions value to answer with
};

// Accepts one offer, or nullopt when it is not an acceptable permessage-deflate offer.
// "permessage-deflate; client_max_window_bits" -> response "permessage-deflate".
std::optional<DeflateAgreement> accept_deflate_offer(const ExtensionOffer& offer,
                                                     const DeflateOptions& options = {});

// The first acceptable permessage-deflate offer among every
// Sec-WebSocket-Extensions value of a request, in order; nullopt: no compression.
std::optional<DeflateAgreement> negotiate_deflate(std::span<const std::string_view> header_values,
                                                  const DeflateOptions& options = {});

// Decompresses the messages a client sent with RSV1 set.
class Inflater {
public:
    enum class Status : std::uint8_t { ok, too_big, corrupt, no_memory };

    explicit Inflater(const DeflateParams& params) noexcept;
    ~Inflater();
    Inflater(Inflater&& other) noexcept;
    Inflater& operator=(Inflater&& other) noexcept;

    // Decompresses the next piece of a message's payload (as received, any
    // split), appending to `out`; too_big as soon as the message would exceed
    // `limit` bytes, with `out` then holding exactly its first `limit` bytes.
    // After anything but ok, the message is lost: call reset().
    Status inflate(std::string_view piece, std::string& out, std::size_t limit);

    // The message's last piece was given: adds back the removed tail, checks
    // the message ended where a block may end, and drops the window unless
    // the client uses context takeover.
    Status finish(std::string& out, std::size_t limit);

    // Forgets the current stream and frees zlib's memory.
    void reset() noexcept;

    bool holds_memory() const noexcept { return stream_ != nullptr; }

private:
    bool open() noexcept;
    Status run(const unsigned char* data, std::size_t size, std::string& out, std::size_t limit);
    bool restart_keeping_window() noexcept;

    z_stream_s* stream_ = nullptr;
    std::uint8_t window_bits_;
    bool takeover_;
    bool started_ = false;       // the current message has compressed bytes
    bool stream_ended_ = false;  // ... and ended with a BFINAL block
    bool restarted_ = false;     // a BFINAL block ended a stream in this message
};

// Compresses the messages the server sends with RSV1 set.
class Deflater {
public:
    // level: zlib's 0..9 (6 is its default); mem_level: 1..9, lower uses less
    // memory per connection (zlib's default 8 is about 256 KiB with a 15-bit window).
    explicit Deflater(const DeflateParams& params, int level = 6, int mem_level = 8) noexcept;
    ~Deflater();
    Deflater(Deflater&& other) noexcept;
    Deflater& operator=(Deflater&& other) noexcept;

    // Compresses one whole message, appending the frame payload (tail
    // removed) to `out`. "Hello" -> f2 48 cd c9 c9 07 00. False only when
    // zlib runs out of memory (then `out` is as it was).
    bool compress(std::string_view message, std::string& out);

    bool holds_memory() const noexcept { return stream_ != nullptr; }

private:
    bool open() noexcept;
    void release() noexcept;

    z_stream_s* stream_ = nullptr;
    std::uint8_t window_bits_;
    bool takeover_;
    std::int8_t level_;
    std::int8_t mem_level_;
};

}  // namespace fasterapi::ws
