// Text: the byte-level conversions between the wire and Python's view of it.
//
// Starlette sees a request through uvicorn: the path is percent-decoded
// (urllib.parse.unquote, UTF-8 with errors="replace"), and the query string is
// split by urllib.parse.parse_qsl(keep_blank_values=True). These functions do
// the same in C++ without the GIL, and say when they cannot be sure.
//
// What must hold:
//   - output is always valid UTF-8, exactly the UTF-8 encoding of the str that
//     Python would have produced for the same input.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fasterapi::text {

// urllib.parse.unquote(s): every valid %XX decoded, the resulting bytes
// decoded as UTF-8 with errors="replace" (U+FFFD per maximal invalid
// subpart, as CPython does), invalid % sequences kept literally.
// "/a%20b" -> "/a b";  "/%E2%82" -> "/\uFFFD";  "/%zz" -> "/%zz".
// Bytes >= 0x80 in `in` are read as latin-1 characters, which Python keeps
// as they are and which end a run of escapes: "%C3\xA9" -> "\uFFFD\u00A9".
// Appends to `out`.
void unquote(std::string_view in, std::string& out);

// Same as unquote but '+' becomes ' ' first (urllib.parse.unquote_plus).
void unquote_plus(std::string_view in, std::string& out);

// Appends the UTF-8 decoding of `bytes` with errors="replace".
void append_utf8_replacing(std::string_view bytes, std::string& out);

// True when `bytes` is well-formed UTF-8 (no surrogates, no overlongs).
bool valid_utf8(std::string_view bytes) noexcept;

// urllib.parse.parse_qsl(qs, keep_blank_values=True) on the latin-1 decoded
// query string, as Starlette's QueryParams does: split on '&', skip empty
// fields, "k" alone gives ("k", ""), first '=' splits name and value, both
// unquote_plus'ed. "a=1&b&&c=x+y%21" -> [("a","1"),("b",""),("c","x y!")].
// Appends to `out`.
void parse_query(std::string_view qs,
                 std::vector<std::pair<std::string, std::string>>& out);

}  // namespace fasterapi::text
