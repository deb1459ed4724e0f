// Request-parser throughput on a realistic mix, the way a connection drives
// the parser: parse() over the unparsed bytes, take_request(), reset(), next.
// Prints one JSON object per scenario (median of several timed runs):
//   {"scenario": "browser GET", "requests_per_s": ..., "mb_per_s": ..., "bytes_per_request": ...}
//
//   parser_bench [SECONDS_PER_RUN] [RUNS]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "fasterapi/http/parser.hpp"

namespace http = fasterapi::http;

namespace {

const std::string browser_get =
    "GET /products/shoes?color=blue&size=42 HTTP/1.1\r\n"
    "Host: shop.example.com\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
    "Accept-Language: en-US,en;q=0.5\r\n"
    "Accept-Encoding: gzip, deflate, br, zstd\r\n"
    "Referer: https://shop.example.com/products?page=2\r\n"
    "Connection: keep-alive\r\n"
    "Cookie: session=8f14e45fceea167a5a36dedd4bea2543; theme=dark; consent=1\r\n"
    "Upgrade-Insecure-Requests: 1\r\n"
    "Sec-Fetch-Dest: document\r\n"
    "\r\n";

const std::string api_post =
    "POST /api/v1/orders HTTP/1.1\r\n"
    "Host: api.example.com\r\n"
    "User-Agent: python-httpx/0.27.0\r\n"
    "Accept: application/json\r\n"
    "Content-Type: application/json\r\n"
    "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiJ9.c2lnbmF0dXJl\r\n"
    "Content-Length: 62\r\n"
    "\r\n"
    "{\"item_id\":1234,\"quantity\":2,\"note\":\"leave at the front door\"}";

const std::string api_get =
    "GET /api/v1/users/42?fields=name,email HTTP/1.1\r\n"
    "Host: api.example.com\r\n"
    "Accept: application/json\r\n"
    "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiJ9.c2lnbmF0dXJl\r\n"
    "\r\n";

std::string chunk(const std::string& data) {
    char size[20];
    std::snprintf(size, sizeof size, "%zx\r\n", data.size());
    return size + data + "\r\n";
}

const std::string chunked_post =
    "POST /api/v1/events HTTP/1.1\r\n"
    "Host: api.example.com\r\n"
    "Content-Type: application/json\r\n"
    "Transfer-Encoding: chunked\r\n"
    "\r\n" +
    chunk("{\"event\":\"click\",\"id\":1}\n") + chunk("{\"event\":\"view\",\"id\":22}\n") + "0\r\n\r\n";

const std::string small_get = "GET /json HTTP/1.1\r\nHost: localhost:8080\r\nAccept: */*\r\n\r\n";

std::string repeat(const std::string& s, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += s;
    return out;
}

struct Scenario {
    const char* name;
    std::string bytes;  // one or more complete requests, parsed as one buffer
};

// Parses every request in `buffer`; returns how many.
std::size_t parse_all(http::Parser& parser, std::string_view buffer, std::size_t& sink) {
    std::size_t count = 0;
    while (!buffer.empty()) {
        if (parser.parse(buffer) != http::Parser::Result::complete) {
            std::fprintf(stderr, "parser_bench: a benchmark request did not parse\n");
            std::exit(1);
        }
        const http::Request request = parser.take_request();
        sink += request.headers.size() + request.body.size();
        buffer.remove_prefix(parser.consumed());
        parser.reset();
        ++count;
    }
    return count;
}

}  // namespace

int main(int argc, char** argv) {
    const double seconds = argc > 1 ? std::atof(argv[1]) : 0.5;
    const int runs = argc > 2 ? std::atoi(argv[2]) : 5;
    const std::vector<Scenario> scenarios = {
        {"browser GET (11 headers)", browser_get},
        {"API GET", api_get},
        {"API POST, JSON body", api_post},
        {"chunked POST", chunked_post},
        {"pipelined 16 small GETs", repeat(small_get, 16)},
        {"mix (4 browser : 4 API GET : 2 POST : 1 chunked)",
         repeat(browser_get, 4) + repeat(api_get, 4) + repeat(api_post, 2) + chunked_post},
    };
    std::size_t sink = 0;
    http::Parser parser;
    for (const Scenario& s : scenarios) {
        std::vector<double> rates;
        std::size_t per_buffer = 0;
        for (int run = 0; run < runs; ++run) {
            std::size_t requests = 0;
            std::size_t iterations = 0;
            const auto start = std::chrono::steady_clock::now();
            double elapsed = 0;
            do {
                for (int i = 0; i < 256; ++i) requests += parse_all(parser, s.bytes, sink);
                iterations += 256;
                elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            } while (elapsed < seconds);
            per_buffer = requests / iterations;
            rates.push_back(static_cast<double>(requests) / elapsed);
        }
        std::sort(rates.begin(), rates.end());
        const double rps = rates[rates.size() / 2];
        const double bytes_per_request = static_cast<double>(s.bytes.size()) / static_cast<double>(per_buffer);
        std::printf("{\"scenario\": \"%s\", \"requests_per_s\": %.0f, \"mb_per_s\": %.1f, \"bytes_per_request\": %.0f}\n",
                    s.name, rps, rps * bytes_per_request / 1e6, bytes_per_request);
        std::fflush(stdout);
    }
    return sink == 0 ? 1 : 0;
}
