// Parser: a strict, incremental HTTP/1.1 request parser (RFC 9112, RFC 9110).
//
// The connection owns the bytes; the parser owns only offsets into them. Each
// call to parse() is given every byte of the current request received so far,
// starting at its first byte (leading empty lines included); later calls see
// the same prefix with more bytes appended, possibly at a different address
// because the buffer grew or was compacted. Scanning resumes where the last
// call stopped, so a request fed one byte at a time costs the same as one fed
// whole, and parses identically.
//
// When a request is complete the parser copies it once into an owned Request
// (head bytes, then the decoded body) and reports how many bytes it used; the
// bytes after them belong to the next (pipelined) request. reset() readies
// the parser for that request.
//
// States (each moves only forward; error and complete are final until reset):
//   1. request_line — skip a few leading CRLFs, then method SP target SP version.
//   2. headers      — field lines until the empty line; framing decided there.
//   3. body_length  — Content-Length bytes.
//   4. chunk_size   — chunk-size [chunk-ext] CRLF; size 0 goes to 7.
//   5. chunk_data   — chunk-size bytes.
//   6. chunk_end    — the CRLF after chunk data, back to 4.
//   7. trailers     — trailer field lines (validated, bounded, discarded).
//   8. complete     — the Request is ready; consumed() bytes were used.
//   9. error        — error_status() is the status to answer (400, 413, 414,
//                     431, 501 or 505); nothing after it is parsed.
//
// What must hold:
//   - every request either completes with a single, unambiguous framing or is
//     rejected: no request can be smuggled behind another.
//   - memory is bounded by the limits: a head larger than max_request_line +
//     max_header_bytes, or a body larger than max_body_bytes, is rejected as
//     soon as that is known, without waiting for the rest.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "fasterapi/http/request.hpp"

namespace fasterapi::http {

struct ParserLimits {
    std::size_t max_request_line = 8 * 1024;        // -> 414
    std::size_t max_header_bytes = 16 * 1024;       // -> 431 (trailers too)
    std::size_t max_header_count = 100;             // -> 431 (trailers too)
    std::uint64_t max_body_bytes = 16 * 1024 * 1024;  // -> 413
    std::size_t max_chunk_line = 4 * 1024;          // chunk-size line with extensions -> 400
    std::size_t max_leading_empty_lines = 8;        // CRLFs before the request line -> 400
};

class Parser {
public:
    enum class Result : std::uint8_t { need_more, complete, error };

    explicit Parser(const ParserLimits& limits = {}) noexcept;

    // Advances over `data` (all bytes of the current request seen so far).
    // "GET / HTTP/1.1\r\nHost: a\r\n\r\nGET" -> complete, consumed() == 27.
    Result parse(std::string_view data);

    // After complete: the request (moved out; call once) and the number of
    // bytes of `data` it used, leading empty lines included.
    Request take_request() noexcept;
    std::size_t consumed() const noexcept { return pos_; }

    // After error: the status to answer and a short reason for logs/tests.
    std::uint16_t error_status() const noexcept { return error_status_; }
    std::string_view error_detail() const noexcept { return error_detail_; }

    // Some byte of a request head has arrived and the head is not complete.
    bool head_started() const noexcept { return state_ == State::request_line ? seen_ > 0 : state_ == State::headers; }
    // The head is parsed and the body is still being read.
    bool in_body() const noexcept;
    // The current request's HTTP minor version once its head was accepted
    // (a later error is in its body), else -1: what h11 knows of the client.
    int accepted_version_minor() const noexcept { return head_accepted_ ? version_minor_ : -1; }
    // The head asked for `Expect: 100-continue`, the body is still to come and
    // no interim response was sent yet: the connection should send one now.
    bool expects_continue() const noexcept { return expect_continue_ && !continue_sent_ && in_body(); }
    void continue_sent() noexcept { continue_sent_ = true; }
    // The request (HTTP/1.1) asked for `Expect: 100-continue` and no interim
    // response was sent for it; true even once its body has arrived.
    bool continue_owed() const noexcept { return expect_continue_ && !continue_sent_; }
    // While in_body(): the request as far as its head, with an empty body
    // (`data` as given to parse()). The parser goes on with the body.
    Request head_request(std::string_view data) const;
    // Method of the request being parsed, once its request line is known.
    Method method() const noexcept { return method_; }

    // Ready for the next request; keeps allocated capacity.
    void reset() noexcept;

private:
    enum class State : std::uint8_t {
        request_line, headers, body_length, chunk_size, chunk_data, chunk_end,
        trailers, complete, error
    };
    struct Span {
        std::size_t off = 0;
        std::size_t len = 0;
    };
    struct Field {
        Span name;
        Span value;
    };

    Result fail(std::uint16_t status, const char* detail) noexcept;
    // Finds the next line ending at or after scan_; false when more bytes are
    // needed. The line is [pos_, end) without its CRLF; next is after the LF.
    bool next_line(std::string_view data, std::size_t& end, std::size_t& next) noexcept;
    Result on_request_line(std::string_view data, std::size_t end);
    Result on_field_line(std::string_view data, std::size_t end, bool trailer);
    Result on_head_end();
    Result on_chunk_size_line(std::string_view data, std::size_t end);
    bool field_semantics(std::string_view name, std::string_view value);
    void build_request(std::string_view data);
    void build_request(std::string_view data, Request& r, bool with_body) const;

    ParserLimits limits_;
    State state_ = State::request_line;
    std::size_t pos_ = 0;    // start of the current line / unparsed body
    std::size_t scan_ = 0;   // where the search for the next LF resumes
    std::size_t seen_ = 0;   // bytes seen in the request_line state
    std::size_t empty_lines_ = 0;

    std::size_t head_start_ = 0;  // first byte of the request line
    std::size_t head_end_ = 0;    // first byte after the empty line
    Span method_span_, target_, path_, query_;
    Method method_ = Method::other;
    int version_minor_ = 1;
    bool head_accepted_ = false;  // the head is complete and valid: the body follows
    std::vector<Field> fields_;
    std::size_t field_bytes_ = 0;
    std::size_t field_count_ = 0;

    // Framing facts gathered from the header fields.
    std::size_t host_count_ = 0;
    bool has_content_length_ = false;
    std::uint64_t content_length_ = 0;
    bool has_transfer_encoding_ = false;
    bool te_invalid_ = false;
    bool te_last_chunked_ = false;
    std::size_t te_chunked_count_ = 0;
    bool te_other_ = false;
    bool connection_close_ = false;
    bool connection_keep_alive_ = false;
    bool expect_continue_ = false;
    bool continue_sent_ = false;
    bool chunked_ = false;

    // Body: spans of decoded bytes (one for Content-Length, one per chunk piece).
    std::vector<Span> body_;
    std::uint64_t body_size_ = 0;
    std::uint64_t remaining_ = 0;   // of the Content-Length body or current chunk
    std::size_t framing_bytes_ = 0; // chunk-size lines and CRLFs, bounded

    std::uint16_t error_status_ = 0;
    const char* error_detail_ = "";
    Request request_;
};

}  // namespace fasterapi::http
