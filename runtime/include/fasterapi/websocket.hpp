// WebSocket: a connection upgraded by RFC 6455, as the application sees it.
//
// The server checks the opening handshake and hands the request to the
// dispatcher, which answers with Responder::websocket(): the application
// (the app's ASGI entry, on the asyncio loop) then accepts — the connection
// writes `101 Switching Protocols` and reads frames from then on — or refuses
// with an HTTP response. After accepting, the connection parses frames in C++
// (masking, fragmentation, UTF-8, limits, permessage-deflate), answers pings
// itself, and queues whole messages for the application to take(); sends are
// framed (and compressed) on the caller's thread and written by the reactor —
// or by the caller itself, without blocking, when the connection is writing
// nothing, nothing is queued and no received message waits to be taken (one
// message at a time: no thread hand-off to answer it).
//
// States:
//   1. handshake — neither accepted nor refused; nothing is read.
//   2. open      — accepted: messages flow both ways.
//   3. closing   — the application sent a close frame: the peer's close is
//                  awaited (at most close_timeout), messages still arrive.
//   4. closed    — the closing handshake finished, the peer vanished, or the
//                  protocol was broken (the peer gets the close code). A
//                  `disconnect` message with the code is the last one taken.
//
// What must hold:
//   - take() yields every message received before the disconnect, in order,
//     then exactly one disconnect.
//   - the waker runs (on a reactor thread, without the GIL) when a message
//     arrives after take() found the inbox empty (or after set_waker), when
//     the connection closes, and when a full send buffer drains: a burst of
//     messages wakes the application once, which takes until it is empty.
//   - a WebSocket destroyed while open closes with 1011 (or refuses with 500
//     in the handshake state).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fasterapi/http/response.hpp"

namespace fasterapi {

// What a valid opening handshake offered (see ws/handshake.hpp).
struct WebSocketOffer {
    std::string key;                      // Sec-WebSocket-Key
    std::vector<std::string> protocols;   // Sec-WebSocket-Protocol tokens, in order
    std::vector<std::string> extensions;  // every Sec-WebSocket-Extensions value
};

class WebSocket {
public:
    enum class State : std::uint8_t { open, full, closed };
    static constexpr std::size_t high_water = 256 * 1024;       // queued outgoing bytes: full
    static constexpr std::size_t inbox_limit = 1024 * 1024;     // received bytes not taken: stop reading

    struct Received {
        enum class Kind : std::uint8_t { text, binary, disconnect };
        Kind kind = Kind::disconnect;
        std::string data;           // the message; the close reason for disconnect
        std::uint16_t code = 1006;  // disconnect: the peer's close code (1006: no close frame)
    };

    struct Core;  // shared with the connection; defined by the server
    explicit WebSocket(std::shared_ptr<Core> core) noexcept : core_(std::move(core)) {}
    WebSocket(const WebSocket&) = delete;
    WebSocket& operator=(const WebSocket&) = delete;
    ~WebSocket();

    // Handshake state only; false otherwise. `headers`: "name: value\r\n"
    // lines added to the 101 response.
    bool accept(std::string_view subprotocol, std::string_view headers);
    bool refuse(http::Response response);

    // Open state: queues one message. Returns the state after queuing.
    State send(bool text, std::string_view payload);
    // Sends a close frame (once); the connection closes when the peer answers.
    void close(std::uint16_t code, std::string_view reason);
    // Open state, no close frame sent: what is queued is written, then the
    // TCP connection closes without a close frame (the peer sees 1006), as
    // uvicorn does when the application fails after accepting. Before the
    // handshake is answered: the connection closes without a response.
    void abort();
    // The next received message, if any.
    bool take(Received& out);
    // The next received message if it is of `kind` (text or binary); false
    // when there is none or it is of another kind (left in place: take()
    // gets it). Unlike take(), finding the inbox empty does not arm the
    // waker: call take() before waiting.
    bool take_if(Received::Kind kind, Received& out);
    bool accepted() const;
    // Offered by the client, in order (the `subprotocols` of an ASGI scope).
    const std::vector<std::string>& subprotocols() const;
    void set_waker(std::function<void()> waker);
    // The send side: open, full (wait for the waker) or closed.
    State state() const;
    // For callers on worker threads (without the GIL): block until a message
    // can be taken / the send buffer is not full, or `timeout`.
    bool wait_received(std::chrono::milliseconds timeout);
    State wait_writable(std::chrono::milliseconds timeout);

private:
    std::shared_ptr<Core> core_;
};

}  // namespace fasterapi
