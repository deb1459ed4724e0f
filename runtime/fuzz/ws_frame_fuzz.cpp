// libFuzzer harness for the WebSocket frame parser (with and without
// permessage-deflate) and the UTF-8 validator.
//
// The first input byte picks the setting: bit 0 permessage-deflate, bit 1
// context takeover, bits 2-4 the client's window bits (8 + value), bit 5 a
// small message limit. The rest is what a client sends on one connection.
// It is parsed the way a connection parses it — every read handed to next()
// until need_more — twice: once whole, once in pieces cut at points derived
// from the input. What must hold:
//   1. both deliveries give the same events, byte for byte;
//   2. every event is well-formed: text is valid UTF-8 (by
//      fasterapi::text::valid_utf8, an independent decoder), no message
//      exceeds the limit, control payloads fit in 125 bytes, close codes are
//      valid or 1005, error codes are 1002, 1007, 1009 or 1011, and nothing
//      follows a close or an error;
//   3. the events, written out again by the encoder (compressed and
//      fragmented when the input says so) and masked as a client would,
//      parse back to the same events;
//   4. the incremental UTF-8 validator agrees with text::valid_utf8 on the
//      raw input, however it is split;
//   5. nothing crashes, leaks or reads out of bounds (ASan, UBSan); each
//      read is a fresh copy, so a view kept across calls would be a
//      use-after-free.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common.hpp"
#include "fasterapi/text.hpp"
#include "fasterapi/ws/frame.hpp"

namespace ws = fasterapi::ws;
using Kind = ws::Event::Kind;
using fasterapi::fuzz::Choices;

