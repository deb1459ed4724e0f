// Reactor: one thread's io_context, its listening socket and its connections.
//
// Each reactor owns an SO_REUSEPORT acceptor on the server's address, so the
// kernel spreads connections across reactors and a connection lives and dies
// on the thread that accepted it. Everything a reactor owns is touched only
// from its thread, except post() and scheduler().post() (answers and hand-offs
// from other threads) and the shared ServerContext counters.
//
// Other threads post through a Mailbox, not asio::post: asio wakes a reactor
// blocked in epoll_wait while it still holds its io_context's lock, so on one
// core the woken reactor preempts the poster, blocks on that lock at once and
// switches back: two extra context switches per hand-off. The mailbox wakes
// the reactor (an eventfd write) after releasing its own lock, and one wake-up
// serves every task posted before the reactor drains it.
//
// Lifetime: the Server owns reactors through shared_ptr; a Responder::Slot
// holds a weak_ptr, so an answer arriving after the server is gone finds no
// reactor and is dropped. The io_context is the first member, so it is
// destroyed last, after the connections whose sockets are registered with it.
//
// Stopping is a future chain on the reactor thread (stop()): accepting ends,
// idle connections close, and each connection still serving contributes the
// future of its served() — resolved when it has answered everything it read
// (or closed); when_all of them, under with_timeout(deadline), then closes
// whatever is left (close_all()).
//
// What must hold:
//   - accepting stops at begin_stop(); close_all() closes every connection and
//     lets run() return once the aborted handlers have run.
//   - stop() closes everything by its deadline, whatever the connections do.
#pragma once

#include "asio_prelude.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "fasterapi/asio_scheduler.hpp"
#include "fasterapi/http/date.hpp"
#include "fasterapi/http/parser.hpp"
#include "fasterapi/server.hpp"

namespace fasterapi::detail {

class AccessLog;
class Connection;

// Tasks for one io_context's thread from any thread, in the order posted.
// What must hold: a task runs once, on the thread running the io_context;
// an eventfd write wakes that thread only when the mailbox was empty since
// its last drain; tasks left when the mailbox is destroyed are destroyed
// unrun.
class Mailbox {
public:
    explicit Mailbox(asio::io_context& io);
    ~Mailbox();
    Mailbox(const Mailbox&) = delete;
    Mailbox& operator=(const Mailbox&) = delete;

    void post(std::unique_ptr<reactor_context::task> t);  // any thread

private:
    void wait();
    void drain();

    const int fd_;
    asio::posix::stream_descriptor wake_;
    std::uint64_t count_ = 0;
    std::mutex mutex_;
    std::vector<std::unique_ptr<reactor_context::task>> pending_;  // guarded by mutex_
    bool signalled_ = false;                                         // guarded by mutex_
};

// A reactor's reactor_context: a task posted on the reactor's own thread goes
// on the io_context's queue, one from another thread through the mailbox.
class ReactorScheduler final : public reactor_context {
public:
    explicit ReactorScheduler(asio::io_context& io) : timers_(io), mailbox_(io) {}

    void post(std::unique_ptr<task> t) override;
    std::shared_ptr<timer> arm(clock::time_point when, std::unique_ptr<task> t) override {
        return timers_.arm(when, std::move(t));
    }
    Mailbox& mailbox() noexcept { return mailbox_; }

private:
    asio_scheduler timers_;
    Mailbox mailbox_;
};

// What the reactors of one Server share. Owned by the Server; outlives the
// reactor threads.
struct ServerContext {
    ServerContext(ServerConfig c, Dispatcher& d);

    const ServerConfig config;
    const http::ParserLimits limits;
    Dispatcher& dispatcher;
    AccessLog* access_log = nullptr;
    RequestTimings timings;  // recorded only with config.request_timing

    std::atomic<std::size_t> connections{0};  // open connections, 503 refusals excepted
    std::atomic<bool> stopping{false};
    std::atomic<std::uint64_t> written_here{0};  // responses their answering thread wrote

    // Reserves a place for a new connection; false beyond max_connections.
    bool admit() noexcept;
    void release() noexcept;
};

class Reactor : public std::enable_shared_from_this<Reactor> {
public:
    explicit Reactor(ServerContext& context);
    Reactor(const Reactor&) = delete;
    Reactor& operator=(const Reactor&) = delete;

    // Opens, binds (SO_REUSEADDR + SO_REUSEPORT) and listens; throws
    // std::system_error. Returns the bound port.
    std::uint16_t listen(const asio::ip::tcp::endpoint& endpoint, int backlog);
    void start_accepting();
    void run();  // the reactor thread's body

    // On the reactor thread: stop accepting, let the connections finish what
    // they serve, close everything once they have or at `deadline`; run()
    // returns soon after.
    void stop(reactor_context::clock::time_point deadline);
    void begin_stop();  // stop accepting; close idle connections
    void close_all();   // close everything; run() returns soon after

    asio::io_context& io() noexcept { return io_; }
    // From any thread: runs `fn` on this reactor's thread, in the order posted
    // (an exception it throws is logged). Destroyed unrun if the reactor stops
    // first.
    void post(std::function<void()> fn);
    // The reactor_context bound on this reactor's thread while run() runs:
    // futures, sleep() and foreign_promise there use it.
    reactor_context& scheduler() noexcept { return scheduler_; }
    ServerContext& context() noexcept { return context_; }
    std::string_view date() noexcept { return date_.now(); }
    void remove(Connection* connection) noexcept;
    // Runs `fn` on this reactor's thread: posted now, or held by the
    // HandoffBatch attached to the calling thread (server.hpp).
    static void hand_off(std::shared_ptr<Reactor> owner, std::function<void()> fn);
    // A request was dispatched: schedule the dispatcher's flush for the end
    // of this turn of the event loop (once, however many were dispatched).
    void dispatched();

private:
    void accept();
    void on_accepted(asio::ip::tcp::socket socket);

    asio::io_context io_{1};
    ReactorScheduler scheduler_{io_};
    asio::executor_work_guard<asio::io_context::executor_type> work_;
    ServerContext& context_;
    asio::ip::tcp::acceptor acceptor_;
    asio::steady_timer accept_retry_;
    http::DateCache date_;
    std::unordered_map<Connection*, std::shared_ptr<Connection>> connections_;
    bool flush_scheduled_ = false;
};

}  // namespace fasterapi::detail
