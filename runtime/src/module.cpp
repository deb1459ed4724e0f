#include "fasterapi/module.hpp"

#include <chrono>
#include <string>

#include "fasterapi/dispatch.hpp"
#include "fasterapi/json.hpp"

namespace py = pybind11;

namespace fasterapi {

namespace {

ServerConfig make_config(const std::string& host, int port, const py::dict& options) {
    ServerConfig c;
    c.host = host;
    if (port < 0 || port > 65535) throw py::value_error("port must be in 0..65535");
    c.port = static_cast<std::uint16_t>(port);
    auto ms = [](const py::handle& v) {
        return std::chrono::milliseconds(static_cast<long long>(v.cast<double>() * 1000.0));
    };
    for (auto [key, value] : options) {
        std::string k = key.cast<std::string>();
        if (k == "reactors") c.reactors = value.cast<unsigned>();
        else if (k == "backlog") c.backlog = value.cast<int>();
        else if (k == "access_log") c.access_log = value.cast<bool>();
        else if (k == "request_timing") c.request_timing = value.cast<bool>();
        else if (k == "write_here") c.write_here = value.cast<bool>();
        else if (k == "server_header") c.server_header = value.cast<std::string>();
        else if (k == "max_request_line") c.max_request_line = value.cast<std::size_t>();
        else if (k == "max_header_bytes") c.max_header_bytes = value.cast<std::size_t>();
        else if (k == "max_header_count") c.max_header_count = value.cast<std::size_t>();
        else if (k == "max_body_bytes") c.max_body_bytes = value.cast<std::uint64_t>();
        else if (k == "max_requests_per_connection") c.max_requests_per_connection = value.cast<std::size_t>();
        else if (k == "max_connections") c.max_connections = value.cast<std::size_t>();
        else if (k == "head_timeout") c.head_timeout = ms(value);
        else if (k == "body_timeout") c.body_timeout = ms(value);
        else if (k == "keepalive_timeout") c.keepalive_timeout = ms(value);
        else if (k == "write_timeout") c.write_timeout = ms(value);
        else throw py::value_error("unknown server option: " + k);
    }
    return c;
}

py::bytes to_bytes(const std::string& s) { return py::bytes(s.data(), s.size()); }

}  // namespace

void define_module(py::module_& m, const AppSpec& spec) {
    if (spec.abi_version != FASTERAPI_ABI_VERSION) {
        throw std::runtime_error("generated code does not match the installed FasterAPI runtime; rebuild needed");
    }
    m.attr("signature_hash") = spec.ir_hash;
    m.attr("abi_version") = spec.abi_version;
    m.attr("fasterapi_version") = spec.fasterapi_version;
    m.attr("source") = spec.source;
    m.def("route_names", [&spec] {
        py::list names;
        for (std::size_t i = 0; i < spec.route_count; ++i) names.append(spec.routes[i].name);
        return names;
    });

    py::class_<AppDispatcher>(m, "Runtime")
        .def(py::init([&spec](py::sequence bindings, py::module_ bridge, py::object loop, unsigned threads) {
                 return new AppDispatcher(spec, bindings.ptr(), bridge.ptr(), loop.ptr(), threads);
             }),
             py::arg("bindings"), py::arg("bridge"), py::arg("loop"), py::arg("threads") = 40)
        .def(
            "set_cors",
            // policies: [(simple_headers [(name, value) bytes], allow_all_origins, allow_credentials,
            //             allow_origins [bytes]), ...], innermost first.
            [](AppDispatcher& d, py::list policies, std::size_t catch_all) {
                std::vector<cors::Policy> out;
                for (py::handle item : policies) {
                    auto t = item.cast<py::tuple>();
                    cors::Policy p;
                    for (py::handle kv : t[0].cast<py::list>()) {
                        auto pair = kv.cast<py::tuple>();
                        p.simple_headers.emplace_back(pair[0].cast<std::string>(), pair[1].cast<std::string>());
                    }
                    p.allow_all_origins = t[1].cast<bool>();
                    p.allow_credentials = t[2].cast<bool>();
                    for (py::handle o : t[3].cast<py::list>()) p.allow_origins.push_back(o.cast<std::string>());
                    out.push_back(std::move(p));
                }
                d.set_cors(std::move(out), catch_all);
            },
            py::arg("policies"), py::arg("catch_all"))
        .def(
            "start",
            [](AppDispatcher& d, const std::string& host, int port, py::dict options) {
                ServerConfig config = make_config(host, port, options);
                {
                    py::gil_scoped_release released;
                    d.start(std::move(config));
                }
                py::tuple address = py::make_tuple(host, d.port());
                d.set_server_address(address.ptr());
                return d.port();
            },
            py::arg("host"), py::arg("port"), py::arg("options") = py::dict())
        .def_property_readonly("port", &AppDispatcher::port)
        .def("request_timings",
             [](const AppDispatcher& d) {
                 const TimingSummary s = d.request_timings();
                 py::dict out;
                 out["count"] = s.count;
                 out["mean_ns"] = s.mean_ns;
                 out["p50_ns"] = s.p50_ns;
                 out["p90_ns"] = s.p90_ns;
                 out["p99_ns"] = s.p99_ns;
                 out["min_ns"] = s.min_ns;
                 out["max_ns"] = s.max_ns;
                 return out;
             })
        .def("sleep", &AppDispatcher::sleep, py::arg("seconds"))
        .def("relay", &AppDispatcher::relay, py::arg("awaitable"))
        .def_property_readonly("fd", &AppDispatcher::loop_fd)
        .def("drain", &AppDispatcher::drain_loop)
        .def("release_stand_ins", &AppDispatcher::release_stand_ins)
        .def(
            "stop",
            [](AppDispatcher& d, double grace_seconds) {
                auto grace = std::chrono::milliseconds(static_cast<long long>(grace_seconds * 1000.0));
                py::gil_scoped_release released;
                return d.stop(grace);
            },
            py::arg("grace") = 30.0);

    define_answer_types(m);

    m.def("json_dumps", [](py::handle obj) {
        std::string out;
        if (!json::dumps(obj.ptr(), out)) throw py::error_already_set();
        return to_bytes(out);
    });
    m.def("encode_jsonable", [](py::handle obj) {
        py::object encoder = py::module_::import("fastapi.encoders").attr("jsonable_encoder");
        std::string out;
        if (!json::encode_jsonable(obj.ptr(), encoder.ptr(), out)) throw py::error_already_set();
        return to_bytes(out);
    });
}

}  // namespace fasterapi
