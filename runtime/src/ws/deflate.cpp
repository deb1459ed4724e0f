#include "fasterapi/ws/deflate.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstring>
#include <memory>
#include <utility>

#include "fasterapi/http/request.hpp"

namespace fasterapi::ws {

namespace {

constexpr unsigned char sync_tail[4] = {0x00, 0x00, 0xff, 0xff};

// Output is produced into this much stack at a time, so a message that
// inflates past the limit is caught within one step of it.
constexpr std::size_t inflate_step = 16 * 1024;

constexpr bool is_ows(char c) noexcept { return c == ' ' || c == '\t'; }

bool is_tchar(char c) noexcept {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
    return c != '\0' && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

// A cursor over one header value for the extension-list grammar of RFC 6455
// §9.1 (with the OWS that the #rule allows around separators).
class Scanner {
public:
    explicit Scanner(std::string_view s) noexcept : s_(s) {}

    bool done() const noexcept { return i_ >= s_.size(); }
    char peek() const noexcept { return done() ? '\0' : s_[i_]; }
    void skip_ows() noexcept {
        while (!done() && is_ows(s_[i_])) ++i_;
    }
    bool eat(char c) noexcept {
        if (peek() != c || done()) return false;
        ++i_;
        return true;
    }
    std::string_view token() noexcept {
        const std::size_t start = i_;
        while (!done() && is_tchar(s_[i_])) ++i_;
        return s_.substr(start, i_ - start);
    }
    // A quoted-string (RFC 9110 §5.6.4) after its opening quote, unescaped.
    // Reads up to the closing quote even past a bad character, so that
    // recover() starts outside the string; false if one was seen or the
    // quote never closes.
    bool quoted(std::string& out) {
        bool ok = true;
        while (!done()) {
            auto c = static_cast<unsigned char>(s_[i_++]);
            if (c == '"') return ok;
            if (c == '\\') {
                if (done()) return false;
                c = static_cast<unsigned char>(s_[i_++]);
            }
            if ((c < 0x20 && c != '\t') || c == 0x7f) ok = false;
            out += static_cast<char>(c);
        }
        return false;
    }
    // After a syntax error: past the next comma that is not inside quotes.
    void recover() noexcept {
        bool in_quotes = false;
        while (!done()) {
            const char c = s_[i_++];
            if (in_quotes && c == '\\') {
                if (!done()) ++i_;
            } else if (c == '"') {
                in_quotes = !in_quotes;
            } else if (c == ',' && !in_quotes) {
                return;
            }
        }
    }

private:
    std::string_view s_;
    std::size_t i_ = 0;
};

// One extension element at the cursor: token *( ";" param ). False on a syntax error.
bool parse_offer(Scanner& sc, ExtensionOffer& offer) {
    const std::string_view name = sc.token();
    if (name.empty()) return false;
    offer.name.assign(name);
    for (;;) {
        sc.skip_ows();
        if (!sc.eat(';')) return sc.done() || sc.peek() == ',';
        sc.skip_ows();
        const std::string_view pname = sc.token();
        if (pname.empty()) return false;
        ExtensionParam& p = offer.params.emplace_back();
        p.name.assign(pname);
        sc.skip_ows();
        if (!sc.eat('=')) continue;
        sc.skip_ows();
        p.has_value = true;
        if (sc.eat('"')) {
            if (!sc.quoted(p.value)) return false;
        } else {
            const std::string_view v = sc.token();
            if (v.empty()) return false;
            p.value.assign(v);
        }
    }
}

// "8".."15" exactly: decimal, no sign, no leading zeros. 0 when invalid.
std::uint8_t window_bits_value(std::string_view v) noexcept {
    if (v.size() == 1 && (v[0] == '8' || v[0] == '9')) return static_cast<std::uint8_t>(v[0] - '0');
    if (v.size() == 2 && v[0] == '1' && v[1] >= '0' && v[1] <= '5') return static_cast<std::uint8_t>(10 + v[1] - '0');
    return 0;
}

std::uint8_t clamp_bits(std::uint8_t bits) noexcept { return std::clamp<std::uint8_t>(bits, 8, 15); }

void free_stream(z_stream_s*& s, bool inflating) noexcept {
    if (s == nullptr) return;
    if (inflating) inflateEnd(s);
    else deflateEnd(s);
    delete s;
    s = nullptr;
}

}  // namespace

void parse_extensions(std::string_view value, std::vector<ExtensionOffer>& out) {
    Scanner sc(value);
    for (;;) {
        // Empty list elements are allowed and ignored (RFC 9110 §5.6.1).
        sc.skip_ows();
        while (sc.eat(',')) sc.skip_ows();
        if (sc.done()) return;
        ExtensionOffer offer;
        if (parse_offer(sc, offer)) {
            out.push_back(std::move(offer));
            sc.eat(',');
        } else {
            sc.recover();
        }
    }
}

std::optional<DeflateAgreement> accept_deflate_offer(const ExtensionOffer& offer, const DeflateOptions& options) {
    if (!http::iequals(offer.name, "permessage-deflate")) return std::nullopt;
    bool server_nct = false, client_nct = false;
    bool server_bits_offered = false, client_bits_offered = false;
    std::uint8_t server_bits = 15, client_bits = 15;
    unsigned seen = 0;
    for (const ExtensionParam& p : offer.params) {
        unsigned bit;
        if (http::iequals(p.name, "server_no_context_takeover")) {
            if (p.has_value) return std::nullopt;
            server_nct = true;
            bit = 1;
        } else if (http::iequals(p.name, "client_no_context_takeover")) {
            if (p.has_value) return std::nullopt;
            client_nct = true;
            bit = 2;
        } else if (http::iequals(p.name, "server_max_window_bits")) {
            if (!p.has_value || (server_bits = window_bits_value(p.value)) == 0) return std::nullopt;
            server_bits_offered = true;
            bit = 4;
        } else if (http::iequals(p.name, "client_max_window_bits")) {
            // Without a value the client only says it understands the parameter.
            if (p.has_value && (client_bits = window_bits_value(p.value)) == 0) return std::nullopt;
            client_bits_offered = true;
            bit = 8;
        } else {
            return std::nullopt;
        }
        if (seen & bit) return std::nullopt;
        seen |= bit;
    }

    DeflateAgreement a;
    DeflateParams& r = a.params;
    r.server_no_context_takeover = server_nct || options.server_no_context_takeover;
    r.client_no_context_takeover = client_nct || options.client_no_context_takeover;
    r.server_max_window_bits = std::min(server_bits, clamp_bits(options.server_max_window_bits));
    r.client_max_window_bits =
        client_bits_offered ? std::min(client_bits, clamp_bits(options.client_max_window_bits)) : std::uint8_t{15};

    a.response = "permessage-deflate";
    if (r.server_no_context_takeover) a.response += "; server_no_context_takeover";
    if (r.client_no_context_takeover) a.response += "; client_no_context_takeover";
    if (server_bits_offered || r.server_max_window_bits < 15)
        a.response.append("; server_max_window_bits=").append(std::to_string(r.server_max_window_bits));
    if (client_bits_offered && r.client_max_window_bits < 15)
        a.response.append("; client_max_window_bits=").append(std::to_string(r.client_max_window_bits));
    return a;
}

std::optional<DeflateAgreement> negotiate_deflate(std::span<const std::string_view> header_values,
                                                  const DeflateOptions& options) {
    std::vector<ExtensionOffer> offers;
    for (std::string_view v : header_values) parse_extensions(v, offers);
    for (const ExtensionOffer& o : offers)
        if (auto a = accept_deflate_offer(o, options)) return a;
    return std::nullopt;
}

// ---- Inflater ----

Inflater::Inflater(const DeflateParams& params) noexcept
    // Always the largest window, whatever the client agreed to. A window
    // larger than the peer's decodes its stream all the same, and only the
    // largest makes the outcome independent of how the payload was split:
    // zlib accepts a distance beyond a smaller window when it points into
    // output produced by the same inflate() call, so with a 512-byte window
    // one message could inflate whole yet be "corrupt" when it arrived in
    // pieces. With 32 KiB, DEFLATE's longest distance, a distance is valid
    // exactly when it stays within the message's history.
    : window_bits_(15), takeover_(!params.client_no_context_takeover) {}

Inflater::~Inflater() { reset(); }

Inflater::Inflater(Inflater&& other) noexcept
    : stream_(std::exchange(other.stream_, nullptr)), window_bits_(other.window_bits_),
      takeover_(other.takeover_), started_(other.started_), stream_ended_(other.stream_ended_),
      restarted_(other.restarted_) {}

Inflater& Inflater::operator=(Inflater&& other) noexcept {
    if (this != &other) {
        reset();
        stream_ = std::exchange(other.stream_, nullptr);
        window_bits_ = other.window_bits_;
        takeover_ = other.takeover_;
        started_ = other.started_;
        stream_ended_ = other.stream_ended_;
        restarted_ = other.restarted_;
    }
    return *this;
}

void Inflater::reset() noexcept {
    free_stream(stream_, true);
    started_ = false;
    stream_ended_ = false;
    restarted_ = false;
}

bool Inflater::open() noexcept {
    auto* s = new (std::nothrow) z_stream{};
    if (s == nullptr) return false;
    if (inflateInit2(s, -static_cast<int>(window_bits_)) != Z_OK) {
        delete s;
        return false;
    }
    stream_ = s;
    return true;
}

// A BFINAL block ended the stream, yet the message (or, with context
// takeover, the next one) may go on as a new stream that still refers back
// into the window: start one with the window as its dictionary.
bool Inflater::restart_keeping_window() noexcept {
    auto dict = std::unique_ptr<Bytef[]>(new (std::nothrow) Bytef[std::size_t{1} << window_bits_]);
    if (dict == nullptr) return false;
    uInt len = 0;
    if (inflateGetDictionary(stream_, dict.get(), &len) != Z_OK) return false;
    if (inflateReset(stream_) != Z_OK) return false;
    return len == 0 || inflateSetDictionary(stream_, dict.get(), len) == Z_OK;
}

Inflater::Status Inflater::run(const unsigned char* data, std::size_t size, std::string& out, std::size_t limit) {
    std::array<Bytef, inflate_step> buf;
    z_stream& z = *stream_;
    while (size > 0) {
        const std::size_t chunk = std::min<std::size_t>(size, UINT_MAX);
        z.next_in = const_cast<Bytef*>(data);
        z.avail_in = static_cast<uInt>(chunk);
        for (;;) {
            const bool fed = z.avail_in > 0;
            z.next_out = buf.data();
            z.avail_out = static_cast<uInt>(buf.size());
            const int rc = ::inflate(&z, Z_SYNC_FLUSH);
            const std::size_t produced = buf.size() - z.avail_out;
            if (produced > limit - out.size()) {
                // Keep what fits, so the caller sees the same bytes up to the
                // limit however the input was split.
                out.append(reinterpret_cast<const char*>(buf.data()), limit - out.size());
                return Status::too_big;
            }
            out.append(reinterpret_cast<const char*>(buf.data()), produced);
            if (rc == Z_STREAM_END) {
                // One BFINAL block per message is what a sender that cannot
                // emit an empty stored block uses (RFC 7692 §7.2.3.4); more
                // would only make each one cost a copy of the window.
                if (restarted_) return Status::corrupt;
                if (!restart_keeping_window()) return Status::no_memory;
                restarted_ = true;
                stream_ended_ = true;
                if (z.avail_in == 0) break;
                continue;
            }
            if (rc == Z_MEM_ERROR) return Status::no_memory;
            if (rc != Z_OK && rc != Z_BUF_ERROR) return Status::corrupt;
            if (fed) stream_ended_ = false;
            if (z.avail_in == 0 && z.avail_out != 0) break;
        }
        data += chunk;
        size -= chunk;
    }
    return Status::ok;
}

Inflater::Status Inflater::inflate(std::string_view piece, std::string& out, std::size_t limit) {
    if (out.size() > limit) return Status::too_big;
    if (piece.empty()) return Status::ok;
    if (stream_ == nullptr && !open()) return Status::no_memory;
    started_ = true;
    return run(reinterpret_cast<const unsigned char*>(piece.data()), piece.size(), out, limit);
}

Inflater::Status Inflater::finish(std::string& out, std::size_t limit) {
    if (out.size() > limit) return Status::too_big;
    // An empty compressed message has nothing to inflate; its window is unchanged.
    if (started_ && !stream_ended_) {
        const Status s = run(sync_tail, sizeof sync_tail, out, limit);
        if (s != Status::ok) return s;
        // 128: inflate stopped where a new block header is expected.
        if ((stream_->data_type & 128) == 0) return Status::corrupt;
    }
    started_ = false;
    stream_ended_ = false;
    restarted_ = false;
    if (!takeover_) free_stream(stream_, true);
    return Status::ok;
}

// ---- Deflater ----

Deflater::Deflater(const DeflateParams& params, int level, int mem_level) noexcept
    : window_bits_(clamp_bits(params.server_max_window_bits)),
      takeover_(!params.server_no_context_takeover),
      level_(static_cast<std::int8_t>(std::clamp(level, 0, 9))),
      mem_level_(static_cast<std::int8_t>(std::clamp(mem_level, 1, 9))) {}

Deflater::~Deflater() { release(); }

Deflater::Deflater(Deflater&& other) noexcept
    : stream_(std::exchange(other.stream_, nullptr)), window_bits_(other.window_bits_),
      takeover_(other.takeover_), level_(other.level_), mem_level_(other.mem_level_) {}

Deflater& Deflater::operator=(Deflater&& other) noexcept {
    if (this != &other) {
        release();
        stream_ = std::exchange(other.stream_, nullptr);
        window_bits_ = other.window_bits_;
        takeover_ = other.takeover_;
        level_ = other.level_;
        mem_level_ = other.mem_level_;
    }
    return *this;
}

void Deflater::release() noexcept { free_stream(stream_, false); }

bool Deflater::open() noexcept {
    auto* s = new (std::nothrow) z_stream{};
    if (s == nullptr) return false;
    // An 8-bit window: zlib's smallest raw window is 9 bits, so use it with
    // Huffman-only blocks, which carry no back-references.
    const bool huffman_only = window_bits_ < 9;
    const int bits = huffman_only ? 9 : window_bits_;
    if (deflateInit2(s, level_, Z_DEFLATED, -bits, mem_level_, huffman_only ? Z_HUFFMAN_ONLY : Z_DEFAULT_STRATEGY) !=
        Z_OK) {
        delete s;
        return false;
    }
    stream_ = s;
    return true;
}

bool Deflater::compress(std::string_view message, std::string& out) {
    // An empty message is one empty stored block, 0x00 once the tail is
    // removed (RFC 7692 §7.2.3.6). zlib is not asked: after a flush, a
    // second one with no input makes no progress (Z_BUF_ERROR), and the
    // window is the same before and after an empty block.
    if (message.empty()) {
        out.push_back('\0');
        return true;
    }
    if (stream_ == nullptr && !open()) return false;
    z_stream& z = *stream_;
    const std::size_t start = out.size();
    const auto* data = reinterpret_cast<const Bytef*>(message.data());
    std::size_t left = message.size();
    bool failed = false;
    // One pass per UINT_MAX bytes of input; the last is flushed, which ends
    // the output on a byte boundary with the 00 00 ff ff of an empty stored block.
    do {
        const std::size_t chunk = std::min<std::size_t>(left, UINT_MAX);
        const int flush = chunk == left ? Z_SYNC_FLUSH : Z_NO_FLUSH;
        z.next_in = const_cast<Bytef*>(data);
        z.avail_in = static_cast<uInt>(chunk);
        for (;;) {
            const std::size_t room = std::min<std::size_t>(deflateBound(&z, z.avail_in) + 16, UINT_MAX);
            const std::size_t used = out.size();
            out.resize(used + room);
            z.next_out = reinterpret_cast<Bytef*>(out.data() + used);
            z.avail_out = static_cast<uInt>(room);
            const int rc = deflate(&z, flush);
            out.resize(used + room - z.avail_out);
            if (rc != Z_OK && rc != Z_BUF_ERROR) {
                failed = true;
                break;
            }
            if (z.avail_out != 0) break;
        }
        data += chunk;
        left -= chunk;
    } while (left > 0 && !failed);

    if (failed || out.size() - start < sizeof sync_tail ||
        std::memcmp(out.data() + out.size() - sizeof sync_tail, sync_tail, sizeof sync_tail) != 0) {
        out.resize(start);
        release();
        return false;
    }
    out.resize(out.size() - sizeof sync_tail);
    if (!takeover_) release();
    return true;
}

}  // namespace fasterapi::ws
