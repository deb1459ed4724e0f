#include "fasterapi/http/parser.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <string>

namespace fasterapi::http {

namespace {

// tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
//         "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA      (RFC 9110 §5.6.2)
constexpr std::array<bool, 256> make_tchar_table() {
    std::array<bool, 256> t{};
    for (int c = '0'; c <= '9'; ++c) t[c] = true;
    for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
    for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
    for (char c : std::string_view("!#$%&'*+-.^_`|~")) t[static_cast<unsigned char>(c)] = true;
    return t;
}
constexpr std::array<bool, 256> tchar_table = make_tchar_table();

constexpr bool is_tchar(char c) noexcept { return tchar_table[static_cast<unsigned char>(c)]; }
constexpr bool is_ows(char c) noexcept { return c == ' ' || c == '\t'; }
constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

bool is_token(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (char c : s)
        if (!is_tchar(c)) return false;
    return true;
}

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string_view trim_ows(std::string_view s) noexcept {
    while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
    return s;
}

// field-value bytes: VCHAR, obs-text, SP and HTAB; never NUL, CR, LF or
// another control character (RFC 9110 §5.5).
bool valid_field_value(std::string_view v) noexcept {
    for (char ch : v) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
    }
    return true;
}

// Calls fn(element) for each comma-separated element with OWS trimmed; an
// empty value yields one empty element. "a , b,,c" -> "a", "b", "", "c".
template <class Fn>
bool for_each_element(std::string_view value, Fn&& fn) {
    for (;;) {
        const std::size_t comma = value.find(',');
        if (!fn(trim_ows(value.substr(0, comma)))) return false;
        if (comma == std::string_view::npos) return true;
        value.remove_prefix(comma + 1);
    }
}

// qdtext and quoted-pair of RFC 9110 §5.6.4.
constexpr bool is_qdtext(unsigned char c) noexcept {
    return c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x5b) ||
           (c >= 0x5d && c <= 0x7e) || c >= 0x80;
}
constexpr bool is_quoted_pair_char(unsigned char c) noexcept {
    return c == '\t' || c == ' ' || (c >= 0x21 && c != 0x7f);
}

}  // namespace

Parser::Parser(const ParserLimits& limits) noexcept : limits_(limits) {}

Parser::Result Parser::fail(std::uint16_t status, const char* detail) noexcept {
    state_ = State::error;
    error_status_ = status;
    error_detail_ = detail;
    return Result::error;
}

bool Parser::in_body() const noexcept {
    switch (state_) {
    case State::body_length:
    case State::chunk_size:
    case State::chunk_data:
    case State::chunk_end:
    case State::trailers:
        return true;
    default:
        return false;
    }
}

void Parser::reset() noexcept {
    state_ = State::request_line;
    pos_ = scan_ = seen_ = empty_lines_ = 0;
    head_start_ = head_end_ = 0;
    head_accepted_ = false;
    method_span_ = target_ = path_ = query_ = Span{};
    method_ = Method::other;
    version_minor_ = 1;
    fields_.clear();
    field_bytes_ = field_count_ = 0;
    host_count_ = 0;
    has_content_length_ = false;
    content_length_ = 0;
    has_transfer_encoding_ = te_invalid_ = te_last_chunked_ = te_other_ = false;
    te_chunked_count_ = 0;
    connection_close_ = connection_keep_alive_ = false;
    expect_continue_ = continue_sent_ = chunked_ = false;
    body_.clear();
    body_size_ = remaining_ = 0;
    framing_bytes_ = 0;
    error_status_ = 0;
    error_detail_ = "";
}

Request Parser::take_request() noexcept { return std::move(request_); }

// A line ends in CRLF; a LF without CR before it is rejected by the caller.
// Returns false when no LF has arrived yet.
bool Parser::next_line(std::string_view data, std::size_t& end, std::size_t& next) noexcept {
    if (scan_ < pos_) scan_ = pos_;
    if (scan_ >= data.size()) return false;
    const void* lf = std::memchr(data.data() + scan_, '\n', data.size() - scan_);
    if (lf == nullptr) {
        scan_ = data.size();
        return false;
    }
    const std::size_t at = static_cast<std::size_t>(static_cast<const char*>(lf) - data.data());
    scan_ = at + 1;
    next = at + 1;
    end = at;  // callers check data[at - 1] == '\r' and step back over it
    return true;
}

