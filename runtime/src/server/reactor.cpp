#include "reactor.hpp"

#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <system_error>
#include <mutex>
#include <vector>

#include "connection.hpp"

namespace fasterapi::detail {

namespace {

http::ParserLimits limits_of(const ServerConfig& c) {
    http::ParserLimits l;
    l.max_request_line = c.max_request_line;
    l.max_header_bytes = c.max_header_bytes;
    l.max_header_count = c.max_header_count;
    l.max_body_bytes = c.max_body_bytes;
    return l;
}

int new_eventfd() {
    const int fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
    return fd;
}

// A posted function, run on the reactor thread; what it throws is reported
// there and the reactor goes on, as with a handler that throws in io_.run().
std::unique_ptr<reactor_context::task> logging_task(std::function<void()> fn) {
    return make_task([fn = std::move(fn)]() noexcept {
        try {
            fn();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "ERROR:    reactor: %s\n", e.what());
        } catch (...) {
            std::fprintf(stderr, "ERROR:    reactor: unknown exception\n");
        }
    });
}

}  // namespace

Mailbox::Mailbox(asio::io_context& io) : fd_(new_eventfd()), wake_(io) {
    // The stream_descriptor owns fd_ from here and closes it.
    std::error_code ec;
    wake_.assign(fd_, ec);
    if (ec) {
        ::close(fd_);
        throw std::system_error(ec, "eventfd");
    }
    wait();
}

Mailbox::~Mailbox() = default;

void Mailbox::post(std::unique_ptr<reactor_context::task> t) {
    bool wake;
    {
        std::lock_guard lock(mutex_);
        pending_.push_back(std::move(t));
        wake = !signalled_;
        signalled_ = true;
    }
    if (wake) {
        const std::uint64_t one = 1;
        // EAGAIN only at a counter near 2^64: the reactor is woken anyway.
        [[maybe_unused]] auto n = ::write(fd_, &one, sizeof one);
    }
}

void Mailbox::wait() {
    // A read, not a wait: asio tries it at once, so a wake-up written before
    // the read was started is not missed (the descriptor is edge-triggered).
    wake_.async_read_some(asio::buffer(&count_, sizeof count_), [this](std::error_code ec, std::size_t) {
        if (ec == asio::error::operation_aborted) return;
        drain();
        wait();
    });
}

void Mailbox::drain() {
    std::vector<std::unique_ptr<reactor_context::task>> batch;
    {
        std::lock_guard lock(mutex_);
        batch.swap(pending_);
        signalled_ = false;
    }
    for (auto& t : batch) t->run();
}

void ReactorScheduler::post(std::unique_ptr<task> t) {
    if (reactor_context::current() == this) {
        asio::post(timers_.io(), [t = std::move(t)] { t->run(); });
        return;
    }
    mailbox_.post(std::move(t));
}

ServerContext::ServerContext(ServerConfig c, Dispatcher& d)
    : config(std::move(c)), limits(limits_of(config)), dispatcher(d) {}

bool ServerContext::admit() noexcept {
    std::size_t n = connections.load(std::memory_order_relaxed);
    do {
        if (n >= config.max_connections) return false;
    } while (!connections.compare_exchange_weak(n, n + 1, std::memory_order_relaxed));
    return true;
}

void ServerContext::release() noexcept { connections.fetch_sub(1, std::memory_order_acq_rel); }

Reactor::Reactor(ServerContext& context)
    : work_(asio::make_work_guard(io_)), context_(context), acceptor_(io_), accept_retry_(io_) {}

