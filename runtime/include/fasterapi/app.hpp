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

#define FASTERAPI_ABI_VERSION 9

namespace fasterapi {

// One converted parameter. `absent` means "not in the request": the bound
// default is used (a required parameter never reaches the handler absent:
// its trampoline returns false and Python reports it missing). `model` is
// the JSON body, validated in C++ into Call::body (fasterapi/body.hpp).
//
// The typed kinds carry what the Python value is built from, with the GIL:
//   uuid, decimal  — `s`, the text (uuid.UUID(s), decimal.Decimal(s));
//   date           — `i` = y*10000 + m*100 + d;
//   time           — `i` = h*10^10 + mi*10^8 + s*10^6 + microseconds;
//   datetime       — `ymd` = the date as above, `i` = the time;
//   (time, datetime) `b` = has a UTC offset, `offset` = its seconds;
//   choice         — `i`, an index into the route's choices for this slot;
//   list           — `s`, the query key: every value of it, converted as `i`
//                    says (list_str/int/float/bool), each checked already.
struct Arg {
    enum class Kind : std::uint8_t { absent, str, int_, float_, bool_, model, uuid, decimal, date, time, datetime,
                                     choice, list };
    Kind kind = Kind::absent;
    bool b = false;
    std::int32_t offset = 0;
    std::int32_t ymd = 0;
    std::int64_t i = 0;
    double d = 0;
    std::string_view s;
};

// List element conversions (Arg::i of a Kind::list).
enum ListOf : std::int64_t { list_str, list_int, list_float, list_bool };

// Numeric bounds and str length limits of a parameter, checked after its
// conversion; a value outside them is FastAPI's to reject (422).
struct Limits {
    double gt = 0, ge = 0, lt = 0, le = 0;
    bool has_gt = false, has_ge = false, has_lt = false, has_le = false;
    std::int64_t min_length = -1, max_length = -1;
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
    // The answer may depend on the request's body (a body, form or file
    // parameter, a Request the handler or a dependency may read, or served
    // by the app's own entry): `Expect: 100-continue` is answered with a 100.
    bool reads_body = true;
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
// "12345678-1234-5678-1234-567812345678" or 32 hex digits, any case; other
// spellings pydantic also takes ("{...}", "urn:uuid:...") are left to it.
bool to_uuid(std::string_view s, Arg& out) noexcept;
// A path capture the router matched with Starlette's uuid convertor (hyphens
// optional between groups): Starlette hands FastAPI UUID(s).
inline bool to_uuid_matched(std::string_view s, Arg& out) noexcept {
    out.kind = Arg::Kind::uuid;
    out.s = s;
    return true;
}
// "2024-02-29": YYYY-MM-DD, a real day of year 1..9999.
bool to_date(std::string_view s, Arg& out) noexcept;
// "12:30", "12:30:05", "12:30:05.25", then optionally "Z"/"z" or "+HH:MM"/"-HH:MM".
bool to_time(std::string_view s, Arg& out) noexcept;
// A date, "T", "t" or " ", then a time as to_time takes it.
bool to_datetime(std::string_view s, Arg& out) noexcept;
// "-12.50": an optional '-', 1..40 digits, optionally '.' and 1..40 digits.
bool to_decimal(std::string_view s, Arg& out) noexcept;
// `s` equal to one of `choices` -> its index.
bool to_choice(std::string_view s, const std::string_view* choices, std::size_t n, Arg& out) noexcept;
// Every value of the query key `name` converts as `of` says: out is a list
// of them. False when one does not (FastAPI reports it). `count` gets how
// many values there are (0: the key is absent, `out` untouched).
bool query_list(Call& call, std::string_view name, ListOf of, Arg& out, std::size_t& count) noexcept;
// Converts one list element as query_list checked it; false if it does not.
bool list_item(std::string_view s, ListOf of, Arg& out) noexcept;
// The value is within the limits (an int beyond 2^53 under a bound: false).
bool within(const Arg& a, const Limits& limits) noexcept;
inline bool header_to_uuid(std::string_view s, Arg& out) noexcept { return to_uuid(s, out); }
inline bool header_to_date(std::string_view s, Arg& out) noexcept { return to_date(s, out); }
inline bool header_to_time(std::string_view s, Arg& out) noexcept { return to_time(s, out); }
inline bool header_to_datetime(std::string_view s, Arg& out) noexcept { return to_datetime(s, out); }
inline bool header_to_decimal(std::string_view s, Arg& out) noexcept { return to_decimal(s, out); }
inline bool header_to_choice(std::string_view s, const std::string_view* choices, std::size_t n, Arg& out) noexcept {
    return ascii(s) && to_choice(s, choices, n, out);
}
// A route with one JSON body parameter: a non-empty body sent as exactly
// `application/json` is parsed and validated on the Python side with
// FastAPI's own functions; anything else (other or missing content types,
// empty bodies) sets call.use_asgi, so FastAPI decides what it means.
void json_body(Call& call) noexcept;
}  // namespace conv

}  // namespace fasterapi
