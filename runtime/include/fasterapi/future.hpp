// Future: a value that exists later, and what to do with it then — futures
// and promises in the style of Seastar, for the reactor threads.
//
// A promise<T> is the producing end and a future<T> the consuming end; each
// has a single owner and is move-only. then(f) consumes a future and returns
// a new one for f's result; when f returns a future it is flattened (then
// yields future<U>, never future<future<U>>). An exception travels down a
// chain as a std::exception_ptr, skipping then() continuations until
// then_wrapped, handle_exception or finally looks at it.
//
// Future states (what must hold between them):
//   1. ready with a value      — the value is stored inline in the future:
//                                no allocation, no shared state.
//   2. ready with an exception — the exception_ptr is stored inline.
//   3. pending                 — the future shares a heap state with whatever
//                                will resolve it (a promise, or the
//                                continuation that computes it); the state
//                                holds at most one waiting continuation.
//   4. invalid                 — moved from, or consumed by then/get/...;
//                                only assignment and destruction are allowed
//                                (then() on it yields a std::logic_error).
// 3 → 1/2 when the producer resolves the state (available() turns true);
// 1/2/3 → 4 when consumed. A state is resolved exactly once: by set_value,
// set_exception, or with broken_promise when its promise dies unresolved.
// Only pending futures allocate (a promise its shared state, then() on a
// pending future one node that is both continuation and result state), so a
// chain of ready futures allocates nothing and compiles to plain calls.
//
// Scheduling: a continuation attached to a ready future runs inside then(),
// before then() returns. Attached to a pending future, it runs inside the
// set_value/set_exception that resolves it; continuations nested deeper than
// a small bound are queued instead and run by the outermost resolution before
// it returns, so long chains do not grow the stack. A dropped pending future
// discards its result, exception included.
//
// Threads: promises, futures and their states are not thread-safe; all of
// them belong to the reactor thread that created them, and their
// continuations run there. Another thread resolves a value only through a
// foreign_promise, which posts it to the owning reactor_context (one queue
// push and a wake-up; on the owning thread it resolves in place); sleep() and with_timeout() use the calling thread's
// reactor_context for their timers. asio_scheduler.hpp implements
// reactor_context on an asio::io_context, so this header stays free of Asio.
#pragma once

#include <chrono>
#include <cstddef>
#include <exception>
#include <iterator>
#include <memory>
#include <new>
#include <stdexcept>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace fasterapi {

template <class T = void>
class future;
template <class T = void>
class promise;
template <class T = void>
class foreign_promise;

// What a future holds when its promise was destroyed without resolving it.
class broken_promise : public std::logic_error {
public:
    broken_promise() : std::logic_error("broken promise") {}
};

// What with_timeout() yields when the deadline passes first.
class timed_out_error : public std::runtime_error {
public:
    timed_out_error() : std::runtime_error("timed out") {}
};

enum class stop_iteration : bool { no = false, yes = true };

// The reactor a thread runs: where work from other threads is posted and
// where timers fire. The futures library needs nothing else from it.
class reactor_context {
public:
    using clock = std::chrono::steady_clock;

    class task {
    public:
        virtual ~task() = default;
        virtual void run() noexcept = 0;
    };

    class timer {
    public:
        virtual ~timer() = default;
        // On the owning thread. The task is destroyed without running unless
        // it has run already.
        virtual void cancel() noexcept = 0;
    };

    virtual ~reactor_context() = default;

    // From any thread. Runs `t` on the owning thread, later; if the reactor
    // shuts down first, `t` is destroyed unrun (on the thread that shuts it
    // down).
    virtual void post(std::unique_ptr<task> t) = 0;
    // On the owning thread. Runs `t` there at or after `when`. Dropping the
    // returned handle does not cancel the timer.
    virtual std::shared_ptr<timer> arm(clock::time_point when, std::unique_ptr<task> t) = 0;

    // The context bound to the calling thread, or null.
    static reactor_context* current() noexcept;

    // Binds a context to the calling thread for the scope's lifetime.
    class scope {
    public:
        explicit scope(reactor_context& context) noexcept;
        ~scope();
        scope(const scope&) = delete;
        scope& operator=(const scope&) = delete;

    private:
        reactor_context* previous_;
    };
};

template <class F>
std::unique_ptr<reactor_context::task> make_task(F&& f) {
    class function_task final : public reactor_context::task {
    public:
        explicit function_task(F&& f) : f_(std::forward<F>(f)) {}
        void run() noexcept override { f_(); }

    private:
        std::decay_t<F> f_;
    };
    return std::make_unique<function_task>(std::forward<F>(f));
}

