// Server: the HTTP/1.1 server — reactors, connections, limits, timeouts.
//
// One asio::io_context per reactor thread; each reactor owns its own
// SO_REUSEPORT listening socket, so a connection lives and dies on the thread
// that accepted it and the request path takes no locks.
//
// A complete request is handed to the Dispatcher on the reactor thread. The
// dispatcher answers through the Responder it is given, exactly once, from any
// thread: answering from the reactor thread writes without a hop; answering
// from elsewhere is one post to the owning reactor, and, when the answering
// thread is about to go idle (WriteHere) and the connection owes nothing
// before this response, that thread writes the bytes first and the post
// only tells the reactor they went.
//
// Connection states (what must hold between them):
//   1. reading    — bytes arrive, the parser advances; the head deadline runs
//                   from the first byte of a request until its head is parsed.
//   2. dispatched — requests handed to the dispatcher; reading continues
//                   (pipelining) up to a bound of requests in flight.
//   3. writing    — responses are written strictly in request order; a
//                   response that finished early waits for those before it.
//   4. idle       — keep-alive: nothing in flight, no partial request; the
//                   keep-alive deadline runs.
//   5. closing    — after an error response, `Connection: close`, or a
//                   shutdown; no further request is read once closing begins,
//                   pending responses are still written, then the socket is
//                   shut down.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "fasterapi/future.hpp"
#include "fasterapi/http/request.hpp"
#include "fasterapi/http/response.hpp"
#include "fasterapi/request_timing.hpp"
#include "fasterapi/stream.hpp"
#include "fasterapi/websocket.hpp"

namespace fasterapi {

struct ServerConfig {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8000;          // 0: pick an ephemeral port
    unsigned reactors = 0;              // 0: one per CPU in the affinity mask
    int backlog = 1024;

    std::size_t max_request_line = 8 * 1024;       // -> 414
    std::size_t max_header_bytes = 16 * 1024;      // -> 431
    std::size_t max_header_count = 100;            // -> 431
    std::uint64_t max_body_bytes = 16 * 1024 * 1024;  // -> 413
    std::size_t max_requests_per_connection = 0;   // 0: unlimited
    std::size_t max_connections = 10000;           // per worker; beyond -> 503
    std::size_t max_pipelined = 64;                // requests in flight per connection
    // Requests of one connection with the dispatcher at a time. 1 (as uvicorn
    // serves a connection): a pipelined request starts only once the one
    // before it is answered, its stream has ended and its after-response
    // work (a RequestHold) is done, so it sees that request's effects. More
    // lets pipelined requests run at once (answers still leave in order).
    // 0 means max_pipelined.
    std::size_t max_dispatched = 1;

