// libFuzzer harness for the HTTP/1.1 request parser.
//
// The input is what a client sends on one connection. It is parsed the way
// the connection parses it — request after request, each parse() given every
// byte of the current request so far — twice: once with the whole input at
// hand, once with the input arriving in pieces cut at points derived from the
// input itself. What must hold:
//   1. both deliveries give the same outcome: the same requests (byte for
//      byte), the same bytes consumed by each, the same error status, the
//      same state at the end;
//   2. every view of a Request points into its own storage and survives a
//      move;
//   3. a complete request, written out again in plain form (Content-Length
//      framing), parses back to the same request;
//   4. nothing crashes, leaks or reads out of bounds (ASan, UBSan). Each
//      parse() gets a fresh copy of the bytes, so a view kept across calls
//      would be a use-after-free.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common.hpp"
#include "fasterapi/http/parser.hpp"

namespace http = fasterapi::http;
using fasterapi::fuzz::Choices;

namespace {

[[noreturn]] void fail(const char* what, const std::string& a = {}, const std::string& b = {}) {
    std::fprintf(stderr, "http_parser_fuzz: %s\n", what);
    if (!a.empty() || !b.empty())
        std::fprintf(stderr, "  first:  %s\n  second: %s\n", a.c_str(), b.c_str());
    std::abort();
}

// Everything observable about one request, as one string, for comparing.
std::string describe(const http::Request& r) {
    std::string s;
    s.append(http::method_name(r.method)).append("|").append(r.method_token);
    s.append("|").append(r.target).append("|").append(r.path).append("|").append(r.query);
    s.append("|1.").append(std::to_string(r.version_minor)).append(r.keep_alive ? "|keep" : "|close");
    for (const http::Header& h : r.headers) s.append("|").append(h.name).append(":").append(h.value);
    s.append("|body=").append(std::to_string(r.body.size())).append(":").append(r.body);
    return s;
}

void check_views(const http::Request& r) {
    const char* begin = r.storage.data();
    const char* end = begin + r.storage.size();
    const auto inside = [&](std::string_view v) {
        return v.empty() || (v.data() >= begin && v.data() + v.size() <= end);
    };
    bool ok = inside(r.method_token) && inside(r.target) && inside(r.path) && inside(r.query) && inside(r.body);
    for (const http::Header& h : r.headers) ok = ok && inside(h.name) && inside(h.value);
    if (!ok) fail("a view of the Request points outside its storage", describe(r));
    if (r.path.empty()) fail("a complete request has an empty path", describe(r));
}

struct Outcome {
    std::vector<std::string> requests;  // describe() of each, then "@consumed"
    std::vector<http::Request> kept;    // the requests themselves, for re-parsing
    std::uint16_t error = 0;
    bool head_started = false;
    bool in_body = false;
    bool expects_continue = false;

