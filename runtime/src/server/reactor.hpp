// Reactor: one thread's io_context, its listening socket and its connections.
//
// Each reactor owns an SO_REUSEPORT acceptor on the server's address, so the
// kernel spreads connections across reactors and a connection lives and dies
// on the thread that accepted it. Everything a reactor owns is touched only
// from its thread, except io() (for posting answers) and the shared
// ServerContext counters.
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
#include <memory>
#include <mutex>
#include <unordered_map>

#include "fasterapi/asio_scheduler.hpp"
#include "fasterapi/http/date.hpp"
#include "fasterapi/http/parser.hpp"
#include "fasterapi/server.hpp"

namespace fasterapi::detail {

class AccessLog;
class Connection;

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
    asio_scheduler scheduler_{io_};
    asio::executor_work_guard<asio::io_context::executor_type> work_;
    ServerContext& context_;
    asio::ip::tcp::acceptor acceptor_;
    asio::steady_timer accept_retry_;
    http::DateCache date_;
    std::unordered_map<Connection*, std::shared_ptr<Connection>> connections_;
    bool flush_scheduled_ = false;
};

}  // namespace fasterapi::detail