Parser::Result Parser::parse(std::string_view data) {
    std::size_t end = 0;
    std::size_t next = 0;
    for (;;) {
        switch (state_) {
        case State::request_line: {
            seen_ = data.size();
            if (!next_line(data, end, next)) {
                if (data.size() - pos_ > limits_.max_request_line + 1)
                    return fail(414, "request line too long");
                return Result::need_more;
            }
            // The limit first: whether the bytes arrive with their LF or
            // before it, an over-long line gets the same answer.
            if (end - pos_ > limits_.max_request_line + 1) return fail(414, "request line too long");
            if (end == pos_ || data[end - 1] != '\r') return fail(400, "bare LF in request head");
            --end;
            if (end == pos_) {
                // RFC 9112 §2.2: a server SHOULD ignore an empty line before
                // the request line; only a few, so it cannot stall us.
                if (++empty_lines_ > limits_.max_leading_empty_lines)
                    return fail(400, "too many empty lines before request line");
                pos_ = next;
                continue;
            }
            if (end - pos_ > limits_.max_request_line) return fail(414, "request line too long");
            head_start_ = pos_;
            if (on_request_line(data, end) == Result::error) return Result::error;
            pos_ = next;
            state_ = State::headers;
            continue;
        }
        case State::headers:
        case State::trailers: {
            const bool trailer = state_ == State::trailers;
            if (!next_line(data, end, next)) {
                if (field_bytes_ + (data.size() - pos_) > limits_.max_header_bytes)
                    return fail(431, trailer ? "trailer section too large" : "header section too large");
                return Result::need_more;
            }
            if (field_bytes_ + (end - pos_) > limits_.max_header_bytes)
                return fail(431, trailer ? "trailer section too large" : "header section too large");
            if (end == pos_ || data[end - 1] != '\r') return fail(400, "bare LF in field line");
            --end;
            field_bytes_ += next - pos_;
            if (field_bytes_ > limits_.max_header_bytes)
                return fail(431, trailer ? "trailer section too large" : "header section too large");
            if (end == pos_) {
                pos_ = next;
                if (trailer) {
                    build_request(data);
                    state_ = State::complete;
                    return Result::complete;
                }
                head_end_ = next;
                if (on_head_end() == Result::error) return Result::error;
                head_accepted_ = true;
                continue;
            }
            if (++field_count_ > limits_.max_header_count)
                return fail(431, trailer ? "too many trailer fields" : "too many header fields");
            if (on_field_line(data, end, trailer) == Result::error) return Result::error;
            pos_ = next;
            continue;
        }
        case State::body_length: {
            if (data.size() - pos_ < remaining_) return Result::need_more;
            if (remaining_ > 0) body_.push_back(Span{pos_, static_cast<std::size_t>(remaining_)});
            body_size_ = remaining_;
            pos_ += static_cast<std::size_t>(remaining_);
            remaining_ = 0;
            build_request(data);
            state_ = State::complete;
            return Result::complete;
        }
        case State::chunk_size: {
            if (!next_line(data, end, next)) {
                if (data.size() - pos_ > limits_.max_chunk_line + 1)
                    return fail(400, "chunk size line too long");
                return Result::need_more;
            }
            if (end - pos_ > limits_.max_chunk_line + 1) return fail(400, "chunk size line too long");
            if (end == pos_ || data[end - 1] != '\r') return fail(400, "bare LF in chunk size line");
            --end;
            if (end - pos_ > limits_.max_chunk_line) return fail(400, "chunk size line too long");
            framing_bytes_ += next - pos_;
            // Tiny chunks with long extensions would let a client make us
            // buffer far more than max_body_bytes; framing may not outgrow
            // the data by more than a header section's worth.
            if (framing_bytes_ > limits_.max_header_bytes + body_size_)
                return fail(400, "chunk framing overhead too large");
            if (on_chunk_size_line(data, end) == Result::error) return Result::error;
            pos_ = next;
            continue;
        }
        case State::chunk_data: {
            const std::size_t avail = data.size() - pos_;
            if (avail == 0) return Result::need_more;
            const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(avail, remaining_));
            if (!body_.empty() && body_.back().off + body_.back().len == pos_)
                body_.back().len += take;  // the same chunk, fed in pieces
            else
                body_.push_back(Span{pos_, take});
            pos_ += take;
            remaining_ -= take;
            if (remaining_ > 0) return Result::need_more;
            state_ = State::chunk_end;
            continue;
        }
        case State::chunk_end: {
            const std::size_t avail = data.size() - pos_;
            if (avail >= 1 && data[pos_] != '\r') return fail(400, "missing CRLF after chunk data");
            if (avail >= 2 && data[pos_ + 1] != '\n') return fail(400, "missing CRLF after chunk data");
            if (avail < 2) return Result::need_more;
            pos_ += 2;
            scan_ = pos_;
            framing_bytes_ += 2;
            state_ = State::chunk_size;
            continue;
        }
        case State::complete:
            return Result::complete;
        case State::error:
            return Result::error;
        }
    }
}

