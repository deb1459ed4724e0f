// Asio scheduler: reactor_context on an asio::io_context, for the reactor
// threads of the server and for tests.
//
// post() is asio::post (thread-safe; it wakes a thread blocked in run()).
// Timers are asio::steady_timers kept alive by their own wait handler, so
// dropping the handle returned by arm() leaves the timer running.
//
// What must hold:
//   1. The thread that runs the io_context is the owning thread: it binds the
//      scheduler (run(), or a reactor_context::scope around io_context::run),
//      so that futures, sleep and with_timeout on it find their context.
//   2. A task runs at most once; a cancelled timer's task is destroyed at
//      cancel(), unrun; tasks left when the io_context is destroyed are
//      destroyed unrun.
#pragma once

#include <cstddef>  // before Asio: see runtime/src/server/asio_prelude.hpp

#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>

#include <memory>
#include <system_error>
#include <utility>

#include "fasterapi/future.hpp"

namespace fasterapi {

class asio_scheduler final : public reactor_context {
public:
    explicit asio_scheduler(asio::io_context& io) noexcept : io_(io) {}
    asio_scheduler(const asio_scheduler&) = delete;
    asio_scheduler& operator=(const asio_scheduler&) = delete;

    asio::io_context& io() noexcept { return io_; }

    void post(std::unique_ptr<task> t) override {
        asio::post(io_, [t = std::move(t)] { t->run(); });
    }

    std::shared_ptr<timer> arm(clock::time_point when, std::unique_ptr<task> t) override {
        auto entry = std::make_shared<steady_entry>(io_, when, std::move(t));
        entry->clock.async_wait([entry](const std::error_code& ec) {
            if (!ec) entry->fire();
        });
        return entry;
    }

    // Runs the io_context on the calling thread, bound to this scheduler.
    std::size_t run() {
        scope bound(*this);
        return io_.run();
    }

private:
    struct steady_entry final : timer {
        steady_entry(asio::io_context& io, clock::time_point when, std::unique_ptr<task> t)
            : clock(io, when), work(std::move(t)) {}

        void fire() noexcept {
            // Moved out first: the task may drop the last handle to this timer.
            if (auto t = std::move(work)) t->run();
        }
        void cancel() noexcept override {
            work.reset();
            try {
                clock.cancel();
            } catch (...) {
                // The wait then ends on its own and finds no task to run.
            }
        }

        asio::steady_timer clock;
        std::unique_ptr<task> work;
    };

    asio::io_context& io_;
};

}  // namespace fasterapi
