// The incremental UTF-8 validator: Unicode's well-formedness table, every
// split of every sample, and agreement with fasterapi::text::valid_utf8.
#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "fasterapi/text.hpp"
#include "fasterapi/ws/utf8.hpp"

using fasterapi::ws::Utf8Validator;
using fasterapi::ws::valid_utf8;

namespace {

// Fed whole, and cut in two at every position, and one byte at a time: the
// same answer each way. Returns the answer.
bool check_every_split(std::string_view s) {
    const bool whole = valid_utf8(s);
    for (std::size_t cut = 0; cut <= s.size(); ++cut) {
        Utf8Validator v;
        const bool first = v.feed(s.substr(0, cut));
        const bool second = first && v.feed(s.substr(cut));
        INFO("cut at " << cut);
        REQUIRE((second && v.complete()) == whole);
    }
    Utf8Validator v;
    bool ok = true;
    for (char c : s) ok = ok && v.feed(std::string_view(&c, 1));
    REQUIRE((ok && v.complete()) == whole);
    return whole;
}

}  // namespace

TEST_CASE("well-formed UTF-8 at every boundary of Unicode's table is accepted", "[utf8]") {
    const std::vector<std::string> valid = {
        "",
        "Hello-µ@ßöäüàá-UTF-8!!",
        "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5",  // κόσμε
        std::string("\x00", 1),
        "\x7f",
        "\xc2\x80", "\xdf\xbf",                  // U+0080, U+07FF
        "\xe0\xa0\x80", "\xef\xbf\xbf",          // U+0800, U+FFFF
        "\xed\x9f\xbf", "\xee\x80\x80",          // around the surrogates
        "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf",  // U+10000, U+10FFFF
        "\xef\xbf\xbe", "\xef\xbb\xbf",          // noncharacter U+FFFE, BOM: well-formed
    };
    for (const std::string& s : valid) {
        INFO(s);
        CHECK(check_every_split(s));
    }
}

TEST_CASE("overlongs, surrogates, code points above U+10FFFF and stray bytes are rejected", "[utf8]") {
    const std::vector<std::string> invalid = {
        "\x80", "\xbf", "\x80\x80",                           // lone continuation bytes
        "\xc0\x80", "\xc1\xbf",                               // overlong 2-byte
        "\xe0\x80\x80", "\xe0\x9f\xbf",                       // overlong 3-byte
        "\xf0\x80\x80\x80", "\xf0\x8f\xbf\xbf",               // overlong 4-byte
        "\xed\xa0\x80", "\xed\xbf\xbf", "\xed\xa0\x80\xed\xb0\x80",  // surrogates, paired too
        "\xf4\x90\x80\x80", "\xf7\xbf\xbf\xbf",               // above U+10FFFF
        "\xf5", "\xf8\x88\x80\x80\x80", "\xfc\x84\x80\x80\x80\x80", "\xfe", "\xff",
        "\xc2", "\xe0\xa0", "\xf0\x90\x80",                   // truncated at the end
        "\xc2\x41", "\xe0\xa0\x41", "\xf0\x90\x80\x41",       // truncated by ASCII
        "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80\x65\x64\x69\x74\x65\x64",
    };
    for (const std::string& s : invalid) {
        INFO(s);
        CHECK_FALSE(check_every_split(s));
    }
}

TEST_CASE("a bad byte fails the piece that carries it; a truncated tail only fails completion", "[utf8]") {
    Utf8Validator v;
    CHECK(v.feed("\xce\xba\xe1\xbd"));  // κ then half of ό
    CHECK_FALSE(v.complete());
    CHECK_FALSE(v.failed());
    CHECK(v.feed("\xb9"));
    CHECK(v.complete());
    CHECK(v.feed("\xf4"));
    CHECK_FALSE(v.feed("\x90"));  // F4 90 is above U+10FFFF: known at the second byte
    CHECK(v.failed());
    CHECK_FALSE(v.feed("a"));  // failure is final
    CHECK_FALSE(v.complete());
    v.reset();
    CHECK(v.feed("a"));
    CHECK(v.complete());
}

TEST_CASE("long ASCII runs take the word-at-a-time path without missing a byte", "[utf8]") {
    std::string s(1000, 'x');
    CHECK(check_every_split(s));
    for (std::size_t at : {0u, 7u, 8u, 9u, 500u, 999u}) {
        std::string bad = s;
        bad[at] = '\x80';
        INFO(at);
        CHECK_FALSE(valid_utf8(bad));
    }
}

TEST_CASE("the validator agrees with text::valid_utf8 on random near-UTF-8 input", "[utf8]") {
    std::mt19937 rng(6455);
    // Bytes drawn mostly from the ones that matter at boundaries.
    const std::vector<unsigned char> alphabet = {0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf,
                                                 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xed, 0xee, 0xef,
                                                 0xf0, 0xf1, 0xf4, 0xf5, 0xff};
    for (int round = 0; round < 20000; ++round) {
        std::string s;
        const std::size_t n = rng() % 12;
        for (std::size_t i = 0; i < n; ++i) s += static_cast<char>(alphabet[rng() % alphabet.size()]);
        const bool expected = fasterapi::text::valid_utf8(s);
        Utf8Validator v;
        std::size_t at = 0;
        bool ok = true;
        while (at < s.size() && ok) {
            const std::size_t take = 1 + rng() % 4;
            ok = v.feed(std::string_view(s).substr(at, take));
            at += take;
        }
        INFO(round);
        REQUIRE((ok && v.complete()) == expected);
    }
}
