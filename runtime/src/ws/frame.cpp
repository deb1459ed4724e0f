#include "fasterapi/ws/frame.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

namespace fasterapi::ws {

namespace {

// Compressed payload is unmasked into this much stack at a time on its way
// to the inflater.
constexpr std::size_t unmask_step = 8 * 1024;

constexpr bool is_control(Opcode op) noexcept { return (static_cast<std::uint8_t>(op) & 0x8) != 0; }

// XORs `n` bytes with the masking key, the first of them being byte `phase`
// (mod 4) of the payload; eight bytes at a time. Returns the next phase.
std::uint8_t unmask(char* p, std::size_t n, const std::array<std::uint8_t, 4>& key, std::uint8_t phase) noexcept {
    unsigned char rotated[8];
    for (unsigned i = 0; i < 8; ++i) rotated[i] = key[(phase + i) & 3];
    std::uint64_t k;
    std::memcpy(&k, rotated, 8);
    std::size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        std::uint64_t a, b;
        std::memcpy(&a, p + i, 8);
        std::memcpy(&b, p + i + 8, 8);
        a ^= k;
        b ^= k;
        std::memcpy(p + i, &a, 8);
        std::memcpy(p + i + 8, &b, 8);
    }
    for (; i < n; ++i) p[i] = static_cast<char>(p[i] ^ rotated[i & 7]);
    return static_cast<std::uint8_t>((phase + n) & 3);
}

void append_control(std::string& out, Opcode op, std::string_view payload) {
    append_frame(out, op, payload, true, false);
}

}  // namespace

bool valid_close_code(std::uint16_t code) noexcept {
    if (code < 1000) return false;
    if (code <= 1003) return true;
    if (code <= 1006) return false;  // 1004 reserved; 1005, 1006 never on the wire
    if (code <= 1014) return true;
    if (code < 3000) return false;   // 1015 never on the wire; the rest reserved
    return code < 5000;
}

FrameParser::FrameParser(const ParserLimits& limits, const std::optional<DeflateParams>& deflate)
    : limits_(limits) {
    if (deflate) inflater_.emplace(*deflate);
}

Event FrameParser::fail(std::uint16_t code, const char* detail) noexcept {
    state_ = State::failed;
    std::string().swap(message_);
    if (inflater_) inflater_->reset();
    Event e;
    e.kind = Event::Kind::error;
    e.code = code;
    e.detail = detail;
    return e;
}

std::string FrameParser::take_payload() noexcept {
    if (!delivered_) return {};
    delivered_ = false;
    return std::exchange(message_, std::string());
}

// The first two header bytes: FIN RSV1 RSV2 RSV3 opcode(4) | MASK length(7).
Event FrameParser::check_first_bytes() noexcept {
    const std::uint8_t b0 = head_[0];
    const std::uint8_t b1 = head_[1];
    const bool fin = (b0 & 0x80) != 0;
    const bool rsv1 = (b0 & 0x40) != 0;
    if ((b0 & 0x30) != 0) return fail(close_code::protocol_error, "RSV2 or RSV3 set; no extension defines them");
    switch (b0 & 0x0f) {
    case 0x0:
        if (!in_message_) return fail(close_code::protocol_error, "continuation frame without a message to continue");
        if (rsv1) return fail(close_code::protocol_error, "RSV1 set on a continuation frame");
        break;
    case 0x1:
    case 0x2:
        if (in_message_) return fail(close_code::protocol_error, "new data frame before the fragmented message ended");
        if (rsv1 && !inflater_) return fail(close_code::protocol_error, "RSV1 set without permessage-deflate");
        break;
    case 0x8:
    case 0x9:
    case 0xA:
        if (!fin) return fail(close_code::protocol_error, "fragmented control frame");
        if (rsv1) return fail(close_code::protocol_error, "RSV1 set on a control frame");
        // The length is checked in start_frame: 126 and 127 only say how it
        // is encoded, and the value may still be small.
        break;
    default:
        return fail(close_code::protocol_error, "reserved opcode");
    }
    if ((b1 & 0x80) == 0) return fail(close_code::protocol_error, "client frame not masked");
    return {};
}

