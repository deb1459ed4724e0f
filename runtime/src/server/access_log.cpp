#include "access_log.hpp"

#include <unistd.h>

#include <cerrno>
#include <charconv>

namespace fasterapi::detail {

AccessLog::~AccessLog() { stop(); }

void AccessLog::start() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (thread_.joinable()) return;
    stopping_ = false;
    thread_ = std::thread([this] { run(); });
}

void AccessLog::stop() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!thread_.joinable()) return;
        stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
}

void AccessLog::write(std::string_view client, std::string_view request, std::uint16_t status) {
    char code[8];
    const auto code_end = std::to_chars(code, code + sizeof code, status).ptr;
    bool was_empty = false;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (queue_.size() >= max_queued_bytes) {
            ++dropped_;
            return;
        }
        was_empty = queue_.empty();
        queue_.append("INFO:     ");
        queue_.append(client);
        queue_.append(" - \"");
        queue_.append(request);
        queue_.append("\" ");
        queue_.append(code, code_end);
        queue_.push_back('\n');
    }
    // The logger sleeps only when the queue is empty; waking it for every
    // line would cost a futex call per response under load.
    if (was_empty) wake_.notify_one();
}

void AccessLog::run() {
    std::string batch;
    for (;;) {
        std::size_t dropped = 0;
        bool stopping = false;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            batch.swap(queue_);
            dropped = dropped_;
            dropped_ = 0;
            stopping = stopping_;
        }
        write_all(batch);
        batch.clear();
        if (dropped > 0) {
            std::string note = "WARNING:  ";
            note.append(std::to_string(dropped));
            note.append(" access log lines dropped (output too slow)\n");
            write_all(note);
        }
        if (stopping) {
            std::lock_guard<std::mutex> lock(mutex_);
            if (queue_.empty()) return;
        }
    }
}

void AccessLog::write_all(std::string_view bytes) noexcept {
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return;  // nowhere to report a failing log descriptor
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
}

}  // namespace fasterapi::detail
