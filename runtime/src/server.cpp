#include "fasterapi/server.hpp"

#include <pthread.h>
#include <sched.h>
#include <signal.h>

#include "server/asio_prelude.hpp"

#include <algorithm>
#include <thread>
#include <vector>

#include "server/access_log.hpp"
#include "server/reactor.hpp"

namespace fasterapi {

namespace {

unsigned cpus_in_affinity_mask() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        const int n = CPU_COUNT(&set);
        if (n > 0) return static_cast<unsigned>(n);
    }
    return std::max(1u, std::thread::hardware_concurrency());
}

asio::ip::tcp::endpoint resolve(const std::string& host, std::uint16_t port) {
    std::error_code ec;
    const asio::ip::address address = asio::ip::make_address(host, ec);
    if (!ec) return {address, port};
    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    const auto results = resolver.resolve(host, std::to_string(port),
                                          asio::ip::tcp::resolver::passive);
    return results.begin()->endpoint();  // resolve() throws when there is none
}

// Signals meant for the embedding process (Ctrl-C, a supervisor's SIGTERM)
// must reach its main thread, not a reactor; SIGPIPE is never wanted.
class BlockedSignals {
public:
    BlockedSignals() {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &set, &previous_);
    }
    ~BlockedSignals() { pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }
    BlockedSignals(const BlockedSignals&) = delete;
    BlockedSignals& operator=(const BlockedSignals&) = delete;

private:
    sigset_t previous_;
};

}  // namespace

struct Server::Impl {
    Impl(ServerConfig config, Dispatcher& dispatcher) : context(std::move(config), dispatcher) {}

    detail::ServerContext context;
    std::unique_ptr<detail::AccessLog> access_log;
    std::vector<std::shared_ptr<detail::Reactor>> reactors;
    std::vector<std::thread> threads;
    std::uint16_t port = 0;
    bool running = false;
};

Server::Server(ServerConfig config, Dispatcher& dispatcher)
    : impl_(std::make_unique<Impl>(std::move(config), dispatcher)) {}

Server::~Server() {
    stop(std::chrono::milliseconds(0));
    impl_->reactors.clear();
}

void Server::start() {
    Impl& s = *impl_;
    if (s.running) return;
    const ServerConfig& config = s.context.config;
    const unsigned count = config.reactors != 0 ? config.reactors : cpus_in_affinity_mask();

    // Bind everything before starting any thread, so a bind failure throws
    // with nothing to undo. With port 0 the first reactor picks the port and
    // the others join it.
    std::vector<std::shared_ptr<detail::Reactor>> reactors;
    asio::ip::tcp::endpoint endpoint = resolve(config.host, config.port);
    for (unsigned i = 0; i < count; ++i) {
        auto reactor = std::make_shared<detail::Reactor>(s.context);
        const std::uint16_t bound = reactor->listen(endpoint, config.backlog);
        endpoint.port(bound);
        reactors.push_back(std::move(reactor));
    }
    s.port = endpoint.port();
    s.reactors = std::move(reactors);
    s.context.stopping.store(false);

    // Running from here on, so that stop() joins whatever threads did start
    // should creating a later one throw.
    s.running = true;
    BlockedSignals blocked;  // inherited by every thread created below
    if (config.access_log) {
        s.access_log = std::make_unique<detail::AccessLog>(config.access_log_fd);
        s.access_log->start();
        s.context.access_log = s.access_log.get();
    }
    for (auto& reactor : s.reactors) {
        reactor->start_accepting();
        s.threads.emplace_back([r = reactor.get()] { r->run(); });
    }
}

std::uint16_t Server::port() const noexcept { return impl_->port; }

reactor_context* Server::reactor(std::size_t i) noexcept {
    if (!impl_->running || i >= impl_->reactors.size()) return nullptr;
    return &impl_->reactors[i]->scheduler();
}

TimingSummary Server::request_timings() const noexcept { return impl_->context.timings.summary(); }

std::uint64_t Server::written_here() const noexcept {
    return impl_->context.written_here.load(std::memory_order_relaxed);
}

void Server::stop(std::chrono::milliseconds grace) {
    Impl& s = *impl_;
    if (!s.running) return;
    detail::ServerContext& context = s.context;
    context.stopping.store(true);
    // Each reactor drains its connections and closes what is left at the
    // deadline (Reactor::stop); its thread ends then.
    const auto deadline = reactor_context::clock::now() + grace;
    for (auto& reactor : s.reactors)
        reactor->post([r = reactor.get(), deadline] { r->stop(deadline); });
    for (std::thread& t : s.threads) t.join();
    s.threads.clear();
    if (s.access_log) s.access_log->stop();
    s.running = false;
}

}  // namespace fasterapi
