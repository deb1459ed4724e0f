// What several libFuzzer harnesses share: input-derived choices, the cut
// points of a split delivery, and dates and two-digit fields as text.
// What must hold: everything here is a pure function of its arguments (and
// a Choices of its seed), so a crash reproduces from the input file alone.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace fasterapi::fuzz {

// A deterministic stream of numbers seeded from the input (FNV-1a, then
// xorshift).
class Choices {
public:
    explicit Choices(std::string_view data) {
        std::uint64_t h = 1469598103934665603ull;
        for (char c : data) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
        state_ = h | 1;
    }
    std::uint64_t next() {
        state_ ^= state_ << 13;
        state_ ^= state_ >> 7;
        state_ ^= state_ << 17;
        return state_;
    }
    std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(next() % n); }

private:
    std::uint64_t state_;
};

// The sizes of an input of `size` bytes after each read, for delivering it
// in pieces: one byte at a time (a quarter of the inputs up to 512 bytes),
// else a few random cuts. The last is always `size`; e.g. size 10 may give
// {3, 3, 7, 10}.
inline std::vector<std::size_t> arrivals(std::size_t size, Choices& choices) {
    std::vector<std::size_t> out;
    if (size <= 512 && choices.below(4) == 0) {
        for (std::size_t i = 1; i <= size; ++i) out.push_back(i);
    } else {
        const std::size_t cuts = 1 + choices.below(8);
        for (std::size_t i = 0; i < cuts; ++i) out.push_back(choices.below(size + 1));
        out.push_back(size);
        std::sort(out.begin(), out.end());
    }
    return out;
}

// A number of at least two digits: 7 -> "07".
inline std::string two(long long v) {
    char b[8];
    std::snprintf(b, sizeof b, "%02lld", v);
    return b;
}

// A date packed as yyyymmdd, as ISO 8601 text: 20240229 -> "2024-02-29".
inline std::string date_text(std::int64_t packed) {
    char b[16];
    std::snprintf(b, sizeof b, "%04lld-%02lld-%02lld", static_cast<long long>(packed / 10000),
                  static_cast<long long>(packed / 100 % 100), static_cast<long long>(packed % 100));
    return b;
}

}  // namespace fasterapi::fuzz
