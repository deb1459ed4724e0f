// Frame: WebSocket framing (RFC 6455 §5) for the server side of a connection.
//
// Nothing here touches a socket. FrameParser turns the bytes a client sends
// into events; the append_* functions turn what the server says into bytes to
// write. permessage-deflate (deflate.hpp) plugs into both when negotiated.
//
// Driving the parser. Hand it every byte read, in order, cut anywhere; it
// consumes from the front of `input` and stops after each event:
//
//   std::string_view in = bytes_just_read;
//   for (;;) {
//       const Event e = parser.next(in);
//       if (e.kind == Event::Kind::need_more) break;    // `in` is now empty
//       ...handle e; e.payload is valid until the next call...
//   }
//
// It keeps the partial frame header and the message being reassembled, so
// the read buffer may be reused at once. Events:
//   text, binary — a whole message: fragments reassembled, decompressed when
//                  its first frame had RSV1, text checked to be UTF-8.
//   ping, pong   — a control frame's payload (<= 125 bytes); answer a ping
//                  with append_pong(out, e.payload). Control frames may come
//                  between the fragments of a message.
//   close        — the peer's close code (1005 when its payload was empty) and
//                  reason. Answer append_close(out, e.code, ...) — 1005 writes
//                  an empty close payload — then close the TCP connection.
//   error        — the client broke the protocol: e.code is the code to close
//                  with (1002 protocol error, 1007 invalid payload data, 1009
//                  message too big, 1011 out of memory), e.detail says why.
//                  Send append_close(out, e.code, {}) and close.
//
// States (the frame layer; each frame goes 1 -> 2 -> 1):
//   1. header  — collecting the 2..14 header bytes of the next frame; the
//                first two are checked as soon as they arrive (opcode, RSV,
//                mask, FIN and length of control frames), the rest when complete.
//   2. payload — `remaining_` payload bytes still to come; each piece is
//                unmasked as it arrives and appended to the message (or
//                inflated into it), and text is validated piece by piece, so
//                invalid UTF-8 fails before the frame ends.
//   3. closed  — a close frame was delivered.                       } final:
//   4. failed  — an error was delivered.                            } input ignored
// Alongside: whether a data message is in progress (a first frame without
// FIN was seen) and whether it is text and compressed.
//
// What must hold:
//   - the same bytes give the same events however they are split.
//   - memory is bounded: a message (the sum of its frames, or its
//     decompressed size) larger than max_message_bytes fails with 1009 as
//     soon as that is known — from an uncompressed frame's header, or while
//     inflating — never after buffering it.
//   - an idle parser holds no heap memory beyond zlib's window (kept only
//     with client context takeover): a delivered message's buffer is freed
//     on the next call unless take_payload() moved it out first. The parser
//     object itself is a few hundred bytes (a 125-byte control payload is
//     kept inline).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fasterapi/ws/deflate.hpp"
#include "fasterapi/ws/utf8.hpp"

namespace fasterapi::ws {

enum class Opcode : std::uint8_t {
    continuation = 0x0,
    text = 0x1,
    binary = 0x2,
    close = 0x8,
    ping = 0x9,
    pong = 0xA,
};

// Close codes the runtime sends or reports (RFC 6455 §7.4.1).
namespace close_code {
inline constexpr std::uint16_t normal = 1000;
inline constexpr std::uint16_t going_away = 1001;
inline constexpr std::uint16_t protocol_error = 1002;
inline constexpr std::uint16_t unsupported_data = 1003;
inline constexpr std::uint16_t no_status = 1005;  // never sent: an empty close payload
inline constexpr std::uint16_t abnormal = 1006;   // never sent: the TCP connection dropped
inline constexpr std::uint16_t invalid_payload = 1007;
inline constexpr std::uint16_t policy_violation = 1008;
inline constexpr std::uint16_t too_big = 1009;
inline constexpr std::uint16_t internal_error = 1011;
}  // namespace close_code

// May `code` appear in a close frame (RFC 6455 §7.4)? 1000-1003, 1007-1014
// and 3000-4999: yes; below 1000, 1004-1006, 1015-2999, 5000 and up: no.
bool valid_close_code(std::uint16_t code) noexcept;

struct ParserLimits {
    std::size_t max_message_bytes = 16 * 1024 * 1024;  // -> 1009
};

struct Event {
    enum class Kind : std::uint8_t { need_more, text, binary, ping, pong, close, error };

