// text: hand-written vectors, then the same functions against the interpreter's
// own urllib.parse and bytes.decode on random inputs built to hit the corners
// (escapes of invalid UTF-8, '+', '&', '=', raw high bytes).
#include "fasterapi/text.hpp"

#include <Python.h>

#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "text_strings.hpp"

namespace text = fasterapi::text;
using fasterapi::testing::unquote;
using fasterapi::testing::unquote_plus;

namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

std::string replacing(std::string_view s) {
    std::string out;
    text::append_utf8_replacing(s, out);
    return out;
}

Pairs parse(std::string_view s) {
    Pairs out;
    text::parse_query(s, out);
    return out;
}

// The interpreter, started once for the whole test binary.
struct Python {
    PyObject* unquote = nullptr;
    PyObject* unquote_plus = nullptr;
    PyObject* parse_qsl = nullptr;

    Python() {
        Py_Initialize();
        PyObject* parse = PyImport_ImportModule("urllib.parse");
        REQUIRE(parse != nullptr);
        unquote = PyObject_GetAttrString(parse, "unquote");
        unquote_plus = PyObject_GetAttrString(parse, "unquote_plus");
        parse_qsl = PyObject_GetAttrString(parse, "parse_qsl");
        Py_DECREF(parse);
        REQUIRE((unquote && unquote_plus && parse_qsl));
    }

    static Python& get() {
        static Python python;
        return python;
    }
};

std::string utf8_of(PyObject* str) {
    Py_ssize_t n = 0;
    const char* p = PyUnicode_AsUTF8AndSize(str, &n);
    REQUIRE(p != nullptr);
    return std::string(p, static_cast<std::size_t>(n));
}

// Python's answer for f(s.decode("latin-1")).
std::string py_unquote(PyObject* fn, std::string_view s) {
    PyObject* arg = PyUnicode_DecodeLatin1(s.data(), static_cast<Py_ssize_t>(s.size()), nullptr);
    PyObject* r = PyObject_CallOneArg(fn, arg);
    Py_DECREF(arg);
    REQUIRE(r != nullptr);
    std::string out = utf8_of(r);
    Py_DECREF(r);
    return out;
}

Pairs py_parse_qsl(std::string_view s) {
    PyObject* arg = PyUnicode_DecodeLatin1(s.data(), static_cast<Py_ssize_t>(s.size()), nullptr);
    PyObject* args = PyTuple_Pack(1, arg);
    PyObject* kwargs = Py_BuildValue("{s:O}", "keep_blank_values", Py_True);
    PyObject* r = PyObject_Call(Python::get().parse_qsl, args, kwargs);
    Py_DECREF(arg);
    Py_DECREF(args);
    Py_DECREF(kwargs);
    REQUIRE(r != nullptr);
    Pairs out;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(r); ++i) {
        PyObject* pair = PyList_GET_ITEM(r, i);
        out.emplace_back(utf8_of(PyTuple_GET_ITEM(pair, 0)), utf8_of(PyTuple_GET_ITEM(pair, 1)));
    }
    Py_DECREF(r);
    return out;
}

// bytes.decode("utf-8", "replace"), and whether strict decoding succeeds.
std::string py_decode(std::string_view s, bool& valid) {
    const auto n = static_cast<Py_ssize_t>(s.size());
    PyObject* strict = PyUnicode_DecodeUTF8(s.data(), n, "strict");
    valid = strict != nullptr;
    if (strict == nullptr) PyErr_Clear();
    Py_XDECREF(strict);
    PyObject* r = PyUnicode_DecodeUTF8(s.data(), n, "replace");
    REQUIRE(r != nullptr);
    std::string out = utf8_of(r);
    Py_DECREF(r);
    return out;
}

// Random text built from pieces that matter to these parsers.
class Generator {
public:
    explicit Generator(std::uint32_t seed) : rng_(seed) {}

