// WebSocket: the application's side of an upgraded connection (see
// websocket.hpp), and the shared Core the connection drives (connection.hpp).
#include "connection.hpp"
#include "fasterapi/ws/handshake.hpp"
#include "reactor.hpp"

#include <sys/socket.h>

#include <cerrno>

namespace fasterapi {

namespace {

http::Response plain(std::uint16_t status, std::string_view body) {
    http::Response r;
    r.status = status;
    r.add_header("content-type", "text/plain; charset=utf-8");
    r.body = body;
    return r;
}

}  // namespace

void WebSocket::Core::post(std::shared_ptr<Core> self) {
    std::shared_ptr<detail::Reactor> owner = reactor.lock();
    if (!owner) return;  // the server is gone
    detail::Reactor::hand_off(std::move(owner), [self = std::move(self)] {
        {
            std::lock_guard lock(self->mutex);
            self->posted = false;
        }
        if (auto c = self->connection.lock()) c->websocket_progress();
    });
}

void WebSocket::Core::wake_unlocked(std::unique_lock<std::mutex>& lock) {
    std::function<void()> wake = waker;
    lock.unlock();
    changed.notify_all();
    if (wake) {
        try {
            wake();
        } catch (...) {
            // Out of memory handing the wake-up over: the application sees
            // the state on its next call.
        }
    }
}

void WebSocket::Core::deliver(Received message) {
    std::unique_lock lock(mutex);
    if (disconnected) return;
    inbox_bytes += message.data.size();
    inbox.push_back(std::move(message));
    if (wake_on_message) {
        wake_on_message = false;
        wake_unlocked(lock);
    } else {
        lock.unlock();
        changed.notify_all();
    }
}

void WebSocket::Core::disconnect(std::uint16_t code, std::string reason) {
    std::unique_lock lock(mutex);
    if (disconnected) return;
    disconnected = true;
    phase = Phase::closed;
    Received last;
    last.kind = Received::Kind::disconnect;
    last.code = code;
    last.data = std::move(reason);
    inbox.push_back(std::move(last));
    wake_unlocked(lock);
}

WebSocket::~WebSocket() {
    if (!core_) return;
    bool post = false;
    {
        std::lock_guard lock(core_->mutex);
        if (core_->phase == Core::Phase::handshake) {
            core_->phase = Core::Phase::refused;
            core_->refusal = plain(500, "Internal Server Error");
        } else if (core_->phase == Core::Phase::open && !core_->close_sent) {
            ws::append_close(core_->queued, ws::close_code::internal_error);
            core_->close_sent = true;
            core_->phase = Core::Phase::closing;
        } else {
            return;
        }
        if (!core_->posted) core_->posted = post = true;
    }
    if (post) core_->post(core_);
}

bool WebSocket::accept(std::string_view subprotocol, std::string_view headers) {
    bool post = false;
    {
        std::lock_guard lock(core_->mutex);
        if (core_->phase != Core::Phase::handshake) return false;
        std::vector<std::string_view> offers(core_->offer.extensions.begin(), core_->offer.extensions.end());
        std::optional<ws::DeflateAgreement> deflate = ws::negotiate_deflate(offers);
        ws::append_accept_response(core_->accept_head, core_->offer.key, subprotocol,
                                   deflate ? std::string_view(deflate->response) : std::string_view(), headers);
        if (deflate) {
            core_->deflate = deflate->params;
            core_->deflater.emplace(deflate->params);
        }
        core_->phase = Core::Phase::open;
        core_->accepted = true;
        if (!core_->posted) core_->posted = post = true;
    }
    if (post) core_->post(core_);
    return true;
}

bool WebSocket::refuse(http::Response response) {
    bool post = false;
    {
        std::lock_guard lock(core_->mutex);
        if (core_->phase != Core::Phase::handshake) return false;
        core_->phase = Core::Phase::refused;
        core_->refusal = std::move(response);
        if (!core_->posted) core_->posted = post = true;
    }
    if (post) core_->post(core_);
    return true;
}

void WebSocket::Core::write_here_locked() {
    std::size_t sent = 0;
    while (sent < queued.size()) {
        const ssize_t n = ::send(direct_fd, queued.data() + sent, queued.size() - sent, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n > 0) {
            sent += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        break;  // full (the reactor writes the rest) or gone (the reactor finds out)
    }
    queued.erase(0, sent);
}

WebSocket::State WebSocket::send(bool text, std::string_view payload) {
    bool post = false;
    State state;
    {
        std::lock_guard lock(core_->mutex);
        if (core_->phase != Core::Phase::open || core_->close_sent) return State::closed;
        // Nothing waits to be written, nor to be answered: one message at a
        // time, written here. With messages still to take, this one waits
        // for the others and the reactor writes them together.
        const bool alone = core_->direct_fd >= 0 && core_->queued.empty() && core_->inbox.empty();
        ws::append_message(core_->queued, text ? ws::Opcode::text : ws::Opcode::binary, payload,
                           core_->deflater ? &*core_->deflater : nullptr);
        if (alone) core_->write_here_locked();
        core_->full = core_->queued.size() >= high_water;
        state = core_->full ? State::full : State::open;
        if (!core_->queued.empty() && !core_->posted) core_->posted = post = true;
    }
    if (post) core_->post(core_);
    return state;
}

void WebSocket::abort() {
    bool post = false;
    {
        std::lock_guard lock(core_->mutex);
        if (core_->phase == Core::Phase::handshake) {
            // Not answered yet (an HTTP answer of the application's own that
            // failed half-way): the connection closes without a response,
            // as it does for a head that is not final.
            core_->phase = Core::Phase::refused;
            core_->refusal = http::Response{};
            core_->refusal.status = 0;
        } else if (core_->phase == Core::Phase::open && !core_->close_sent) {
            core_->close_sent = true;
            core_->aborted = true;
            core_->phase = Core::Phase::closing;
        } else {
            return;
        }
        if (!core_->posted) core_->posted = post = true;
    }
    if (post) core_->post(core_);
}

void WebSocket::close(std::uint16_t code, std::string_view reason) {
    bool post = false;
    {
        std::lock_guard lock(core_->mutex);
        if (core_->phase != Core::Phase::open || core_->close_sent) return;
        ws::append_close(core_->queued, code, reason);
        core_->close_sent = true;
        core_->phase = Core::Phase::closing;
        if (!core_->posted) core_->posted = post = true;
    }
    if (post) core_->post(core_);
}

bool WebSocket::Core::pop_locked(Received& out) {
    out = std::move(inbox.front());
    inbox.pop_front();
    inbox_bytes -= std::min(inbox_bytes, out.data.size());
    if (reading_paused && inbox_bytes < inbox_limit / 2) {
        reading_paused = false;
        if (!posted) return posted = true;
    }
    return false;
}

bool WebSocket::take(Received& out) {
    bool post = false;
    {
        std::lock_guard lock(core_->mutex);
        if (core_->inbox.empty()) {
            core_->wake_on_message = true;
            return false;
        }
        post = core_->pop_locked(out);
    }
    if (post) core_->post(core_);
    return true;
}

bool WebSocket::take_if(Received::Kind kind, Received& out) {
    bool post = false;
    {
        std::lock_guard lock(core_->mutex);
        if (core_->inbox.empty() || core_->inbox.front().kind != kind) return false;
        post = core_->pop_locked(out);
    }
    if (post) core_->post(core_);
    return true;
}

bool WebSocket::accepted() const {
    std::lock_guard lock(core_->mutex);
    return core_->accepted;
}

const std::vector<std::string>& WebSocket::subprotocols() const { return core_->offer.protocols; }

void WebSocket::set_waker(std::function<void()> waker) {
    std::function<void()> old;
    std::lock_guard lock(core_->mutex);
    old.swap(core_->waker);
    core_->waker = std::move(waker);
    core_->wake_on_message = true;
}

WebSocket::State WebSocket::state() const {
    std::lock_guard lock(core_->mutex);
    if (core_->phase != Core::Phase::open || core_->close_sent) return State::closed;
    return core_->full ? State::full : State::open;
}

bool WebSocket::wait_received(std::chrono::milliseconds timeout) {
    std::unique_lock lock(core_->mutex);
    return core_->changed.wait_for(lock, timeout, [&] { return !core_->inbox.empty(); });
}

WebSocket::State WebSocket::wait_writable(std::chrono::milliseconds timeout) {
    std::unique_lock lock(core_->mutex);
    core_->changed.wait_for(lock, timeout, [&] {
        return !core_->full || core_->phase != Core::Phase::open || core_->close_sent;
    });
    if (core_->phase != Core::Phase::open || core_->close_sent) return State::closed;
    return core_->full ? State::full : State::open;
}

}  // namespace fasterapi