// The whole header is in head_: length, masking key; the frame begins.
Event FrameParser::start_frame() noexcept {
    const std::uint8_t length7 = head_[1] & 0x7f;
    std::uint64_t length = length7;
    std::size_t at = 2;
    if (length7 == 126) {
        length = (std::uint64_t{head_[2]} << 8) | head_[3];
        at = 4;
    } else if (length7 == 127) {
        length = 0;
        for (std::size_t i = 2; i < 10; ++i) length = (length << 8) | head_[i];
        if (length >> 63) return fail(close_code::protocol_error, "64-bit payload length with its high bit set");
        at = 10;
    }
    // RFC 6455 §5.2 tells senders to use the shortest length encoding but
    // does not ask receivers to reject a longer one; it is unambiguous, so a
    // 5-byte payload announced as 126, 0, 5 is accepted.
    std::memcpy(mask_.data(), head_.data() + at, 4);
    head_len_ = 0;

    const auto op = static_cast<Opcode>(head_[0] & 0x0f);
    if (!is_control(op)) {
        if (op != Opcode::continuation) {
            in_message_ = true;
            text_ = op == Opcode::text;
            compressed_ = (head_[0] & 0x40) != 0;
            utf8_.reset();
        }
        // Uncompressed bytes are the message's bytes: too many is known now.
        if (!compressed_ && length > limits_.max_message_bytes - message_.size())
            return fail(close_code::too_big, "message larger than the limit");
    } else {
        if (length > 125) return fail(close_code::protocol_error, "control frame payload longer than 125 bytes");
        if (op == Opcode::close && length == 1) return fail(close_code::protocol_error, "close frame payload of one byte");
        control_len_ = 0;
    }
    opcode_ = op;
    fin_ = (head_[0] & 0x80) != 0;
    remaining_ = length;
    mask_phase_ = 0;
    state_ = State::payload;
    if (remaining_ == 0) return end_frame();
    return {};
}

Event FrameParser::validate_text_from(std::size_t from) noexcept {
    if (text_ && !utf8_.feed(std::string_view(message_).substr(from)))
        return fail(close_code::invalid_payload, "text message is not valid UTF-8");
    return {};
}

Event FrameParser::inflate_failure(Inflater::Status s) noexcept {
    switch (s) {
    case Inflater::Status::too_big:
        return fail(close_code::too_big, "message larger than the limit once decompressed");
    case Inflater::Status::no_memory:
        return fail(close_code::internal_error, "out of memory while decompressing");
    default:
        return fail(close_code::invalid_payload, "compressed payload is not valid DEFLATE data");
    }
}

Event FrameParser::read_compressed(std::string_view piece) {
    char buf[unmask_step];
    while (!piece.empty()) {
        const std::size_t n = std::min(piece.size(), sizeof buf);
        std::memcpy(buf, piece.data(), n);
        mask_phase_ = unmask(buf, n, mask_, mask_phase_);
        piece.remove_prefix(n);
        const std::size_t before = message_.size();
        const Inflater::Status s = inflater_->inflate(std::string_view(buf, n), message_, limits_.max_message_bytes);
        // Text is checked first: invalid UTF-8 within the first
        // max_message_bytes is 1007 whatever else follows, as it would be
        // had the input arrived in smaller pieces.
        if (Event e = validate_text_from(before); e.kind != Event::Kind::need_more) return e;
        if (s != Inflater::Status::ok) return inflate_failure(s);
    }
    return {};
}

Event FrameParser::read_payload(std::string_view& input) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, input.size()));
    const std::string_view piece = input.substr(0, n);
    input.remove_prefix(n);
    remaining_ -= n;
    if (is_control(opcode_)) {
        std::memcpy(control_.data() + control_len_, piece.data(), n);
        mask_phase_ = unmask(control_.data() + control_len_, n, mask_, mask_phase_);
        control_len_ = static_cast<std::uint8_t>(control_len_ + n);
    } else if (compressed_) {
        if (Event e = read_compressed(piece); e.kind != Event::Kind::need_more) return e;
    } else {
        const std::size_t before = message_.size();
        message_.append(piece);
        mask_phase_ = unmask(message_.data() + before, n, mask_, mask_phase_);
        if (Event e = validate_text_from(before); e.kind != Event::Kind::need_more) return e;
    }
    if (remaining_ == 0) return end_frame();
    return {};
}

Event FrameParser::end_frame() {
    state_ = State::header;
    Event e;
    if (is_control(opcode_)) {
        e.payload = std::string_view(control_.data(), control_len_);
        if (opcode_ == Opcode::ping) {
            e.kind = Event::Kind::ping;
        } else if (opcode_ == Opcode::pong) {
            e.kind = Event::Kind::pong;
        } else {
            e.kind = Event::Kind::close;
            if (control_len_ == 0) {
                e.code = close_code::no_status;
            } else {
                e.code = static_cast<std::uint16_t>((static_cast<std::uint8_t>(control_[0]) << 8) |
                                                    static_cast<std::uint8_t>(control_[1]));
                e.payload.remove_prefix(2);
                if (!valid_close_code(e.code)) return fail(close_code::protocol_error, "invalid close code");
                if (!valid_utf8(e.payload)) return fail(close_code::invalid_payload, "close reason is not valid UTF-8");
            }
            state_ = State::closed;
            std::string().swap(message_);
            if (inflater_) inflater_->reset();
        }
        return e;
    }
    if (!fin_) return e;  // need_more: the message goes on
    if (compressed_) {
        const std::size_t before = message_.size();
        const Inflater::Status s = inflater_->finish(message_, limits_.max_message_bytes);
        if (Event v = validate_text_from(before); v.kind != Event::Kind::need_more) return v;
        if (s != Inflater::Status::ok) return inflate_failure(s);
    }
    if (text_ && !utf8_.complete()) return fail(close_code::invalid_payload, "text message ends inside a UTF-8 sequence");
    in_message_ = false;
    compressed_ = false;
    delivered_ = true;
    e.kind = text_ ? Event::Kind::text : Event::Kind::binary;
    e.payload = message_;
    return e;
}

