// Futures micro-benchmark: the cost of a continuation on a ready future, on a
// pending one, and of a cross-thread fulfilment round trip, side by side with
// std::promise/std::future and, as a floor, a std::function call.
//
// Build (from the repository root), one line:
//   g++ -std=c++20 -O2 -DASIO_STANDALONE -DASIO_NO_DEPRECATED -Iruntime/include
//       bench/future_bench.cpp runtime/src/future.cpp -lpthread -o future_bench
// Run: ./future_bench [results.json]   (default bench/results/future.json)
//
// Each case runs `rounds` times; the table shows the median ns per operation
// and its ratio to the std::function floor. On shared machines only ratios
// within one run are worth comparing.
#include "fasterapi/asio_scheduler.hpp"
#include "fasterapi/future.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <string>
#include <thread>
#include <vector>

namespace {

using bench_clock = std::chrono::steady_clock;
constexpr int rounds = 7;

// Hides a value from the optimiser so loops are not folded into formulas.
inline int opaque(int x) {
    asm volatile("" : "+r"(x));
    return x;
}
inline void keep(long long x) { asm volatile("" : : "r"(x) : "memory"); }

struct result_row {
    std::string name;
    std::string what;
    long long ops;
    double median_ns;
    double min_ns;
};

template <class Body>
result_row measure(std::string name, std::string what, long long ops, Body body) {
    std::vector<double> ns;
    body(ops / 10);  // warm-up
    for (int r = 0; r < rounds; ++r) {
        auto t0 = bench_clock::now();
        body(ops);
        auto t1 = bench_clock::now();
        ns.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count() / static_cast<double>(ops));
    }
    std::sort(ns.begin(), ns.end());
    return {std::move(name), std::move(what), ops, ns[ns.size() / 2], ns.front()};
}

[[gnu::noinline]] std::function<int(int)> make_function() {
    return [](int x) { return x + 1; };
}

// A one-slot hand-off between two threads, the same for both round-trip
// cases so that only the promise machinery differs.
template <class P>
struct handoff {
    std::atomic<P*> slot{nullptr};
    std::atomic<bool> done{false};

    void publish(P* p) { slot.store(p, std::memory_order_release); }
    // On the worker: takes each published promise and fulfils it.
    template <class Fulfil>
    void serve(Fulfil fulfil) {
        for (;;) {
            P* p = slot.exchange(nullptr, std::memory_order_acquire);
            if (p) {
                fulfil(p);
                continue;
            }
            if (done.load(std::memory_order_acquire)) return;
            std::this_thread::yield();
        }
    }
};

// Reactor side: each continuation publishes the next foreign_promise until
// `ops` round trips are done.
void foreign_round_trips(long long ops) {
    asio::io_context io;
    fasterapi::asio_scheduler scheduler(io);
    handoff<fasterapi::foreign_promise<int>> h;
    std::thread worker([&] {
        h.serve([](fasterapi::foreign_promise<int>* p) {
            p->set_value(1);
            delete p;
        });
    });
    long long completed = 0;
    long long sum = 0;
    std::function<void()> next = [&] {
        auto* p = new fasterapi::foreign_promise<int>(scheduler);
        fasterapi::detail::discard(p->get_future().then([&](int v) {
            sum += v;
            if (++completed == ops) {
                io.stop();
                return;
            }
            next();
        }));
        h.publish(p);
    };
    auto work = asio::make_work_guard(io);
    asio::post(io, next);
    scheduler.run();
    h.done.store(true, std::memory_order_release);
    worker.join();
    keep(sum);
}

void std_round_trips(long long ops) {
    handoff<std::promise<int>> h;
    std::thread worker([&] { h.serve([](std::promise<int>* p) { p->set_value(1); }); });
    long long sum = 0;
    for (long long i = 0; i < ops; ++i) {
        std::promise<int> p;
        auto f = p.get_future();
        h.publish(&p);
        sum += f.get();
    }
    h.done.store(true, std::memory_order_release);
    worker.join();
    keep(sum);
}