    int below(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

    // A byte that often starts, continues or breaks a UTF-8 sequence.
    unsigned char utf8ish_byte() {
        static constexpr unsigned char interesting[] = {
            0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2,
            0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF};
        if (below(3) == 0) return static_cast<unsigned char>(below(256));
        return interesting[below(static_cast<int>(sizeof interesting))];
    }

    // Bytes that are mostly UTF-8 sequences, whole, truncated or corrupted.
    std::string utf8ish(int max_pieces) {
        std::string s;
        const int pieces = below(max_pieces + 1);
        for (int p = 0; p < pieces; ++p) {
            switch (below(4)) {
                case 0: s.push_back(static_cast<char>(utf8ish_byte())); break;
                case 1: s.push_back(static_cast<char>('a' + below(3))); break;
                default: {
                    std::string seq = encode(random_code_point());
                    if (below(3) == 0) seq.resize(static_cast<std::size_t>(below(static_cast<int>(seq.size()))));
                    if (!seq.empty() && below(4) == 0)
                        seq[static_cast<std::size_t>(below(static_cast<int>(seq.size())))] =
                            static_cast<char>(utf8ish_byte());
                    s += seq;
                }
            }
        }
        return s;
    }

    // ASCII (and, when `high`, latin-1) text heavy in escapes and separators.
    std::string query(int max_pieces, bool high) {
        static constexpr char hex[] = "0123456789abcdefABCDEF";
        static constexpr char plain[] = "%+&=aZ0 ./?#;fF";
        std::string s;
        const int pieces = below(max_pieces + 1);
        for (int p = 0; p < pieces; ++p) {
            const int kind = below(10);
            if (kind < 4) {
                for (unsigned char b : utf8ish(2)) {
                    static constexpr char upper[] = "0123456789ABCDEF";
                    static constexpr char lower[] = "0123456789abcdef";
                    const char* digits = below(2) ? upper : lower;
                    s.push_back('%');
                    s.push_back(digits[b >> 4]);
                    s.push_back(digits[b & 15]);
                }
            } else if (kind < 5) {
                s.push_back('%');
                for (int k = below(3); k > 0; --k)
                    s.push_back(below(2) ? hex[below(22)] : plain[below(15)]);
            } else if (kind < 9 || !high) {
                s.push_back(plain[below(15)]);
            } else {
                s.push_back(static_cast<char>(0x80 + below(128)));
            }
        }
        return s;
    }

private:
    std::uint32_t random_code_point() {
        switch (below(5)) {
            case 0: return static_cast<std::uint32_t>(below(0x80));
            case 1: return static_cast<std::uint32_t>(0x80 + below(0x780));
            case 2: return static_cast<std::uint32_t>(0x800 + below(0xF800));  // incl. surrogates
            case 3: return static_cast<std::uint32_t>(0x10000 + below(0x100000));
            default: return static_cast<std::uint32_t>(0x10FFF0 + below(0x40));  // around the top
        }
    }

    // Encodes any value up to 21 bits the UTF-8 way, even when it is not a
    // scalar value (surrogates, > U+10FFFF), to produce the bytes of those.
    static std::string encode(std::uint32_t cp) {
        std::string s;
        if (cp < 0x80) {
            s.push_back(static_cast<char>(cp));
        } else if (cp < 0x800) {
            s.push_back(static_cast<char>(0xC0 | (cp >> 6)));
            s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        } else if (cp < 0x10000) {
            s.push_back(static_cast<char>(0xE0 | (cp >> 12)));
            s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        } else {
            s.push_back(static_cast<char>(0xF0 | ((cp >> 18) & 0x07)));
            s.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
            s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        }
        return s;
    }

    std::mt19937 rng_;
};

}  // namespace

TEST_CASE("unquote decodes valid escapes and keeps the rest", "[text]") {
    CHECK(unquote("") == "");
    CHECK(unquote("/plain/path") == "/plain/path");
    CHECK(unquote("/a%20b") == "/a b");
    CHECK(unquote("%41%6a%6A") == "Ajj");
    CHECK(unquote("%") == "%");
    CHECK(unquote("%4") == "%4");
    CHECK(unquote("%zz%4g%g4") == "%zz%4g%g4");
    CHECK(unquote("%%41") == "%A");
    CHECK(unquote("%2541") == "%41");  // decoded once only
    CHECK(unquote("a+b") == "a+b");
    CHECK(unquote("%00") == std::string(1, '\0'));
    CHECK(unquote("caf%C3%A9") == "caf\xC3\xA9");
    CHECK(unquote("%F0%9F%98%80") == "\xF0\x9F\x98\x80");
    CHECK(unquote("%c3%A9%C3%a9") == "\xC3\xA9\xC3\xA9");
    CHECK(unquote("a%2") == "a%2");
    CHECK(unquote("%41%") == "A%");
}

TEST_CASE("unquote replaces invalid UTF-8 once per maximal subpart", "[text]") {
    const std::string r = "\xEF\xBF\xBD";
    CHECK(unquote("/%E2%82") == "/" + r);
    CHECK(unquote("%E2%82x") == r + "x");
    CHECK(unquote("%E2%82%E2%82%AC") == r + "\xE2\x82\xAC");
    CHECK(unquote("%80") == r);
    CHECK(unquote("%C0%80") == r + r);          // overlong lead
    CHECK(unquote("%E0%80%80") == r + r + r);   // overlong: E0 needs A0..BF next
    CHECK(unquote("%ED%A0%80") == r + r + r);   // surrogate D800
    CHECK(unquote("%F4%90%80%80") == r + r + r + r);  // beyond U+10FFFF
    CHECK(unquote("%F0%9F%98") == r);
    CHECK(unquote("%F0%9F%98A") == r + "A");
    CHECK(unquote("%F5%80") == r + r);
    CHECK(unquote("%FF") == r);
}

