// DateCache: the `date` header value (IMF-fixdate), formatted at most once a
// second.
//
// Every response carries `date` (RFC 9110 §6.6.1); formatting it per response
// would cost a gmtime and a format on the hot path. Each reactor keeps one
// cache, so it needs no lock.
//
// What must hold:
//   - the value is "Sun, 06 Nov 1994 08:49:37 GMT": always 29 bytes, English
//     names, UTC, whatever the process locale or time zone.
#pragma once

#include <array>
#include <ctime>
#include <string_view>

namespace fasterapi::http {

class DateCache {
public:
    // The current date, reformatted only when the second has changed.
    std::string_view now() noexcept;

    // 784111777 -> "Sun, 06 Nov 1994 08:49:37 GMT".
    static void format(std::time_t t, std::array<char, 29>& out) noexcept;

private:
    std::time_t second_ = -1;
    std::array<char, 29> text_{};
};

}  // namespace fasterapi::http
