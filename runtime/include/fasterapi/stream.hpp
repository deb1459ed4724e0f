// ResponseStream: a response body produced over time (StreamingResponse,
// Server-Sent Events), written by the connection as it arrives.
//
// A producer — a Python generator driven on the asyncio loop, or a handler on
// an executor worker — gets a ResponseStream from Responder::stream() and
// writes body bytes from its own thread; the connection, on its reactor
// thread, frames them (chunked transfer coding, a chunk per write() as h11
// sends a chunk per body message; or raw bytes when the head carries
// content-length, or until close for HTTP/1.0) and writes them in request
// order, after the responses before it.
//
// States (what the producer sees):
//   1. open    — write() queues bytes; the connection picks them up on its
//                next turn.
//   2. full    — at least `high_water` bytes (or 16 Ki writes) wait for
//                the socket: the producer should stop until woken (slow
//                client). Writing more is allowed but only grows the queue.
//   3. closed  — the client went away (disconnect, reset, write timeout) or
//                the server stopped: written bytes are dropped. Terminal.
//   4. ended   — end() was called: the terminating chunk goes out after the
//                queued bytes and the connection serves its next request.
//                Terminal for the producer.
//
// What must hold:
//   - the waker runs after every transition out of `full`, and once on
//     `closed`; it runs on a reactor thread without the GIL, so it must only
//     hand work to another thread (post to the asyncio loop, notify).
//   - a ResponseStream destroyed before end() aborts: the connection writes
//     what is queued and then closes without the terminating chunk, so the
//     client sees a truncated body, never a complete-looking one.
//   - memory per stream is bounded by about four times `high_water` plus
//     one write, as long as the producer honours `full`: the queue, and the
//     buffer being written (large writes go out by reference, the two
//     buffers swapping roles, so neither side copies or reallocates).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

namespace fasterapi {

class ResponseStream {
public:
    enum class State : std::uint8_t { open, full, closed, ended };
    static constexpr std::size_t high_water = 256 * 1024;

    struct Core;  // shared with the connection; defined by the server
    explicit ResponseStream(std::shared_ptr<Core> core) noexcept : core_(std::move(core)) {}
    ResponseStream(const ResponseStream&) = delete;
    ResponseStream& operator=(const ResponseStream&) = delete;
    ~ResponseStream();  // aborts unless ended

    // Any thread. Queues body bytes; returns the state after queuing.
    // With `defer`, the connection is not told yet: several writes made in
    // one go then cost the connection one turn (one socket write) instead of
    // one each; the producer calls flush() once it is done for now (always
    // before it waits for `full` to clear).
    State write(std::string_view data, bool defer = false);
    // Any thread. Hands deferred bytes to the connection.
    void flush();
    // Any thread. The body is complete.
    void end();
    // Any thread. The body cannot be completed (the producer failed):
    // the connection closes after the queued bytes.
    void abort();
    State state() const;
    // Any thread. Replaces the waker (see above); pass {} to clear it.
    void set_waker(std::function<void()> waker);
    // Blocks the calling thread until the stream is not full, or `timeout`
    // passes; returns the state then. For producers on worker threads (call
    // it with the GIL released).
    State wait_writable(std::chrono::milliseconds timeout);

private:
    std::shared_ptr<Core> core_;
};

}  // namespace fasterapi
