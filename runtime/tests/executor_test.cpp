// Executor: Python work runs on workers with the GIL; a blocking task does not
// hold up the others; stop() drains, drops what is left, and joins.
#include "fasterapi/executor.hpp"
#include "fasterapi/server.hpp"

#include <Python.h>
#include <catch2/catch.hpp>
#include <poll.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

using namespace std::chrono_literals;

namespace {

struct Interpreter {
    Interpreter() {
        if (!Py_IsInitialized()) {
            Py_InitializeEx(0);
            saved = PyEval_SaveThread();  // release the GIL: workers take it
        }
    }
    PyThreadState* saved = nullptr;
};

Interpreter& interpreter() {
    static Interpreter i;
    return i;
}

class Counting final : public fasterapi::Task {
public:
    Counting(std::atomic<int>& done, std::atomic<int>& dropped, const char* code)
        : done_(done), dropped_(dropped), code_(code) {}
    ~Counting() override {
        if (!ran_) ++dropped_;
    }
    void run() override {
        ran_ = true;
        REQUIRE(PyGILState_Check());
        if (code_ && PyRun_SimpleString(code_) != 0) FAIL("python failed");
        ++done_;
    }

private:
    std::atomic<int>& done_;
    std::atomic<int>& dropped_;
    const char* code_;
    bool ran_ = false;
};

}  // namespace

TEST_CASE("tasks run with the GIL and a sleeping task does not block the rest") {
    interpreter();
    std::atomic<int> done{0}, dropped{0};
    fasterapi::Executor ex(4);
    ex.start();
    auto t0 = std::chrono::steady_clock::now();
    ex.submit(std::make_unique<Counting>(done, dropped, "import time; time.sleep(0.5)"));
    for (int i = 0; i < 100; ++i) ex.submit(std::make_unique<Counting>(done, dropped, "x = 1 + 1"));
    while (done.load() < 100 && std::chrono::steady_clock::now() - t0 < 5s) std::this_thread::sleep_for(1ms);
    CHECK(done.load() >= 100);
    CHECK(std::chrono::steady_clock::now() - t0 < 400ms);  // the fast ones did not wait for the sleeper
    CHECK(ex.stop(5s) == 0);
    CHECK(done.load() == 101);
    CHECK(dropped.load() == 0);
}

TEST_CASE("after a quiet spell the stall monitor still wakes a worker for work behind a sleeper") {
    interpreter();
    std::atomic<int> done{0}, dropped{0};
    fasterapi::Executor ex(4);
    ex.start();
    // Past the monitor's 10 ms of polling: it sleeps until work waits behind an active worker.
    std::this_thread::sleep_for(50ms);
    ex.submit(std::make_unique<Counting>(done, dropped, "import time; time.sleep(0.5)"));
    std::this_thread::sleep_for(20ms);  // the sleeper is running; the pool has gone quiet again
    auto t0 = std::chrono::steady_clock::now();
    ex.submit(std::make_unique<Counting>(done, dropped, "x = 1 + 1"));
    while (done.load() < 1 && std::chrono::steady_clock::now() - t0 < 5s) std::this_thread::sleep_for(1ms);
    CHECK(done.load() == 1);
    CHECK(std::chrono::steady_clock::now() - t0 < 300ms);  // not after the sleeper's 500 ms
    CHECK(ex.stop(5s) == 0);
    CHECK(dropped.load() == 0);
}

namespace {

// Sleeps 5 ms in Python (the GIL released meanwhile); records how long it
// waited for a worker.
class Blocking final : public fasterapi::Task {
public:
    Blocking(std::atomic<int>& done, std::atomic<std::int64_t>& longest_wait_us)
        : done_(done), longest_(longest_wait_us), queued_(std::chrono::steady_clock::now()) {}
    void run() override {
        const auto waited = std::chrono::duration_cast<std::chrono::microseconds>(
                                std::chrono::steady_clock::now() - queued_).count();
        std::int64_t seen = longest_.load();
        while (waited > seen && !longest_.compare_exchange_weak(seen, waited)) {
        }
        if (PyRun_SimpleString("import time; time.sleep(0.005)") != 0) FAIL("python failed");
        ++done_;
    }

private:
    std::atomic<int>& done_;
    std::atomic<std::int64_t>& longest_;
    std::chrono::steady_clock::time_point queued_;
};

}  // namespace

