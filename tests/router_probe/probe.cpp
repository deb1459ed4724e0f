// A test hook: the runtime's router over tables handed in from Python at
// run time, so one compiled module can check any planned route set (the
// generated code holds the same tables as constants).
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <chrono>
#include <deque>
#include <string>
#include <tuple>
#include <vector>

#include "fasterapi/router.hpp"
#include "fasterapi/text.hpp"

namespace py = pybind11;
using namespace fasterapi::router;

namespace {

using PartSpec = std::tuple<int, py::bytes, int>;  // kind, text, convertor
using PatternSpec = std::tuple<std::vector<PartSpec>, int, std::string>;
using SlotSpec = std::tuple<py::bytes, std::uint32_t, std::uint32_t>;
// literals_begin, literal_slots, hash_bits, param_child, typed_begin, typed_count, end_begin, end_count,
// rest_count, min_route
using NodeSpec = std::tuple<std::uint32_t, std::uint32_t, std::uint32_t, std::int32_t, std::uint32_t, std::uint32_t,
                            std::uint32_t, std::uint32_t, std::uint32_t, std::uint32_t>;

class Matcher {
public:
    Matcher(const std::vector<PatternSpec>& patterns, std::uint64_t seed, std::vector<std::uint32_t> displacements,
            std::uint32_t slot_shift, std::uint64_t static_lengths, const std::vector<SlotSpec>& slots, const std::vector<std::pair<int, int>>& static_matches,
            const std::vector<std::pair<int, int>>& spans, const std::vector<NodeSpec>& nodes,
            const std::vector<std::pair<py::bytes, std::uint32_t>>& literals,
            const std::vector<std::pair<int, std::uint32_t>>& typed, std::vector<std::uint16_t> route_lists,
            std::vector<std::uint16_t> fallback)
        : displacements_(std::move(displacements)), route_lists_(std::move(route_lists)),
          fallback_(std::move(fallback)) {
        for (const auto& [parts, methods, allow] : patterns) {
            std::vector<Part> ps;
            std::uint8_t captures = 0;
            for (const auto& [kind, text, convertor] : parts) {
                ps.push_back({static_cast<PartKind>(kind), keep(text), static_cast<Convertor>(convertor)});
                if (kind != 0) ++captures;
            }
            parts_.push_back(std::move(ps));
            allows_.push_back(allow);
            patterns_.push_back({nullptr, static_cast<std::uint8_t>(parts_.back().size()), captures,
                                 static_cast<std::uint16_t>(methods), nullptr});
        }
        for (std::size_t i = 0; i < patterns_.size(); ++i) {
            patterns_[i].parts = parts_[i].data();
            patterns_[i].allow = allows_[i].c_str();
        }
        for (const auto& [path, begin, count] : slots) slots_.push_back({keep(path), begin, count});
        for (const auto& [route, span] : static_matches) {
            static_matches_.push_back({static_cast<std::uint16_t>(route), static_cast<std::uint16_t>(span)});
        }
        for (const auto& [offset, length] : spans) {
            spans_.push_back({static_cast<std::uint16_t>(offset), static_cast<std::uint16_t>(length)});
        }
        for (const auto& [a, b, c, d, e, f, g, h, i, j] : nodes) nodes_.push_back({a, b, c, d, e, f, g, h, i, j});
        for (const auto& [convertor, child] : typed) typed_.push_back({static_cast<Convertor>(convertor), child});
        for (const auto& [segment, child] : literals) {
            literals_.push_back(child == no_node ? Literal{} : Literal{keep(segment), child});
        }
        table_ = Table{patterns_.data(), static_cast<std::uint32_t>(patterns_.size()), seed,
                       displacements_.data(), static_cast<std::uint32_t>(displacements_.size()),
                       slots_.data(), slot_shift, static_lengths, static_matches_.data(), spans_.data(),
                       nodes_.data(), static_cast<std::uint32_t>(nodes_.size()), literals_.data(), typed_.data(),
                       route_lists_.data(),
                       fallback_.data(), static_cast<std::uint32_t>(fallback_.size())};
    }