void write_json(const std::string& path, const std::vector<result_row>& rows, double floor_ns) {
    std::filesystem::path p(path);
    if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
    std::ofstream out(p);
    out << "{\n  \"benchmark\": \"future\",\n  \"rounds\": " << rounds
        << ",\n  \"statistic\": \"median ns per operation\",\n  \"hardware_threads\": "
        << std::thread::hardware_concurrency() << ",\n  \"cases\": [\n";
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& r = rows[i];
        char line[512];
        std::snprintf(line, sizeof line,
                      "    {\"name\": \"%s\", \"what\": \"%s\", \"ops_per_round\": %lld, "
                      "\"median_ns\": %.3f, \"min_ns\": %.3f, \"ratio_to_std_function\": %.3f}%s\n",
                      r.name.c_str(), r.what.c_str(), r.ops, r.median_ns, r.min_ns, r.median_ns / floor_ns,
                      i + 1 < rows.size() ? "," : "");
        out << line;
    }
    out << "  ]\n}\n";
}

}  // namespace

int main(int argc, char** argv) {
    const std::string json_path = argc > 1 ? argv[1] : "bench/results/future.json";
    std::vector<result_row> rows;

    rows.push_back(measure("std_function_call", "std::function<int(int)> call", 50'000'000, [](long long ops) {
        auto fn = make_function();
        long long sum = 0;
        for (long long i = 0; i < ops; ++i) sum += fn(opaque(static_cast<int>(i)));
        keep(sum);
    }));

    rows.push_back(measure("ready_then_get", "make_ready_future(i).then(+1).get()", 50'000'000, [](long long ops) {
        long long sum = 0;
        for (long long i = 0; i < ops; ++i) {
            sum += fasterapi::make_ready_future(opaque(static_cast<int>(i))).then([](int x) { return x + 1; }).get();
        }
        keep(sum);
    }));

    rows.push_back(measure("ready_then_chain", "one .then() in a chain of 10 on a ready future", 5'000'000 * 10LL,
                           [](long long ops) {
                               long long sum = 0;
                               auto inc = [](int x) { return opaque(x + 1); };
                               for (long long i = 0; i < ops / 10; ++i) {
                                   sum += fasterapi::make_ready_future(opaque(static_cast<int>(i)))
                                              .then(inc).then(inc).then(inc).then(inc).then(inc)
                                              .then(inc).then(inc).then(inc).then(inc).then(inc)
                                              .get();
                               }
                               keep(sum);
                           }));

    rows.push_back(measure("pending_then_set_get", "promise; get_future().then(+1); set_value; get (same thread)",
                           5'000'000, [](long long ops) {
                               long long sum = 0;
                               for (long long i = 0; i < ops; ++i) {
                                   fasterapi::promise<int> p;
                                   auto f = p.get_future().then([](int x) { return x + 1; });
                                   p.set_value(opaque(static_cast<int>(i)));
                                   sum += f.get();
                               }
                               keep(sum);
                           }));

    rows.push_back(measure("pending_chain_of_10", "one .then() in a chain of 10 on a pending promise",
                           1'000'000 * 10LL, [](long long ops) {
                               long long sum = 0;
                               auto inc = [](int x) { return x + 1; };
                               for (long long i = 0; i < ops / 10; ++i) {
                                   fasterapi::promise<int> p;
                                   auto f = p.get_future().then(inc).then(inc).then(inc).then(inc).then(inc)
                                                .then(inc).then(inc).then(inc).then(inc).then(inc);
                                   p.set_value(opaque(static_cast<int>(i)));
                                   sum += f.get();
                               }
                               keep(sum);
                           }));

    rows.push_back(measure("std_promise_set_get", "std::promise; get_future; set_value; get (same thread)",
                           5'000'000, [](long long ops) {
                               long long sum = 0;
                               for (long long i = 0; i < ops; ++i) {
                                   std::promise<int> p;
                                   auto f = p.get_future();
                                   p.set_value(opaque(static_cast<int>(i)));
                                   sum += f.get();
                               }
                               keep(sum);
                           }));

    rows.push_back(measure("foreign_promise_round_trip",
                           "reactor hands a foreign_promise to a thread, which fulfils it; continuation on reactor",
                           50'000, foreign_round_trips));
    rows.push_back(measure("std_promise_round_trip",
                           "main hands a std::promise to a thread, which fulfils it; main blocks in get()", 50'000,
                           std_round_trips));

    const double floor_ns = rows.front().median_ns;
    std::printf("%-28s %12s %12s %10s\n", "case", "median ns", "min ns", "x floor");
    for (const auto& r : rows) {
        std::printf("%-28s %12.2f %12.2f %10.2f\n", r.name.c_str(), r.median_ns, r.min_ns, r.median_ns / floor_ns);
    }
    write_json(json_path, rows, floor_ns);
    std::printf("results: %s\n", json_path.c_str());
    return 0;
}