TEST_CASE("a steady stream of blocking tasks gets as many workers as it needs") {
    // 5 ms tasks, one every 250 us: twenty workers' worth, with a stall
    // period of 2 ms. Some worker has nearly always just begun a task, so
    // "every active worker is blocked" seldom holds; the pool must still
    // grow until the queue keeps up.
    interpreter();
    std::atomic<int> done{0}, dropped{0};
    std::atomic<std::int64_t> longest{0};
    fasterapi::Executor ex(32, 2000us);
    ex.start();
    constexpr int tasks = 400;
    auto next = std::chrono::steady_clock::now();
    for (int i = 0; i < tasks; ++i) {
        ex.submit(std::make_unique<Blocking>(done, longest));
        next += 250us;
        std::this_thread::sleep_until(next);
    }
    const auto t0 = std::chrono::steady_clock::now();
    while (done.load() < tasks && std::chrono::steady_clock::now() - t0 < 10s) std::this_thread::sleep_for(1ms);
    CHECK(done.load() == tasks);
    INFO("the longest wait for a worker: " << longest.load() << " us");
    // Behind a pool that stays too small the wait grows with every task
    // (beyond 50 ms over this stream); with enough workers it stays within
    // a few stall periods.
    CHECK(longest.load() < 30000);
    CHECK(ex.stop(5s) == 0);
    CHECK(dropped.load() == 0);
}

namespace {

class Where final : public fasterapi::Task {
public:
    Where(std::mutex& m, std::vector<std::thread::id>& ids, std::atomic<int>& done) : m_(m), ids_(ids), done_(done) {}
    void run() override {
        {
            std::lock_guard lock(m_);
            ids_.push_back(std::this_thread::get_id());
        }
        ++done_;
    }

private:
    std::mutex& m_;
    std::vector<std::thread::id>& ids_;
    std::atomic<int>& done_;
};

}  // namespace

TEST_CASE("one task at a time is run by the worker that went idle last") {
    interpreter();
    std::mutex m;
    std::vector<std::thread::id> ids;
    std::atomic<int> done{0};
    fasterapi::Executor ex(8);
    ex.start();
    std::this_thread::sleep_for(20ms);  // every worker waiting
    for (int i = 1; i <= 20; ++i) {
        ex.submit(std::make_unique<Where>(m, ids, done));
        auto t0 = std::chrono::steady_clock::now();
        while (done.load() < i && std::chrono::steady_clock::now() - t0 < 5s) std::this_thread::sleep_for(100us);
        std::this_thread::sleep_for(1ms);  // back to waiting
    }
    CHECK(ex.stop(5s) == 0);
    REQUIRE(ids.size() == 20);
    for (auto& id : ids) CHECK(id == ids.front());
}

TEST_CASE("stop drops queued work and refuses new work") {
    interpreter();
    std::atomic<int> done{0}, dropped{0};
    fasterapi::Executor ex(1);
    ex.start();
    ex.submit(std::make_unique<Counting>(done, dropped, "import time; time.sleep(0.3)"));
    std::this_thread::sleep_for(50ms);
    for (int i = 0; i < 5; ++i) ex.submit(std::make_unique<Counting>(done, dropped, nullptr));
    CHECK(ex.stop(0ms) == 1);  // the sleeper is still running when the grace period ends
    CHECK(dropped.load() == 5);
    ex.submit(std::make_unique<Counting>(done, dropped, nullptr));
    CHECK(dropped.load() == 6);
    std::this_thread::sleep_for(400ms);  // let the detached sleeper finish before the process exits
}

TEST_CASE("the loop bridge runs queued tasks when drained") {
    interpreter();
    std::atomic<int> done{0}, dropped{0};
    fasterapi::LoopBridge bridge;
    bridge.submit(std::make_unique<Counting>(done, dropped, nullptr));
    bridge.submit(std::make_unique<Counting>(done, dropped, nullptr));
    PyGILState_STATE g = PyGILState_Ensure();
    bridge.drain();
    PyGILState_Release(g);
    CHECK(done.load() == 2);
    bridge.submit(std::make_unique<Counting>(done, dropped, nullptr));
    bridge.close();
    CHECK(dropped.load() == 1);
}