    std::string summary() const {
        std::string s;
        for (const std::string& r : requests) s.append("[").append(r).append("]");
        s.append(" error=").append(std::to_string(error));
        s.append(head_started ? " head" : "").append(in_body ? " body" : "");
        s.append(expects_continue ? " continue" : "");
        return s;
    }
};

// The connection's loop: `arrivals` are the input's sizes after each read.
Outcome run(std::string_view input, const std::vector<std::size_t>& arrivals, const http::ParserLimits& limits) {
    Outcome out;
    http::Parser parser(limits);
    std::size_t begin = 0;  // first byte of the current request
    for (std::size_t available : arrivals) {
        for (;;) {
            // A fresh allocation per call: the parser may keep offsets, never pointers.
            const std::size_t n = available - begin;
            auto copy = std::make_unique<char[]>(n == 0 ? 1 : n);
            if (n > 0) std::memcpy(copy.get(), input.data() + begin, n);
            const http::Parser::Result result = parser.parse(std::string_view(copy.get(), n));
            if (result == http::Parser::Result::need_more) {
                if (parser.expects_continue()) parser.continue_sent();
                break;
            }
            if (result == http::Parser::Result::error) {
                out.error = parser.error_status();
                if (out.error < 400 || out.error > 505) fail("error status out of range");
                return out;
            }
            const std::size_t used = parser.consumed();
            if (used == 0 || used > n) fail("consumed() out of range");
            http::Request request = parser.take_request();
            copy.reset();  // the Request must not depend on the input bytes
            check_views(request);
            out.requests.push_back(describe(request) + "@" + std::to_string(used));
            http::Request moved = std::move(request);
            check_views(moved);
            out.kept.push_back(std::move(moved));
            begin += used;
            parser.reset();
        }
    }
    out.head_started = parser.head_started();
    out.in_body = parser.in_body();
    out.expects_continue = parser.expects_continue();
    return out;
}

// The request in plain form: its request line and fields as parsed, the
// body framed by Content-Length.
std::string serialise(const http::Request& r) {
    std::string s;
    s.append(r.method_token).append(" ").append(r.target);
    s.append(r.version_minor == 0 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n");
    for (const http::Header& h : r.headers) {
        if (http::iequals(h.name, "content-length") || http::iequals(h.name, "transfer-encoding")) continue;
        s.append(h.name).append(": ").append(h.value).append("\r\n");
    }
    if (!r.body.empty()) s.append("Content-Length: ").append(std::to_string(r.body.size())).append("\r\n");
    s.append("\r\n").append(r.body);
    return s;
}

// describe() without the framing fields, which serialise() rewrites.
std::string describe_unframed(const http::Request& r) {
    http::Request copy;
    copy.method = r.method;
    copy.method_token = r.method_token;
    copy.target = r.target;
    copy.path = r.path;
    copy.query = r.query;
    copy.version_minor = r.version_minor;
    copy.keep_alive = r.keep_alive;
    copy.body = r.body;
    for (const http::Header& h : r.headers)
        if (!http::iequals(h.name, "content-length") && !http::iequals(h.name, "transfer-encoding"))
            copy.headers.push_back(h);
    return describe(copy);
}

void check_reparse(const http::Request& r) {
    const std::string wire = serialise(r);
    http::ParserLimits roomy;  // what was accepted once must not trip a limit now
    roomy.max_request_line = wire.size();
    roomy.max_header_bytes = wire.size();
    roomy.max_header_count = r.headers.size() + 1;
    roomy.max_body_bytes = r.body.size();
    http::Parser parser(roomy);
    const http::Parser::Result result = parser.parse(wire);
    if (result != http::Parser::Result::complete)
        fail("a parsed request, written out again, does not parse", describe(r),
             std::string(parser.error_detail()) + " in " + wire);
    if (parser.consumed() != wire.size()) fail("re-parse consumed a different length", wire);
    const http::Request again = parser.take_request();
    if (describe_unframed(again) != describe_unframed(r))
        fail("re-parsed request differs", describe_unframed(r), describe_unframed(again));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    Choices choices(input);

    // Tight limits half of the time, so every limit is reached often.
    http::ParserLimits limits;
    if (choices.next() & 1) {
        limits.max_request_line = 16 + choices.below(64);
        limits.max_header_bytes = 16 + choices.below(256);
        limits.max_header_count = 1 + choices.below(8);
        limits.max_body_bytes = choices.below(128);
        limits.max_chunk_line = 4 + choices.below(32);
        limits.max_leading_empty_lines = choices.below(4);
    }

    const Outcome whole = run(input, {size}, limits);

    // The same bytes in pieces: a few random cuts, or one byte at a time.
    const Outcome split = run(input, fasterapi::fuzz::arrivals(size, choices), limits);
    if (whole.summary() != split.summary())
        fail("whole and split delivery disagree", whole.summary(), split.summary());

    for (const http::Request& r : whole.kept) check_reparse(r);
    return 0;
}
