// Utf8Validator: checks that a byte stream is well-formed UTF-8, piece by piece.
//
// A WebSocket text message arrives in frames, and a frame in reads, cut at
// any byte; a code point may straddle two pieces. The validator keeps the
// few bits of state a partial sequence needs, so each byte is looked at once
// and a bad byte is reported in the piece that carries it — the connection
// can fail as soon as it arrives, without waiting for the rest of the message
// (RFC 6455 §8.1, "fail fast").
//
// Well-formed means Unicode's definition (Table 3-7): no overlong forms, no
// UTF-16 surrogates (U+D800..U+DFFF), nothing above U+10FFFF, no stray
// continuation bytes, no F5..FF.
//
// States:
//   1. between sequences — every byte so far forms whole code points.
//   2. inside a sequence — `pending` continuation bytes are still owed.
//   3. failed            — a byte could not continue any well-formed text;
//                          final until reset().
//
// What must hold:
//   - feeding a text in any split gives the same answers as feeding it whole,
//     and the same as fasterapi::text::valid_utf8 once complete() is asked.
#pragma once

#include <cstdint>
#include <string_view>

namespace fasterapi::ws {

class Utf8Validator {
public:
    // Advances over `bytes`; false once the text so far cannot be the start of
    // well-formed UTF-8 (and from then on until reset()).
    // feed("\xE2\x82") -> true (a prefix of U+20AC); feed("\xC0\xAF") -> false.
    bool feed(std::string_view bytes) noexcept;

    // Everything fed is well-formed and no sequence is left unfinished.
    bool complete() const noexcept { return pending_ == 0 && !failed_; }
    bool failed() const noexcept { return failed_; }

    void reset() noexcept { *this = Utf8Validator(); }

private:
    std::uint8_t pending_ = 0;  // continuation bytes still owed
    std::uint8_t lo_ = 0x80;    // range allowed for the next continuation byte
    std::uint8_t hi_ = 0xBF;
    bool failed_ = false;
};

// True when `bytes` is complete, well-formed UTF-8.
bool valid_utf8(std::string_view bytes) noexcept;

}  // namespace fasterapi::ws
