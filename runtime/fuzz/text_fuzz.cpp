// libFuzzer harness for the text conversions (fasterapi/text.hpp): the
// percent-decoding of the request path (unquote), of query fields
// (unquote_plus, parse_query) and UTF-8 repair (append_utf8_replacing).
//
// The input is a request path or query string as the HTTP parser hands it
// over (any bytes). What must hold:
//   1. every output is well-formed UTF-8 (valid_utf8);
//   2. decoding never grows ASCII input (a %XX is 3 bytes and becomes at most
//      one byte, or one 3-byte U+FFFD standing for at least one such escape),
//      and at most doubles other input (latin-1 bytes become 2 bytes each);
//   3. append_utf8_replacing agrees with a plain decoder written here from
//      the Unicode well-formedness table, replacing each maximal subpart;
//      valid_utf8(x) exactly when repairing x leaves it as it is;
//   4. for well-formed UTF-8 text, percent-encoding every byte and decoding
//      gives the text back; text without '%' or '+' decodes to itself;
//   5. unquote_plus(x) is unquote(x with '+' made ' ');
//   6. parse_query splits as parse_qsl does: fields on '&', empty ones
//      skipped, name and value on the first '=';
//   7. nothing crashes, leaks or reads out of bounds (ASan, UBSan): the
//      input is given in a buffer of exactly its size.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fasterapi/text.hpp"
#include "text_strings.hpp"

namespace text = fasterapi::text;
using fasterapi::testing::unquote;
using fasterapi::testing::unquote_plus;

