// libFuzzer harness for CORS (fasterapi/cors.hpp): a response head rewritten
// for the Origin a client sent.
//
// Byte 0 picks the CORSMiddleware stack (one or two policies, explicit
// origins or all, credentials, simple headers) and whether the request has
// an Origin; then comes the Origin value up to the first LF (as the HTTP
// parser hands it over: no CR, LF or NUL), then the response's header lines,
// "name:value" separated by LF, names lower-case as the app sends them.
// What must hold:
//   1. the result is header lines again, "name: value\r\n" each;
//   2. there is exactly one `vary`, the earlier Vary values joined with
//      ", " and then "Origin" (once per policy);
//   3. access-control-allow-origin is what the last policy to set it set:
//      the request's Origin where a policy allows it (explicitly, or all
//      origins with credentials), else its simple header "*"; and no CORS
//      header appears without an Origin;
//   4. every other header keeps its value and order;
//   5. nothing crashes, leaks or reads out of bounds (ASan, UBSan).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fasterapi/cors.hpp"

namespace cors = fasterapi::cors;

namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

[[noreturn]] void fail(const char* what, const std::string& a = {}, const std::string& b = {}) {
    std::fprintf(stderr, "cors_fuzz: %s\n  first:  %s\n  second: %s\n", what, a.c_str(), b.c_str());
    std::abort();
}

Headers read_lines(const std::string& lines) {
    Headers out;
    std::size_t pos = 0;
    while (pos < lines.size()) {
        const std::size_t end = lines.find("\r\n", pos);
        if (end == std::string::npos) fail("a header line without CRLF", lines);
        const std::string line = lines.substr(pos, end - pos);
        const std::size_t colon = line.find(": ");
        if (colon == std::string::npos) fail("a header line without \": \"", line);
        out.emplace_back(line.substr(0, colon), line.substr(colon + 2));
        pos = end + 2;
    }
    return out;
}

bool set_by_policies(const std::string& name) {
    return name == "vary" || name == "access-control-allow-origin" || name == "access-control-allow-credentials" ||
           name == "access-control-expose-headers";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::uint8_t knobs = data[0];
    std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    const std::size_t lf = rest.find('\n');
    std::string origin;
    for (char c : rest.substr(0, lf))
        if (c != '\r' && c != '\0') origin.push_back(c);
    while (!origin.empty() && (origin.front() == ' ' || origin.front() == '\t')) origin.erase(0, 1);
    while (!origin.empty() && (origin.back() == ' ' || origin.back() == '\t')) origin.pop_back();
    rest = lf == std::string_view::npos ? std::string_view() : rest.substr(lf + 1);

    // The app's response headers, as "name: value\r\n" lines.
    Headers given;
    while (!rest.empty()) {
        const std::size_t end = rest.find('\n');
        std::string_view line = rest.substr(0, end);
        rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) continue;
        std::string name, value;
        for (char c : line.substr(0, colon)) {
            if (c == ' ' || c == '\t' || c == '\r' || c == '\0') continue;
            name.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
        }
        for (char c : line.substr(colon + 1))
            if (c != '\r' && c != '\0') value.push_back(c);
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(0, 1);
        if (name.empty()) continue;
        given.emplace_back(std::move(name), std::move(value));
    }
    std::string lines;
    for (const auto& [n, v] : given) lines.append(n).append(": ").append(v).append("\r\n");
    const std::string original = lines;

    std::vector<cors::Policy> policies(1 + (knobs & 1));
    for (std::size_t i = 0; i < policies.size(); ++i) {
        cors::Policy& p = policies[i];
        const unsigned k = knobs >> (1 + 3 * i);
        p.allow_all_origins = k & 1;
        p.allow_credentials = k & 2;
        if (!p.allow_all_origins) p.allow_origins = {"https://example.com", "null", ""};
        if (k & 4) {
            if (p.allow_credentials) p.simple_headers.emplace_back("access-control-allow-credentials", "true");
            p.simple_headers.emplace_back("access-control-expose-headers", "x-total");
        }
        if (p.allow_all_origins && !p.allow_credentials) p.simple_headers.emplace_back("access-control-allow-origin", "*");
    }
    const bool has_origin = knobs & 0x80;

    cors::apply(policies, has_origin ? &origin : nullptr, lines);
    const Headers out = read_lines(lines);

    // 2
    std::string vary;
    for (const auto& [n, v] : given)
        if (n == "vary") vary.append(v).append(", ");
    vary.append("Origin");
    for (std::size_t i = 1; i < policies.size(); ++i) vary.append(", Origin");
    std::size_t varies = 0;
    for (const auto& [n, v] : out) {
        if (n != "vary") continue;
        ++varies;
        if (v != vary) fail("vary is not the earlier values and Origin", v, vary);
    }
    if (varies != 1) fail("not exactly one vary", lines);

    // 3: each policy, innermost first, sets its simple headers, then the
    // Origin where it allows it; the last one to set a header wins.
    std::string expected_acao;
    bool acao_set = false;
    for (const cors::Policy& p : policies) {
        if (!has_origin) break;
        for (const auto& [n, v] : p.simple_headers)
            if (n == "access-control-allow-origin") expected_acao = v, acao_set = true;
        bool explicit_origin = false;
        for (const std::string& o : p.allow_origins) explicit_origin |= o == origin;
        if ((p.allow_all_origins && p.allow_credentials) || (!p.allow_all_origins && explicit_origin)) {
            expected_acao = origin;
            acao_set = true;
        }
    }
    std::size_t acao = 0;
    for (const auto& [n, v] : out) {
        if (n != "access-control-allow-origin") continue;
        ++acao;
        if (acao_set && v != expected_acao) fail("access-control-allow-origin is not what the policies set", v, expected_acao);
    }
    if (acao_set && acao != 1) fail("not exactly one access-control-allow-origin", lines);
    if (!has_origin && lines.find("access-control-") != std::string::npos && original.find("access-control-") == std::string::npos)
        fail("CORS headers without an Origin", lines);

    // 4
    Headers kept_in, kept_out;
    for (const auto& h : given)
        if (!set_by_policies(h.first)) kept_in.push_back(h);
    for (const auto& h : out)
        if (!set_by_policies(h.first)) kept_out.push_back(h);
    if (kept_in != kept_out) fail("other headers changed", original, lines);
    return 0;
}
