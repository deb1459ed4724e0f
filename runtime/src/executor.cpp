#include "fasterapi/executor.hpp"

#include <Python.h>
#include <linux/futex.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

#include "fasterapi/server.hpp"

namespace fasterapi {

namespace {

static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t) &&
              std::atomic<std::uint32_t>::is_always_lock_free);

std::uint32_t* futex_word(std::atomic<std::uint32_t>& a) noexcept { return reinterpret_cast<std::uint32_t*>(&a); }

// Sleeps while `a` holds `expected` (or returns at once if it does not).
void futex_wait(std::atomic<std::uint32_t>& a, std::uint32_t expected) noexcept {
    ::syscall(SYS_futex, futex_word(a), FUTEX_WAIT_PRIVATE, expected, nullptr, nullptr, 0);
}

void futex_wake_one(std::atomic<std::uint32_t>& a) noexcept {
    ::syscall(SYS_futex, futex_word(a), FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
}

}  // namespace

Executor::Executor(unsigned threads, std::chrono::microseconds stall)
    : thread_count_(threads == 0 ? 1 : threads),
      stall_(stall),
      waiters_(new Waiter[thread_count_]),
      task_started_(new std::atomic<std::int64_t>[thread_count_]) {
    for (unsigned i = 0; i < thread_count_; ++i) task_started_[i].store(0, std::memory_order_relaxed);
    idle_workers_.reserve(thread_count_);
}

Executor::~Executor() {
    if (!threads_.empty()) stop(std::chrono::milliseconds(0));
}

