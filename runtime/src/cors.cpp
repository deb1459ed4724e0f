#include "fasterapi/cors.hpp"

#include <algorithm>

namespace fasterapi::cors {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

Headers parse(std::string_view lines) {
    Headers out;
    while (!lines.empty()) {
        std::size_t end = lines.find("\r\n");
        std::string_view line = lines.substr(0, end);
        std::size_t colon = line.find(':');
        std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
        if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        out.emplace_back(std::string(line.substr(0, colon)), std::string(value));
        if (end == std::string_view::npos) break;
        lines.remove_prefix(end + 2);
    }
    return out;
}

// MutableHeaders.__setitem__: the first `name` replaced in place, later ones dropped, or appended.
void set(Headers& h, std::string_view name, std::string value) {
    auto first = std::find_if(h.begin(), h.end(), [&](const auto& kv) { return kv.first == name; });
    if (first == h.end()) {
        h.emplace_back(std::string(name), std::move(value));
        return;
    }
    first->second = std::move(value);
    h.erase(std::remove_if(first + 1, h.end(), [&](const auto& kv) { return kv.first == name; }), h.end());
}

// headers["Vary"] = ", ".join([*headers.getlist("Vary"), "Origin"])
void add_vary_origin(Headers& h) {
    std::string joined;
    for (const auto& [name, value] : h) {
        if (name == "vary") joined.append(value).append(", ");
    }
    joined.append("Origin");
    set(h, "vary", std::move(joined));
}

void apply_one(const Policy& p, const std::string* origin, Headers& h) {
    if (origin) {
        for (const auto& [name, value] : p.simple_headers) set(h, name, value);
    }
    const bool allowed = origin && !p.allow_all_origins &&
                         std::find(p.allow_origins.begin(), p.allow_origins.end(), *origin) != p.allow_origins.end();
    if ((origin && p.allow_all_origins && p.allow_credentials) || allowed) {
        set(h, "access-control-allow-origin", *origin);
        add_vary_origin(h);
    } else {
        add_vary_origin(h);
    }
}

}  // namespace

void apply(const std::vector<Policy>& policies, const std::string* origin, std::string& header_lines) {
    if (policies.empty()) return;
    Headers h = parse(header_lines);
    for (const Policy& p : policies) apply_one(p, origin, h);
    header_lines.clear();
    for (const auto& [name, value] : h) header_lines.append(name).append(": ").append(value).append("\r\n");
}

}  // namespace fasterapi::cors
