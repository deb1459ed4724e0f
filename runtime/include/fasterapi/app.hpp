// App: what generated code is written against — the route table, the
// per-route trampolines and the values they produce.
//
// A generated extension defines one AppSpec: a table of routes in declaration
// order, each with its pattern, methods and trampoline. A trampoline runs on
// the reactor thread without the GIL: it converts the request's parameters
// into Args, and returns false when a value needs FastAPI's own validation
// (anything the C++ converters are not certain about), in which case the
// route's parameters are validated in Python with FastAPI's code, so the
// result — a value or a 422 body — is FastAPI's by construction.
//
// What must hold:
//   - FASTERAPI_ABI_VERSION changes whenever any type here changes layout or
//     meaning; generated code static_asserts the version it was written for.
//   - An Arg's string view points into the Call that owns it.
//   - Route indices are positions in AppSpec::routes and in the live app's
//     binding list (the loader binds them in the same order).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fasterapi/body.hpp"
#include "fasterapi/http/request.hpp"
#include "fasterapi/router.hpp"

#define FASTERAPI_ABI_VERSION 7

namespace fasterapi {

// One converted parameter. `absent` means "not in the request": the bound
// default is used (a required parameter never reaches the handler absent:
// its trampoline returns false and Python reports it missing). `model` is
// the JSON body, validated in C++ into Call::body (fasterapi/body.hpp).
struct Arg {
    enum class Kind : std::uint8_t { absent, str, int_, float_, bool_, model };
    Kind kind = Kind::absent;
    bool b = false;
    std::int64_t i = 0;
    double d = 0;
    std::string_view s;
};

inline constexpr std::size_t max_args = 32;

class Call;
// Fills call.args; false hands parameter validation to Python.
using Trampoline = bool (*)(Call&);

struct RouteSpec {
    const char* name;      // trampoline name, e.g. "get_users__user_id"
    const char* path;      // FastAPI path template, e.g. "/users/{user_id}"
    const char* location;  // "app.py:14"
    router::Pattern pattern;
    bool is_async;
    // Served through the app's own ASGI entry: Starlette routes (/docs,
    // /openapi.json) and routes using features not compiled to C++ yet.
    bool request_endpoint;
    Trampoline trampoline;  // nullptr when request_endpoint
};

struct AppSpec {
    int abi_version;
    const char* fasterapi_version;
    const char* source;     // "app.py"
    const char* ir_hash;    // hash of the route signatures, checked at import
    const RouteSpec* routes;
    std::size_t route_count;
    bool redirect_slashes;
    std::string_view root_path;  // FastAPI(root_path=...): routes match router::route_path()
    const router::Table* table;  // the planned lookup over `routes`' patterns
};

// Per-request state shared by the trampoline and the Python side.
class Call {
public:
    http::Request request;
    std::size_t route = 0;
    std::string path;  // percent-decoded, as Starlette's scope["path"]
    router::Captures captures;
    Arg args[max_args];
    // Set by a trampoline when this request needs FastAPI's handling as a
    // whole (e.g. a body that is not plain JSON): it then goes through the
    // app's own ASGI entry, so FastAPI answers it.
    bool use_asgi = false;
    // The JSON body's fields, when a trampoline validated it (body::model).
    std::vector<body::Value> body;

    // Query parameters as parse_qsl(keep_blank_values=True) gives them, parsed
    // on first use.
    const std::vector<std::pair<std::string, std::string>>& query();
    // Starlette's QueryParams.get: the last value for `name`, or nullptr.
    const std::string* query_last(std::string_view name);

private:
    bool query_parsed_ = false;
    std::vector<std::pair<std::string, std::string>> query_;
};

// Converters used by trampolines: each accepts only input whose pydantic
// result is certain and returns false for anything else.
namespace conv {
// "12", "-7", "+3", "007" (at most 18 digits) -> int; " 1", "1_0", "1.0" -> false.
bool to_int(std::string_view s, Arg& out) noexcept;
// "1.5", "-2", "10.25" -> float; "1e5", "inf", ".5", "" -> false.
bool to_float(std::string_view s, Arg& out) noexcept;
// pydantic's spellings: 1/0/true/false/on/off/yes/no/t/f/y/n in any case.
bool to_bool(std::string_view s, Arg& out) noexcept;
inline bool to_str(std::string_view s, Arg& out) noexcept {
    out.kind = Arg::Kind::str;
    out.s = s;
    return true;
}
inline void absent(Arg& out) noexcept { out.kind = Arg::Kind::absent; }
// Header values reach Starlette decoded as latin-1: ASCII ones convert as
// above; a value with other bytes is left to FastAPI.
bool ascii(std::string_view s) noexcept;
inline bool header_to_str(std::string_view s, Arg& out) noexcept { return ascii(s) && to_str(s, out); }
inline bool header_to_int(std::string_view s, Arg& out) noexcept { return to_int(s, out); }
inline bool header_to_float(std::string_view s, Arg& out) noexcept { return to_float(s, out); }
inline bool header_to_bool(std::string_view s, Arg& out) noexcept { return to_bool(s, out); }
// A route with one JSON body parameter: a non-empty body sent as exactly
// `application/json` is parsed and validated on the Python side with
// FastAPI's own functions; anything else (other or missing content types,
// empty bodies) sets call.use_asgi, so FastAPI decides what it means.
void json_body(Call& call) noexcept;
}  // namespace conv

}  // namespace fasterapi
