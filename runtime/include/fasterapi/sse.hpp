// Server-Sent Events: one event in the `text/event-stream` format (WHATWG
// HTML, "Server-sent events"), byte-identical to what FastAPI sends for a
// path operation with `response_class=EventSourceResponse`.
//
// FastAPI (fastapi/sse.py, format_sse_event) writes the fields that are set,
// always in this order, each as "<name>: <value>\n" (one space after the colon):
//   1. comment  one ": <line>\n" per line of the comment
//   2. event    "event: <name>\n"
//   3. data     one "data: <line>\n" per line of the data
//   4. id       "id: <id>\n"
//   5. retry    "retry: <decimal>\n"
// then one "\n" that ends the event. Lines are split on "\r\n", "\r" and "\n"
// (only those), and every piece is kept: "" is one empty line and a trailing
// newline gives a trailing empty line. An event with no field set is the
// single byte "\n".
//
//   {comment="hi", event="tick", data="a\r\nb", id="7", retry=3000} ->
//     ": hi\nevent: tick\ndata: a\ndata: b\nid: 7\nretry: 3000\n\n"
//   {data=""}                  -> "data: \n\n"
//   {data="x\n"}               -> "data: x\ndata: \n\n"
//   {comment="a\nb"}           -> ": a\n: b\n\n"
//   {}                         -> "\n"
//
// `data` is the payload already serialised: FastAPI JSON-encodes `data` (and
// plain yielded objects) in Python and passes `raw_data` through as it is;
// either way the text that reaches the encoder is what goes on the wire.
// The response itself is `text/event-stream; charset=utf-8` with
// `Cache-Control: no-cache` and `X-Accel-Buffering: no`.
//
// What must hold:
//   - an event is written only if FastAPI's ServerSentEvent would accept it:
//     `event` and `id` hold no "\r" or "\n", `id` holds no NUL, `retry` is not
//     negative. Otherwise nothing is appended and std::invalid_argument is
//     thrown (check_* return the same message without throwing). The
//     messages for `event` and `id` are FastAPI's own; for `retry`, where
//     pydantic says "Input should be greater than or equal to 0", ours names
//     the field.
//   - bytes are passed through unchanged: text that is UTF-8 on the way in is
//     the same UTF-8 on the wire; U+2028, U+0085 and NUL are not line breaks.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fasterapi::sse {

// Sent by FastAPI when the handler has produced nothing for ping_interval:
// each wait for the next event is bounded by it, and each timeout sends one
// keep-alive comment (fastapi.sse.KEEPALIVE_COMMENT, _PING_INTERVAL = 15.0).
inline constexpr std::string_view keepalive_comment = ": ping\n\n";
inline constexpr std::chrono::seconds ping_interval{15};

inline constexpr std::string_view media_type = "text/event-stream";

// One event; a field that is nullopt is left out. The views must stay valid
// for the duration of the call only.
struct Event {
    std::optional<std::string_view> data;
    std::optional<std::string_view> event;
    std::optional<std::string_view> id;
    // Milliseconds. FastAPI takes any non-negative Python int; one beyond
    // int64 cannot be expressed here and stays with FastAPI.
    std::optional<std::int64_t> retry;
    std::optional<std::string_view> comment;
};

// Why FastAPI's ServerSentEvent would reject the field, or nullopt when it
// is acceptable.
//   check_event("a\nb") -> "SSE 'event' must be a single line"
//   check_id("a\0b")    -> "SSE 'id' must not contain null characters"
//   check_retry(-1)     -> "SSE 'retry' must be a non-negative integer"
std::optional<std::string_view> check_event(std::string_view event) noexcept;
std::optional<std::string_view> check_id(std::string_view id) noexcept;
std::optional<std::string_view> check_retry(std::int64_t retry) noexcept;

// The first problem of `e` in field order (event, id, retry), or nullopt.
std::optional<std::string_view> check(const Event& e) noexcept;

// Appends `e` in FastAPI's bytes (see above). Throws std::invalid_argument
// with check(e)'s message, appending nothing, when `e` is invalid.
void append_event(std::string& out, const Event& e);

// Appends an event holding only a comment: append_comment(out, "ping")
// appends keepalive_comment, ": ping\n\n"; "a\r\nb" appends ": a\n: b\n\n".
void append_comment(std::string& out, std::string_view comment);

}  // namespace fasterapi::sse
