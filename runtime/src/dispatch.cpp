#include "fasterapi/dispatch.hpp"

#include <pybind11/pybind11.h>

#include <cstdio>
#include <stdexcept>

#include "fasterapi/json.hpp"
#include "fasterapi/text.hpp"

namespace py = pybind11;

namespace fasterapi {

struct AppDispatcher::PyCall {
    AppDispatcher* owner = nullptr;
    Call call;
    Responder responder;
    bool deferred = false;  // the trampoline handed validation to FastAPI
};

namespace {

// The bodies FastAPI's default handlers send for routing failures.
constexpr std::string_view not_found_body = R"({"detail":"Not Found"})";
constexpr std::string_view method_not_allowed_body = R"({"detail":"Method Not Allowed"})";

http::Response json_response(std::uint16_t status, std::string_view extra_headers, std::string body) {
    http::Response r;
    r.status = status;
    r.has_content_length = true;
    r.headers.reserve(extra_headers.size() + 64);
    r.headers.append(extra_headers);
    if (http::status_allows_body(status)) {
        r.headers.append("content-length: ").append(std::to_string(body.size())).append("\r\n");
        r.body = std::move(body);
    }
    r.headers.append("content-type: application/json\r\n");
    return r;
}

http::Response plain_500() {
    http::Response r;
    r.status = 500;
    r.has_content_length = true;
    r.headers = "content-length: 21\r\ncontent-type: text/plain; charset=utf-8\r\n";
    r.body = "Internal Server Error";
    return r;
}

// The exact types whose JSON the runtime writes itself; anything else goes
// through FastAPI's serialisation.
bool plain_json_type(PyObject* o) noexcept {
    return PyDict_CheckExact(o) || PyList_CheckExact(o) || PyUnicode_CheckExact(o) || PyLong_CheckExact(o) ||
           PyFloat_CheckExact(o) || PyBool_Check(o) || o == Py_None || PyTuple_CheckExact(o);
}

PyObject* new_str(std::string_view s) {
    // Text from the wire was decoded by fasterapi::text and is valid UTF-8.
    return PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "replace");
}

PyObject* new_bytes(std::string_view s) {
    return PyBytes_FromStringAndSize(s.data(), static_cast<Py_ssize_t>(s.size()));
}

class SyncTask final : public Task {
public:
    explicit SyncTask(std::unique_ptr<AppDispatcher::PyCall> c) : call_(std::move(c)) {}
    void run() override { call_->owner->run_sync(call_); }

private:
    std::unique_ptr<AppDispatcher::PyCall> call_;
};

class AsyncTask final : public Task {
public:
    explicit AsyncTask(std::unique_ptr<AppDispatcher::PyCall> c) : call_(std::move(c)) {}
    void run() override {
        AppDispatcher* owner = call_->owner;
        owner->start_async(std::move(call_));
    }

private:
    std::unique_ptr<AppDispatcher::PyCall> call_;
};

class RedirectTask final : public Task {
public:
    explicit RedirectTask(std::unique_ptr<AppDispatcher::PyCall> c) : call_(std::move(c)) {}
    void run() override { call_->owner->redirect(*call_); }

private:
    std::unique_ptr<AppDispatcher::PyCall> call_;
};

// Work dispatched during one turn of a reactor's event loop, handed over in
// one go by flush(). Each reactor thread has its own.
struct PendingWork {
    std::vector<std::unique_ptr<Task>> sync;
    std::vector<std::unique_ptr<Task>> async;
};
thread_local PendingWork pending_work;

// [(b"lower-case-name", b"value"), ...] as in an ASGI scope.
PyObject* header_list(const http::Request& req) {
    PyObject* headers = PyList_New(0);
    if (!headers) return nullptr;
    std::string lower;
    for (const http::Header& h : req.headers) {
        lower.assign(h.name);
        for (char& ch : lower) ch = static_cast<char>((ch >= 'A' && ch <= 'Z') ? ch - 'A' + 'a' : ch);
        PyObject* pair = Py_BuildValue("(y#y#)", lower.data(), static_cast<Py_ssize_t>(lower.size()), h.value.data(),
                                       static_cast<Py_ssize_t>(h.value.size()));
        if (!pair || PyList_Append(headers, pair) < 0) {
            Py_XDECREF(pair);
            Py_DECREF(headers);
            return nullptr;
        }
        Py_DECREF(pair);
    }
    return headers;
}

PyObject* attr(PyObject* o, const char* name) {
    PyObject* v = PyObject_GetAttrString(o, name);
    if (!v) throw py::error_already_set();
    return v;
}

}  // namespace