// request-line = method SP request-target SP HTTP-version   (RFC 9112 §3)
Parser::Result Parser::on_request_line(std::string_view data, std::size_t end) {
    const std::string_view line = data.substr(pos_, end - pos_);
    const std::size_t sp1 = line.find(' ');
    if (sp1 == std::string_view::npos) return fail(400, "malformed request line");
    const std::string_view method = line.substr(0, sp1);
    if (!is_token(method)) return fail(400, "invalid method");
    const std::size_t sp2 = line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos) return fail(400, "malformed request line");
    const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    if (target.empty()) return fail(400, "malformed request line");
    const std::string_view version = line.substr(sp2 + 1);

    if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || !is_digit(version[5]) ||
        version[6] != '.' || !is_digit(version[7]))
        return fail(400, "malformed HTTP version");
    if (version[5] != '1' || (version[7] != '0' && version[7] != '1'))
        return fail(505, "unsupported HTTP version");
    version_minor_ = version[7] - '0';

    for (char ch : target) {
        const auto c = static_cast<unsigned char>(ch);
        if (c <= 0x20 || c >= 0x7f) return fail(400, "invalid byte in request target");
    }

    method_ = method_from_token(method);
    method_span_ = Span{pos_, sp1};
    const std::size_t base = pos_ + sp1 + 1;
    target_ = Span{base, target.size()};

    // The path is what comes before the first "?", whatever the target's
    // form: h11's request-target is any run of visible characters, and
    // uvicorn passes it on as it is, so absolute-form ("http://h/p"), "*",
    // "ping" and CONNECT's "host:443" reach the application as such paths,
    // where routing answers them (404). RFC 9112 §3.2.2 would serve
    // absolute-form's path; FastAPI under uvicorn does not.
    // A target that starts with "?" (an empty path) is refused: no client
    // sends one, and code past the parser may take a path's first byte.
    const std::size_t q = target.find('?');
    if (q == 0) return fail(400, "empty path in request target");
    if (q == std::string_view::npos) {
        path_ = Span{base, target.size()};
        query_ = Span{base + target.size(), 0};
    } else {
        path_ = Span{base, q};
        query_ = Span{base + q + 1, target.size() - q - 1};
    }
    return Result::need_more;
}

// field-line = field-name ":" OWS field-value OWS   (RFC 9112 §5)
Parser::Result Parser::on_field_line(std::string_view data, std::size_t end, bool trailer) {
    const std::string_view line = data.substr(pos_, end - pos_);
    // A line starting with whitespace is obs-fold (or whitespace before the
    // first field); RFC 9112 §5.2 lets a server reject it, and accepting it
    // invites disagreements with other parsers.
    if (is_ows(line.front())) return fail(400, "obsolete line folding");
    std::size_t colon = 0;
    while (colon < line.size() && is_tchar(line[colon])) ++colon;
    if (colon == 0 || colon == line.size() || line[colon] != ':')
        return fail(400, "invalid field name");
    const std::string_view value = trim_ows(line.substr(colon + 1));
    if (!valid_field_value(value)) return fail(400, "invalid byte in field value");
    if (trailer) return Result::need_more;

    const std::string_view name = line.substr(0, colon);
    const std::size_t value_off = static_cast<std::size_t>(value.data() - data.data());
    fields_.push_back(Field{Span{pos_, colon}, Span{value_off, value.size()}});
    if (!field_semantics(name, value)) return Result::error;
    return Result::need_more;
}

