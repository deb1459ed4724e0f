// The runtime's HTTP server with nothing behind it: a Dispatcher that answers
// {"message":"Hello, World"} on the reactor thread, no Python. What this
// serves per second is the ceiling the HTTP layer puts on every app.
//
//   hello_server PORT [REACTORS]     serves until SIGINT or SIGTERM
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fasterapi/server.hpp"

namespace {

class Hello : public fasterapi::Dispatcher {
public:
    void dispatch(fasterapi::http::Request&&, fasterapi::Responder responder) override {
        fasterapi::http::Response response;
        response.add_header("content-type", "application/json");
        response.body = R"({"message":"Hello, World"})";
        responder.send(std::move(response));
    }
};

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s PORT [REACTORS]\n", argv[0]);
        return 2;
    }
    // Blocked here, so every reactor thread inherits the mask and the signal
    // is taken by sigwait below.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    fasterapi::ServerConfig config;
    config.port = static_cast<std::uint16_t>(std::atoi(argv[1]));
    config.reactors = argc > 2 ? static_cast<unsigned>(std::atoi(argv[2])) : 1;
    config.access_log = false;
    Hello hello;
    fasterapi::Server server(config, hello);
    server.start();
    std::fprintf(stderr, "hello_server listening on 127.0.0.1:%u\n", static_cast<unsigned>(server.port()));
    int received = 0;
    sigwait(&signals, &received);
    server.stop(std::chrono::seconds(1));
    return 0;
}
