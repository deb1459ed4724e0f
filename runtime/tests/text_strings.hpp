// The percent-decoders of fasterapi/text.hpp as functions that return the
// decoded text, for tests and fuzz harnesses that compare results: "a%20b"
// -> "a b". What must hold: each is exactly its text:: namesake appending to
// an empty string.
#pragma once

#include <string>
#include <string_view>

#include "fasterapi/text.hpp"

namespace fasterapi::testing {

inline std::string unquote(std::string_view s) {
    std::string out;
    text::unquote(s, out);
    return out;
}

inline std::string unquote_plus(std::string_view s) {
    std::string out;
    text::unquote_plus(s, out);
    return out;
}

}  // namespace fasterapi::testing