namespace detail {

struct unit {};
template <class T>
using stored_t = std::conditional_t<std::is_void_v<T>, unit, T>;

struct ready_tag {};
struct exception_tag {};

// Empty, a value, or an exception: the payload of states 1 and 2 and of a
// shared state. Moving out leaves the source empty.
template <class T>
class result {
public:
    using value_type = stored_t<T>;
    static_assert(std::is_nothrow_move_constructible_v<value_type>,
                  "future<T> needs a T that moves without throwing");

    result() noexcept {}
    [[gnu::always_inline]] result(result&& other) noexcept { take(other); }
    [[gnu::always_inline]] result& operator=(result&& other) noexcept {
        if (this != &other) {
            reset();
            take(other);
        }
        return *this;
    }
    [[gnu::always_inline]] ~result() { reset(); }

    template <class... A>
    [[gnu::always_inline]] void set_value(A&&... a) {
        ::new (static_cast<void*>(&value_)) value_type(std::forward<A>(a)...);
        kind_ = kind::value;
    }
    void set_exception(std::exception_ptr e) noexcept {
        ::new (static_cast<void*>(&error_)) std::exception_ptr(std::move(e));
        kind_ = kind::exception;
    }

    bool empty() const noexcept { return kind_ == kind::empty; }
    bool failed() const noexcept { return kind_ == kind::exception; }
    value_type& value() noexcept { return value_; }
    std::exception_ptr& error() noexcept { return error_; }

    [[gnu::always_inline]] void reset() noexcept {
        if (kind_ == kind::value) value_.~value_type();
        else if (kind_ == kind::exception) error_.~exception_ptr();
        kind_ = kind::empty;
    }

private:
    enum class kind : unsigned char { empty, value, exception };

    [[gnu::always_inline]] void take(result& other) noexcept {
        if (other.kind_ == kind::value) {
            ::new (static_cast<void*>(&value_)) value_type(std::move(other.value_));
        } else if (other.kind_ == kind::exception) {
            ::new (static_cast<void*>(&error_)) std::exception_ptr(std::move(other.error_));
        }
        kind_ = other.kind_;
        other.reset();
    }

    kind kind_ = kind::empty;
    union {
        value_type value_;
        std::exception_ptr error_;
    };
};

// Something waiting for a state to resolve. Never deleted through this type.
class continuation {
public:
    virtual void run() noexcept = 0;
    continuation* queued_next = nullptr;

protected:
    continuation() = default;
    ~continuation() = default;
};

// Runs `c` now or, when continuations already nest deeply on this thread,
// queues it for the outermost dispatch to run before that one returns.
void dispatch(continuation& c) noexcept;

// What a pending future shares with its producer. Reference counted by the
// two ends; touched only on the owning thread, so the count is plain.
template <class T>
class state {
public:
    state() = default;
    state(const state&) = delete;
    state& operator=(const state&) = delete;
    virtual ~state() = default;

    void release() noexcept {
        if (--refs == 0) delete this;
    }
    // The waiter may drop the last other reference; `this` stays alive only
    // while the caller holds one.
    void notify() noexcept {
        if (waiter) dispatch(*std::exchange(waiter, nullptr));
    }

    result<T> r;
    continuation* waiter = nullptr;
    unsigned refs = 1;
    bool settled = false;  // resolved already; `r` may since have been taken
    bool future_taken = false;
};

template <class T, class U, class Step>
class then_node;

// Kept out of line so that the ready path stays small enough to inline.
[[noreturn, gnu::cold]] void throw_not_ready();
[[gnu::cold]] std::exception_ptr consumed_error() noexcept;

template <class T>
struct is_future : std::false_type {};
template <class T>
struct is_future<future<T>> : std::true_type {};
template <class T>
inline constexpr bool is_future_v = is_future<std::remove_cvref_t<T>>::value;

template <class R>
struct futurize {
    using type = future<R>;
};
template <class U>
struct futurize<future<U>> {
    using type = future<U>;
};
template <class R>
using futurize_t = typename futurize<std::remove_cvref_t<R>>::type;

template <class T, class F>
struct value_call {
    using type = std::invoke_result_t<F&, T&&>;
};
template <class F>
struct value_call<void, F> {
    using type = std::invoke_result_t<F&>;
};

}  // namespace detail

