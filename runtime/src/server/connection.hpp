// Connection: one accepted socket — read, parse, dispatch, write in order.
//
// States (server.hpp numbers them; here is how each is represented):
//   1. reading    — a read is in flight; the parser advances over the input
//                   buffer. The head deadline runs from the first byte of a
//                   request head to its end, the body deadline between body
//                   reads.
//   2. dispatched — each complete request gets a Slot in `pending_` (request
//                   order) and goes to the dispatcher, while fewer than
//                   max_dispatched are still being served (unanswered, or
//                   streaming) and no RequestHold is alive; reading goes on
//                   while fewer than max_pipelined are pending and less than
//                   unparsed_limit bytes wait unparsed. The
//                   Slot's foreign_promise<Answer> is what the Responder
//                   resolves, from whichever thread answers; the future's
//                   continuation, on the reactor thread, marks the slot
//                   ready (answered()).
//   3. writing    — the ready slots at the front of `pending_` are written in
//                   one gathered write; a slot answered early waits for those
//                   before it.
//   4. idle       — nothing pending, no partial request: the keep-alive
//                   deadline runs.
//   5. closing    — `read_closed_`: nothing more is parsed; owed responses
//                   are written, the last with `connection: close`; then the
//                   write side is shut down and the connection lingers,
//                   discarding input for a moment, so the peer reads the last
//                   response instead of a reset; then the socket is closed.
//                   A lingering connection has been served: it no longer
//                   counts toward max_connections (served() resolves), and
//                   stop() closes it.
//
// What must hold:
//   - responses leave in request order, each exactly once.
//   - nothing after a rejected request is parsed; the rejection closes.
//   - every wait is bounded by a deadline (head, body, keep-alive, write,
//     linger), except waiting for the dispatcher's answer, which the
//     Responder guarantees (a dropped Responder answers 500).
//   - only the reactor thread touches a Connection. A Slot's Lease lets the
//     thread answering it write that one response to the socket's
//     descriptor (never the Connection), and the descriptor stays open
//     until it is done.
//   - a wait for input is an async_wait only when the socket is known to be
//     empty (drained_ or a peek): the reactor is edge-triggered.
#pragma once

#include "asio_prelude.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <memory>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "fasterapi/http/parser.hpp"
#include "fasterapi/http/response.hpp"
#include "fasterapi/server.hpp"
#include "fasterapi/ws/deflate.hpp"
#include "fasterapi/ws/frame.hpp"
#include "fifo.hpp"

namespace fasterapi::detail {

class Connection;
class Reactor;
struct ServerContext;

}  // namespace fasterapi::detail

// A streamed body between its producer's thread and the reactor thread.
struct fasterapi::ResponseStream::Core {
    std::weak_ptr<detail::Connection> connection;
    std::weak_ptr<detail::Reactor> reactor;

    // Guarded by `mutex`.
    mutable std::mutex mutex;
    std::condition_variable changed;  // left `full`, or closed
    std::string queued;               // body bytes the connection has not taken yet
    // The size of each write in `queued`, in order: a chunked body sends a
    // chunk per write, as h11 sends one per body message. At most
    // max_pieces: a producer of many small writes is `full` from there on.
    std::vector<std::uint32_t> pieces;
    static constexpr std::size_t max_pieces = 16 * 1024;
    std::function<void()> waker;
    bool full = false;
    bool ended = false;
    bool aborted = false;
    bool closed = false;
    bool posted = false;  // a turn of the connection is already queued

    // Queues one write's bytes (mutex held).
    void append(std::string_view data);
    // Producer side: asks the owning reactor for a turn of the connection.
    void post(std::shared_ptr<Core> self);
    // Connection side: the client is gone (or the connection done with the
    // stream). Wakes the producer unless it already ended.
    void close() noexcept;
};

// A WebSocket between the application's thread and the reactor thread.
struct fasterapi::WebSocket::Core {
    enum class Phase : std::uint8_t { handshake, refused, open, closing, closed };

