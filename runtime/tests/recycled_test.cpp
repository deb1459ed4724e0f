// Recycled<T, Capacity>: freed blocks of T kept for the next new (recycled.hpp).
#include "recycled.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using fasterapi::detail::Recycled;

namespace {

struct Big : Recycled<Big, 4> {
    char bytes[2048] = {};
    std::string name;
};

struct Bigger : Big {
    char more[512] = {};
};

struct Shared : Recycled<Shared, 64> {
    std::uint64_t tag = 0;
    char bytes[1500] = {};
};

}  // namespace

TEST_CASE("recycled: a freed block is the next one handed out") {
    auto first = std::make_unique<Big>();
    void* where = first.get();
    const std::size_t before = Big::kept();
    first.reset();
    CHECK(Big::kept() == before + 1);
    auto second = std::make_unique<Big>();
    CHECK(static_cast<void*>(second.get()) == where);
    CHECK(Big::kept() == before);
    // Constructed afresh: nothing of the last object is left.
    CHECK(second->name.empty());
    CHECK(second->bytes[0] == 0);
}

TEST_CASE("recycled: at most Capacity blocks are kept, the rest go back to the heap") {
    std::vector<std::unique_ptr<Big>> many;
    for (int i = 0; i < 10; ++i) many.push_back(std::make_unique<Big>());
    many.clear();
    CHECK(Big::kept() == 4);
    for (int i = 0; i < 4; ++i) many.push_back(std::make_unique<Big>());
    CHECK(Big::kept() == 0);
    many.clear();
    CHECK(Big::kept() == 4);
}

TEST_CASE("recycled: a bigger derived class never takes or leaves a block") {
    std::vector<std::unique_ptr<Big>> fill;
    for (int i = 0; i < 4; ++i) fill.push_back(std::make_unique<Big>());
    fill.clear();
    REQUIRE(Big::kept() == 4);
    {
        auto derived = std::make_unique<Bigger>();
        CHECK(Big::kept() == 4);  // not served from the list
        derived->more[511] = 'x';
    }
    CHECK(Big::kept() == 4);
    // With room in the list, a derived object's block is still not kept.
    auto taken = std::make_unique<Big>();
    REQUIRE(Big::kept() == 3);
    std::make_unique<Bigger>().reset();
    CHECK(Big::kept() == 3);
    taken.reset();
    CHECK(Big::kept() == 4);
}

TEST_CASE("recycled: objects made on one thread and freed on another stay whole") {
    // The reactor makes, a worker frees: the list is shared, never waited on.
    constexpr int rounds = 20000;
    std::atomic<Shared*> handed{nullptr};
    std::atomic<bool> done{false};
    std::atomic<int> bad{0};
    std::thread freer([&] {
        int freed = 0;
        while (freed < rounds) {
            Shared* s = handed.exchange(nullptr, std::memory_order_acq_rel);
            if (s == nullptr) {
                std::this_thread::yield();
                continue;
            }
            if (s->tag != static_cast<std::uint64_t>(freed) || s->bytes[1499] != 'z') ++bad;
            delete s;
            ++freed;
        }
        done = true;
    });
    for (int i = 0; i < rounds; ++i) {
        auto* s = new Shared;
        s->tag = static_cast<std::uint64_t>(i);
        s->bytes[1499] = 'z';
        // Also churn the list from this thread meanwhile.
        delete new Shared;
        Shared* expected = nullptr;
        while (!handed.compare_exchange_weak(expected, s, std::memory_order_acq_rel)) {
            expected = nullptr;
            std::this_thread::yield();
        }
    }
    freer.join();
    CHECK(done);
    CHECK(bad == 0);
    CHECK(Shared::kept() <= 64);
}