// Calls f(a...) and makes a future of what it returns or throws.
// futurize_invoke([](int x) { return x + 1; }, 1) -> a ready future<int> of 2.
template <class F, class... A>
[[gnu::always_inline]] inline auto futurize_invoke(F&& f, A&&... a) -> detail::futurize_t<std::invoke_result_t<F&&, A&&...>> {
    using R = std::invoke_result_t<F&&, A&&...>;
    using out = detail::futurize_t<R>;
    try {
        if constexpr (std::is_void_v<R>) {
            std::forward<F>(f)(std::forward<A>(a)...);
            return out(detail::ready_tag{});
        } else if constexpr (detail::is_future_v<R>) {
            return std::forward<F>(f)(std::forward<A>(a)...);
        } else {
            return out(detail::ready_tag{}, std::forward<F>(f)(std::forward<A>(a)...));
        }
    } catch (...) {
        return out(detail::exception_tag{}, std::current_exception());
    }
}

namespace detail {

// The steps below turn the result of one future into the next future; then()
// and friends differ only in their step. F is a reference while the source is
// ready (nothing is moved) and a value inside a then_node.

template <class T, class F>
struct then_step {
    F f;
    [[gnu::always_inline]] auto operator()(result<T>&& r) {
        using out = futurize_t<typename value_call<T, F>::type>;
        if (r.failed()) return out(exception_tag{}, std::move(r.error()));
        if constexpr (std::is_void_v<T>) {
            return futurize_invoke(f);
        } else {
            return futurize_invoke(f, std::move(r.value()));
        }
    }
};

template <class T, class F>
struct then_wrapped_step {
    F f;
    [[gnu::always_inline]] auto operator()(result<T>&& r) { return futurize_invoke(f, future<T>(std::move(r))); }
};

template <class T, class F>
struct handle_exception_step {
    F f;
    [[gnu::always_inline]] future<T> operator()(result<T>&& r) {
        static_assert(std::is_same_v<futurize_t<std::invoke_result_t<F&, std::exception_ptr>>, future<T>>,
                      "handle_exception: the handler must return T or future<T>");
        if (!r.failed()) return future<T>(std::move(r));
        return futurize_invoke(f, std::move(r.error()));
    }
};

template <class T, class F>
struct finally_step {
    F f;
    future<T> operator()(result<T>&& r) {
        auto done = futurize_invoke(f);
        if (done.available()) {
            if (done.failed()) return future<T>(exception_tag{}, done.get_exception());
            return future<T>(std::move(r));
        }
        return std::move(done).then_wrapped([r = std::move(r)](auto d) mutable {
            if (d.failed()) return future<T>(exception_tag{}, d.get_exception());
            return future<T>(std::move(r));
        });
    }
};

template <class T>
void discard(future<T>) noexcept {}

}  // namespace detail

template <class T>
class [[nodiscard]] future {
    static_assert(!std::is_reference_v<T>, "future<T&> is not supported");

public:
    using value_type = T;

    template <class... A>
    [[gnu::always_inline]] explicit future(detail::ready_tag, A&&... a) {
        r_.set_value(std::forward<A>(a)...);
    }
    future(detail::exception_tag, std::exception_ptr e) noexcept { r_.set_exception(std::move(e)); }
    [[gnu::always_inline]] explicit future(detail::result<T>&& r) noexcept : r_(std::move(r)) {}

    [[gnu::always_inline]] future(future&& other) noexcept : r_(std::move(other.r_)), st_(std::exchange(other.st_, nullptr)) {}
    future& operator=(future&& other) noexcept {
        if (this != &other) {
            if (st_) st_->release();
            r_ = std::move(other.r_);
            st_ = std::exchange(other.st_, nullptr);
        }
        return *this;
    }
    future(const future&) = delete;
    future& operator=(const future&) = delete;
    [[gnu::always_inline]] ~future() {
        if (st_) [[unlikely]] st_->release();
    }

    // States 1-3.
    bool valid() const noexcept { return st_ || !r_.empty(); }
    // States 1-2 (a pending future whose producer has resolved it counts).
    bool available() const noexcept { return st_ ? !st_->r.empty() : !r_.empty(); }
    bool failed() const noexcept { return st_ ? st_->r.failed() : r_.failed(); }