std::int64_t Executor::now_ns() noexcept {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

void Executor::start() {
    threads_.reserve(thread_count_);
    for (unsigned i = 0; i < thread_count_; ++i) threads_.emplace_back([this, i] { work(i); });
    monitor_ = std::thread([this] { monitor(); });
}

// Notifying with the lock held makes the woken worker block on the lock at
// once and switch back: on one core that is two more context switches per
// wake-up. So submissions decide whom to wake under the lock, and notify after.
void Executor::submit(std::unique_ptr<Task> task) {
    Wake wake;
    int worker = -1;
    {
        std::lock_guard lock(mutex_);
        if (!accepting_) {
            wake = Wake::refused;
        } else {
            const std::int64_t now = now_ns();
            queue_.push_back(Queued{std::move(task), now});
            wake = queued(now);
            if (wake == Wake::worker) worker = take_idle();
        }
    }
    if (wake == Wake::refused) task.reset();  // dropping it answers the request
    else notify(wake, worker);
}

void Executor::submit_all(std::vector<std::unique_ptr<Task>>& tasks) {
    if (tasks.empty()) return;
    Wake wake = Wake::none;
    int worker = -1;
    {
        std::lock_guard lock(mutex_);
        if (accepting_) {
            const std::int64_t now = now_ns();
            for (auto& t : tasks) queue_.push_back(Queued{std::move(t), now});
            wake = queued(now);
            if (wake == Wake::worker) worker = take_idle();
        }
    }
    tasks.clear();  // refused ones, if stopping, are dropped here
    notify(wake, worker);
}

bool Executor::stalled(std::int64_t now) const noexcept {
    const std::int64_t stall_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(stall_).count();
    std::size_t in_task = 0, blocked = 0;
    for (unsigned i = 0; i < thread_count_; ++i) {
        const std::int64_t s = task_started_[i].load(std::memory_order_relaxed);
        if (s == 0) continue;
        ++in_task;
        if (now - s >= stall_ns) ++blocked;
    }
    if (blocked == 0) return false;  // short tasks back to back: a busy core, not a blocked worker
    if (blocked == in_task && in_task >= active_) return true;  // every active worker is blocked
    // Some are blocked and the others, starting task after task, do not keep
    // up: the oldest task has waited for a worker as long — unless the GIL,
    // not I/O, is what the blocked ones wait for.
    return !queue_.empty() && now - queue_.front().queued_ns >= stall_ns &&
           now >= gil_busy_until_.load(std::memory_order_relaxed);
}

Executor::Wake Executor::queued(std::int64_t now) noexcept {
    // No worker active: wake one; it drains the queue.
    if (active_ == 0) return Wake::worker;
    ++arrivals_;
    if (monitor_asleep_) return Wake::monitor;
    // A busy server submits all the time: each submission looks at the
    // active workers itself, so the monitor can poll slowly meanwhile.
    if (!idle_workers_.empty() && stalled(now)) return Wake::worker;
    return Wake::none;
}

int Executor::take_idle() noexcept {
    if (idle_workers_.empty()) return -1;
    const unsigned index = idle_workers_.back();
    idle_workers_.pop_back();
    waiters_[index].woken = true;
    return static_cast<int>(index);
}

void Executor::notify_worker(int index) noexcept {
    if (index < 0) return;
    Waiter& w = waiters_[index];
    w.signal.store(1, std::memory_order_release);
    futex_wake_one(w.signal);
}

void Executor::notify(Wake wake, int worker) noexcept {
    if (wake == Wake::worker) notify_worker(worker);
    else if (wake == Wake::monitor) busy_.notify_one();
}

void Executor::work(unsigned index) {
    std::atomic<std::int64_t>& started = task_started_[index];
    const std::int64_t stall_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(stall_).count();
    // How long a slow GIL acquisition keeps extra wake-ups off.
    constexpr std::int64_t gil_busy_hold_ns = 10'000'000;
    // One Python thread state for the worker's whole life, so what Python
    // keeps per thread (threading.local, anyio's worker-thread token) lasts
    // from one batch to the next, as in a thread pool's threads.
    PyGILState_STATE registered = PyGILState_Ensure();
    if (thread_init_) thread_init_();
    PyThreadState* state = PyEval_SaveThread();
    Waiter& waiter = waiters_[index];
    std::unique_lock lock(mutex_);
    for (;;) {
        if (queue_.empty() && !stopping_) {
            // Whoever takes this worker off idle_workers_ sets `woken`; it
            // may find the queue already emptied by an active worker, and
            // waits again.
            idle_workers_.push_back(index);
            while (!stopping_ && !waiter.woken) {
                lock.unlock();
                while (waiter.signal.load(std::memory_order_acquire) == 0) futex_wait(waiter.signal, 0);
                waiter.signal.store(0, std::memory_order_relaxed);
                lock.lock();
            }
            if (!waiter.woken) {  // stopping: still listed as idle
                idle_workers_.erase(std::find(idle_workers_.begin(), idle_workers_.end(), index));
                break;
            }
            waiter.woken = false;
            if (stopping_) break;
            if (queue_.empty()) continue;
        }
        if (stopping_) break;
        std::unique_ptr<Task> task = std::move(queue_.front().task);
        queue_.pop_front();
        ++running_;
        ++active_;
        // Nothing queued behind it: the worker goes idle after this task, so
        // a response it sends is best written by it (WriteHere).
        bool last = queue_.empty();
        if (!last) watch();
        lock.unlock();

        const std::int64_t asked = now_ns();
        PyEval_RestoreThread(state);
        if (const std::int64_t got = now_ns(); got - asked >= stall_ns) {
            gil_busy_until_.store(got + gil_busy_hold_ns, std::memory_order_relaxed);
        }
        for (;;) {
            started.store(now_ns(), std::memory_order_relaxed);
            {
                WriteHere here(last);
                task->run();
            }
            task.reset();
            started.store(0, std::memory_order_relaxed);
            // Keep the GIL while more work is ready; never wait for the lock with it.
            std::unique_lock more(mutex_, std::try_to_lock);
            if (!more.owns_lock() || queue_.empty() || stopping_) break;
            task = std::move(queue_.front().task);
            queue_.pop_front();
            last = queue_.empty();
            if (!last) watch();
        }
        state = PyEval_SaveThread();

        lock.lock();
        --running_;
        --active_;
        if (running_ == 0 && queue_.empty()) idle_.notify_all();
    }
    lock.unlock();
    PyEval_RestoreThread(state);
    PyGILState_Release(registered);
}

// Work was queued behind an active worker (mutex_ held): it may wait on a
// blocked handler, so the monitor must be watching. It is, unless it went to
// sleep after a quiet spell; only then is it woken.
void Executor::watch() noexcept {
    if (monitor_asleep_) busy_.notify_one();
}

void Executor::monitor() {
    using namespace std::chrono;
    // Nothing queued behind an active worker for this long: sleep until watch().
    constexpr auto quiet_limit = milliseconds(10);
    // Submissions check for stalls themselves (queued()); the monitor only
    // covers a lull: it polls slowly, and at stall/2 while work is queued
    // behind an active worker and no submission came since its last look.
    const auto slow = stall_ * 8;
    const auto fast = stall_ / 2;
    auto quiet = steady_clock::duration::zero();
    std::uint64_t seen = 0;
    std::unique_lock lock(mutex_);
    for (;;) {
        if (quiet >= quiet_limit) {
            monitor_asleep_ = true;
            busy_.wait(lock, [this] { return stopping_ || (active_ > 0 && !queue_.empty()); });
            monitor_asleep_ = false;
            quiet = steady_clock::duration::zero();
            seen = arrivals_;
        }
        if (stopping_) return;
        // Work is queued and every active worker has been in its task for a
        // while: they are blocked in handlers. Wake one more; it takes the
        // next task.
        auto period = slow;
        if (active_ == 0 || queue_.empty()) {
            quiet += period;
        } else {
            quiet = steady_clock::duration::zero();
            if (!idle_workers_.empty() && stalled(now_ns())) notify_worker(take_idle());
            if (arrivals_ == seen) period = fast;
        }
        seen = arrivals_;
        busy_.wait_for(lock, period, [this] { return stopping_; });
        if (stopping_) return;
    }
}

std::size_t Executor::stop(std::chrono::milliseconds grace) {
    std::deque<Queued> dropped;
    std::size_t still_running;
    {
        std::unique_lock lock(mutex_);
        accepting_ = false;
        idle_.wait_for(lock, grace, [this] { return running_ == 0 && queue_.empty(); });
        stopping_ = true;
        dropped.swap(queue_);
        still_running = running_;
        for (unsigned i = 0; i < thread_count_; ++i) notify_worker(static_cast<int>(i));
        busy_.notify_all();
    }
    dropped.clear();
    if (monitor_.joinable()) monitor_.join();
    for (auto& t : threads_) {
        // A worker stuck in a handler past the grace period cannot be joined
        // without waiting for it; it is left to end with the process.
        if (still_running == 0) t.join();
        else t.detach();
    }
    threads_.clear();
    return still_running;
}

LoopBridge::LoopBridge() {
    fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
}

LoopBridge::~LoopBridge() {
    close();
    ::close(fd_);
}

void LoopBridge::wake() noexcept {
    std::uint64_t one = 1;
    // The counter only grows (it cannot overflow at one per wake): however
    // large, it is one readiness of the descriptor.
    [[maybe_unused]] auto n = ::write(fd_, &one, sizeof one);
}

void LoopBridge::submit(std::unique_ptr<Task> task) {
    bool was_empty;
    {
        std::lock_guard lock(mutex_);
        if (closed_) {
            was_empty = false;
        } else {
            was_empty = queue_.empty();
            queue_.push_back(std::move(task));
        }
    }
    task.reset();
    if (was_empty) wake();
}

void LoopBridge::submit_all(std::vector<std::unique_ptr<Task>>& tasks) {
    if (tasks.empty()) return;
    bool was_empty = false;
    {
        std::lock_guard lock(mutex_);
        if (!closed_) {
            was_empty = queue_.empty();
            for (auto& t : tasks) queue_.push_back(std::move(t));
        }
    }
    tasks.clear();
    if (was_empty) wake();
}

void LoopBridge::drain() {
    std::vector<std::unique_ptr<Task>> batch;
    {
        std::unique_lock lock(mutex_, std::try_to_lock);
        // A submitter holds the lock for a moment: the counter is still set,
        // so the loop calls again at its next turn.
        if (!lock.owns_lock()) return;
        batch.swap(queue_);
    }
    {
        // A lone task (one request at a time): the loop goes idle after it,
        // so a response it sends at once is best written by this thread
        // (WriteHere). More: the reactor writes theirs, off the thread that
        // runs Python.
        WriteHere here(batch.size() == 1);
        for (auto& task : batch) task->run();
    }
    // The counter is cleared after the batch ran, not before: its responses
    // go out a syscall sooner. A task submitted since the swap set the
    // counter that this read clears, so the queue is looked at again and
    // the loop woken again for what it holds.
    std::uint64_t count;
    [[maybe_unused]] auto n = ::read(fd_, &count, sizeof count);
    bool more;
    {
        std::lock_guard lock(mutex_);
        more = !queue_.empty();
    }
    if (more) wake();
}

void LoopBridge::close() {
    std::vector<std::unique_ptr<Task>> dropped;
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
        dropped.swap(queue_);
    }
}

}  // namespace fasterapi