AppDispatcher::AppDispatcher(const AppSpec& spec, PyObject* bindings, PyObject* bridge, PyObject* loop,
                             unsigned threads)
    : spec_(spec), executor_(threads) {
    Py_ssize_t n = PySequence_Size(bindings);
    if (n < 0) throw py::error_already_set();
    if (static_cast<std::size_t>(n) != spec.route_count) {
        throw std::runtime_error("route bindings do not match the compiled route table; rebuild needed");
    }
    routes_.resize(spec.route_count);
    for (std::size_t i = 0; i < spec.route_count; ++i) {
        BoundRoute& r = routes_[i];
        r.binding = PySequence_GetItem(bindings, static_cast<Py_ssize_t>(i));
        if (!r.binding) throw py::error_already_set();
        r.endpoint = attr(r.binding, "endpoint");
        r.asgi = attr(r.binding, "asgi");
        r.kwnames = attr(r.binding, "kwnames");
        PyObject* defaults = attr(r.binding, "defaults");
        for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(defaults); ++k) {
            r.defaults.push_back(Py_NewRef(PyTuple_GET_ITEM(defaults, k)));
        }
        Py_DECREF(defaults);
        if (PyTuple_GET_SIZE(r.kwnames) > static_cast<Py_ssize_t>(max_args)) {
            throw std::runtime_error("too many parameters on one route");
        }
        const router::Pattern& p = spec.routes[i].pattern;
        for (std::size_t k = 0; k < p.part_count; ++k) {
            if (p.parts[k].kind != router::PartKind::literal) r.capture_names.push_back(new_str(p.parts[k].text));
        }
        PyObject* fast = attr(r.binding, "fast_json");
        r.fast_json = PyObject_IsTrue(fast) == 1;
        Py_DECREF(fast);
        PyObject* status = attr(r.binding, "status_code");
        r.status = static_cast<int>(PyLong_AsLong(status));
        Py_DECREF(status);
    }
    bridge_ = Py_NewRef(bridge);
    loop_ = Py_NewRef(loop);
    PyObject* encoders = PyImport_ImportModule("fastapi.encoders");
    if (!encoders) throw py::error_already_set();
    jsonable_encoder_ = attr(encoders, "jsonable_encoder");
    Py_DECREF(encoders);
    exception_response_ = attr(bridge, "exception_response");
    internal_error_ = attr(bridge, "internal_error");
    redirect_fn_ = attr(bridge, "redirect");
    create_task_ = attr(loop, "create_task");
}

AppDispatcher::~AppDispatcher() {
    if (!stopped_) {
        // Workers may be waiting for the GIL: let them have it while joining.
        Py_BEGIN_ALLOW_THREADS
        stop(std::chrono::milliseconds(0));
        Py_END_ALLOW_THREADS
    }
    for (BoundRoute& r : routes_) {
        Py_XDECREF(r.binding);
        Py_XDECREF(r.endpoint);
        Py_XDECREF(r.asgi);
        Py_XDECREF(r.kwnames);
        for (PyObject* o : r.defaults) Py_DECREF(o);
        for (PyObject* o : r.capture_names) Py_DECREF(o);
    }
    Py_XDECREF(bridge_);
    Py_XDECREF(loop_);
    Py_XDECREF(jsonable_encoder_);
    Py_XDECREF(exception_response_);
    Py_XDECREF(internal_error_);
    Py_XDECREF(redirect_fn_);
    Py_XDECREF(create_task_);
    Py_XDECREF(server_address_);
}

