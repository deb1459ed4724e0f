// RequestTimings: how long the server holds each request, from "request
// parsed" to "response bytes ready" — the framework's own cost per request,
// without the network's. A measuring aid for benchmarks: off unless
// ServerConfig::request_timing is set, and then two clock reads a request.
//
// The clock starts when a complete request is handed to the dispatcher and
// stops when its response head and body have been serialised for the socket:
// into the connection's write buffer, on the reactor thread, in request
// order; or, for a response its answering thread writes itself (WriteHere in
// server.hpp), into that thread's buffer just before it writes them. So it
// covers routing, conversion, the hand-off to the executor or the loop, the
// handler, encoding, and the hop back to the reactor where there is one; not
// parsing (measured by the parser's own benchmark) and not the socket write.
// Streamed bodies and WebSocket upgrades are not recorded.
//
// What must hold:
//   - record() is safe from any number of reactor threads at once
//     (relaxed atomics; a snapshot taken meanwhile may be off by the
//     requests being recorded, never torn per counter);
//   - the histogram's buckets are log-linear: 16 per power of two, so a
//     percentile is exact to within 1/16 (6.25 %) of its value.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace fasterapi {

struct TimingSummary {
    std::uint64_t count = 0;
    double mean_ns = 0;
    double p50_ns = 0;
    double p90_ns = 0;
    double p99_ns = 0;
    std::uint64_t min_ns = 0;
    std::uint64_t max_ns = 0;
};

class RequestTimings {
public:
    static constexpr unsigned sub_buckets = 16;  // per power of two
    // Values below 32 ns one bucket each, then 16 per power of two from 2^5 to 2^63.
    static constexpr std::size_t bucket_count = 2 * sub_buckets + 59 * sub_buckets;

    void record(std::uint64_t ns) noexcept;
    // Percentiles are the midpoint of the bucket they fall in.
    // {120, 130, 5000} -> count 3, p50 ~ 130, max 5000.
    TimingSummary summary() const noexcept;
    void reset() noexcept;

    static std::size_t bucket_of(std::uint64_t ns) noexcept;
    static double bucket_middle(std::size_t bucket) noexcept;

private:
    std::array<std::atomic<std::uint64_t>, bucket_count> buckets_{};
    std::atomic<std::uint64_t> count_{0};
    std::atomic<std::uint64_t> sum_{0};
    std::atomic<std::uint64_t> min_{UINT64_MAX};
    std::atomic<std::uint64_t> max_{0};
};

}  // namespace fasterapi
