// RequestTimings: bucket arithmetic, summaries, and recording from several
// threads at once.
#include <catch2/catch.hpp>

#include <cmath>
#include <thread>
#include <vector>

#include "fasterapi/request_timing.hpp"

using fasterapi::RequestTimings;

TEST_CASE("every value falls in a bucket whose middle is within 1/16 of it", "[timing]") {
    std::size_t last = 0;
    for (std::uint64_t ns = 0; ns < (std::uint64_t{1} << 40); ns = ns < 64 ? ns + 1 : ns + ns / 7 + 1) {
        const std::size_t b = RequestTimings::bucket_of(ns);
        REQUIRE(b >= last);  // monotone
        last = b;
        const double middle = RequestTimings::bucket_middle(b);
        CHECK(std::abs(middle - static_cast<double>(ns)) <= static_cast<double>(ns) / 16.0 + 0.5);
    }
    CHECK(RequestTimings::bucket_of(UINT64_MAX) == RequestTimings::bucket_count - 1);
}

TEST_CASE("a summary gives count, mean, extremes and percentiles", "[timing]") {
    RequestTimings t;
    CHECK(t.summary().count == 0);
    for (int i = 0; i < 98; ++i) t.record(10'000);  // 10 µs
    t.record(1'000'000);                              // 1 ms
    t.record(2'000'000);                              // 2 ms
    const fasterapi::TimingSummary s = t.summary();
    CHECK(s.count == 100);
    CHECK(s.mean_ns == Approx((98 * 10'000.0 + 3'000'000.0) / 100));
    CHECK(s.min_ns == 10'000);
    CHECK(s.max_ns == 2'000'000);
    CHECK(s.p50_ns == Approx(10'000).epsilon(1.0 / 16));
    CHECK(s.p90_ns == Approx(10'000).epsilon(1.0 / 16));
    CHECK(s.p99_ns == Approx(2'000'000).epsilon(1.0 / 16));
    t.reset();
    CHECK(t.summary().count == 0);
}

TEST_CASE("threads record at once without losing a value", "[timing]") {
    RequestTimings t;
    std::vector<std::thread> threads;
    for (int k = 0; k < 4; ++k)
        threads.emplace_back([&t, k] {
            for (int i = 0; i < 50'000; ++i) t.record(static_cast<std::uint64_t>(1000 * (k + 1) + i % 7));
        });
    for (auto& th : threads) th.join();
    const fasterapi::TimingSummary s = t.summary();
    CHECK(s.count == 200'000);
    CHECK(s.min_ns == 1000);
    CHECK(s.max_ns == 4006);
}