    // Consumes an available future: its value, or its exception rethrown.
    // Throws std::logic_error, consuming nothing, while still pending.
    [[gnu::always_inline]] T get() {
        if (!available()) [[unlikely]] detail::throw_not_ready();
        detail::result<T> r(take_result());
        if (r.failed()) std::rethrow_exception(r.error());
        if constexpr (!std::is_void_v<T>) return std::move(r.value());
    }
    // Consumes a failed future and returns its exception; null otherwise.
    std::exception_ptr get_exception() noexcept {
        if (!failed()) return nullptr;
        return std::move(take_result().error());
    }

    // f(T) (f() for future<>) returns U or future<U>: future<U>. Skipped, with
    // the exception passed on, when this future fails.
    template <class F>
    [[gnu::always_inline]] auto then(F&& f) {
        return chain<detail::then_step>(std::forward<F>(f));
    }
    // f(future<T>) gets this future once available, value or exception.
    template <class F>
    auto then_wrapped(F&& f) {
        return chain<detail::then_wrapped_step>(std::forward<F>(f));
    }
    // f(std::exception_ptr) returns T or future<T>, replacing a failure.
    template <class F>
    future<T> handle_exception(F&& f) {
        return chain<detail::handle_exception_step>(std::forward<F>(f));
    }
    // f() runs on both paths and its (void or future) result is waited for;
    // the outcome is this future's, unless f fails, whose exception wins.
    template <class F>
    future<T> finally(F&& f) {
        return chain<detail::finally_step>(std::forward<F>(f));
    }
    future<> discard_result() {
        return then([](auto&&...) noexcept {});
    }
    // Resolves `p` as this future resolves.
    void forward_to(promise<T>&& p) {
        if (!st_ || !st_->r.empty()) {
            p.settle_with(take_result());
            return;
        }
        detail::discard(then_wrapped([p = std::move(p)](future<T> f) mutable { p.settle_with(f.take_result()); }));
    }

private:
    template <class>
    friend class future;
    template <class>
    friend class promise;
    template <class, class, class>
    friend class detail::then_node;

    explicit future(detail::state<T>* s) noexcept : st_(s) {}

    // Moves the result out, leaving state 4; an invalid future yields a
    // logic_error so that misuse fails the chain rather than the process.
    [[gnu::always_inline]] detail::result<T> take_result() noexcept {
        detail::result<T> r;
        if (st_) [[unlikely]] {
            r = std::move(st_->r);
            std::exchange(st_, nullptr)->release();
        } else {
            r = std::move(r_);
        }
        if (r.empty()) [[unlikely]] r.set_exception(detail::consumed_error());
        return r;
    }

    // The ready path is forced inline: a continuation on a ready future is
    // then a plain call, whatever the inliner's budget in a large unit.
    template <template <class, class> class Step, class F>
    [[gnu::always_inline]] auto chain(F&& f) {
        using ready_step = Step<T, F&>;
        if (!st_ || !st_->r.empty()) [[likely]] {
            ready_step step{f};
            return step(take_result());
        }
        return chain_pending<Step>(std::forward<F>(f));
    }

    template <template <class, class> class Step, class F>
    [[gnu::noinline]] auto chain_pending(F&& f) {
        using out = std::invoke_result_t<Step<T, F&>&, detail::result<T>&&>;
        using stored_step = Step<T, std::decay_t<F>>;
        using node = detail::then_node<T, typename out::value_type, stored_step>;
        auto* n = new node(st_, stored_step{std::forward<F>(f)});
        std::exchange(st_, nullptr)->waiter = n;
        return out(static_cast<detail::state<typename out::value_type>*>(n));
    }

    detail::result<T> r_;               // states 1 and 2
    detail::state<T>* st_ = nullptr;    // state 3
};

template <class T>
class promise {
public:
    promise() : st_(new detail::state<T>) {}
    promise(promise&& other) noexcept : st_(std::exchange(other.st_, nullptr)) {}
    promise& operator=(promise&& other) noexcept {
        if (this != &other) {
            abandon();
            st_ = std::exchange(other.st_, nullptr);
        }
        return *this;
    }
    promise(const promise&) = delete;
    promise& operator=(const promise&) = delete;
    ~promise() { abandon(); }

    // Once.
    future<T> get_future() {
        if (!st_ || st_->future_taken) throw std::logic_error("promise::get_future called twice");
        st_->future_taken = true;
        ++st_->refs;
        return future<T>(st_);
    }