    std::chrono::milliseconds head_timeout{10'000};      // whole request head
    std::chrono::milliseconds body_timeout{30'000};      // idle gap while reading a body
    std::chrono::milliseconds keepalive_timeout{5'000};  // idle connection (kept alive, or new)
    std::chrono::milliseconds write_timeout{30'000};     // client not reading

    bool request_timing = false;  // record each request's time in the server (request_timing.hpp)
    bool access_log = true;
    int access_log_fd = 2;                    // where access log lines go (stderr)
    std::string server_header = "fasterapi";  // empty: no server header
    // A thread answering inside a WriteHere scope may write the response to
    // the socket itself when the connection owes nothing before it (see
    // WriteHere). Off: every response is written by the reactor thread.
    bool write_here = true;
};

// Marks the calling thread, while the scope lasts, as one that goes idle
// once it has answered (an executor worker with nothing queued behind its
// task; the asyncio loop running a lone task): a response it sends
// (Responder::send) is then written to the client's socket on this thread,
// when the connection owes nothing before it and writes nothing, and the
// response needs none of the reactor's framing decisions (a complete
// response that keeps the connection open, not to a HEAD, nor with an
// interim 100). The reactor still learns of it, as of any answer, but the
// bytes no longer wait for the reactor thread to wake: with one request at a
// time that is one thread hand-off less per request. `allowed` false turns
// it off for the scope; the previous setting comes back at its end. All of
// it is in this header, so that the executor, which enters such scopes,
// links without the server's sources (bench/executor_bench.cpp).
namespace detail {
inline thread_local bool write_here_allowed = false;
}  // namespace detail
class WriteHere {
public:
    explicit WriteHere(bool allowed) noexcept : previous_(detail::write_here_allowed) {
        detail::write_here_allowed = allowed;
    }
    ~WriteHere() { detail::write_here_allowed = previous_; }
    WriteHere(const WriteHere&) = delete;
    WriteHere& operator=(const WriteHere&) = delete;
    static bool allowed() noexcept { return detail::write_here_allowed; }

private:
    bool previous_;
};

// Rewrites the head of the response a Responder sends (or streams): what a
// middleware that only edits headers does (cors.hpp). Applied once, on the
// thread that answers.
class ResponseFilter {
public:
    virtual ~ResponseFilter() = default;
    virtual void apply(http::Response& head) const = 0;
};

// While it lives, the connection of the request it was taken for starts no
// further request: what runs after a response is sent (background tasks,
// the cleanup of yield dependencies) is done before the client's next
// request on that connection is served, as in FastAPI's own request cycle.
// Released from any thread.
class RequestHold {
public:
    struct State;  // defined by the server
    RequestHold() = default;
    explicit RequestHold(std::shared_ptr<State> state) noexcept : state_(std::move(state)) {}
    RequestHold(RequestHold&&) noexcept = default;
    RequestHold& operator=(RequestHold&& other) noexcept {
        if (this != &other) {
            release();
            state_ = std::move(other.state_);
        }
        return *this;
    }
    RequestHold(const RequestHold&) = delete;
    RequestHold& operator=(const RequestHold&) = delete;
    ~RequestHold() { release(); }
    void release() noexcept;
    // Releases it and ends the connection once what it owes is written, as
    // HangUp does: the work after the response raised.
    void release_hanging_up() noexcept;

private:
    void release(bool hang_up) noexcept;
    std::shared_ptr<State> state_;
};

// Ends the connection a request came on once the responses it owes are
// written, with no `connection: close` line and no further request started:
// what uvicorn does when the application raises after its response began
// (ServerErrorMiddleware re-raises after sending its 500, and errors after
// the response, such as a failing background task, reach uvicorn too).
// Taken from the Responder before it answers; used from any thread.
class HangUp {
public:
    HangUp() = default;
    explicit HangUp(std::shared_ptr<RequestHold::State> state) noexcept : state_(std::move(state)) {}
    void operator()() const noexcept;
    // A RequestHold on the same connection, taken now, even once the request
    // is answered (empty if the connection is gone): for work that outlives
    // the call which took the first one, started while it still holds.
    RequestHold hold() const;

private:
    std::shared_ptr<RequestHold::State> state_;
};

class Responder {
public:
    Responder() = default;
    Responder(Responder&&) noexcept = default;
    Responder& operator=(Responder&&) noexcept;  // an unanswered target answers 500 first
    Responder(const Responder&) = delete;
    Responder& operator=(const Responder&) = delete;
    ~Responder();  // a Responder dropped without an answer sends 500

    // Hands the response to the connection. Safe from any thread; once.
    void send(http::Response response);
    // Answers with a response whose body follows over time: `head` carries
    // the status and headers (its body, if any, is the first body bytes).
    // Safe from any thread; once, instead of send(). See stream.hpp.
    std::unique_ptr<ResponseStream> stream(http::Response head);
    // Answers a WebSocket opening handshake (already checked): the
    // application accepts or refuses through the handle. See websocket.hpp.
    std::unique_ptr<WebSocket> websocket(WebSocketOffer offer);
    explicit operator bool() const noexcept { return static_cast<bool>(slot_); }
    // The response, when it comes, goes out through `filter` first.
    void set_filter(std::unique_ptr<ResponseFilter> filter) noexcept { filter_ = std::move(filter); }
    // It goes out as it is: made outside the middleware the filter stands for.
    void clear_filter() noexcept { filter_.reset(); }
    // Holds the connection's next request until the returned hold is
    // released (see RequestHold); before the response is sent.
    RequestHold hold();
    // For ending the connection later, even once answered (see HangUp).
    HangUp hang_up_handle() const;

    struct Slot;    // defined by the server
    struct Answer;  // what the Slot's promise carries; defined by the server
    explicit Responder(std::shared_ptr<Slot> slot) noexcept : slot_(std::move(slot)) {}

private:
    std::shared_ptr<Slot> slot_;
    std::unique_ptr<ResponseFilter> filter_;
};

class Dispatcher {
public:
    virtual ~Dispatcher() = default;
    // Called on a reactor thread for every complete request. Must not block.
    virtual void dispatch(http::Request&& request, Responder responder) = 0;
    // Called on a reactor thread for a request that asked for
    // `Expect: 100-continue`, given its head (its body empty), before
    // dispatch(). uvicorn sends `100 Continue` only when the application
    // first reads the body: true when the answer may depend on the body
    // (the server then sends 100 and dispatches the request with its body);
    // false when it does not (no 100: the request is dispatched at once with
    // an empty body, and its body, if the client sends it, is read and
    // dropped). Must not block.
    virtual bool reads_body(const http::Request& head) {
        (void)head;
        return true;
    }
    // Called on the same reactor thread after a batch of dispatch() calls, at
    // most once per turn of its event loop. A dispatcher that hands work to
    // other threads wakes them here, once per batch rather than once per
    // request: on a busy core, waking a thread per request costs a pair of
    // context switches per request.
    virtual void flush() {}
};

namespace detail {
class Reactor;
}

// Hand-offs to reactor threads batched by the thread that makes them: the
// asyncio loop's, where in one turn of the loop many tasks each queue a
// WebSocket message or stream bytes for their connection. Each would post
// to the owning reactor, and on a core the reactor shares with the loop
// thread every post wakes the reactor, which preempts the loop: a pair of
// context switches per hand-off. While a batch is attached to a thread, what
// that thread hands over is held; the first item held since the last flush
// calls `schedule_flush` (which arranges for flush() at the end of the
// loop's turn), and flush() posts what is held, once per reactor, in order.
//
// What must hold: every held item is posted by a flush() (the destructor
// flushes); items for one reactor keep their order; hand-offs from threads
// without an attached batch are posted at once, as before.
class HandoffBatch {
public:
    explicit HandoffBatch(std::function<void()> schedule_flush);
    ~HandoffBatch();
    HandoffBatch(const HandoffBatch&) = delete;
    HandoffBatch& operator=(const HandoffBatch&) = delete;

    // Hand-offs from the calling thread are held by this batch from now on.
    void attach();
    // Posts everything held. Any thread.
    void flush();
    // flush() as a callable that outlives the batch (then does nothing).
    std::function<void()> flusher() const;

    struct State;

private:
    std::shared_ptr<State> state_;
};

class Server {
public:
    Server(ServerConfig config, Dispatcher& dispatcher);
    ~Server();  // stops and joins
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Binds and listens on every reactor, then starts the reactor threads.
    // Throws std::system_error if the address cannot be bound.
    void start();
    // The bound port (useful with port 0). Valid after start().
    std::uint16_t port() const noexcept;
    // What request_timing recorded so far (count 0 when it is off).
    TimingSummary request_timings() const noexcept;
    // Responses their answering thread wrote to the socket (WriteHere).
    std::uint64_t written_here() const noexcept;
    // The reactor_context of reactor thread `i` (0 <= i < reactors), for
    // posting work that uses futures there; valid from start() until stop().
    reactor_context* reactor(std::size_t i) noexcept;
    // Stop accepting, close idle connections, let in-flight requests finish
    // for up to `grace`, then close the rest and join the reactor threads.
    void stop(std::chrono::milliseconds grace);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace fasterapi
