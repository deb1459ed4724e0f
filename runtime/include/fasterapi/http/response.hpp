// Response: what a handler hands back to the connection for writing.
//
// The connection writes the status line, then its own `date` and `server`
// headers, then `content-length` (unless `headers` already carries one, or the
// status forbids a body), then `headers` verbatim, then the body. Header names
// in `headers` are written as given (FastAPI sends them lower-case).
//
// What must hold:
//   - `headers` holds complete lines, each "name: value\r\n", already
//     validated (no CR/LF inside a name or value).
//   - a response to HEAD, or with status 1xx/204/304, is written without a
//     body; the connection enforces it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace fasterapi::http {

struct Response {
    std::uint16_t status = 200;
    std::string headers;  // "name: value\r\n" lines
    std::string body;
    bool close = false;   // close the connection after writing this response
    // Close it after writing this response without saying so in the head:
    // uvicorn closing its transport once the application raised (the 500
    // of ServerErrorMiddleware, or the app's own handler for it).
    bool hang_up = false;
    bool has_content_length = false;  // `headers` already has content-length

    void add_header(std::string_view name, std::string_view value);
};

// "OK" for 200, "Not Found" for 404 ...; "" for unknown codes.
std::string_view reason_phrase(std::uint16_t status) noexcept;

// What a final response may carry as its status, as uvicorn sends it: h11
// sends 1xx only as interim responses, and uvicorn has reason phrases for
// 100-599 only. For any other status it closes the connection unanswered.
constexpr bool final_status(std::uint16_t status) noexcept { return status >= 200 && status < 600; }

// The framing a response's own header lines ask for, read as uvicorn's h11
// reads them before sending the head.
struct OwnFraming {
    bool chunked = false;     // one `transfer-encoding: chunked`: the server frames the body, any length goes
    bool refused = false;     // h11 will not send the head at all: another transfer-encoding, a
                              // content-length that is not one number, a name that is no token, or a
                              // value with NUL or whitespace other than inner spaces and tabs
    bool close = false;       // a `connection` line with the close token: the connection ends after it
    bool connection = false;  // any `connection` line
};
// "transfer-encoding: Chunked\r\nconnection: close\r\n" -> {chunked, close, connection}
OwnFraming own_framing(std::string_view headers) noexcept;

// Removes every line named `name` (any case) from `headers` ("name: value\r\n"...).
void remove_header(std::string& headers, std::string_view name);

// 1xx, 204 and 304 carry no body.
constexpr bool status_allows_body(std::uint16_t status) noexcept {
    return !(status < 200 || status == 204 || status == 304);
}

}  // namespace fasterapi::http