Event FrameParser::next(std::string_view& input) {
    if (delivered_) {
        // The last event handed out message_; the caller is done with it.
        delivered_ = false;
        std::string().swap(message_);
    }
    for (;;) {
        switch (state_) {
        case State::closed:
        case State::failed:
            input.remove_prefix(input.size());
            return {};
        case State::header: {
            if (head_len_ < 2) {
                const std::size_t take = std::min<std::size_t>(2 - head_len_, input.size());
                if (take == 0) return {};
                std::memcpy(head_.data() + head_len_, input.data(), take);
                head_len_ = static_cast<std::uint8_t>(head_len_ + take);
                input.remove_prefix(take);
                if (head_len_ < 2) return {};
                if (Event e = check_first_bytes(); e.kind != Event::Kind::need_more) return e;
            }
            const std::uint8_t length7 = head_[1] & 0x7f;
            const std::size_t need = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + 4;
            const std::size_t take = std::min<std::size_t>(need - head_len_, input.size());
            if (take == 0) return {};
            std::memcpy(head_.data() + head_len_, input.data(), take);
            head_len_ = static_cast<std::uint8_t>(head_len_ + take);
            input.remove_prefix(take);
            if (head_len_ < need) return {};
            if (Event e = start_frame(); e.kind != Event::Kind::need_more) return e;
            break;
        }
        case State::payload: {
            if (input.empty()) return {};
            if (Event e = read_payload(input); e.kind != Event::Kind::need_more) return e;
            break;
        }
        }
    }
}

// ---- Encoding ----

void append_frame_header(std::string& out, Opcode opcode, std::uint64_t length, bool fin, bool rsv1) {
    char h[10];
    std::size_t n = 2;
    h[0] = static_cast<char>((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | static_cast<std::uint8_t>(opcode));
    if (length <= 125) {
        h[1] = static_cast<char>(length);
    } else if (length <= 0xffff) {
        h[1] = 126;
        h[2] = static_cast<char>(length >> 8);
        h[3] = static_cast<char>(length);
        n = 4;
    } else {
        h[1] = 127;
        for (int i = 0; i < 8; ++i) h[2 + i] = static_cast<char>(length >> (56 - 8 * i));
        n = 10;
    }
    out.append(h, n);
}

void append_frame(std::string& out, Opcode opcode, std::string_view payload, bool fin, bool rsv1) {
    append_frame_header(out, opcode, payload.size(), fin, rsv1);
    out.append(payload);
}

void append_message(std::string& out, Opcode opcode, std::string_view payload, Deflater* deflater,
                    std::size_t max_frame_payload) {
    std::string compressed;
    bool rsv1 = false;
    if (deflater != nullptr && deflater->compress(payload, compressed)) {
        payload = compressed;
        rsv1 = true;
    }
    if (max_frame_payload == 0 || payload.size() <= max_frame_payload) {
        append_frame(out, opcode, payload, true, rsv1);
        return;
    }
    Opcode op = opcode;
    while (payload.size() > max_frame_payload) {
        append_frame(out, op, payload.substr(0, max_frame_payload), false, rsv1);
        payload.remove_prefix(max_frame_payload);
        op = Opcode::continuation;
        rsv1 = false;
    }
    append_frame(out, Opcode::continuation, payload, true, false);
}

bool append_ping(std::string& out, std::string_view payload) {
    if (payload.size() > 125) return false;
    append_control(out, Opcode::ping, payload);
    return true;
}

bool append_pong(std::string& out, std::string_view payload) {
    if (payload.size() > 125) return false;
    append_control(out, Opcode::pong, payload);
    return true;
}

void append_close(std::string& out, std::uint16_t code, std::string_view reason) {
    if (code == 0 || code == close_code::no_status) {
        append_control(out, Opcode::close, {});
        return;
    }
    if (reason.size() > 123) {
        std::size_t cut = 123;
        // Step back off continuation bytes so the cut falls between characters.
        while (cut > 0 && (static_cast<unsigned char>(reason[cut]) & 0xC0) == 0x80) --cut;
        reason = reason.substr(0, cut);
    }
    char payload[125];
    payload[0] = static_cast<char>(code >> 8);
    payload[1] = static_cast<char>(code);
    std::memcpy(payload + 2, reason.data(), reason.size());
    append_control(out, Opcode::close, std::string_view(payload, 2 + reason.size()));
}

}  // namespace fasterapi::ws