    // (full, partial, captures) for a raw request path, decoded as dispatch
    // decodes it and matched, as dispatch matches it, on its route path.
    py::tuple lookup(const py::bytes& raw, int method, bool reference, const std::string& root_path) const {
        std::string decoded = decode(raw);
        std::string_view path = route_path(decoded, root_path);
        Result r;
        if (reference) {
            scan(table_, path, static_cast<std::uint16_t>(method), r);
        } else {
            fasterapi::router::lookup(table_, path, static_cast<std::uint16_t>(method), r);
        }
        py::list caps;
        if (r.full != no_route) {
            for (std::size_t i = 0; i < r.captures.count; ++i) {
                caps.append(py::bytes(r.captures.values[i].data(), r.captures.values[i].size()));
            }
        }
        py::object full = r.full == no_route ? py::none() : py::object(py::int_(r.full));
        py::object partial = (r.full != no_route || r.partial == no_route) ? py::none() : py::object(py::int_(r.partial));
        return py::make_tuple(full, partial, caps);
    }

    bool matches_any(const py::bytes& path) const { return any_match(table_, std::string(path)); }

    // Where redirect_slashes sends a raw request path nothing matched, or None.
    py::object redirect(const py::bytes& raw, const std::string& root_path) const {
        std::string other;
        if (!slash_redirect(table_, decode(raw), root_path, other)) return py::none();
        return py::bytes(other);
    }

    std::uint64_t hash(const py::bytes& path) const { return path_hash(std::string(path), table_.seed); }
    std::uint32_t slot(const py::bytes& path) const { return slot_of(table_, std::string(path)); }

    // Mean nanoseconds per lookup over `paths` (already decoded), each with its method bit.
    double time(const std::vector<std::pair<std::string, int>>& requests, int rounds, bool reference) const {
        std::size_t sink = 0;
        Result r;
        auto start = std::chrono::steady_clock::now();
        for (int k = 0; k < rounds; ++k) {
            for (const auto& [path, method] : requests) {
                if (reference) {
                    scan(table_, path, static_cast<std::uint16_t>(method), r);
                } else {
                    fasterapi::router::lookup(table_, path, static_cast<std::uint16_t>(method), r);
                }
                sink += r.full;
            }
        }
        auto ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
        if (sink == 42) ns += 0;  // keeps the loop's results alive
        return ns / (static_cast<double>(rounds) * static_cast<double>(requests.size()));
    }

private:
    std::string_view keep(const py::bytes& b) {
        strings_.emplace_back(b);
        return strings_.back();
    }

    static std::string decode(const py::bytes& raw) {
        std::string in(raw), out;
        if (in.find('%') == std::string::npos) return in;
        fasterapi::text::unquote(in, out);
        return out;
    }

    std::deque<std::string> strings_;
    std::vector<std::vector<Part>> parts_;
    std::deque<std::string> allows_;
    std::vector<Pattern> patterns_;
    std::vector<std::uint32_t> displacements_;
    std::vector<StaticSlot> slots_;
    std::vector<StaticMatch> static_matches_;
    std::vector<Span> spans_;
    std::vector<Node> nodes_;
    std::vector<Literal> literals_;
    std::vector<TypedChild> typed_;
    std::vector<std::uint16_t> route_lists_;
    std::vector<std::uint16_t> fallback_;
    Table table_{};
};

}  // namespace

PYBIND11_MODULE(router_probe, m) {
    py::class_<Matcher>(m, "Matcher")
        .def(py::init<const std::vector<PatternSpec>&, std::uint64_t, std::vector<std::uint32_t>, std::uint32_t,
                      std::uint64_t, const std::vector<SlotSpec>&, const std::vector<std::pair<int, int>>&,
                      const std::vector<std::pair<int, int>>&, const std::vector<NodeSpec>&,
                      const std::vector<std::pair<py::bytes, std::uint32_t>>&,
                      const std::vector<std::pair<int, std::uint32_t>>&, std::vector<std::uint16_t>,
                      std::vector<std::uint16_t>>())
        .def("lookup", &Matcher::lookup, py::arg("raw_path"), py::arg("method"), py::arg("reference") = false,
             py::arg("root_path") = std::string())
        .def("matches_any", &Matcher::matches_any)
        .def("redirect", &Matcher::redirect, py::arg("raw_path"), py::arg("root_path") = std::string())
        .def("hash", &Matcher::hash)
        .def("slot", &Matcher::slot)
        .def("time", &Matcher::time, py::arg("requests"), py::arg("rounds"), py::arg("reference") = false);
}