    std::weak_ptr<detail::Connection> connection;
    std::weak_ptr<detail::Reactor> reactor;
    WebSocketOffer offer;  // fixed once created

    // Guarded by `mutex`.
    mutable std::mutex mutex;
    std::condition_variable changed;
    Phase phase = Phase::handshake;
    bool accepted = false;
    std::string accept_head;  // the 101 response, until written
    http::Response refusal;
    std::optional<ws::DeflateParams> deflate;
    std::optional<ws::Deflater> deflater;  // used by senders, under the lock
    std::string queued;                    // frames the connection has not taken yet
    bool full = false;
    bool close_sent = false;  // a close frame is queued (nothing may follow it)
    bool aborted = false;     // the application failed: what is queued goes out, then the TCP close
    detail::Fifo<Received> inbox;
    std::size_t inbox_bytes = 0;
    bool disconnected = false;  // the disconnect is in the inbox
    bool reading_paused = false;
    std::function<void()> waker;
    // An arriving message wakes the application only when it has found the
    // inbox empty since its last wake-up: a burst of messages costs one.
    bool wake_on_message = true;
    bool posted = false;
    // The socket while the connection writes nothing to it and nothing is
    // queued for it (else -1): a sender with nothing else waiting writes its
    // frame itself, under the lock, instead of waking the reactor to do it.
    // The reactor sets it back to -1 under the lock before it writes, closes
    // or shuts the socket down, so no frame overtakes another and no write
    // reaches a descriptor the socket no longer owns.
    int direct_fd = -1;

    void post(std::shared_ptr<Core> self);
    // Reactor side.
    void deliver(Received message);
    void disconnect(std::uint16_t code, std::string reason);
    void wake_unlocked(std::unique_lock<std::mutex>& lock);  // unlocks, then runs the waker
    // Application side, under the lock, inbox not empty: takes its front;
    // true when the caller must post (reading resumes).
    bool pop_locked(Received& out);
    // Application side, under the lock: writes what is queued to direct_fd
    // without blocking; what the socket does not take stays queued.
    void write_here_locked();
};

struct fasterapi::RequestHold::State {
    std::weak_ptr<detail::Connection> connection;
    std::weak_ptr<detail::Reactor> reactor;
    std::weak_ptr<const Responder::Slot> slot;  // the request it was taken for (HangUp)
};

// What the application answered one request with: a response; or a
// stream's head and the stream; or a WebSocket (response unused).
// An answer destroyed before a connection took its stream or WebSocket (the
// connection or its reactor is gone) tells their producer it is over.
struct fasterapi::Responder::Answer {
    Answer() = default;
    Answer(Answer&&) noexcept = default;
    Answer& operator=(Answer&&) noexcept = default;
    ~Answer();

    http::Response response;
    std::shared_ptr<ResponseStream::Core> stream;
    std::shared_ptr<WebSocket::Core> websocket;
    // Written by the answering thread (Slot::Lease): `response` is unused;
    // `unsent` is what the socket did not take at once, for the reactor.
    bool written = false;
    bool write_failed = false;  // the socket refused it: the connection is over
    std::string unsent;
    std::int64_t written_ns = 0;  // steady clock once serialised, with request_timing
    std::uint16_t written_status = 0;  // for the access log
};

// One request's place in its connection's response order.
struct fasterapi::Responder::Slot {
    Slot() = default;  // answered by the connection itself (a protocol error)
    // For the application to answer: `owner` is the reactor the request was
    // read on; `alive` expires with it.
    Slot(reactor_context& owner, std::weak_ptr<const void> alive) { answer.emplace(owner, std::move(alive)); }
    ~Slot();  // a stream still attached learns that its connection is done with it

    // Resolved by the Responder, from any thread; the connection's
    // continuation takes the answer on the reactor thread (Connection::dispatch).
    std::optional<foreign_promise<Answer>> answer;
    std::weak_ptr<detail::Connection> connection;
    std::weak_ptr<detail::Reactor> reactor;

