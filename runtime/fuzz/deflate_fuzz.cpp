// libFuzzer harness for the permessage-deflate codec (ws/deflate.hpp) on its
// own: the Inflater that decompresses what a client sends with RSV1 set, and
// the Deflater the server compresses with.
//
// Byte 0 picks the parameters (context takeover, window bits, the message
// limit), byte 1 the mode; the rest is, in mode 0, compressed messages as a
// client sends them (separated by the byte 0xA5 0x5A, each fed in pieces cut
// at input-derived points), in mode 1, plain messages (separated the same
// way) that the Deflater compresses and the Inflater must give back.
// What must hold:
//   1. the Inflater never holds more than the limit: after too_big the
//      output is exactly the message's first `limit` bytes;
//   2. how a message is split into pieces does not change the outcome;
//   3. a message the Inflater accepts whole is what zlib itself inflates
//      from the same bytes (raw DEFLATE, 32 KiB window, tail added back);
//   4. what the Deflater compresses, under every agreed window and takeover,
//      inflates back to the message (or to its first `limit` bytes and
//      too_big when it is longer);
//   5. nothing crashes, leaks or reads out of bounds (ASan, UBSan).
#include <zlib.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fasterapi/ws/deflate.hpp"

namespace ws = fasterapi::ws;
using Status = ws::Inflater::Status;

namespace {

[[noreturn]] void fail(const char* what, std::size_t a = 0, std::size_t b = 0) {
    std::fprintf(stderr, "deflate_fuzz: %s (%zu, %zu)\n", what, a, b);
    std::abort();
}

std::vector<std::string_view> split_messages(std::string_view s) {
    std::vector<std::string_view> out;
    for (;;) {
        const std::size_t at = s.find("\xA5\x5A");
        out.push_back(s.substr(0, at));
        if (at == std::string_view::npos) return out;
        s.remove_prefix(at + 2);
    }
}

struct Result {
    Status status = Status::ok;
    std::string out;
};

// One message through `inf`, its payload fed in the pieces `cuts` gives
// (offsets, ascending), each from a buffer of exactly its size.
Result inflate_message(ws::Inflater& inf, std::string_view payload, const std::vector<std::size_t>& cuts,
                       std::size_t limit) {
    Result r;
    std::size_t at = 0;
    for (std::size_t cut : cuts) {
        if (cut < at || cut > payload.size()) continue;
        const std::size_t n = cut - at;
        auto piece = std::make_unique<char[]>(n == 0 ? 1 : n);  // exact: a read past it is caught
        std::memcpy(piece.get(), payload.data() + at, n);
        r.status = inf.inflate(std::string_view(piece.get(), n), r.out, limit);
        if (r.out.size() > limit) fail("the output exceeds the limit", r.out.size(), limit);
        at = cut;
        if (r.status != Status::ok) return r;
    }
    r.status = inf.finish(r.out, limit);
    if (r.out.size() > limit) fail("the output exceeds the limit after finish", r.out.size(), limit);
    return r;
}

// zlib on its own: the whole payload and the tail in one call, with room
// for everything (at most `cap` bytes). 1: inflated, 0: zlib refuses it,
// 2: a BFINAL block ends the stream before the payload does (the Inflater
// then starts a new stream; zlib alone cannot say what that gives).
int reference_inflate(std::string_view payload, std::size_t cap, std::string& out) {
    z_stream z{};
    if (inflateInit2(&z, -15) != Z_OK) return 0;
    std::string in(payload);
    in.append("\x00\x00\xff\xff", 4);
    out.assign(cap + 1, '\0');
    z.next_in = reinterpret_cast<Bytef*>(in.data());
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int rc = ::inflate(&z, Z_SYNC_FLUSH);
    out.resize(out.size() - z.avail_out);
    const uInt left = z.avail_in;
    inflateEnd(&z);
    if (rc == Z_STREAM_END) return left > 4 ? 2 : 1;
    return (rc == Z_OK || rc == Z_BUF_ERROR) && left == 0 ? 1 : 0;
}

std::vector<std::size_t> cuts_for(std::string_view payload, std::uint32_t seed) {
    std::vector<std::size_t> cuts;
    std::uint32_t x = seed | 1;
    const std::size_t count = seed % 5;
    for (std::size_t i = 0; i < count; ++i) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        cuts.push_back(payload.empty() ? 0 : x % (payload.size() + 1));
    }
    cuts.push_back(payload.size());
    std::sort(cuts.begin(), cuts.end());
    return cuts;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const std::uint8_t knobs = data[0];
    const bool compress_mode = data[1] & 1;
    const std::string_view rest(reinterpret_cast<const char*>(data) + 2, size - 2);

    ws::DeflateParams params;
    params.client_no_context_takeover = knobs & 1;
    params.server_no_context_takeover = knobs & 2;
    params.client_max_window_bits = static_cast<std::uint8_t>(8 + ((knobs >> 2) & 7));
    params.server_max_window_bits = params.client_max_window_bits;
    static constexpr std::size_t limits[] = {0, 1, 100, 4096, 70000, 1 << 20};
    const std::size_t limit = limits[(knobs >> 5) % 6];
    const std::uint32_t seed = static_cast<std::uint32_t>(size * 2654435761u) ^ knobs;

    const std::vector<std::string_view> messages = split_messages(rest);
    if (!compress_mode) {
        // 1, 2, 3: the same messages whole and in pieces, through two inflaters.
        ws::Inflater whole(params), pieces(params);
        bool first = true;
        for (std::string_view m : messages) {
            const Result a = inflate_message(whole, m, {m.size()}, limit);
            const Result b = inflate_message(pieces, m, cuts_for(m, seed + static_cast<std::uint32_t>(m.size())), limit);
            if (a.status != b.status || a.out != b.out)
                fail("whole and split delivery disagree", static_cast<std::size_t>(a.status), static_cast<std::size_t>(b.status));
            // zlib alone knows no earlier window: only a first message, or
            // every one without context takeover, can be compared with it.
            if (a.status == Status::ok && (first || params.client_no_context_takeover)) {
                std::string expected;
                const int ref = reference_inflate(m, limit, expected);
                if (ref == 0 || (ref == 1 && expected != a.out))
                    fail("an accepted message inflates otherwise with zlib", a.out.size(), expected.size());
            }
            first = false;
            if (a.status == Status::too_big && a.out.size() != limit) fail("too_big short of the limit", a.out.size(), limit);
            if (a.status != Status::ok) break;  // the connection is closed
        }
        return 0;
    }

    // 4: compress, then inflate, message by message.
    ws::DeflateParams as_client = params;  // the client inflates what the server deflates
    ws::Deflater deflater(params, (knobs >> 3) % 10, 1 + knobs % 9);
    ws::Inflater inflater(ws::DeflateParams{.server_no_context_takeover = false,
                                            .client_no_context_takeover = as_client.server_no_context_takeover,
                                            .server_max_window_bits = 15,
                                            .client_max_window_bits = as_client.server_max_window_bits});
    for (std::string_view m : messages) {
        std::string payload;
        if (!deflater.compress(m, payload)) fail("compress failed", m.size());
        const Result r = inflate_message(inflater, payload, cuts_for(payload, seed), limit);
        if (m.size() <= limit) {
            if (r.status != Status::ok || r.out != m) fail("a compressed message does not inflate back", m.size(), r.out.size());
        } else {
            if (r.status != Status::too_big || r.out != m.substr(0, limit))
                fail("a message over the limit is not too_big with its first bytes", m.size(), r.out.size());
            break;
        }
    }
    return 0;
}
