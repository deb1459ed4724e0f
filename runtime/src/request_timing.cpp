#include "fasterapi/request_timing.hpp"

#include <bit>

namespace fasterapi {

// Values below 2 * sub_buckets get a bucket each; above, a power of two
// [2^e, 2^(e+1)) is cut into sub_buckets equal parts.
std::size_t RequestTimings::bucket_of(std::uint64_t ns) noexcept {
    constexpr std::uint64_t linear = 2 * sub_buckets;
    if (ns < linear) return static_cast<std::size_t>(ns);
    const unsigned e = 63u - static_cast<unsigned>(std::countl_zero(ns));  // 2^e <= ns
    const unsigned shift = e - 4;                                          // log2(sub_buckets) == 4
    const std::size_t sub = static_cast<std::size_t>((ns >> shift) - sub_buckets);
    return linear + (e - 5) * sub_buckets + sub;
}

double RequestTimings::bucket_middle(std::size_t bucket) noexcept {
    constexpr std::size_t linear = 2 * sub_buckets;
    if (bucket < linear) return static_cast<double>(bucket);
    const std::size_t e = 5 + (bucket - linear) / sub_buckets;
    const std::size_t sub = (bucket - linear) % sub_buckets;
    const double width = static_cast<double>(std::uint64_t{1} << (e - 4));
    const double low = static_cast<double>(sub_buckets + sub) * width;
    return low + width / 2;
}

void RequestTimings::record(std::uint64_t ns) noexcept {
    buckets_[bucket_of(ns)].fetch_add(1, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(ns, std::memory_order_relaxed);
    std::uint64_t m = min_.load(std::memory_order_relaxed);
    while (ns < m && !min_.compare_exchange_weak(m, ns, std::memory_order_relaxed)) {
    }
    m = max_.load(std::memory_order_relaxed);
    while (ns > m && !max_.compare_exchange_weak(m, ns, std::memory_order_relaxed)) {
    }
}

TimingSummary RequestTimings::summary() const noexcept {
    TimingSummary s;
    std::array<std::uint64_t, bucket_count> counts;
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < bucket_count; ++i) {
        counts[i] = buckets_[i].load(std::memory_order_relaxed);
        total += counts[i];
    }
    s.count = total;
    if (total == 0) return s;
    s.mean_ns = static_cast<double>(sum_.load(std::memory_order_relaxed)) /
                static_cast<double>(count_.load(std::memory_order_relaxed));
    s.min_ns = min_.load(std::memory_order_relaxed);
    s.max_ns = max_.load(std::memory_order_relaxed);
    auto percentile = [&](double q) {
        // The smallest bucket by which more than q of the values are counted.
        const double rank = q * static_cast<double>(total);
        std::uint64_t seen = 0;
        for (std::size_t i = 0; i < bucket_count; ++i) {
            seen += counts[i];
            if (static_cast<double>(seen) > rank) return bucket_middle(i);
        }
        return bucket_middle(bucket_count - 1);
    };
    s.p50_ns = percentile(0.50);
    s.p90_ns = percentile(0.90);
    s.p99_ns = percentile(0.99);
    return s;
}

void RequestTimings::reset() noexcept {
    for (auto& b : buckets_) b.store(0, std::memory_order_relaxed);
    count_.store(0, std::memory_order_relaxed);
    sum_.store(0, std::memory_order_relaxed);
    min_.store(UINT64_MAX, std::memory_order_relaxed);
    max_.store(0, std::memory_order_relaxed);
}

}  // namespace fasterapi