    // At most one of these, at most once (std::logic_error otherwise). The
    // waiting continuation, if any, runs before they return.
    template <class... A>
    void set_value(A&&... a) {
        detail::state<T>* s = claim();
        s->r.set_value(std::forward<A>(a)...);
        s->notify();
    }
    void set_exception(std::exception_ptr e) {
        detail::state<T>* s = claim();
        s->r.set_exception(std::move(e));
        s->notify();
    }
    template <class E>
        requires(!std::is_same_v<std::decay_t<E>, std::exception_ptr>)
    void set_exception(E&& e) {
        set_exception(std::make_exception_ptr(std::forward<E>(e)));
    }

private:
    template <class>
    friend class future;
    template <class>
    friend class foreign_promise;

    detail::state<T>* claim() {
        if (!st_ || st_->settled) throw std::logic_error("promise already satisfied");
        st_->settled = true;
        return st_;
    }
    void settle_with(detail::result<T>&& r) {
        detail::state<T>* s = claim();
        s->r = std::move(r);
        s->notify();
    }
    void abandon() noexcept {
        if (!st_) return;
        if (!st_->settled) {
            st_->settled = true;
            st_->r.set_exception(std::make_exception_ptr(broken_promise{}));
            st_->notify();
        }
        std::exchange(st_, nullptr)->release();
    }

    detail::state<T>* st_;
};

namespace detail {

// A continuation fused with the state of the future it produces: one
// allocation per then() on a pending future. It runs in two phases: first
// the step on the source's result; then, if the step returned a pending
// future, once more when that one resolves (the flattening).
template <class T, class U, class Step>
class then_node final : public continuation, public state<U> {
public:
    then_node(state<T>* source, Step&& step) : source_(source) {
        ::new (static_cast<void*>(&step_)) Step(std::move(step));
        this->refs = 2;  // the pending run and the future
    }
    ~then_node() override {}

    void run() noexcept override {
        if (source_) {
            state<T>* source = std::exchange(source_, nullptr);
            future<U> out = step_(std::move(source->r));
            step_.~Step();
            source->release();
            if (!out.st_) return finish(std::move(out.r_));
            inner_ = std::exchange(out.st_, nullptr);
            if (inner_->r.empty()) {
                inner_->waiter = this;
                return;
            }
        }
        state<U>* inner = std::exchange(inner_, nullptr);
        result<U> r(std::move(inner->r));
        inner->release();
        finish(std::move(r));
    }

private:
    void finish(result<U>&& r) noexcept {
        this->r = std::move(r);
        this->settled = true;
        this->notify();
        this->release();
    }

    state<T>* source_;
    state<U>* inner_ = nullptr;
    union {
        Step step_;
    };
};

struct deduce {};

template <class T, class F>
void when_resolved(future<T>&& f, F&& on_ready) {
    discard(std::move(f).then_wrapped(std::forward<F>(on_ready)));
}

}  // namespace detail

// make_ready_future(1) -> future<int>; make_ready_future() -> future<>;
// make_ready_future<std::string>("abc") -> future<std::string>.
template <class T = detail::deduce, class... A>
auto make_ready_future(A&&... a) {
    if constexpr (!std::is_same_v<T, detail::deduce>) {
        return future<T>(detail::ready_tag{}, std::forward<A>(a)...);
    } else if constexpr (sizeof...(A) == 0) {
        return future<>(detail::ready_tag{});
    } else {
        static_assert(sizeof...(A) == 1, "make_ready_future deduces from one value");
        return future<std::decay_t<A>...>(detail::ready_tag{}, std::forward<A>(a)...);
    }
}

template <class T = void>
future<T> make_exception_future(std::exception_ptr e) noexcept {
    return future<T>(detail::exception_tag{}, std::move(e));
}
template <class T = void, class E>
    requires(!std::is_same_v<std::decay_t<E>, std::exception_ptr>)
future<T> make_exception_future(E&& e) noexcept {
    return future<T>(detail::exception_tag{}, std::make_exception_ptr(std::forward<E>(e)));
}

// Resolves once every future has; never fails: the futures are handed back
// available, each with its own value or exception.
template <class... T>
future<std::tuple<future<T>...>> when_all(future<T>... fs) {
    using all = std::tuple<future<T>...>;
    if ((fs.available() && ...)) return make_ready_future<all>(std::move(fs)...);
    struct gather {
        explicit gather(future<T>&&... f) : futures(std::move(f)...) {}
        all futures;
        promise<all> done;
        std::size_t waiting = 0;
    };
    auto* g = new gather(std::move(fs)...);
    auto out = g->done.get_future();
    [g]<std::size_t... I>(std::index_sequence<I...>) {
        g->waiting = ((std::get<I>(g->futures).available() ? 0 : 1) + ... + 0);
        (
            [g] {
                auto& slot = std::get<I>(g->futures);
                if (slot.available()) return;
                detail::when_resolved(std::move(slot), [g](std::remove_reference_t<decltype(slot)> f) {
                    std::get<I>(g->futures) = std::move(f);
                    if (--g->waiting == 0) {
                        g->done.set_value(std::move(g->futures));
                        delete g;
                    }
                });
            }(),
            ...);
    }(std::index_sequence_for<T...>{});
    return out;
}

