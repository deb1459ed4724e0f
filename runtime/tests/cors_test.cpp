// cors::apply rewrites a response head as Starlette's CORSMiddleware.send does.
#include "fasterapi/cors.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using fasterapi::cors::Policy;

namespace {

std::string apply(const std::vector<Policy>& policies, const char* origin, std::string lines) {
    std::string o = origin ? origin : "";
    fasterapi::cors::apply(policies, origin ? &o : nullptr, lines);
    return lines;
}

const Policy listed{.simple_headers = {{"access-control-allow-credentials", "true"},
                                       {"access-control-expose-headers", "x-total"}},
                    .allow_all_origins = false,
                    .allow_credentials = true,
                    .allow_origins = {"https://app.example"}};
const Policy everyone{.simple_headers = {{"access-control-allow-origin", "*"}}, .allow_all_origins = true,
                      .allow_credentials = false, .allow_origins = {}};

}  // namespace

TEST_CASE("without an Origin header only vary changes") {
    CHECK(apply({listed}, nullptr, "content-length: 2\r\ncontent-type: application/json\r\n") ==
          "content-length: 2\r\ncontent-type: application/json\r\nvary: Origin\r\n");
    // Existing Vary values are joined into the first one; later ones are dropped.
    CHECK(apply({everyone}, nullptr, "vary: Accept\r\nx-a: 1\r\nvary: Cookie\r\n") ==
          "vary: Accept, Cookie, Origin\r\nx-a: 1\r\n");
}

TEST_CASE("an allowed origin is mirrored after the simple headers") {
    CHECK(apply({listed}, "https://app.example", "content-type: text/plain\r\n") ==
          "content-type: text/plain\r\naccess-control-allow-credentials: true\r\n"
          "access-control-expose-headers: x-total\r\naccess-control-allow-origin: https://app.example\r\n"
          "vary: Origin\r\n");
    // Not listed: the simple headers, no Allow-Origin, and vary.
    CHECK(apply({listed}, "https://evil.example", "") ==
          "access-control-allow-credentials: true\r\naccess-control-expose-headers: x-total\r\nvary: Origin\r\n");
}

TEST_CASE("all origins: * without credentials, the origin with them") {
    CHECK(apply({everyone}, "https://any.example", "access-control-allow-origin: x\r\n") ==
          "access-control-allow-origin: *\r\nvary: Origin\r\n");
    Policy credentials = everyone;
    credentials.allow_credentials = true;
    CHECK(apply({credentials}, "https://any.example", "") ==
          "access-control-allow-origin: https://any.example\r\nvary: Origin\r\n");
}

TEST_CASE("stacked middlewares apply innermost first") {
    CHECK(apply({everyone, listed}, nullptr, "") == "vary: Origin, Origin\r\n");
    CHECK(fasterapi::cors::preflight(true, true, true));
    CHECK_FALSE(fasterapi::cors::preflight(true, true, false));
    CHECK_FALSE(fasterapi::cors::preflight(false, true, true));
}