void AppDispatcher::start(ServerConfig config) {
    config_ = std::move(config);
    executor_.start();
    server_ = std::make_unique<Server>(config_, *this);
    server_->start();
}

std::uint16_t AppDispatcher::port() const noexcept { return server_ ? server_->port() : 0; }

std::size_t AppDispatcher::stop(std::chrono::milliseconds grace) {
    stopped_ = true;
    auto deadline = std::chrono::steady_clock::now() + grace;
    if (server_) server_->stop(grace);
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    std::size_t running = executor_.stop(std::max(left, std::chrono::milliseconds(0)));
    loop_bridge_.close();
    return running;
}

void AppDispatcher::dispatch(http::Request&& request, Responder responder) {
    auto pc = std::make_unique<PyCall>();
    pc->owner = this;
    pc->responder = std::move(responder);
    Call& c = pc->call;
    c.request = std::move(request);
    // uvicorn decodes the path only when it holds a '%'.
    if (c.request.path.find('%') != std::string_view::npos) {
        text::unquote(c.request.path, c.path);
    } else {
        c.path.assign(c.request.path);
    }

    router::Result found;
    router::lookup(*spec_.table, router::route_path(c.path, spec_.root_path), router::method_bit(c.request.method),
                   found);
    if (found.full != router::no_route) {
        c.route = found.full;
        c.captures = found.captures;
        const RouteSpec& route = spec_.routes[found.full];
        pc->deferred = !route.request_endpoint && !route.trampoline(c);
        if (route.is_async || c.use_asgi) {
            pending_work.async.push_back(std::make_unique<AsyncTask>(std::move(pc)));
        } else {
            pending_work.sync.push_back(std::make_unique<SyncTask>(std::move(pc)));
        }
        return;
    }

    if (found.partial != router::no_route) {
        std::string allow = "allow: ";
        allow.append(spec_.routes[found.partial].pattern.allow).append("\r\n");
        pc->responder.send(json_response(405, allow, std::string(method_not_allowed_body)));
        return;
    }

    if (spec_.redirect_slashes) {
        std::string other;
        if (router::slash_redirect(*spec_.table, c.path, spec_.root_path, other)) {
            c.path = std::move(other);
            pending_work.sync.push_back(std::make_unique<RedirectTask>(std::move(pc)));
            return;
        }
    }
    pc->responder.send(json_response(404, {}, std::string(not_found_body)));
}

void AppDispatcher::flush() {
    executor_.submit_all(pending_work.sync);
    loop_bridge_.submit_all(pending_work.async);
}

PyObject* AppDispatcher::build_args_and_call(PyCall& pc) {
    BoundRoute& br = routes_[pc.call.route];
    const Py_ssize_t n = PyTuple_GET_SIZE(br.kwnames);
    PyObject* stack[max_args + 1];
    stack[0] = nullptr;  // PY_VECTORCALL_ARGUMENTS_OFFSET lets the callee use this slot
    Py_ssize_t built = 0;
    PyObject* result = nullptr;
    for (; built < n; ++built) {
        const Arg& a = pc.call.args[built];
        PyObject* v = nullptr;
        switch (a.kind) {
            case Arg::Kind::absent: v = Py_NewRef(br.defaults[static_cast<std::size_t>(built)]); break;
            case Arg::Kind::str: v = new_str(a.s); break;
            case Arg::Kind::int_: v = PyLong_FromLongLong(a.i); break;
            case Arg::Kind::float_: v = PyFloat_FromDouble(a.d); break;
            case Arg::Kind::bool_: v = Py_NewRef(a.b ? Py_True : Py_False); break;
        }
        if (!v) goto done;
        stack[built + 1] = v;
    }
    result = PyObject_Vectorcall(br.endpoint, stack + 1, PY_VECTORCALL_ARGUMENTS_OFFSET, br.kwnames);
done:
    for (Py_ssize_t k = 0; k < built; ++k) Py_DECREF(stack[k + 1]);
    return result;
}

