// Mailbox and ReactorScheduler: how other threads post to a reactor's thread.
#include "server/reactor.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

using fasterapi::make_task;
using fasterapi::reactor_context;
using fasterapi::detail::Mailbox;
using fasterapi::detail::ReactorScheduler;

namespace {

// Counts its destructions, and whether it ran.
struct Probe {
    std::atomic<int>* destroyed;
    std::atomic<int>* ran;
    Probe(std::atomic<int>* d, std::atomic<int>* r) : destroyed(d), ran(r) {}
    Probe(Probe&& o) noexcept : destroyed(std::exchange(o.destroyed, nullptr)), ran(o.ran) {}
    ~Probe() {
        if (destroyed) ++*destroyed;
    }
    void operator()() const { ++*ran; }
};

}  // namespace

TEST_CASE("mailbox: tasks from several threads all run on the io_context's thread, each thread's in order") {
    asio::io_context io{1};
    auto guard = asio::make_work_guard(io);
    Mailbox mailbox(io);
    constexpr int threads = 4;
    constexpr int per_thread = 20000;
    std::vector<int> last(threads, -1);
    std::atomic<int> out_of_order{0}, elsewhere{0}, total{0};
    std::thread::id runner;
    std::thread loop([&] {
        runner = std::this_thread::get_id();
        io.run();
    });
    std::vector<std::thread> posters;
    for (int t = 0; t < threads; ++t) {
        posters.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                mailbox.post(make_task([&, t, i] {
                    if (std::this_thread::get_id() != runner) ++elsewhere;
                    if (last[t] != i - 1) ++out_of_order;
                    last[t] = i;
                    if (++total == threads * per_thread) guard.reset();
                }));
                if (i % 1000 == 0) std::this_thread::yield();  // lets the loop drain and sleep now and then
            }
        });
    }
    for (auto& p : posters) p.join();
    // Every post was seen (no wake-up lost): the last one releases the guard,
    // and run() still does not return, as the mailbox waits; stop it.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (total.load() < threads * per_thread && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    io.stop();
    loop.join();
    CHECK(total.load() == threads * per_thread);
    CHECK(out_of_order.load() == 0);
    CHECK(elsewhere.load() == 0);
}

TEST_CASE("mailbox: a post into a sleeping loop wakes it each time") {
    asio::io_context io{1};
    auto guard = asio::make_work_guard(io);
    Mailbox mailbox(io);
    std::thread loop([&] { io.run(); });
    for (int i = 0; i < 200; ++i) {
        std::atomic<bool> done{false};
        mailbox.post(make_task([&] { done = true; }));
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (!done.load() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
        REQUIRE(done.load());
        // Long enough for the loop to go back to epoll_wait before the next post.
        std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    io.stop();
    loop.join();
}

TEST_CASE("mailbox: tasks left when it is destroyed are destroyed unrun") {
    std::atomic<int> destroyed{0}, ran{0};
    {
        asio::io_context io{1};
        Mailbox mailbox(io);
        for (int i = 0; i < 3; ++i) mailbox.post(make_task(Probe(&destroyed, &ran)));
    }
    CHECK(ran.load() == 0);
    CHECK(destroyed.load() == 3);
}

TEST_CASE("reactor scheduler: its own thread posts to the io_context, others through the mailbox; both run there") {
    asio::io_context io{1};
    auto guard = asio::make_work_guard(io);
    ReactorScheduler scheduler(io);
    std::thread::id runner;
    std::atomic<int> ran{0}, elsewhere{0};
    std::vector<int> order;
    std::thread loop([&] {
        reactor_context::scope bound(scheduler);
        runner = std::this_thread::get_id();
        io.run();
    });
    // From another thread: through the mailbox. The task then posts from the
    // loop's own thread, which goes on the io_context's queue and runs after it.
    scheduler.post(make_task([&] {
        if (std::this_thread::get_id() != runner) ++elsewhere;
        order.push_back(1);
        reactor_context::current()->post(make_task([&] {
            if (std::this_thread::get_id() != runner) ++elsewhere;
            order.push_back(2);
            ++ran;
        }));
    }));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (ran.load() == 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
    io.stop();
    loop.join();
    CHECK(ran.load() == 1);
    CHECK(elsewhere.load() == 0);
    CHECK(order == std::vector<int>{1, 2});
}
