#include "fasterapi/text.hpp"

#include <cstddef>

namespace fasterapi::text {
namespace {

constexpr char replacement[] = "\xEF\xBF\xBD";  // U+FFFD

int hex_value(unsigned char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// One step of a UTF-8 decoder at p[0]. Returns the length of the well-formed
// sequence starting there, or 0 when it is ill-formed; then `bad` is the
// length of its maximal subpart (the bytes one U+FFFD stands for): the lead
// byte and every continuation byte that was still acceptable when the
// sequence broke off or the input ended. This is the Unicode "maximal
// subpart" practice, which CPython's decoder follows.
std::size_t step(const unsigned char* p, std::size_t n, std::size_t& bad) noexcept {
    const unsigned char b0 = p[0];
    if (b0 < 0x80) return 1;
    std::size_t need;
    unsigned char lo = 0x80, hi = 0xBF;  // range allowed for the second byte
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        need = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        need = 3;
        if (b0 == 0xE0) lo = 0xA0;       // overlong
        else if (b0 == 0xED) hi = 0x9F;  // UTF-16 surrogates
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        need = 4;
        if (b0 == 0xF0) lo = 0x90;       // overlong
        else if (b0 == 0xF4) hi = 0x8F;  // beyond U+10FFFF
    } else {
        bad = 1;  // stray continuation byte, C0/C1 overlong lead, F5..FF
        return 0;
    }
    std::size_t i = 1;
    for (; i < need; ++i) {
        if (i >= n) break;
        const unsigned char b = p[i];
        const bool ok = i == 1 ? (b >= lo && b <= hi) : (b >= 0x80 && b <= 0xBF);
        if (!ok) break;
    }
    if (i == need) return need;
    bad = i;
    return 0;
}

// Appends a run of ASCII characters with every valid %XX decoded (and '+'
// made a space when `plus`), then repairs invalid UTF-8 only if an escape
// produced a byte >= 0x80: the usual path copies spans and allocates nothing.
void unquote_ascii_run(std::string_view run, bool plus, std::string& out) {
    const std::size_t start = out.size();
    const std::size_t n = run.size();
    bool decoded_high = false;
    std::size_t copied = 0;
    std::size_t i = 0;
    while (i < n) {
        const char c = run[i];
        if (c == '%' && i + 2 < n) {
            const int h = hex_value(static_cast<unsigned char>(run[i + 1]));
            const int l = hex_value(static_cast<unsigned char>(run[i + 2]));
            if (h >= 0 && l >= 0) {
                out.append(run.data() + copied, i - copied);
                const auto byte = static_cast<unsigned char>(h * 16 + l);
                decoded_high |= byte >= 0x80;
                out.push_back(static_cast<char>(byte));
                i += 3;
                copied = i;
                continue;
            }
        } else if (plus && c == '+') {
            out.append(run.data() + copied, i - copied);
            out.push_back(' ');
            copied = i + 1;
        }
        ++i;
    }
    out.append(run.data() + copied, n - copied);
    if (!decoded_high) return;
    const std::string_view tail(out.data() + start, out.size() - start);
    if (valid_utf8(tail)) return;
    const std::string raw(tail);
    out.resize(start);
    append_utf8_replacing(raw, out);
}

// urllib.parse.unquote on a str whose characters are the input bytes read as
// latin-1 (that is how Starlette hands the query string over). Python decodes
// each maximal run of ASCII characters on its own and keeps the others as they
// are, so percent escapes never combine across a non-ASCII character.
void unquote_impl(std::string_view in, bool plus, std::string& out) {
    out.reserve(out.size() + in.size() + in.size() / 2);
    std::size_t i = 0;
    while (i < in.size()) {
        std::size_t j = i;
        while (j < in.size() && static_cast<unsigned char>(in[j]) < 0x80) ++j;
        if (j > i) {
            unquote_ascii_run(in.substr(i, j - i), plus, out);
            i = j;
            continue;
        }
        const auto b = static_cast<unsigned char>(in[i]);
        out.push_back(static_cast<char>(0xC0 | (b >> 6)));
        out.push_back(static_cast<char>(0x80 | (b & 0x3F)));
        ++i;
    }
}

}  // namespace

void unquote(std::string_view in, std::string& out) { unquote_impl(in, false, out); }

void unquote_plus(std::string_view in, std::string& out) { unquote_impl(in, true, out); }

void append_utf8_replacing(std::string_view bytes, std::string& out) {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    const std::size_t n = bytes.size();
    out.reserve(out.size() + n);
    std::size_t i = 0;
    std::size_t copied = 0;
    while (i < n) {
        if (p[i] < 0x80) {
            ++i;
            continue;
        }
        std::size_t bad = 0;
        const std::size_t len = step(p + i, n - i, bad);
        if (len != 0) {
            i += len;
            continue;
        }
        out.append(bytes.data() + copied, i - copied);
        out.append(replacement, 3);
        i += bad;
        copied = i;
    }
    out.append(bytes.data() + copied, n - copied);
}

bool valid_utf8(std::string_view bytes) noexcept {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    const std::size_t n = bytes.size();
    std::size_t i = 0;
    while (i < n) {
        if (p[i] < 0x80) {
            ++i;
            continue;
        }
        std::size_t bad = 0;
        const std::size_t len = step(p + i, n - i, bad);
        if (len == 0) return false;
        i += len;
    }
    return true;
}

void parse_query(std::string_view qs,
                 std::vector<std::pair<std::string, std::string>>& out) {
    std::size_t pos = 0;
    while (pos <= qs.size()) {
        std::size_t end = qs.find('&', pos);
        if (end == std::string_view::npos) end = qs.size();
        const std::string_view field = qs.substr(pos, end - pos);
        pos = end + 1;
        if (field.empty()) continue;
        const std::size_t eq = field.find('=');
        auto& [name, value] = out.emplace_back();
        unquote_plus(field.substr(0, eq), name);
        if (eq != std::string_view::npos) unquote_plus(field.substr(eq + 1), value);
    }
}

}  // namespace fasterapi::text