bool AppDispatcher::via_asgi(const PyCall& pc) const noexcept {
    return pc.call.use_asgi || spec_.routes[pc.call.route].request_endpoint;
}

PyObject* AppDispatcher::call_handler(PyCall& pc, bool& answered, bool& to_asgi) {
    answered = false;
    to_asgi = false;
    BoundRoute& br = routes_[pc.call.route];
    const http::Request& req = pc.call.request;

    if (via_asgi(pc)) {
        PyObject* headers = header_list(req);
        if (!headers) return nullptr;
        std::string_view method = http::method_name(req.method);
        if (method.empty()) method = req.method_token;
        PyObject* result = PyObject_CallFunction(
            br.asgi, "(s#NNNONsO)", method.data(), static_cast<Py_ssize_t>(method.size()), new_str(pc.call.path),
            new_bytes(req.path), new_bytes(req.query), headers, new_bytes(req.body),
            req.version_minor == 0 ? "1.0" : "1.1", server_address_ ? server_address_ : Py_None);
        Py_DECREF(headers);
        return result;
    }

    if (!pc.deferred) return build_args_and_call(pc);

    // FastAPI validates: the handler's kwargs, or the rendered 422.
    PyObject* path_params = PyDict_New();
    if (!path_params) return nullptr;
    for (std::size_t k = 0; k < br.capture_names.size(); ++k) {
        PyObject* v = new_str(pc.call.captures.values[k]);
        if (!v || PyDict_SetItem(path_params, br.capture_names[k], v) < 0) {
            Py_XDECREF(v);
            Py_DECREF(path_params);
            return nullptr;
        }
        Py_DECREF(v);
    }
    PyObject* headers = header_list(req);
    if (!headers) {
        Py_DECREF(path_params);
        return nullptr;
    }
    PyObject* validated = PyObject_CallMethod(br.binding, "validate", "(Ny#y#N)", path_params, req.query.data(),
                                              static_cast<Py_ssize_t>(req.query.size()), req.body.data(),
                                              static_cast<Py_ssize_t>(req.body.size()), headers);
    if (!validated) return nullptr;
    if (validated == Py_Ellipsis) {  // FastAPI must see this request whole (e.g. malformed JSON)
        Py_DECREF(validated);
        to_asgi = true;
        return nullptr;
    }
    if (PyTuple_Check(validated)) {
        answered = true;
        respond_rendered(pc, validated);
        return nullptr;
    }
    PyObject* empty = PyTuple_New(0);
    PyObject* result = empty ? PyObject_Call(br.endpoint, empty, validated) : nullptr;
    Py_XDECREF(empty);
    Py_DECREF(validated);
    return result;
}

void AppDispatcher::run_sync(std::unique_ptr<PyCall>& owned) {
    PyCall& pc = *owned;
    bool answered = false, to_asgi = false;
    PyObject* result = call_handler(pc, answered, to_asgi);
    if (to_asgi) {  // the app's ASGI entry runs on the loop
        pc.call.use_asgi = true;
        loop_bridge_.submit(std::make_unique<AsyncTask>(std::move(owned)));
        return;
    }
    if (!answered) finish(pc, result);
}