template <class T>
future<std::vector<future<T>>> when_all(std::vector<future<T>> fs) {
    std::size_t waiting = 0;
    for (auto& f : fs) waiting += f.available() ? 0 : 1;
    if (waiting == 0) return make_ready_future<std::vector<future<T>>>(std::move(fs));
    struct gather {
        std::vector<future<T>> futures;
        promise<std::vector<future<T>>> done;
        std::size_t waiting;
    };
    auto* g = new gather{std::move(fs), {}, waiting};
    auto out = g->done.get_future();
    for (std::size_t i = 0; i < g->futures.size(); ++i) {
        if (g->futures[i].available()) continue;
        detail::when_resolved(std::move(g->futures[i]), [g, i](future<T> f) {
            g->futures[i] = std::move(f);
            if (--g->waiting == 0) {
                g->done.set_value(std::move(g->futures));
                delete g;
            }
        });
    }
    return out;
}

template <class T>
struct when_any_result {
    std::size_t index;                 // the first to resolve; futures[index] is available
    std::vector<future<T>> futures;    // all of them, the others possibly still pending
};

// Resolves when the first future does; an empty vector fails with
// std::invalid_argument.
template <class T>
future<when_any_result<T>> when_any(std::vector<future<T>> fs) {
    using any = when_any_result<T>;
    if (fs.empty()) return make_exception_future<any>(std::invalid_argument("when_any of no futures"));
    for (std::size_t i = 0; i < fs.size(); ++i) {
        if (fs[i].available()) return make_ready_future<any>(any{i, std::move(fs)});
    }
    // Each input is relayed through a promise of our own, so that the futures
    // handed out stay valid whichever input resolves first.
    struct race {
        promise<any> done;
        std::vector<promise<T>> relays;
        any out;
        std::size_t open;
        bool decided = false;
    };
    const std::size_t n = fs.size();
    auto* r = new race{{}, std::vector<promise<T>>(n), any{0, {}}, n};
    auto out = r->done.get_future();
    r->out.futures.reserve(n);
    for (auto& relay : r->relays) r->out.futures.push_back(relay.get_future());
    for (std::size_t i = 0; i < n; ++i) {
        detail::when_resolved(std::move(fs[i]), [r, i](future<T> f) {
            f.forward_to(std::move(r->relays[i]));
            if (!r->decided) {
                r->decided = true;
                r->out.index = i;
                r->done.set_value(std::move(r->out));
            }
            if (--r->open == 0) delete r;
        });
    }
    return out;
}

// Calls f(element) for every element at once (f returns void or a future)
// and resolves when all are done; fails with the first exception seen, after
// all are done.
template <class Range, class F>
future<> parallel_for_each(Range&& range, F&& f) {
    struct join {
        promise<> done;
        std::size_t waiting = 1;  // the loop below, until it finishes
        std::exception_ptr error;
        void finish_one() {
            if (--waiting) return;
            if (error) done.set_exception(std::move(error));
            else done.set_value();
            delete this;
        }
    };
    join* j = nullptr;
    std::exception_ptr error;
    for (auto&& element : range) {
        auto fut = futurize_invoke(f, element);
        if (fut.available()) {
            if (fut.failed() && !error) error = fut.get_exception();
            continue;
        }
        if (!j) j = new join;
        ++j->waiting;
        detail::when_resolved(std::move(fut), [j](auto r) {
            if (r.failed() && !j->error) j->error = r.get_exception();
            j->finish_one();
        });
    }
    if (!j) return error ? make_exception_future<>(std::move(error)) : make_ready_future<>();
    if (error && !j->error) j->error = std::move(error);
    auto out = j->done.get_future();
    j->finish_one();
    return out;
}