TEST_CASE("unquote reads raw high bytes as latin-1 and decodes each ASCII run alone", "[text]") {
    const std::string r = "\xEF\xBF\xBD";
    CHECK(unquote("\xE9") == "\xC3\xA9");
    CHECK(unquote("%C3\xA9") == r + "\xC2\xA9");
    CHECK(unquote("%E2\xFF%82%AC") == r + "\xC3\xBF" + r + r);
}

TEST_CASE("unquote_plus turns '+' into a space before decoding", "[text]") {
    CHECK(unquote_plus("a+b") == "a b");
    CHECK(unquote_plus("a%2Bb") == "a+b");
    CHECK(unquote_plus("%+41") == "% 41");
    CHECK(unquote_plus("++") == "  ");
}

TEST_CASE("append_utf8_replacing and valid_utf8", "[text]") {
    const std::string r = "\xEF\xBF\xBD";
    CHECK(replacing("abc") == "abc");
    CHECK(replacing(std::string("a\0b", 3)) == std::string("a\0b", 3));
    CHECK(replacing("\xC2") == r);
    CHECK(replacing("\xC2\x41") == r + "A");
    CHECK(replacing("\xE1\x80\xE1\x80\x80") == r + "\xE1\x80\x80");
    CHECK(replacing("\xED\x9F\xBF") == "\xED\x9F\xBF");  // U+D7FF is fine
    CHECK(replacing("\xED\xBF\xBF") == r + r + r);
    CHECK(replacing("\xF4\x8F\xBF\xBF") == "\xF4\x8F\xBF\xBF");
    CHECK(replacing("\xF0\x80\x80\x80") == r + r + r + r);
    CHECK(replacing("\xF8\x88\x80\x80\x80") == r + r + r + r + r);

    std::string appended = "x";
    text::append_utf8_replacing("\xFF", appended);
    CHECK(appended == "x" + r);

    CHECK(text::valid_utf8(""));
    CHECK(text::valid_utf8("plain"));
    CHECK(text::valid_utf8("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"));
    CHECK_FALSE(text::valid_utf8("\xC3"));
    CHECK_FALSE(text::valid_utf8("\xC0\xAF"));
    CHECK_FALSE(text::valid_utf8("\xED\xA0\x80"));
    CHECK_FALSE(text::valid_utf8("\xF4\x90\x80\x80"));
    CHECK_FALSE(text::valid_utf8("\x80"));
}

TEST_CASE("parse_query splits like parse_qsl(keep_blank_values=True)", "[text]") {
    using P = Pairs;
    CHECK(parse("") == P{});
    CHECK(parse("a=1&b&&c=x+y%21") == P{{"a", "1"}, {"b", ""}, {"c", "x y!"}});
    CHECK(parse("&&&") == P{});
    CHECK(parse("=") == P{{"", ""}});
    CHECK(parse("=v") == P{{"", "v"}});
    CHECK(parse("a==b=c") == P{{"a", "=b=c"}});
    CHECK(parse("a;b=c") == P{{"a;b", "c"}});  // ';' is no separator since 3.10
    CHECK(parse("a%26b=c%3Dd") == P{{"a&b", "c=d"}});
    CHECK(parse("k=1&k=2") == P{{"k", "1"}, {"k", "2"}});
    CHECK(parse("q=%E2%82") == P{{"q", "\xEF\xBF\xBD"}});

    Pairs appended{{"x", "y"}};
    text::parse_query("a=b", appended);
    CHECK(appended == P{{"x", "y"}, {"a", "b"}});
}

TEST_CASE("every two-byte input decodes as Python decodes it", "[text][python]") {
    Python::get();
    std::string s(2, '\0');
    int mismatches = 0;
    for (int a = 0; a < 256; ++a) {
        for (int b = 0; b < 256; ++b) {
            s[0] = static_cast<char>(a);
            s[1] = static_cast<char>(b);
            bool valid = false;
            const std::string expected = py_decode(s, valid);
            if (replacing(s) != expected || text::valid_utf8(s) != valid) ++mismatches;
        }
    }
    CHECK(mismatches == 0);
}

TEST_CASE("random bytes decode as Python decodes them", "[text][python]") {
    Python::get();
    Generator gen(20240611);
    for (int n = 0; n < 60000; ++n) {
        const std::string s = gen.utf8ish(8);
        bool valid = false;
        const std::string expected = py_decode(s, valid);
        INFO("input bytes: " << s.size());
        REQUIRE(replacing(s) == expected);
        REQUIRE(text::valid_utf8(s) == valid);
    }
}

TEST_CASE("random paths and queries unquote as urllib.parse does", "[text][python]") {
    Python& py = Python::get();
    Generator gen(7);
    for (int n = 0; n < 40000; ++n) {
        const bool high = n % 4 == 3;
        const std::string s = gen.query(12, high);
        INFO("input: " << s);
        REQUIRE(unquote(s) == py_unquote(py.unquote, s));
        REQUIRE(unquote_plus(s) == py_unquote(py.unquote_plus, s));
        REQUIRE(parse(s) == py_parse_qsl(s));
        REQUIRE(text::valid_utf8(unquote(s)));
    }
}
