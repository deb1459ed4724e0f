// Future: the per-thread parts — the bound reactor_context and the queue
// that keeps nested continuations from growing the stack.
#include "fasterapi/future.hpp"

namespace fasterapi {

namespace {

// Deep enough that ordinary chains never queue, shallow enough that the
// frames of 32 continuations fit any reactor thread's stack.
constexpr unsigned max_nesting = 32;

struct thread_dispatch {
    unsigned nesting = 0;
    detail::continuation* head = nullptr;
    detail::continuation* tail = nullptr;
};

thread_local reactor_context* bound_context = nullptr;
thread_local thread_dispatch dispatcher;

}  // namespace

reactor_context* reactor_context::current() noexcept { return bound_context; }

reactor_context::scope::scope(reactor_context& context) noexcept
    : previous_(std::exchange(bound_context, &context)) {}

reactor_context::scope::~scope() { bound_context = previous_; }

namespace detail {

void throw_not_ready() { throw std::logic_error("future::get on a future that is not ready"); }

std::exception_ptr consumed_error() noexcept {
    return std::make_exception_ptr(std::logic_error("future used after it was consumed"));
}

void dispatch(continuation& c) noexcept {
    thread_dispatch& d = dispatcher;
    if (d.nesting >= max_nesting) {
        c.queued_next = nullptr;
        if (d.tail) d.tail->queued_next = &c;
        else d.head = &c;
        d.tail = &c;
        return;
    }
    ++d.nesting;
    c.run();
    if (d.nesting == 1) {
        // Only the outermost level drains, so the queue is empty whenever
        // no continuation is running on this thread.
        while (continuation* next = d.head) {
            d.head = next->queued_next;
            if (!d.head) d.tail = nullptr;
            next->run();
        }
    }
    --d.nesting;
}

}  // namespace detail

future<> sleep_until(reactor_context::clock::time_point deadline) {
    reactor_context* context = reactor_context::current();
    if (!context) return make_exception_future<>(std::logic_error("sleep needs a reactor_context"));
    promise<> p;
    auto out = p.get_future();
    // The handle is dropped: a sleep is not cancelled, and a reactor that
    // shuts down first destroys the task, which breaks the promise.
    (void)context->arm(deadline, make_task([p = std::move(p)]() mutable { p.set_value(); }));
    return out;
}

}  // namespace fasterapi
