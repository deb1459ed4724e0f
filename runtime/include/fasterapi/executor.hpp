// Executor: where Python runs — a pool of worker threads for `def` handlers and
// a bridge onto the runtime's asyncio loop for `async def` handlers.
//
// Reactor threads never hold the GIL: they only push tasks. A worker takes
// the GIL once and keeps it while there is ready work (a batch), releasing it
// when the queue is empty; a handler that blocks (time.sleep, I/O) releases
// the GIL itself, letting other workers run, so a slow handler delays no one
// but its own request.
//
// What must hold:
//   1. No C++ lock is ever waited on while the GIL is held: with the GIL,
//      queues are only try_lock'ed; whoever holds a queue lock never takes
//      the GIL.
//   2. Every thread that can touch Python is joined by stop(), which must be
//      called without the GIL, before the interpreter finalises.
//   3. A task is either run (with the GIL) or dropped; dropping destroys it,
//      which answers its request (see Responder), so no connection hangs.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace fasterapi {

// A unit of Python work. Tasks hold no Python references (they may be dropped
// without the GIL); they reach Python objects through the runtime they serve.
class Task {
public:
    virtual ~Task() = default;
    // Runs with the GIL held. Must not let a Python exception escape.
    virtual void run() = 0;
};

class Executor {
public:
    explicit Executor(unsigned threads);
    ~Executor();  // stop(0) if still running
    Executor(const Executor&) = delete;
    Executor& operator=(const Executor&) = delete;

    void start();
    // Any thread, no GIL needed.
    void submit(std::unique_ptr<Task> task);
    // Without the GIL: stop taking work, let queued and running tasks finish
    // for up to `grace`, then drop what is still queued and join.
    // Returns the number of tasks still running when the grace period ended.
    std::size_t stop(std::chrono::milliseconds grace);

private:
    void work();

    unsigned thread_count_;
    std::mutex mutex_;
    std::condition_variable ready_;
    std::condition_variable idle_;
    std::deque<std::unique_ptr<Task>> queue_;
    std::size_t running_ = 0;   // tasks taken by workers, not yet finished
    bool accepting_ = true;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

// Tasks for the asyncio loop. The loop watches an eventfd (loop.add_reader);
// submit() writes it when the queue goes from empty to non-empty, and
// drain(), run by the loop with the GIL, runs every queued task.
class LoopBridge {
public:
    LoopBridge();
    ~LoopBridge();
    LoopBridge(const LoopBridge&) = delete;
    LoopBridge& operator=(const LoopBridge&) = delete;

    int fd() const noexcept { return fd_; }
    // Any thread, no GIL needed.
    void submit(std::unique_ptr<Task> task);
    // On the loop thread, with the GIL.
    void drain();
    // Drop queued tasks (answering their requests); no GIL needed.
    void close();

private:
    void wake() noexcept;

    int fd_ = -1;
    std::mutex mutex_;
    std::vector<std::unique_ptr<Task>> queue_;
    bool closed_ = false;
};

}  // namespace fasterapi
