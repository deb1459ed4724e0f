#include "fasterapi/ws/utf8.hpp"

#include <cstddef>
#include <cstring>

namespace fasterapi::ws {

namespace {

constexpr std::uint64_t high_bits = 0x8080808080808080ull;

}  // namespace

bool Utf8Validator::feed(std::string_view bytes) noexcept {
    if (failed_) return false;
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    const std::size_t n = bytes.size();
    std::size_t i = 0;
    unsigned pending = pending_;
    unsigned char lo = lo_;
    unsigned char hi = hi_;
    while (i < n) {
        if (pending == 0) {
            // Text is mostly ASCII: skip it eight bytes at a time.
            while (i + 8 <= n) {
                std::uint64_t word;
                std::memcpy(&word, p + i, 8);
                if (word & high_bits) break;
                i += 8;
            }
            if (i == n) break;
            const unsigned char b = p[i++];
            if (b < 0x80) continue;
            lo = 0x80;
            hi = 0xBF;
            if (b >= 0xC2 && b <= 0xDF) {
                pending = 1;
            } else if (b >= 0xE0 && b <= 0xEF) {
                pending = 2;
                if (b == 0xE0) lo = 0xA0;        // overlong below U+0800
                else if (b == 0xED) hi = 0x9F;   // U+D800..U+DFFF surrogates
            } else if (b >= 0xF0 && b <= 0xF4) {
                pending = 3;
                if (b == 0xF0) lo = 0x90;        // overlong below U+10000
                else if (b == 0xF4) hi = 0x8F;   // above U+10FFFF
            } else {
                failed_ = true;  // stray continuation, C0/C1 overlong lead, F5..FF
                return false;
            }
        } else {
            const unsigned char b = p[i++];
            if (b < lo || b > hi) {
                failed_ = true;
                return false;
            }
            --pending;
            lo = 0x80;
            hi = 0xBF;
        }
    }
    pending_ = static_cast<std::uint8_t>(pending);
    lo_ = lo;
    hi_ = hi;
    return true;
}

bool valid_utf8(std::string_view bytes) noexcept {
    Utf8Validator v;
    return v.feed(bytes) && v.complete();
}

}  // namespace fasterapi::ws