    // The answering thread may write the response itself (WriteHere): the
    // connection grants it at dispatch, when nothing is owed before it (but
    // answers already written that way) and nothing is being written, and
    // withdraws it before its
    // reactor would frame the response differently (the server stopping,
    // the client's input ended) or closes the socket. One thread wins each
    // transition:
    //   granted -> writing (the answerer, then writes) -> done
    //   granted -> withdrawn (the connection: answered as usual)
    //   writing -> orphaned (the connection closes meanwhile: it hands its
    //              descriptor over in `orphan_fd`, which the writer closes)
    enum class Lease : std::uint8_t { none, granted, writing, done, withdrawn, orphaned };
    std::atomic<Lease> lease{Lease::none};
    int lease_fd = -1;            // the socket, set before granting
    int orphan_fd = -1;           // set before `orphaned`
    bool lease_timed = false;     // copies for the writer, set before granting
    std::string server_header;

    // Touched only on the reactor thread.
    http::Response response;
    std::shared_ptr<ResponseStream::Core> stream;  // a streamed body follows the head
    std::shared_ptr<WebSocket::Core> websocket;    // an upgrade the application answers
    bool ready = false;
    bool head = false;        // HEAD: the body is not written
    bool keep_alive = true;   // the request allows another after it
    bool verbatim = false;    // `response` carries its own framing lines (reject's 400): written as is
    bool written = false;     // the answering thread wrote it (Lease); `unsent` goes before anything else
    std::string unsent;
    std::int64_t written_ns = 0;
    std::uint16_t written_status = 0;
    // The request asked for `Expect: 100-continue` and no 100 went out for
    // it: one goes just before a streamed answer's head (Starlette's
    // streaming responses read the request while they stream, which makes
    // uvicorn send it), and before any answer when the route reads the body.
    bool continue_owed = false;
    bool continue_reads_body = false;
    int version_minor = 1;
    std::int64_t parsed_ns = 0;  // steady clock at dispatch, with request_timing
    std::string log_request;  // "GET /a?b HTTP/1.1" when access-logging
    // Streams only, once the head is written.
    bool head_written = false;
    bool chunked = false;       // frame the body as chunks
    bool body_allowed = false;  // body bytes go on the wire (not HEAD, 204, 304, 1xx)
    bool close_after = false;   // the connection closes when the body ends
    // Body bytes taken from the stream and written by reference (swapped
    // with the stream's queue, so neither side copies or reallocates).
    std::string in_flight;
};

namespace fasterapi::detail {

// The read side's bytes: [begin, end) is unparsed input, starting at the
// current request's first byte; reads append after end.
class InputBuffer {
public:
    std::string_view view() const noexcept { return {data_.get() + begin_, end_ - begin_}; }
    void consume(std::size_t n) noexcept { begin_ += n; }
    // Room for at least `min_free` bytes after end; moves or grows the bytes,
    // so only call it with no read in flight.
    asio::mutable_buffer prepare(std::size_t min_free);
    void commit(std::size_t n) noexcept { end_ += n; }
    void discard() noexcept { begin_ = end_ = 0; }
    // Gives back a buffer that grew for a large request, once it is empty;
    // only with no read in flight.
    void shrink(std::size_t keep) noexcept;

private:
    std::unique_ptr<char[]> data_;
    std::size_t capacity_ = 0;
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
};

class Connection : public std::enable_shared_from_this<Connection> {
public:
    using Clock = std::chrono::steady_clock;
    using Slot = Responder::Slot;