std::uint16_t Reactor::listen(const asio::ip::tcp::endpoint& endpoint, int backlog) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    const int one = 1;
    if (::setsockopt(acceptor_.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
        throw std::system_error(errno, std::system_category(), "setsockopt(SO_REUSEPORT)");
    acceptor_.bind(endpoint);
    acceptor_.listen(backlog);
    return acceptor_.local_endpoint().port();
}

void Reactor::start_accepting() { accept(); }

void Reactor::run() {
    reactor_context::scope bound(scheduler_);
    for (;;) {
        try {
            io_.run();
            return;
        } catch (const std::exception& e) {
            // A handler threw: report it and keep serving the other connections.
            std::fprintf(stderr, "ERROR:    reactor: %s\n", e.what());
        }
    }
}

void Reactor::accept() {
    acceptor_.async_accept([this](std::error_code ec, asio::ip::tcp::socket socket) {
        if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
        if (!ec) {
            on_accepted(std::move(socket));
            accept();
            return;
        }
        if (ec == asio::error::connection_aborted || ec == asio::error::interrupted ||
            ec == asio::error::try_again) {
            accept();
            return;
        }
        // Out of descriptors or buffers: accepting again at once would spin;
        // the backlog holds the clients for a moment.
        accept_retry_.expires_after(std::chrono::milliseconds(50));
        accept_retry_.async_wait([this](std::error_code wait_ec) {
            if (!wait_ec && acceptor_.is_open()) accept();
        });
    });
}

void Reactor::on_accepted(asio::ip::tcp::socket socket) {
    std::error_code ignored;
    if (context_.stopping.load()) {
        socket.close(ignored);
        return;
    }
    socket.set_option(asio::ip::tcp::no_delay(true), ignored);
    const bool admitted = context_.admit();
    auto connection = std::make_shared<Connection>(*this, std::move(socket), admitted);
    connections_.emplace(connection.get(), connection);
    if (admitted) connection->start();
    else connection->refuse(503);
}

void Reactor::stop(reactor_context::clock::time_point deadline) {
    begin_stop();  // closes the idle ones at once
    std::vector<future<>> serving;
    serving.reserve(connections_.size());
    for (auto& [ptr, connection] : connections_) serving.push_back(connection->served());
    detail::when_resolved(with_timeout(deadline, when_all(std::move(serving))), [this](auto&& done) {
        if (done.failed()) {
            // The grace period is over: say what is cut off.
            for (auto& [ptr, connection] : connections_) {
                if (!connection->counted()) continue;
                std::fprintf(stderr, "WARNING:  closing %s at the end of the grace period\n",
                             connection->still_serving().c_str());
            }
            (void)done.get_exception();
        }
        // Posted: this may run inside the close() of the last connection.
        asio::post(io_, [this] { close_all(); });
    });
}

void Reactor::begin_stop() {
    std::error_code ignored;
    acceptor_.close(ignored);
    accept_retry_.cancel();
    std::vector<std::shared_ptr<Connection>> all;
    all.reserve(connections_.size());
    for (auto& [ptr, connection] : connections_) all.push_back(connection);
    for (auto& connection : all) connection->stop_gracefully();
}

void Reactor::close_all() {
    std::error_code ignored;
    acceptor_.close(ignored);
    accept_retry_.cancel();
    std::vector<std::shared_ptr<Connection>> all;
    all.reserve(connections_.size());
    for (auto& [ptr, connection] : connections_) all.push_back(connection);
    for (auto& connection : all) connection->close();
    work_.reset();
    // The handlers aborted by the closes are queued before this one; answers
    // posted later are destroyed with the io_context.
    asio::post(io_, [this] { io_.stop(); });
}

void Reactor::remove(Connection* connection) noexcept { connections_.erase(connection); }

void Reactor::post(std::function<void()> fn) { scheduler_.mailbox().post(logging_task(std::move(fn))); }

}  // namespace fasterapi::detail

namespace fasterapi {

struct HandoffBatch::State {
    std::function<void()> schedule_flush;
    std::mutex mutex;
    bool scheduled = false;  // schedule_flush was called since the last flush
    std::vector<std::pair<std::shared_ptr<detail::Reactor>, std::vector<std::function<void()>>>> held;

    void flush() {
        decltype(held) out;
        {
            std::lock_guard lock(mutex);
            out.swap(held);
            scheduled = false;
        }
        for (auto& [reactor, fns] : out) {
            reactor->post([fns = std::move(fns)]() mutable {
                for (auto& fn : fns) fn();
            });
        }
    }
};

namespace {
thread_local std::weak_ptr<HandoffBatch::State> attached_batch;
}  // namespace

HandoffBatch::HandoffBatch(std::function<void()> schedule_flush) : state_(std::make_shared<State>()) {
    state_->schedule_flush = std::move(schedule_flush);
}

HandoffBatch::~HandoffBatch() { state_->flush(); }

void HandoffBatch::attach() { attached_batch = state_; }

void HandoffBatch::flush() { state_->flush(); }

std::function<void()> HandoffBatch::flusher() const {
    return [weak = std::weak_ptr<State>(state_)] {
        if (auto state = weak.lock()) state->flush();
    };
}

}  // namespace fasterapi

namespace fasterapi::detail {

void Reactor::hand_off(std::shared_ptr<Reactor> owner, std::function<void()> fn) {
    std::shared_ptr<HandoffBatch::State> batch = attached_batch.lock();
    if (!batch) {
        owner->post(std::move(fn));
        return;
    }
    bool schedule = false;
    {
        std::lock_guard lock(batch->mutex);
        auto it = std::find_if(batch->held.begin(), batch->held.end(),
                               [&](const auto& entry) { return entry.first == owner; });
        if (it == batch->held.end()) {
            batch->held.emplace_back(std::move(owner), std::vector<std::function<void()>>{});
            it = batch->held.end() - 1;
        }
        it->second.push_back(std::move(fn));
        schedule = !batch->scheduled;
        batch->scheduled = true;
    }
    if (schedule) batch->schedule_flush();
}

void Reactor::dispatched() {
    if (flush_scheduled_) return;
    flush_scheduled_ = true;
    // Posted handlers run after the completions already queued in this turn,
    // so every request parsed in this turn is dispatched before the flush.
    asio::post(io_, [this] {
        flush_scheduled_ = false;
        context_.dispatcher.flush();
    });
}

}  // namespace fasterapi::detail