namespace {

// What the loop sees of the bridge's descriptor: readable or not, now.
bool readable(const fasterapi::LoopBridge& bridge) {
    pollfd p{bridge.fd(), POLLIN, 0};
    return ::poll(&p, 1, 0) == 1 && (p.revents & POLLIN) != 0;
}

// Submits `next` to `bridge` while it runs, as a reactor would while the
// loop works through a batch.
class Submitting final : public fasterapi::Task {
public:
    Submitting(fasterapi::LoopBridge& bridge, std::unique_ptr<fasterapi::Task> next)
        : bridge_(bridge), next_(std::move(next)) {}
    void run() override { bridge_.submit(std::move(next_)); }

private:
    fasterapi::LoopBridge& bridge_;
    std::unique_ptr<fasterapi::Task> next_;
};

}  // namespace

TEST_CASE("the loop bridge's descriptor is readable exactly while tasks wait") {
    interpreter();
    std::atomic<int> done{0}, dropped{0};
    fasterapi::LoopBridge bridge;
    CHECK_FALSE(readable(bridge));
    bridge.submit(std::make_unique<Counting>(done, dropped, nullptr));
    bridge.submit(std::make_unique<Counting>(done, dropped, nullptr));
    CHECK(readable(bridge));
    PyGILState_STATE g = PyGILState_Ensure();
    bridge.drain();
    CHECK(done.load() == 2);
    CHECK_FALSE(readable(bridge));  // nothing left: the loop sleeps
    SECTION("a task submitted while a batch runs wakes the loop again") {
        bridge.submit(std::make_unique<Submitting>(bridge, std::make_unique<Counting>(done, dropped, nullptr)));
        bridge.drain();
        CHECK(done.load() == 2);   // not in this batch
        CHECK(readable(bridge));   // but not lost: the loop comes back for it
        bridge.drain();
        CHECK(done.load() == 3);
        CHECK_FALSE(readable(bridge));
    }
    SECTION("a drain with nothing queued leaves it clear") {
        bridge.drain();
        CHECK_FALSE(readable(bridge));
    }
    PyGILState_Release(g);
    CHECK(dropped.load() == 0);
}

namespace {

// Notes whether it ran inside a WriteHere scope that allows writing.
class SeesWriteHere final : public fasterapi::Task {
public:
    SeesWriteHere(std::mutex& m, std::vector<bool>& seen, std::atomic<int>& done) : m_(m), seen_(seen), done_(done) {}
    void run() override {
        {
            std::lock_guard lock(m_);
            seen_.push_back(fasterapi::WriteHere::allowed());
        }
        ++done_;
    }

private:
    std::mutex& m_;
    std::vector<bool>& seen_;
    std::atomic<int>& done_;
};

}  // namespace

TEST_CASE("a task with nothing queued behind it may write its response itself") {
    interpreter();
    std::mutex m;
    std::vector<bool> seen;
    std::atomic<int> done{0};
    SECTION("on a worker: only the last of a batch") {
        fasterapi::Executor ex(1);
        ex.start();
        std::this_thread::sleep_for(20ms);  // the worker waiting
        std::vector<std::unique_ptr<fasterapi::Task>> tasks;
        for (int i = 0; i < 3; ++i) tasks.push_back(std::make_unique<SeesWriteHere>(m, seen, done));
        ex.submit_all(tasks);
        auto t0 = std::chrono::steady_clock::now();
        while (done.load() < 3 && std::chrono::steady_clock::now() - t0 < 5s) std::this_thread::sleep_for(100us);
        CHECK(ex.stop(5s) == 0);
        CHECK(seen == std::vector<bool>{false, false, true});
    }
    SECTION("on the loop: a lone task only") {
        fasterapi::LoopBridge bridge;
        PyGILState_STATE g = PyGILState_Ensure();
        bridge.submit(std::make_unique<SeesWriteHere>(m, seen, done));
        bridge.drain();
        bridge.submit(std::make_unique<SeesWriteHere>(m, seen, done));
        bridge.submit(std::make_unique<SeesWriteHere>(m, seen, done));
        bridge.drain();
        PyGILState_Release(g);
        CHECK(seen == std::vector<bool>{true, false, false});
    }
    CHECK_FALSE(fasterapi::WriteHere::allowed());  // the scope ended with the drain
}