namespace {

[[noreturn]] void fail(const char* what, const std::string& a = {}, const std::string& b = {}) {
    std::fprintf(stderr, "ws_frame_fuzz: %s\n", what);
    if (!a.empty() || !b.empty()) std::fprintf(stderr, "  first:  %s\n  second: %s\n", a.c_str(), b.c_str());
    std::abort();
}

struct Setting {
    ws::ParserLimits limits;
    std::optional<ws::DeflateParams> deflate;
};

struct Recorded {
    Kind kind;
    std::uint16_t code;
    std::string payload;
};

std::string describe(const std::vector<Recorded>& events) {
    static const char* names[] = {"need_more", "text", "binary", "ping", "pong", "close", "error"};
    std::string s;
    for (const Recorded& e : events) {
        s.append("[").append(names[static_cast<int>(e.kind)]).append(" ").append(std::to_string(e.code));
        s.append(" ").append(std::to_string(e.payload.size())).append(":");
        for (unsigned char c : e.payload.substr(0, 32)) {
            char hex[4];
            std::snprintf(hex, sizeof hex, "%02x", c);
            s.append(hex);
        }
        s.append("]");
    }
    return s;
}

void check_event(const ws::Event& e, const Setting& setting) {
    switch (e.kind) {
    case Kind::text:
        if (!fasterapi::text::valid_utf8(e.payload)) fail("a text message is not valid UTF-8");
        [[fallthrough]];
    case Kind::binary:
        if (e.payload.size() > setting.limits.max_message_bytes) fail("a message exceeds the limit");
        break;
    case Kind::ping:
    case Kind::pong:
        if (e.payload.size() > 125) fail("a control payload exceeds 125 bytes");
        break;
    case Kind::close:
        if (e.payload.size() > 123) fail("a close reason exceeds 123 bytes");
        if (e.code != ws::close_code::no_status && !ws::valid_close_code(e.code)) fail("an invalid close code");
        if (e.code == ws::close_code::no_status && !e.payload.empty()) fail("a reason without a code");
        if (!fasterapi::text::valid_utf8(e.payload)) fail("a close reason is not valid UTF-8");
        break;
    case Kind::error:
        if (e.code != 1002 && e.code != 1007 && e.code != 1009 && e.code != 1011) fail("an unexpected error code");
        break;
    case Kind::need_more:
        break;
    }
}

// The connection's loop: `arrivals` are the input's sizes after each read.
std::vector<Recorded> run(std::string_view input, const std::vector<std::size_t>& arrivals, const Setting& setting) {
    std::vector<Recorded> events;
    ws::FrameParser parser(setting.limits, setting.deflate);
    std::size_t from = 0;
    bool over = false;
    for (std::size_t to : arrivals) {
        const std::size_t n = to - from;
        auto copy = std::make_unique<char[]>(n == 0 ? 1 : n);
        if (n > 0) std::memcpy(copy.get(), input.data() + from, n);
        from = to;
        std::string_view in(copy.get(), n);
        for (;;) {
            const ws::Event e = parser.next(in);
            if (e.kind == Kind::need_more) {
                if (!in.empty()) fail("need_more with input left over");
                break;
            }
            if (over) fail("an event after a close or an error");
            check_event(e, setting);
            events.push_back({e.kind, e.code, std::string(e.payload)});
            over = e.kind == Kind::close || e.kind == Kind::error;
            if (over != (parser.closed() || parser.failed())) fail("closed()/failed() disagree with the events");
        }
    }
    return events;
}

// A client frame: masked with `key`.
void append_client_frame(std::string& out, std::uint8_t first_byte, std::string_view payload,
                         const std::uint8_t key[4]) {
    std::string server;
    ws::append_frame_header(server, static_cast<ws::Opcode>(first_byte & 0x0f), payload.size(),
                            (first_byte & 0x80) != 0, (first_byte & 0x40) != 0);
    server[1] = static_cast<char>(server[1] | 0x80);
    out.append(server);
    out.append(reinterpret_cast<const char*>(key), 4);
    for (std::size_t i = 0; i < payload.size(); ++i) out += static_cast<char>(payload[i] ^ key[i % 4]);
}

// Server frames (from the encoder) made into client frames.
void mask_frames(std::string_view wire, std::string& out, Choices& choices) {
    while (!wire.empty()) {
        const auto b0 = static_cast<std::uint8_t>(wire[0]);
        const std::uint8_t len7 = static_cast<std::uint8_t>(wire[1]) & 0x7f;
        std::size_t at = 2;
        std::uint64_t n = len7;
        if (len7 >= 126) {
            const std::size_t width = len7 == 126 ? 2 : 8;
            n = 0;
            for (std::size_t i = 0; i < width; ++i) n = (n << 8) | static_cast<std::uint8_t>(wire[2 + i]);
            at += width;
        }
        std::uint8_t key[4];
        for (std::uint8_t& k : key) k = static_cast<std::uint8_t>(choices.next());
        append_client_frame(out, b0, wire.substr(at, n), key);
        wire.remove_prefix(at + n);
    }
}

// Property 3: the events written out again parse back to themselves.
void check_reencode(const std::vector<Recorded>& events, const Setting& setting, Choices& choices) {
    std::vector<Recorded> expected;
    std::string client;
    std::optional<ws::Deflater> deflater;
    if (setting.deflate) {
        // The Deflater plays the client: its window is the client's.
        ws::DeflateParams as_client = *setting.deflate;
        as_client.server_max_window_bits = as_client.client_max_window_bits;
        as_client.server_no_context_takeover = as_client.client_no_context_takeover;
        deflater.emplace(as_client, static_cast<int>(choices.below(10)));
    }
    for (const Recorded& e : events) {
        std::string server;
        switch (e.kind) {
        case Kind::text:
        case Kind::binary: {
            const bool compress = deflater && (choices.next() & 1);
            const std::size_t max_frame = choices.below(3) == 0 ? 1 + choices.below(e.payload.size() + 1) : 0;
            ws::append_message(server, e.kind == Kind::text ? ws::Opcode::text : ws::Opcode::binary, e.payload,
                               compress ? &*deflater : nullptr, max_frame);
            break;
        }
        case Kind::ping:
            ws::append_ping(server, e.payload);
            break;
        case Kind::pong:
            ws::append_pong(server, e.payload);
            break;
        case Kind::close:
            ws::append_close(server, e.code, e.payload);
            break;
        default:
            continue;  // an error is not re-sent
        }
        mask_frames(server, client, choices);
        expected.push_back(e);
    }
    const std::vector<Recorded> again = run(client, {client.size()}, setting);
    if (describe(again) != describe(expected))
        fail("events written out again parse differently", describe(expected), describe(again));
}

// Property 4.
void check_utf8(std::string_view input, Choices& choices) {
    const bool expected = fasterapi::text::valid_utf8(input);
    ws::Utf8Validator v;
    bool ok = true;
    std::size_t at = 0;
    while (at < input.size() && ok) {
        const std::size_t take = 1 + choices.below(16);
        ok = v.feed(input.substr(at, take));
        at += take;
    }
    if ((ok && v.complete()) != expected) fail("the UTF-8 validator disagrees with text::valid_utf8");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::uint8_t setting_byte = data[0];
    const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
    Choices choices(input);

    Setting setting;
    if (setting_byte & 0x01) {
        ws::DeflateParams p;
        p.client_no_context_takeover = (setting_byte & 0x02) == 0;
        p.client_max_window_bits = static_cast<std::uint8_t>(8 + ((setting_byte >> 2) & 7));
        setting.deflate = p;
    }
    if (setting_byte & 0x20) setting.limits.max_message_bytes = choices.below(300);

    const std::vector<Recorded> whole = run(input, {input.size()}, setting);

    const std::vector<Recorded> split = run(input, fasterapi::fuzz::arrivals(input.size(), choices), setting);
    if (describe(whole) != describe(split)) fail("whole and split delivery disagree", describe(whole), describe(split));

    check_reencode(whole, setting, choices);
    check_utf8(input, choices);
    return 0;
}