// Maps every element at once (mapper returns V or future<V>) and folds the
// values in the order they arrive: acc = reducer(std::move(acc), value).
// map_reduce(std::vector{1, 2, 3}, [](int x) { return x * x; }, 0, std::plus<>{}) -> 14.
template <class Range, class Mapper, class Acc, class Reducer>
future<Acc> map_reduce(Range&& range, Mapper&& mapper, Acc initial, Reducer&& reducer) {
    using mapped = detail::futurize_t<std::invoke_result_t<Mapper&, decltype(*std::begin(range))>>;
    struct fold {
        fold(Acc a, Reducer&& r) : acc(std::move(a)), reduce(std::forward<Reducer>(r)) {}
        Acc acc;
        std::decay_t<Reducer> reduce;
        promise<Acc> done;
        std::size_t waiting = 1;
        std::exception_ptr error;
        void absorb(mapped&& f) {
            if (f.failed()) {
                auto e = f.get_exception();
                if (!error) error = std::move(e);
                return;
            }
            if (error) return;
            try {
                if constexpr (std::is_void_v<typename mapped::value_type>) {
                    f.get();
                    acc = reduce(std::move(acc));
                } else {
                    acc = reduce(std::move(acc), f.get());
                }
            } catch (...) {
                error = std::current_exception();
            }
        }
        void finish_one() {
            if (--waiting) return;
            if (error) done.set_exception(std::move(error));
            else done.set_value(std::move(acc));
            delete this;
        }
    };
    auto* s = new fold(std::move(initial), std::forward<Reducer>(reducer));
    auto out = s->done.get_future();
    for (auto&& element : range) {
        auto fut = futurize_invoke(mapper, element);
        if (fut.available()) {
            s->absorb(std::move(fut));
            continue;
        }
        ++s->waiting;
        detail::when_resolved(std::move(fut), [s](mapped f) {
            s->absorb(std::move(f));
            s->finish_one();
        });
    }
    s->finish_one();
    return out;
}

// Calls f() (returning stop_iteration or future<stop_iteration>) until it
// says yes or fails. Iterations that complete at once loop without
// allocating or growing the stack.
template <class F>
future<> repeat(F&& f) {
    using fn_t = std::decay_t<F>;
    fn_t fn(std::forward<F>(f));
    for (;;) {
        auto step = futurize_invoke(fn);
        if (!step.available()) {
            struct loop {
                fn_t fn;
                promise<> done;
                void resume(future<stop_iteration> step) {
                    for (;;) {
                        if (!step.available()) {
                            detail::when_resolved(std::move(step), [this](future<stop_iteration> next) {
                                resume(std::move(next));
                            });
                            return;
                        }
                        if (step.failed()) {
                            done.set_exception(step.get_exception());
                            break;
                        }
                        if (step.get() == stop_iteration::yes) {
                            done.set_value();
                            break;
                        }
                        step = futurize_invoke(fn);
                    }
                    delete this;
                }
            };
            auto* l = new loop{std::move(fn), {}};
            auto out = l->done.get_future();
            l->resume(std::move(step));
            return out;
        }
        if (step.failed()) return make_exception_future<>(step.get_exception());
        if (step.get() == stop_iteration::yes) return make_ready_future<>();
    }
}

// Until stop() is true, runs action() (void or a future) and waits for it.
template <class Stop, class Action>
future<> do_until(Stop&& stop, Action&& action) {
    return repeat([stop = std::forward<Stop>(stop), action = std::forward<Action>(action)]() mutable {
        if (stop()) return make_ready_future<stop_iteration>(stop_iteration::yes);
        return futurize_invoke(action).then([](auto&&...) noexcept { return stop_iteration::no; });
    });
}

// Resolves at `deadline` or later, on this thread's reactor_context.
future<> sleep_until(reactor_context::clock::time_point deadline);

template <class Rep, class Period>
future<> sleep(std::chrono::duration<Rep, Period> d) {
    return sleep_until(reactor_context::clock::now() +
                       std::chrono::ceil<reactor_context::clock::duration>(d));
}