void AppDispatcher::start_async(std::unique_ptr<PyCall> pc) {
    bool answered = false, to_asgi = false;
    PyObject* coro = call_handler(*pc, answered, to_asgi);
    if (to_asgi) {
        pc->call.use_asgi = true;
        coro = call_handler(*pc, answered, to_asgi);
    }
    if (answered) return;
    if (!coro) {
        respond_exception(*pc);
        return;
    }
    PyObject* task = PyObject_CallOneArg(create_task_, coro);
    Py_DECREF(coro);
    if (!task) {
        respond_exception(*pc);
        return;
    }
    std::shared_ptr<PyCall> shared(std::move(pc));
    try {
        py::cpp_function done([shared](py::handle t) {
            PyObject* result = PyObject_CallMethod(t.ptr(), "result", nullptr);
            shared->owner->finish(*shared, result);
        });
        PyObject* r = PyObject_CallMethod(task, "add_done_callback", "(O)", done.ptr());
        Py_DECREF(task);
        if (!r) respond_exception(*shared);
        Py_XDECREF(r);
    } catch (py::error_already_set& e) {
        Py_DECREF(task);
        e.restore();
        respond_exception(*shared);
    }
}

void AppDispatcher::finish(PyCall& pc, PyObject* result) {
    if (!result) {
        respond_exception(pc);
        return;
    }
    if (via_asgi(pc)) {  // the app already rendered it
        respond_rendered(pc, result);
        return;
    }
    BoundRoute& br = routes_[pc.call.route];
    if (br.fast_json && plain_json_type(result)) {
        std::string body;
        bool ok = json::encode_jsonable(result, jsonable_encoder_, body);
        Py_DECREF(result);
        if (!ok) {
            respond_exception(pc);
            return;
        }
        pc.responder.send(json_response(static_cast<std::uint16_t>(br.status), {}, std::move(body)));
        return;
    }
    PyObject* rendered = PyObject_CallMethod(br.binding, "finish", "(O)", result);
    Py_DECREF(result);
    if (!rendered) {
        respond_exception(pc);
        return;
    }
    respond_rendered(pc, rendered);
}

void AppDispatcher::redirect(PyCall& pc) {
    const http::Header* host = pc.call.request.find_header("host");
    PyObject* host_obj = host ? PyUnicode_DecodeLatin1(host->value.data(), static_cast<Py_ssize_t>(host->value.size()),
                                                       nullptr)
                              : Py_NewRef(Py_None);
    if (!host_obj) {
        respond_exception(pc);
        return;
    }
    PyObject* rendered = PyObject_CallFunction(redirect_fn_, "(Ny#NO)", new_str(pc.call.path),
                                               pc.call.request.query.data(),
                                               static_cast<Py_ssize_t>(pc.call.request.query.size()), host_obj,
                                               server_address_ ? server_address_ : Py_None);
    if (!rendered) {
        respond_exception(pc);
        return;
    }
    respond_rendered(pc, rendered);
}

void AppDispatcher::respond_exception(PyCall& pc) {
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (tb && value) PyException_SetTraceback(value, tb);
    PyObject* rendered = value ? PyObject_CallOneArg(exception_response_, value) : nullptr;
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    if (!rendered) {
        PyErr_Print();
        pc.responder.send(plain_500());
        return;
    }
    respond_rendered(pc, rendered);
}

void AppDispatcher::respond_rendered(PyCall& pc, PyObject* rendered) {
    PyObject *status, *headers, *body;
    if (!PyArg_ParseTuple(rendered, "OSS", &status, &headers, &body)) {
        Py_DECREF(rendered);
        PyErr_Print();
        pc.responder.send(plain_500());
        return;
    }
    http::Response r;
    r.status = static_cast<std::uint16_t>(PyLong_AsLong(status));
    r.has_content_length = true;
    r.headers.assign(PyBytes_AS_STRING(headers), static_cast<std::size_t>(PyBytes_GET_SIZE(headers)));
    r.body.assign(PyBytes_AS_STRING(body), static_cast<std::size_t>(PyBytes_GET_SIZE(body)));
    Py_DECREF(rendered);
    // Sending takes the owning reactor's queue lock for a moment; reactor
    // threads never take the GIL, so holding it here cannot deadlock.
    pc.responder.send(std::move(r));
}

}  // namespace fasterapi
