// Server-Sent Events encoder micro-benchmark: ns per event appended by
// fasterapi::sse::append_event, side by side with appending the finished
// bytes of the same event (the floor: what any encoder must at least copy).
//
// Build and run (from the repository root): `make bench-sse-encode`, or
//   g++ -std=c++20 -O2 -Iruntime/include bench/sse_encode_bench.cpp
//       runtime/src/sse.cpp -o sse_encode_bench
//   ./sse_encode_bench [results.json [divisor]]   (default bench/results/sse_encode.json;
//   a divisor of the event counts, e.g. 10, for a quick run)
//
// Each case encodes into one reused buffer, cleared per event, so the figure
// is the encoder's work without allocation, as on a connection that keeps its
// write buffer. Each runs `rounds` times; the table shows the median ns per
// event, events/s, and the ratio to copying the same bytes. On shared
// machines only ratios within one run are worth comparing.
#include "fasterapi/sse.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using bench_clock = std::chrono::steady_clock;
namespace sse = fasterapi::sse;
constexpr int rounds = 7;

// Makes the optimiser assume `p`'s memory is read, so no append is dropped.
inline void keep(const void* p) { asm volatile("" : : "r"(p) : "memory"); }

struct result_row {
    std::string name;
    std::string what;
    std::size_t event_bytes;
    long long ops;
    double median_ns;
    double min_ns;
    double floor_ns;
};

template <class Body>
double median_ns_per_op(long long ops, std::vector<double>& all, Body body) {
    body(ops / 10);  // warm-up
    for (int r = 0; r < rounds; ++r) {
        auto t0 = bench_clock::now();
        body(ops);
        auto t1 = bench_clock::now();
        all.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count() / static_cast<double>(ops));
    }
    std::sort(all.begin(), all.end());
    return all[all.size() / 2];
}

result_row measure(std::string name, std::string what, const sse::Event& e, long long ops) {
    std::string expected;
    sse::append_event(expected, e);
    std::string out;
    out.reserve(expected.size() * 2);

    std::vector<double> encode_ns;
    const double median = median_ns_per_op(ops, encode_ns, [&](long long n) {
        for (long long i = 0; i < n; ++i) {
            out.clear();
            sse::append_event(out, e);
            keep(out.data());
        }
    });
    if (out != expected) {
        std::fprintf(stderr, "%s: encoded bytes changed between calls\n", name.c_str());
        std::exit(1);
    }
    std::vector<double> copy_ns;
    const double floor = median_ns_per_op(ops, copy_ns, [&](long long n) {
        for (long long i = 0; i < n; ++i) {
            out.clear();
            keep(expected.data());
            out.append(expected);
            keep(out.data());
        }
    });
    return {std::move(name), std::move(what), expected.size(), ops, median, encode_ns.front(), floor};
}

// `s` as a JSON string's contents: quotes and backslashes escaped (the case
// descriptions are ASCII without control characters).
std::string json_escaped(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

void write_json(const std::string& path, const std::vector<result_row>& rows) {
    std::filesystem::path p(path);
    if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
    std::ofstream out(p);
    out << "{\n  \"benchmark\": \"sse_encode\",\n  \"rounds\": " << rounds
        << ",\n  \"statistic\": \"median ns per event\",\n  \"hardware_threads\": "
        << std::thread::hardware_concurrency() << ",\n  \"cases\": [\n";
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& r = rows[i];
        char line[640];
        std::snprintf(line, sizeof line,
                      "    {\"name\": \"%s\", \"what\": \"%s\", \"event_bytes\": %zu, \"ops_per_round\": %lld, "
                      "\"median_ns\": %.3f, \"min_ns\": %.3f, \"events_per_s\": %.0f, \"copy_floor_ns\": %.3f, "
                      "\"ratio_to_copy\": %.3f}%s\n",
                      r.name.c_str(), json_escaped(r.what).c_str(), r.event_bytes, r.ops, r.median_ns, r.min_ns,
                      1e9 / r.median_ns, r.floor_ns, r.median_ns / r.floor_ns, i + 1 < rows.size() ? "," : "");
        out << line;
    }
    out << "  ]\n}\n";
}

}  // namespace

int main(int argc, char** argv) {
    const std::string json_path = argc > 1 ? argv[1] : "bench/results/sse_encode.json";
    // A divisor of every case's event count: 10 for a quick run.
    const long long divide = argc > 2 ? std::max(1LL, std::atoll(argv[2])) : 1;
    std::vector<result_row> rows;

    sse::Event simple;
    simple.data = "hello world";
    rows.push_back(measure("simple", "data only, 11 bytes", simple, 20'000'000 / divide));

    // About 200 bytes, as FastAPI's json.dumps writes a small model.
    const std::string json_data =
        R"({"id": 1042, "type": "order.created", "user": {"id": 77, "login": "ada", "admin": false}, )"
        R"("items": [{"sku": "A-1", "qty": 2, "price": 9.99}, {"sku": "B-7", "qty": 1, "price": 24.5}], )"
        R"("total": 44.48, "note": null})";
    sse::Event json_event;
    json_event.event = "order.created";
    json_event.id = "evt_0000001042";
    json_event.data = json_data;
    rows.push_back(measure("json", "event + id + " + std::to_string(json_data.size()) + " bytes of JSON data",
                           json_event, 10'000'000 / divide));

    std::string lines;
    for (int i = 0; i < 10; ++i) lines += "line " + std::to_string(i) + " of a multi-line text\n";
    lines.pop_back();
    sse::Event multi_line;
    multi_line.data = lines;
    rows.push_back(measure("multi_line", "data of 10 LF-separated lines, " + std::to_string(lines.size()) + " bytes",
                           multi_line, 5'000'000 / divide));

    sse::Event ping;
    ping.comment = "ping";
    rows.push_back(measure("keepalive", "the keep-alive comment, \": ping\\n\\n\"", ping, 20'000'000 / divide));

    std::printf("%-12s %10s %10s %14s %12s %10s\n", "case", "bytes", "median ns", "events/s", "copy ns", "x copy");
    for (const auto& r : rows) {
        std::printf("%-12s %10zu %10.2f %14.0f %12.2f %10.2f\n", r.name.c_str(), r.event_bytes, r.median_ns,
                    1e9 / r.median_ns, r.floor_ns, r.median_ns / r.floor_ns);
    }
    write_json(json_path, rows);
    std::printf("results: %s\n", json_path.c_str());
    return 0;
}