namespace {

[[noreturn]] void fail(const char* what, std::string_view a = {}, std::string_view b = {}) {
    std::fprintf(stderr, "text_fuzz: %s\n", what);
    if (!a.empty() || !b.empty()) {
        std::fprintf(stderr, "  first:  ");
        for (unsigned char c : a) std::fprintf(stderr, "%02x", c);
        std::fprintf(stderr, "\n  second: ");
        for (unsigned char c : b) std::fprintf(stderr, "%02x", c);
        std::fprintf(stderr, "\n");
    }
    std::abort();
}

// The length of the well-formed sequence at p[0..n), or 0; `bad` then gets
// the length of its maximal subpart. Written from Table 3-7 of the Unicode
// standard (well-formed byte sequences), row by row.
std::size_t reference_step(const unsigned char* p, std::size_t n, std::size_t& bad) {
    struct Row {
        unsigned char lead_lo, lead_hi, second_lo, second_hi;
        std::size_t length;
    };
    static constexpr Row rows[] = {
        {0x00, 0x7F, 0, 0, 1},       {0xC2, 0xDF, 0x80, 0xBF, 2}, {0xE0, 0xE0, 0xA0, 0xBF, 3},
        {0xE1, 0xEC, 0x80, 0xBF, 3}, {0xED, 0xED, 0x80, 0x9F, 3}, {0xEE, 0xEF, 0x80, 0xBF, 3},
        {0xF0, 0xF0, 0x90, 0xBF, 4}, {0xF1, 0xF3, 0x80, 0xBF, 4}, {0xF4, 0xF4, 0x80, 0x8F, 4},
    };
    for (const Row& row : rows) {
        if (p[0] < row.lead_lo || p[0] > row.lead_hi) continue;
        if (row.length == 1) return 1;
        std::size_t good = 1;  // bytes of the sequence that were acceptable
        while (good < row.length && good < n) {
            const unsigned char c = p[good];
            const bool ok = good == 1 ? c >= row.second_lo && c <= row.second_hi : c >= 0x80 && c <= 0xBF;
            if (!ok) break;
            ++good;
        }
        if (good == row.length) return row.length;
        bad = good;
        return 0;
    }
    bad = 1;
    return 0;
}

std::string reference_repair(std::string_view bytes) {
    std::string out;
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    std::size_t i = 0;
    while (i < bytes.size()) {
        std::size_t bad = 0;
        const std::size_t len = reference_step(p + i, bytes.size() - i, bad);
        if (len != 0) {
            out.append(bytes.data() + i, len);
            i += len;
        } else {
            out.append("\xEF\xBF\xBD");
            i += bad;
        }
    }
    return out;
}

bool all_ascii(std::string_view s) {
    for (unsigned char c : s)
        if (c >= 0x80) return false;
    return true;
}

void check_decoded(const char* what, std::string_view in, const std::string& out) {
    if (!text::valid_utf8(out)) fail(what, in, out);
    if (all_ascii(in) ? out.size() > in.size() : out.size() > 2 * in.size()) fail("decoding grew the input", in, out);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // A buffer of exactly the input's size, so a read past it is caught.
    auto buffer = std::make_unique<char[]>(size == 0 ? 1 : size);
    if (size > 0) std::memcpy(buffer.get(), data, size);
    const std::string_view input(buffer.get(), size);

    // 1, 2: unquote, unquote_plus; appending keeps what `out` held.
    const std::string decoded = unquote(input);
    check_decoded("unquote gave invalid UTF-8", input, decoded);
    std::string appended = "prefix";
    text::unquote(input, appended);
    if (appended != "prefix" + decoded) fail("unquote does not append", decoded, appended);
    const std::string decoded_plus = unquote_plus(input);
    check_decoded("unquote_plus gave invalid UTF-8", input, decoded_plus);

    // 5
    std::string spaced(input);
    for (char& c : spaced)
        if (c == '+') c = ' ';
    if (decoded_plus != unquote(spaced)) fail("unquote_plus differs from unquote after '+' -> ' '", decoded_plus,
                                              unquote(spaced));

    // 3
    std::string repaired;
    text::append_utf8_replacing(input, repaired);
    const std::string expected = reference_repair(input);
    if (repaired != expected) fail("append_utf8_replacing differs from the reference", repaired, expected);
    if (text::valid_utf8(input) != (repaired == input)) fail("valid_utf8 disagrees with repair", input, repaired);
    if (!text::valid_utf8(repaired)) fail("repaired text is not valid UTF-8", input, repaired);

    // 4: `repaired` is well-formed text.
    std::string encoded;
    static constexpr char hex[] = "0123456789ABCDEF";
    for (unsigned char c : repaired) encoded.append({'%', hex[c >> 4], hex[c & 15]});
    if (unquote(encoded) != repaired) fail("percent-encoded text does not decode back", repaired, unquote(encoded));
    std::string lower;  // the same escapes in lower-case hex
    for (char c : encoded) lower.push_back(c >= 'A' && c <= 'F' ? static_cast<char>(c - 'A' + 'a') : c);
    if (unquote_plus(lower) != repaired) fail("lower-case escapes do not decode back", repaired, unquote_plus(lower));
    if (all_ascii(input) && input.find('%') == std::string_view::npos && decoded != input)
        fail("text without escapes changed", input, decoded);

    // 6
    std::vector<std::pair<std::string, std::string>> fields;
    text::parse_query(input, fields);
    std::vector<std::pair<std::string, std::string>> reference;
    std::size_t pos = 0;
    for (;;) {
        const std::size_t amp = input.find('&', pos);
        const std::string_view field = input.substr(pos, amp == std::string_view::npos ? std::string_view::npos : amp - pos);
        if (!field.empty()) {
            const std::size_t eq = field.find('=');
            reference.emplace_back(unquote_plus(field.substr(0, eq)),
                                   eq == std::string_view::npos ? std::string() : unquote_plus(field.substr(eq + 1)));
        }
        if (amp == std::string_view::npos) break;
        pos = amp + 1;
    }
    if (fields != reference) fail("parse_query differs from the reference split", input);
    for (const auto& [name, value] : fields) {
        if (!text::valid_utf8(name) || !text::valid_utf8(value)) fail("a query field is not valid UTF-8", name, value);
    }
    return 0;
}
