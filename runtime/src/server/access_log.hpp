// AccessLog: one line per response, in uvicorn's format, written off the
// reactor threads.
//
//   INFO:     127.0.0.1:54321 - "GET /items/1?x=2 HTTP/1.1" 200
//
// Reactors append formatted lines to a queue under a short lock; one logger
// thread swaps the queue out and writes it to the file descriptor, so a slow
// terminal or pipe never blocks a reactor.
//
// What must hold:
//   - write() never blocks on I/O; when the queue is full (the descriptor
//     cannot keep up) lines are dropped and counted, and the count is
//     reported once the logger catches up.
//   - stop() writes everything queued before it, then joins the thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace fasterapi::detail {

class AccessLog {
public:
    explicit AccessLog(int fd) noexcept : fd_(fd) {}
    ~AccessLog();
    AccessLog(const AccessLog&) = delete;
    AccessLog& operator=(const AccessLog&) = delete;

    void start();
    void stop();

    // client "127.0.0.1:54321", request "GET /items/1?x=2 HTTP/1.1", 200.
    void write(std::string_view client, std::string_view request, std::uint16_t status);

private:
    void run();
    void write_all(std::string_view bytes) noexcept;

    static constexpr std::size_t max_queued_bytes = 1 << 20;

    int fd_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::string queue_;
    std::size_t dropped_ = 0;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace fasterapi::detail
