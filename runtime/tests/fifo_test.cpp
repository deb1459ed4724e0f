// Fifo: the allocation-free-when-empty queue behind connections' request and WebSocket queues.
#include "server/fifo.hpp"

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

using fasterapi::detail::Fifo;

TEST_CASE("fifo: allocates nothing until the first push") {
    Fifo<std::string> q;
    CHECK(q.empty());
    CHECK(q.size() == 0);
    CHECK(q.capacity() == 0);
}

TEST_CASE("fifo: elements come out in order across interleaved pushes and pops") {
    Fifo<int> q;
    int next_in = 0, next_out = 0;
    // Bursts of different sizes, partly drained: exercises dropping the
    // consumed prefix both when the queue empties and when it is over half.
    for (int burst : {1, 5, 100, 3, 1000, 2, 64, 65}) {
        for (int i = 0; i < burst; ++i) q.push_back(next_in++);
        const int take = burst / 2 + 1;
        for (int i = 0; i < take && !q.empty(); ++i) {
            CHECK(q.front() == next_out++);
            q.pop_front();
        }
        CHECK(q.size() == static_cast<std::size_t>(next_in - next_out));
        std::vector<int> seen(q.begin(), q.end());
        for (std::size_t i = 0; i < seen.size(); ++i) CHECK(seen[i] == next_out + static_cast<int>(i));
    }
    while (!q.empty()) {
        CHECK(q.front() == next_out++);
        q.pop_front();
    }
    CHECK(next_out == next_in);
    CHECK(q.capacity() <= Fifo<int>::kept);  // a large burst's capacity is not kept
}

TEST_CASE("fifo: a popped element is released at once") {
    Fifo<std::shared_ptr<int>> q;
    auto a = std::make_shared<int>(1);
    auto b = std::make_shared<int>(2);
    q.push_back(a);
    q.push_back(b);
    CHECK(a.use_count() == 2);
    q.pop_front();
    CHECK(a.use_count() == 1);
    CHECK(*q.front() == 2);
    q.clear();
    CHECK(b.use_count() == 1);
    CHECK(q.empty());
}