    Connection(Reactor& reactor, asio::ip::tcp::socket socket, bool counted);
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    void start();
    // Answers `status` and closes without reading a request (503 when full).
    void refuse(std::uint16_t status);
    // The dispatcher's answer for `slot`.
    void deliver(Slot& slot, http::Response&& response);
    // The answer the request's future resolved with: one of the three.
    void answered(Slot& slot, Responder::Answer&& answer);
    // The dispatcher answers `slot` with a streamed body.
    void deliver_stream(Slot& slot, http::Response&& head, std::shared_ptr<ResponseStream::Core> stream);
    // A stream's producer queued bytes, ended or aborted.
    void stream_progress();
    // The dispatcher answers `slot`, an upgrade request, with a WebSocket.
    void deliver_websocket(Slot& slot, std::shared_ptr<WebSocket::Core> core);
    // The application accepted, refused, sent, closed or took messages.
    void websocket_progress();
    // Server stop: close if idle, else finish what is pending, then close.
    void stop_gracefully();
    // Still serving at the end of stop()'s grace period: what it waits for,
    // for the log ("1 response owed: waiting for the application").
    std::string still_serving() const;
    bool counted() const noexcept { return counted_; }  // holds a place under max_connections
    // Resolved once the connection no longer holds a place under
    // max_connections: closed, or lingering after its last response (ready
    // at once for a 503 refusal). One caller; on the reactor thread.
    future<> served();
    void close() noexcept;
    ~Connection();
    // RequestHold: taken and released on any thread; the last release
    // resumes the connection (resume(), on the reactor thread), as does the
    // hold's time limit. The limit runs only while a request waits on the
    // holds alone (time_hold()): a hold taken long before the next request
    // arrives, or across a long stream, still holds it for hold_limit.
    void hold() noexcept {
        // Counted first: a thread that sees the hold sees it as new.
        holds_taken_.fetch_add(1, std::memory_order_release);
        holds_.fetch_add(1, std::memory_order_acq_rel);
    }
    bool release_hold() noexcept { return holds_.fetch_sub(1, std::memory_order_acq_rel) == 1; }
    void resume();  // on the reactor thread
    // HangUp: the connection ends once the response to `slot`'s request is
    // written (at once if it already was), with no `connection: close`
    // line; requests after it are not answered. Reactor thread.
    void hang_up(const Slot* slot);
    // How long a hold keeps the next request waiting at most: work after a
    // response that takes longer (a slow background task) goes on while the
    // next request is served, as under uvicorn, which never waits for it.
    static constexpr std::chrono::milliseconds hold_limit{200};

private:
    std::atomic<int> holds_{0};  // RequestHolds alive: no new request is started
    std::atomic<std::uint32_t> holds_taken_{0};  // RequestHolds ever taken
    bool hang_up_ = false;       // reactor thread: close after the responses owed (HangUp)
    // Reactor thread: a request waited hold_limit on the holds taken up to
    // the lapsed_at_-th; they no longer hold, one taken after them does.
    bool hold_lapsed_ = false;
    std::uint32_t lapsed_at_ = 0;
    bool hold_timing_ = false;  // reactor thread: hold_timer_ runs for a waiting request
    // No further request is started: held by a RequestHold, or hanging up.
    bool held() const noexcept {
        if (hang_up_) return true;
        if (holds_.load(std::memory_order_acquire) == 0) return false;
        return !hold_lapsed_ || holds_taken_.load(std::memory_order_acquire) != lapsed_at_;
    }
    // A request waits on the holds alone: start their time limit, once.
    void time_hold();
    // The slot whose answer may be written by its answering thread (Slot::Lease).
    std::shared_ptr<Slot> leased_;
    // Takes the lease back before the reactor frames the front response
    // itself; `closing`: before the socket closes (a writer still writing
    // gets the descriptor to close).
    void withdraw_lease(bool closing) noexcept;
    // Before the socket closes or shuts down: a WebSocket's senders no
    // longer write to it themselves (WebSocket::Core::direct_fd).
    void stop_direct_writes() noexcept;
    // max_dispatched requests are still being served (unanswered, streaming,
    // or answered with a response that closes, not yet written).
    bool dispatch_full() const noexcept;
    static bool closes_after(const Slot& slot) noexcept;
    // Parsing the next request must wait.
    bool parse_blocked() const noexcept;
    // Reading may go on: room in the pipeline, and not too much input waiting to be parsed.
    bool may_read() const noexcept;
    struct Deadline {
        explicit Deadline(asio::io_context& io) : timer(io) {}
        asio::steady_timer timer;
        Clock::time_point at = Clock::time_point::max();
        bool armed = false;
    };
    enum class ReadWait : std::uint8_t { none, idle, head, body, linger, ws_idle, ws_ping, ws_closing };

