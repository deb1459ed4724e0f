// Executor: where Python runs — a pool of worker threads for `def` handlers and
// a bridge onto the runtime's asyncio loop for `async def` handlers.
//
// Reactor threads never hold the GIL: they only push tasks. A worker takes
// the GIL once and keeps it while there is ready work (a batch), releasing it
// when the queue is empty.
//
// Waking a worker per task, and many workers contending for the GIL, costs
// several context switches per request; so only one worker is woken while
// none is active, and it drains the queue. A handler that blocks (time.sleep,
// I/O) holds up the tasks queued behind it: while work is queued behind an
// active worker, each submission checks, and when every active worker has been
// inside its current task for at least `stall` (default 250 µs) wakes one more
// worker — and so on up to the pool size — so a blocking handler delays others
// by a fraction of a millisecond, never by its own duration. Under a steady
// stream of blocking requests some worker has nearly always just begun a task,
// so also: when at least one active worker has been in its task that long and
// the oldest queued task has waited that long, one more is woken (the pool
// grows until the queue keeps up; without this, a 1 ms handler was served by
// about half the pool) — unless a worker woken in the last 10 ms waited that
// long for the GIL: the workers that look blocked then wait for Python, not
// for I/O, and more would only queue up for it (under a busy core with
// dependencies the p99 tripled when they did). A monitor thread
// covers lulls between submissions: it checks every stall/2, or every 8×stall
// while submissions keep checking (polling fast cost a busy single core 7 %
// of its time in wake-ups). A long queue alone wakes no one: when the core is simply busy,
// more workers only queue up for the GIL (that cost a 150 ms p99). After
// 10 ms with nothing queued behind an active worker the monitor sleeps until
// something is: a request that finds the pool idle wakes one worker and
// nothing else, and a busy server never has to wake the monitor.
//
// The worker woken is the one that went idle last (each waits on a condition
// variable of its own): under a light load the same thread, with its stack
// and Python thread state still in cache, serves request after request,
// instead of the pool's 40 threads taking turns.
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
#include <cstdint>
#include <deque>
#include <functional>
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
    explicit Executor(unsigned threads, std::chrono::microseconds stall = std::chrono::microseconds(250));
    ~Executor();  // stop(0) if still running
    Executor(const Executor&) = delete;
    Executor& operator=(const Executor&) = delete;

    // Called with the GIL on each worker thread when it starts (before start()).
    void set_thread_init(std::function<void()> init) { thread_init_ = std::move(init); }
    void start();
    // Any thread, no GIL needed.
    void submit(std::unique_ptr<Task> task);
    // Submits every task in `tasks` (and empties it) with one lock and at
    // most one wake-up.
    void submit_all(std::vector<std::unique_ptr<Task>>& tasks);
    // Without the GIL: stop taking work, let queued and running tasks finish
    // for up to `grace`, then drop what is still queued and join.
    // Returns the number of tasks still running when the grace period ended.
    std::size_t stop(std::chrono::milliseconds grace);

private:
    void work(unsigned index);
    void monitor();
    void watch() noexcept;  // with mutex_ held
    enum class Wake { none, worker, monitor, refused };
    // With mutex_ held, after queueing at `now`: whom to wake (after unlocking).
    Wake queued(std::int64_t now) noexcept;
    // With mutex_ held: takes the worker that went idle last off idle_ and
    // marks it woken; returns its index (notify it with notify_worker), or -1.
    int take_idle() noexcept;
    void notify_worker(int index) noexcept;
    void notify(Wake wake, int worker) noexcept;  // without mutex_
    // With mutex_ held: every active worker has been in its task >= stall, or
    // one has and the oldest queued task has waited >= stall.
    bool stalled(std::int64_t now) const noexcept;
    static std::int64_t now_ns() noexcept;

    unsigned thread_count_;
    std::chrono::microseconds stall_;
    std::mutex mutex_;
    // A worker sleeps on a futex of its own, not on a condition variable:
    // after a condition variable's wait glibc retakes the mutex as if it were
    // contended, so the unlock before running the task made a futex call for
    // nobody on every wake-up.
    struct Waiter {
        std::atomic<std::uint32_t> signal{0};  // 1: woken since it last looked (futex word)
        bool woken = false;                    // set (under mutex_) by whoever took it off idle_
    };
    std::unique_ptr<Waiter[]> waiters_;
    std::vector<unsigned> idle_workers_;  // waiting workers, the last to go idle at the back
    std::condition_variable idle_;     // stop() waits here for the drain
    std::condition_variable busy_;     // the monitor sleeps here after a quiet spell
    struct Queued {
        std::unique_ptr<Task> task;
        std::int64_t queued_ns;
    };
    std::deque<Queued> queue_;
    std::size_t running_ = 0;   // tasks taken by workers, not yet finished
    std::size_t active_ = 0;    // workers serving the queue (not waiting)
    bool monitor_asleep_ = false;  // the monitor waits on busy_ until watch()
    std::uint64_t arrivals_ = 0;   // submissions queued behind an active worker
    // When each worker started its current task (ns), 0 when it is not in one.
    std::unique_ptr<std::atomic<std::int64_t>[]> task_started_;
    // Until then (ns), a queue that waits wakes no extra worker: one woken
    // lately waited >= stall for the GIL, so the workers that look blocked
    // are waiting for Python, not for I/O, and more would only queue for it.
    std::atomic<std::int64_t> gil_busy_until_{0};
    bool accepting_ = true;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
    std::function<void()> thread_init_;
    std::thread monitor_;
};

// Tasks for the asyncio loop. The loop watches an eventfd (loop.add_reader);
// submit() writes it when the queue goes from empty to non-empty, and
// drain(), run by the loop with the GIL, runs every queued task, then
// clears the eventfd (and sets it again if tasks came meanwhile).
class LoopBridge {
public:
    LoopBridge();
    ~LoopBridge();
    LoopBridge(const LoopBridge&) = delete;
    LoopBridge& operator=(const LoopBridge&) = delete;

    int fd() const noexcept { return fd_; }
    // Any thread, no GIL needed.
    void submit(std::unique_ptr<Task> task);
    void submit_all(std::vector<std::unique_ptr<Task>>& tasks);
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
