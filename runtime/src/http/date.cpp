#include "fasterapi/http/date.hpp"

namespace fasterapi::http {

namespace {

void put2(char* p, int v) noexcept {
    p[0] = static_cast<char>('0' + v / 10);
    p[1] = static_cast<char>('0' + v % 10);
}

}  // namespace

void DateCache::format(std::time_t t, std::array<char, 29>& out) noexcept {
    static constexpr char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::tm tm{};
    gmtime_r(&t, &tm);
    char* p = out.data();
    for (int i = 0; i < 3; ++i) p[i] = days[tm.tm_wday][i];
    p[3] = ',';
    p[4] = ' ';
    put2(p + 5, tm.tm_mday);
    p[7] = ' ';
    for (int i = 0; i < 3; ++i) p[8 + i] = months[tm.tm_mon][i];
    p[11] = ' ';
    const int year = tm.tm_year + 1900;
    put2(p + 12, (year / 100) % 100);
    put2(p + 14, year % 100);
    p[16] = ' ';
    put2(p + 17, tm.tm_hour);
    p[19] = ':';
    put2(p + 20, tm.tm_min);
    p[22] = ':';
    put2(p + 23, tm.tm_sec);
    p[25] = ' ';
    p[26] = 'G';
    p[27] = 'M';
    p[28] = 'T';
}

std::string_view DateCache::now() noexcept {
    const std::time_t t = std::time(nullptr);
    if (t != second_) {
        second_ = t;
        format(t, text_);
    }
    return std::string_view(text_.data(), text_.size());
}

}  // namespace fasterapi::http
