// ResponseStream: the producer's side of a streamed body (see stream.hpp),
// and the shared Core the connection drains (see connection.hpp).
#include "connection.hpp"
#include "reactor.hpp"

#include <algorithm>
#include <cstdint>

namespace fasterapi {

void ResponseStream::Core::post(std::shared_ptr<Core> self) {
    std::shared_ptr<detail::Reactor> owner = reactor.lock();
    if (!owner) {
        close();  // the server is gone
        return;
    }
    detail::Reactor::hand_off(std::move(owner), [self = std::move(self)] {
        {
            std::lock_guard lock(self->mutex);
            self->posted = false;
        }
        if (auto c = self->connection.lock()) c->stream_progress();
    });
}

void ResponseStream::Core::append(std::string_view data) {
    queued.append(data);
    // A write past 4 GiB is recorded in parts (h11 would send one chunk).
    for (std::size_t left = data.size(); left > 0;) {
        const std::size_t part = std::min<std::size_t>(left, UINT32_MAX);
        pieces.push_back(static_cast<std::uint32_t>(part));
        left -= part;
    }
}

void ResponseStream::Core::close() noexcept {
    std::function<void()> wake;
    {
        std::lock_guard lock(mutex);
        if (closed) return;
        closed = true;
        queued.clear();
        queued.shrink_to_fit();
        std::vector<std::uint32_t>().swap(pieces);
        if (!ended && !aborted) wake = waker;
    }
    changed.notify_all();
    if (wake) {
        try {
            wake();
        } catch (...) {
            // Out of memory handing the wake-up over: the producer finds the
            // stream closed on its next write.
        }
    }
}

ResponseStream::~ResponseStream() {
    if (core_) abort();
}

ResponseStream::State ResponseStream::write(std::string_view data, bool defer) {
    bool post = false;
    State state;
    {
        std::lock_guard lock(core_->mutex);
        if (core_->closed) return State::closed;
        if (core_->ended || core_->aborted) return State::ended;
        core_->append(data);
        core_->full = core_->queued.size() >= high_water || core_->pieces.size() >= Core::max_pieces;
        state = core_->full ? State::full : State::open;
        if (!defer && !core_->posted) core_->posted = post = true;
    }
    if (post) core_->post(core_);
    return state;
}

void ResponseStream::flush() {
    bool post = false;
    {
        std::lock_guard lock(core_->mutex);
        if (core_->closed || core_->queued.empty()) return;
        if (!core_->posted) core_->posted = post = true;
    }
    if (post) core_->post(core_);
}

void ResponseStream::end() {
    bool post = false;
    {
        std::lock_guard lock(core_->mutex);
        if (core_->ended || core_->aborted || core_->closed) return;
        core_->ended = true;
        if (!core_->posted) core_->posted = post = true;
    }
    if (post) core_->post(core_);
}

void ResponseStream::abort() {
    bool post = false;
    {
        std::lock_guard lock(core_->mutex);
        if (core_->ended || core_->aborted || core_->closed) return;
        core_->aborted = true;
        if (!core_->posted) core_->posted = post = true;
    }
    if (post) core_->post(core_);
}

ResponseStream::State ResponseStream::state() const {
    std::lock_guard lock(core_->mutex);
    if (core_->closed) return State::closed;
    if (core_->ended || core_->aborted) return State::ended;
    return core_->full ? State::full : State::open;
}

void ResponseStream::set_waker(std::function<void()> waker) {
    std::function<void()> old;
    std::lock_guard lock(core_->mutex);
    old.swap(core_->waker);  // destroyed after unlocking
    core_->waker = std::move(waker);
}

ResponseStream::State ResponseStream::wait_writable(std::chrono::milliseconds timeout) {
    std::unique_lock lock(core_->mutex);
    core_->changed.wait_for(lock, timeout, [&] { return core_->closed || !core_->full; });
    if (core_->closed) return State::closed;
    if (core_->ended || core_->aborted) return State::ended;
    return core_->full ? State::full : State::open;
}

}  // namespace fasterapi