// Gathers what the fields say about framing and the connection; the
// decision waits for the end of the head, where all of them are known.
bool Parser::field_semantics(std::string_view name, std::string_view value) {
    switch (name.size()) {
    case 4:
        if (iequals(name, "host")) ++host_count_;
        return true;
    case 6:
        // h11's reading: 100-continue among the comma-separated expectations.
        if (iequals(name, "expect")) {
            for (std::string_view rest = value; !expect_continue_;) {
                const std::size_t comma = rest.find(',');
                std::string_view item = rest.substr(0, comma);
                while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
                while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
                if (iequals(item, "100-continue")) expect_continue_ = true;
                if (comma == std::string_view::npos) break;
                rest.remove_prefix(comma + 1);
            }
        }
        return true;
    case 10:
        if (iequals(name, "connection")) {
            for_each_element(value, [&](std::string_view e) {
                if (iequals(e, "close")) connection_close_ = true;
                else if (iequals(e, "keep-alive")) connection_keep_alive_ = true;
                return true;
            });
        }
        return true;
    case 14:
        if (!iequals(name, "content-length")) return true;
        return for_each_element(value, [&](std::string_view e) {
            if (e.empty()) {
                fail(400, "invalid Content-Length");
                return false;
            }
            // Digits only; a value too large for 64 bits saturates, which is
            // above any max_body_bytes and so answered 413.
            std::uint64_t v = 0;
            for (char c : e) {
                if (!is_digit(c)) {
                    fail(400, "invalid Content-Length");
                    return false;
                }
                const auto d = static_cast<std::uint64_t>(c - '0');
                constexpr auto max = std::numeric_limits<std::uint64_t>::max();
                v = (v > (max - d) / 10) ? max : v * 10 + d;
            }
            if (has_content_length_ && v != content_length_) {
                fail(400, "conflicting Content-Length");
                return false;
            }
            has_content_length_ = true;
            content_length_ = v;
            return true;
        });
    case 17:
        if (!iequals(name, "transfer-encoding")) return true;
        has_transfer_encoding_ = true;
        for_each_element(value, [&](std::string_view e) {
            if (e.empty()) return true;  // RFC 9110 §5.6.1: empty elements are ignored
            std::size_t k = 0;
            while (k < e.size() && is_tchar(e[k])) ++k;
            const std::string_view coding = e.substr(0, k);
            const std::string_view params = trim_ows(e.substr(k));
            if (coding.empty()) {
                te_invalid_ = true;
                return true;
            }
            const bool chunked = iequals(coding, "chunked");
            // chunked takes no parameters; other codings may, but are
            // refused anyway, so their parameters need no closer look.
            if (!params.empty() && (params.front() != ';' || chunked)) te_invalid_ = true;
            if (chunked) ++te_chunked_count_;
            else te_other_ = true;
            te_last_chunked_ = chunked;
            return true;
        });
        return true;
    default:
        return true;
    }
}

// The framing decision of RFC 9112 §6.3, made strict: anything a proxy in
// front of us might read differently is rejected rather than guessed.
Parser::Result Parser::on_head_end() {
    if (host_count_ > 1) return fail(400, "several Host fields");
    if (version_minor_ == 1 && host_count_ == 0) return fail(400, "missing Host field");
    if (has_transfer_encoding_) {
        if (version_minor_ == 0) return fail(400, "Transfer-Encoding in an HTTP/1.0 request");
        if (has_content_length_) return fail(400, "both Content-Length and Transfer-Encoding");
        if (te_invalid_ || !te_last_chunked_ || te_chunked_count_ != 1)
            return fail(400, "invalid Transfer-Encoding");
        if (te_other_) return fail(501, "unsupported transfer coding");
        chunked_ = true;
    }
    // RFC 9110 §10.1.1: a server ignores 100-continue from an HTTP/1.0 client.
    expect_continue_ = expect_continue_ && version_minor_ == 1;
    if (chunked_) {
        scan_ = pos_;
        state_ = State::chunk_size;
        return Result::need_more;
    }
    if (content_length_ > limits_.max_body_bytes) return fail(413, "body too large");
    remaining_ = content_length_;
    state_ = State::body_length;
    return Result::need_more;
}

// chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
// chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
// chunk-ext-val = token / quoted-string               (RFC 9112 §7.1)
Parser::Result Parser::on_chunk_size_line(std::string_view data, std::size_t end) {
    const std::string_view line = data.substr(pos_, end - pos_);
    std::size_t i = 0;
    std::uint64_t size = 0;
    bool overflow = false;
    for (; i < line.size(); ++i) {
        const int d = hex_value(line[i]);
        if (d < 0) break;
        if (size > (std::numeric_limits<std::uint64_t>::max() >> 4)) overflow = true;
        else size = (size << 4) | static_cast<std::uint64_t>(d);
    }
    if (i == 0) return fail(400, "invalid chunk size");

    const auto skip_bws = [&] {
        while (i < line.size() && is_ows(line[i])) ++i;
    };
    const auto skip_token = [&] {
        const std::size_t from = i;
        while (i < line.size() && is_tchar(line[i])) ++i;
        return i > from;
    };
    for (;;) {
        const std::size_t before = i;
        skip_bws();
        if (i == line.size()) {
            if (i != before) return fail(400, "invalid chunk extension");
            break;
        }
        if (line[i] != ';') return fail(400, "invalid chunk extension");
        ++i;
        skip_bws();
        if (!skip_token()) return fail(400, "invalid chunk extension");
        const std::size_t after_name = i;
        skip_bws();
        if (i < line.size() && line[i] == '=') {
            ++i;
            skip_bws();
            if (i < line.size() && line[i] == '"') {
                ++i;
                for (;;) {
                    if (i == line.size()) return fail(400, "invalid chunk extension");
                    const auto c = static_cast<unsigned char>(line[i]);
                    if (c == '"') {
                        ++i;
                        break;
                    }
                    if (c == '\\') {
                        if (i + 1 == line.size() || !is_quoted_pair_char(static_cast<unsigned char>(line[i + 1])))
                            return fail(400, "invalid chunk extension");
                        i += 2;
                        continue;
                    }
                    if (!is_qdtext(c)) return fail(400, "invalid chunk extension");
                    ++i;
                }
            } else if (!skip_token()) {
                return fail(400, "invalid chunk extension");
            }
        } else {
            i = after_name;  // that whitespace leads the next extension, or is trailing
        }
    }

    if (overflow || size > limits_.max_body_bytes - body_size_) return fail(413, "body too large");
    body_size_ += size;
    if (size == 0) {
        field_bytes_ = 0;
        field_count_ = 0;
        state_ = State::trailers;
    } else {
        remaining_ = size;
        state_ = State::chunk_data;
    }
    return Result::need_more;
}

// Copies the head bytes, then the decoded body, into one string and points
// every view of the Request into it.
Request Parser::head_request(std::string_view data) const {
    Request r;
    build_request(data, r, false);
    return r;
}

void Parser::build_request(std::string_view data) { build_request(data, request_, true); }

void Parser::build_request(std::string_view data, Request& r, bool with_body) const {
    r.method = method_;
    r.version_minor = version_minor_;
    r.keep_alive = version_minor_ == 1 ? !connection_close_
                                       : (connection_keep_alive_ && !connection_close_);

    const std::size_t head_len = head_end_ - head_start_;
    const auto body_len = with_body ? static_cast<std::size_t>(body_size_) : std::size_t{0};
    const std::size_t total = head_len + body_len;
    r.storage.clear();
    // More than the small-buffer capacity, so a move keeps the bytes in place.
    r.storage.reserve(std::max<std::size_t>(total, 2 * sizeof(std::string)));
    r.storage.append(data.substr(head_start_, head_len));
    const std::size_t body_off = r.storage.size();
    if (with_body) {
        for (const Span& s : body_) r.storage.append(data.substr(s.off, s.len));
    }

    const char* base = r.storage.data();
    const auto view = [&](Span s) { return std::string_view(base + (s.off - head_start_), s.len); };
    r.method_token = view(method_span_);
    r.target = view(target_);
    r.path = view(path_);
    r.query = view(query_);
    r.headers.clear();
    r.headers.reserve(fields_.size());
    for (const Field& f : fields_) r.headers.push_back(Header{view(f.name), view(f.value)});
    r.body = std::string_view(base + body_off, body_len);
}

}  // namespace fasterapi::http