// f's outcome if it resolves before `deadline`, timed_out_error otherwise
// (f's late result is then dropped). The timer is cancelled when f wins.
template <class T>
future<T> with_timeout(reactor_context::clock::time_point deadline, future<T> f) {
    if (f.available()) return f;
    reactor_context* context = reactor_context::current();
    if (!context) return make_exception_future<T>(std::logic_error("with_timeout needs a reactor_context"));
    struct race {
        promise<T> done;
        std::shared_ptr<reactor_context::timer> timer;
        unsigned refs = 2;  // the timer task and the future's continuation
        bool decided = false;
        void release() noexcept {
            if (--refs == 0) delete this;
        }
    };
    class expiry final : public reactor_context::task {
    public:
        explicit expiry(race* r) noexcept : r_(r) {}
        ~expiry() override { r_->release(); }
        void run() noexcept override {
            if (r_->decided) return;
            r_->decided = true;
            r_->timer.reset();
            r_->done.set_exception(timed_out_error{});
        }

    private:
        race* r_;
    };
    auto* r = new race;
    auto out = r->done.get_future();
    try {
        r->timer = context->arm(deadline, std::make_unique<expiry>(r));
    } catch (...) {
        delete r;
        throw;
    }
    detail::when_resolved(std::move(f), [r](future<T> f) {
        if (!r->decided) {
            r->decided = true;
            if (auto timer = std::move(r->timer)) timer->cancel();
            f.forward_to(std::move(r->done));
        }
        r->release();
    });
    return out;
}

// A promise that another thread resolves. Created, and its future taken, on
// the owning thread; then handed to any one thread, which resolves it at
// most once. The value is posted to the owner and the promise resolved
// there. Destroyed unresolved, it still posts, and the future gets
// broken_promise. The owner's reactor_context must outlive it.
template <class T>
class foreign_promise {
public:
    explicit foreign_promise(reactor_context& owner) : owner_(&owner), delivery_(std::make_unique<delivery>()) {}
    // `alive` expires when `owner` is destroyed (a reactor that stopped while
    // other threads still hold its promises): resolving then posts nothing
    // and the value is destroyed unrun, on the resolving thread, as tasks
    // are when a reactor shuts down.
    foreign_promise(reactor_context& owner, std::weak_ptr<const void> alive)
        : owner_(&owner), alive_(std::move(alive)), guarded_(true), delivery_(std::make_unique<delivery>()) {}
    // Owned by the calling thread's reactor_context.
    foreign_promise() : foreign_promise(current_owner()) {}
    foreign_promise(foreign_promise&&) noexcept = default;
    foreign_promise& operator=(foreign_promise&& other) noexcept {
        if (this != &other) {
            abandon();
            owner_ = other.owner_;
            alive_ = std::move(other.alive_);
            guarded_ = other.guarded_;
            delivery_ = std::move(other.delivery_);
        }
        return *this;
    }
    ~foreign_promise() { abandon(); }

    // On the owning thread, before handing the promise over.
    future<T> get_future() { return delivery_->p.get_future(); }

    // From any thread. On the owning thread itself the future resolves at
    // once, as a promise's does (its continuation runs inside the call);
    // elsewhere it resolves when the owner runs the posted value.
    template <class... A>
    void set_value(A&&... a) {
        auto d = claim();
        d->r.set_value(std::forward<A>(a)...);
        deliver(std::move(d));
    }
    void set_exception(std::exception_ptr e) {
        auto d = claim();
        d->r.set_exception(std::move(e));
        deliver(std::move(d));
    }

private:
    // Travels to the other thread and back. The other thread touches only
    // `r`; `p` is touched on the owning thread, before and after the trip.
    struct delivery final : reactor_context::task {
        promise<T> p;
        detail::result<T> r;
        void run() noexcept override {
            if (!r.empty()) p.settle_with(std::move(r));
        }
    };

    static reactor_context& current_owner() {
        if (auto* c = reactor_context::current()) return *c;
        throw std::logic_error("foreign_promise needs a reactor_context on this thread");
    }
    std::unique_ptr<delivery> claim() {
        if (!delivery_) throw std::logic_error("foreign_promise already satisfied");
        return std::move(delivery_);
    }
    void deliver(std::unique_ptr<delivery> d) {
        if (reactor_context::current() == owner_) {
            d->run();
            return;
        }
        post(std::move(d));
    }
    void post(std::unique_ptr<delivery> d) {
        if (!guarded_) {
            owner_->post(std::move(d));
            return;
        }
        // Held while posting: the owner cannot go away in the middle.
        if (std::shared_ptr<const void> alive = alive_.lock()) owner_->post(std::move(d));
    }
    void abandon() noexcept {
        if (!delivery_) return;
        try {
            post(std::move(delivery_));
        } catch (...) {
            // Out of memory while posting: the value is destroyed unrun here.
        }
    }

    reactor_context* owner_;
    std::weak_ptr<const void> alive_;
    bool guarded_ = false;
    std::unique_ptr<delivery> delivery_;
};

}  // namespace fasterapi