    void start_read();
    bool socket_empty() noexcept;
    // A stream or WebSocket that waits for input holds no input buffer.
    void release_idle_buffer() noexcept;
    void release_write_buffers() noexcept;
    void on_readable(std::error_code ec);
    void on_read(std::error_code ec, std::size_t n);
    void process(bool bytes_arrived);
    // `continue_owed`: see Slot; `reads_body` the dispatcher's reads_body().
    void dispatch(http::Request&& request, bool continue_owed = false, bool reads_body = false);
    void reject(std::uint16_t status);
    void settle();
    void flush();
    // Writes the head of the stream at the front, then what its producer
    // queued; true when the stream is finished with (popped).
    bool flush_stream(bool& close_after);
    // Upgrade at the front: false while the application has not answered;
    // writes the 101 and switches to frames, or turns into its refusal.
    bool flush_upgrade();
    void process_frames();
    void flush_frames();
    void on_websocket_timeout();
    bool streaming() const noexcept;
    void on_write(std::error_code ec);
    void finish();

    void update_read_deadline(bool bytes_arrived);
    void set_deadline(Deadline& d, Clock::time_point at);
    void on_timer(Deadline& d, std::error_code ec);
    void on_read_timeout();

    Reactor& reactor_;
    ServerContext& context_;
    asio::ip::tcp::socket socket_;
    Deadline read_deadline_;
    Deadline write_deadline_;
    std::unique_ptr<asio::steady_timer> hold_timer_;  // made by the first time_hold()
    ReadWait read_wait_ = ReadWait::none;
    std::size_t head_of_request_ = 0;  // which request the head deadline is for

    InputBuffer in_;
    std::unique_ptr<http::Parser> parser_;  // dropped once the connection carries WebSocket frames
    Fifo<std::shared_ptr<Slot>> pending_;
    std::size_t requests_ = 0;
    int last_version_minor_ = -1;  // of the last request dispatched; -1 before the first
    std::string peer_;  // "127.0.0.1:54321", only when access-logging
    std::string peer_host_;  // "127.0.0.1", for each request's scope["client"]
    std::uint16_t peer_port_ = 0;

    std::string out_;
    std::vector<std::pair<std::size_t, std::string_view>> bodies_;  // large bodies, by reference
    std::vector<asio::const_buffer> buffers_;
    std::vector<std::shared_ptr<Slot>> writing_;  // keeps referenced bodies alive
    std::size_t lingered_ = 0;

    // Frames mode, once a WebSocket is accepted.
    std::shared_ptr<WebSocket::Core> ws_;
    std::optional<ws::FrameParser> frames_;
    bool ws_finish_ = false;  // close once what is queued is written

    bool counted_;
    std::optional<promise<>> served_;  // made by served(); resolved by uncount()
    void uncount() noexcept;
    bool reading_ = false;
    bool waiting_ = false;  // the read in flight is a wait for readiness, not a read into in_
    bool drained_ = false;  // the read being handled found the socket empty
    std::size_t asked_ = 0;  // room the read in flight was given
    bool in_write_ = false;
    bool processing_ = false;   // inside process(): answers wait for its flush
    bool read_closed_ = false;  // closing: parse nothing more
    bool eof_ = false;          // the peer finished sending: nothing more is read; what was read is still served
    bool close_after_write_ = false;
    bool continue_due_ = false;
    // The request being parsed asked for 100-continue and the dispatcher
    // was asked whether it reads the body: `early_` when it does not and
    // the request was dispatched at its head; its body is then dropped.
    bool continue_asked_ = false;
    bool continue_reads_ = false;
    bool early_ = false;
    bool lingering_ = false;
    bool closed_ = false;
};

}  // namespace fasterapi::detail