    Kind kind = Kind::need_more;
    std::uint16_t code = 0;      // close: the peer's; error: the one to send
    std::string_view payload;    // message, ping/pong payload or close reason
    const char* detail = "";     // error: why, for logs and tests
};

class FrameParser {
public:
    // `deflate`: the parameters agreed in the handshake, or none (then RSV1
    // is a protocol error).
    explicit FrameParser(const ParserLimits& limits = {},
                         const std::optional<DeflateParams>& deflate = std::nullopt);

    // Consumes bytes from the front of `input` until one event is ready or
    // `input` is empty (need_more). Masked "Hello": 81 85 37 fa 21 3d 7f 9f
    // 4d 51 58 -> {text, "Hello"}, input empty.
    Event next(std::string_view& input);

    // After a text or binary event: the message, moved out (so the parser
    // keeps no buffer); "" otherwise.
    std::string take_payload() noexcept;

    bool closed() const noexcept { return state_ == State::closed; }
    bool failed() const noexcept { return state_ == State::failed; }
    // A fragmented data message has started and not finished.
    bool in_message() const noexcept { return in_message_; }

private:
    enum class State : std::uint8_t { header, payload, closed, failed };

    Event fail(std::uint16_t code, const char* detail) noexcept;
    Event check_first_bytes() noexcept;
    Event start_frame() noexcept;
    Event read_payload(std::string_view& input);
    Event read_compressed(std::string_view piece);
    Event end_frame();
    Event inflate_failure(Inflater::Status s) noexcept;
    Event validate_text_from(std::size_t from) noexcept;

    ParserLimits limits_;
    std::optional<Inflater> inflater_;
    std::string message_;         // the data message being reassembled
    std::uint64_t remaining_ = 0;  // payload bytes of the current frame still to come
    Utf8Validator utf8_;
    State state_ = State::header;
    std::uint8_t head_len_ = 0;
    std::array<std::uint8_t, 14> head_{};
    std::array<std::uint8_t, 4> mask_{};
    std::uint8_t mask_phase_ = 0;  // payload bytes unmasked so far, mod 4
    Opcode opcode_ = Opcode::continuation;
    bool fin_ = false;
    bool in_message_ = false;
    bool text_ = false;
    bool compressed_ = false;
    bool delivered_ = false;      // message_ was handed out by the last event
    std::uint8_t control_len_ = 0;
    std::array<char, 125> control_{};
};

// ---- Encoding: server frames, never masked (RFC 6455 §5.1) ----

// Appends a frame header for a payload of `length` bytes (2, 4 or 10 bytes).
void append_frame_header(std::string& out, Opcode opcode, std::uint64_t length, bool fin = true,
                         bool rsv1 = false);

// Appends one frame. Text "Hello" -> 81 05 48 65 6c 6c 6f.
void append_frame(std::string& out, Opcode opcode, std::string_view payload, bool fin = true, bool rsv1 = false);

// Appends one text or binary message: compressed (RSV1 on its first frame)
// when `deflater` is given — sent uncompressed if zlib fails, which the peer
// accepts as well — and split into frames of at most `max_frame_payload`
// bytes when that is not 0.
void append_message(std::string& out, Opcode opcode, std::string_view payload, Deflater* deflater = nullptr,
                    std::size_t max_frame_payload = 0);

// Ping and pong carry at most 125 bytes; false (nothing written) beyond that.
bool append_ping(std::string& out, std::string_view payload);
bool append_pong(std::string& out, std::string_view payload);

// Appends a close frame: the code, then `reason` cut to 123 bytes at a UTF-8
// character boundary. Code 1005 (or 0) writes an empty payload, as 1005 means
// "no code" and must not be sent.
void append_close(std::string& out, std::uint16_t code, std::string_view reason = {});

}  // namespace fasterapi::ws
