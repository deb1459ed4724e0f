#include "fasterapi/dispatch.hpp"

#include "fasterapi/future_bridge.hpp"

#include <datetime.h>
#include <structmember.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <utility>

#include "fasterapi/cors.hpp"
#include "fasterapi/json.hpp"
#include "fasterapi/sse.hpp"
#include "fasterapi/ws/handshake.hpp"
#include "fasterapi/text.hpp"
#include "recycled.hpp"

namespace py = pybind11;

namespace fasterapi {

// Made on the reactor for every request, destroyed where its task ends:
// its blocks are recycled (recycled.hpp says why).
struct AppDispatcher::PyCall : detail::Recycled<AppDispatcher::PyCall, 256> {
    AppDispatcher* owner = nullptr;
    Call call;
    Responder responder;
    // Taken when Python answers through an Answer: released with the call,
    // once the handler's coroutine (and what runs after its response) ends.
    RequestHold hold;
    bool deferred = false;  // the trampoline handed validation to FastAPI
    bool websocket = false;  // a checked WebSocket handshake for the app's ASGI entry
    WebSocketOffer offer;
};

namespace {

// Defined with the model building, further down.
std::unique_ptr<ModelSpec> model_spec(PyObject* desc);
PyObject* new_model(const ModelSpec& spec, const std::vector<body::Value>& values);

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

// What a rendered response's header lines say beyond themselves: plain
// bytes; bridge.Outside, a response made outside the app's middleware
// (ServerErrorMiddleware's 500); or bridge.HangUp, the connection closes
// after it.
enum class Lines { plain, outside, hang_up };
PyTypeObject* outside_lines = nullptr;  // bridge.Outside, set when the first AppDispatcher is made

Lines lines_kind(PyObject* headers) noexcept {
    if (PyBytes_CheckExact(headers)) return Lines::plain;
    return Py_TYPE(headers) == outside_lines ? Lines::outside : Lines::hang_up;
}

// ServerErrorMiddleware's 500 (bridge.Outside, or plain_500 when Python
// failed): made outside the app's middleware, so sent without its headers
// (CORS), and uvicorn closes the connection after it.
void send_server_error(Responder& responder, http::Response r) {
    responder.clear_filter();
    r.hang_up = true;
    responder.send(std::move(r));
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

// An async call between start_async and its end, owned by the capsule that
// bridge.drive hands back to finish_async: a task dropped before it ran
// destroys the call with the capsule.
struct AsyncCall {
    std::unique_ptr<AppDispatcher::PyCall> call;
};

constexpr const char* async_call_name = "fasterapi.async_call";

void destroy_async_call(PyObject* capsule) {
    delete static_cast<AsyncCall*>(PyCapsule_GetPointer(capsule, async_call_name));
}

// finish_async(token, result, exc), called by bridge.drive in the request's
// task when the handler's coroutine has ended: the response is made there,
// in the task's context, without a done callback and another loop turn.
PyObject* finish_async(PyObject*, PyObject* const* args, Py_ssize_t nargs) {
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "finish_async(token, result, exc)");
        return nullptr;
    }
    auto* pending = static_cast<AsyncCall*>(PyCapsule_GetPointer(args[0], async_call_name));
    if (!pending) return nullptr;
    if (!pending->call) Py_RETURN_NONE;  // already finished
    std::unique_ptr<AppDispatcher::PyCall> call = std::move(pending->call);
    PyObject* exc = args[2];
    if (exc != Py_None) {
        PyErr_Restore(Py_NewRef(reinterpret_cast<PyObject*>(Py_TYPE(exc))), Py_NewRef(exc),
                      PyException_GetTraceback(exc));
        call->owner->finish(*call, nullptr);
    } else {
        call->owner->finish(*call, Py_NewRef(args[1]));
    }
    Py_RETURN_NONE;
}

PyMethodDef finish_async_def = {"finish_async", reinterpret_cast<PyCFunction>(reinterpret_cast<void*>(finish_async)),
                                METH_FASTCALL, "Ends an async call started by the runtime (bridge.drive calls it)."};

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

// scope["client"] as uvicorn gives it: (host, port) of the peer, or None.
PyObject* client_tuple(const http::Request& req) {
    if (req.peer_host.empty()) return Py_NewRef(Py_None);
    return Py_BuildValue("(s#i)", req.peer_host.data(), static_cast<Py_ssize_t>(req.peer_host.size()),
                         static_cast<int>(req.peer_port));
}

PyObject* attr(PyObject* o, const char* name) {
    PyObject* v = PyObject_GetAttrString(o, name);
    if (!v) throw py::error_already_set();
    return v;
}

http::Response response_from(int status, const py::bytes& headers, const py::bytes& body) {
    http::Response r;
    // A status uvicorn cannot send (HTTPException(1000) under a custom
    // handler, say) still answers the request: as 0, never a final status,
    // it makes the connection close unanswered, as uvicorn closes it. An
    // error raised here instead would leave the request waiting forever.
    r.status = (status < 100 || status > 999) ? 0 : static_cast<std::uint16_t>(status);
    r.has_content_length = true;
    r.headers = static_cast<std::string>(headers);
    r.body = static_cast<std::string>(body);
    return r;
}

// A rendered response whose content-length header disagrees with its body
// (FastAPI's 205: the body dropped, the length kept) goes out as uvicorn
// sends it: the head as given, then the connection closes, since the client
// cannot know where the response ends. A shorter body goes out whole; a
// longer one not at all (h11 refuses the whole message that overruns).
void keep_declared_length(http::Response& r) {
    if (!http::status_allows_body(r.status)) return;
    constexpr std::string_view key = "content-length: ";
    std::size_t at = 0;
    while (at < r.headers.size()) {
        std::size_t end = r.headers.find("\r\n", at);
        if (end == std::string::npos) end = r.headers.size();
        std::string_view line(r.headers.data() + at, end - at);
        if (line.size() > key.size() && line.substr(0, key.size()) == key) {
            std::size_t declared = 0;
            for (char c : line.substr(key.size())) {
                if (c < '0' || c > '9' || declared > (std::size_t{1} << 50)) return;  // not ours to judge
                declared = declared * 10 + static_cast<std::size_t>(c - '0');
            }
            if (declared != r.body.size()) {
                if (declared < r.body.size()) r.body.clear();
                r.close = true;
            }
            return;
        }
        at = end + 2;
    }
}

// Runs a stream's Python waker on the loop thread.
struct PyWaker {
    py::object fn;
};

class WakeTask final : public Task {
public:
    explicit WakeTask(std::weak_ptr<PyWaker> w) : waker_(std::move(w)) {}
    void run() override {
        std::shared_ptr<PyWaker> w = waker_.lock();
        if (!w || !w->fn) return;
        PyObject* r = PyObject_CallNoArgs(w->fn.ptr());
        if (!r) PyErr_WriteUnraisable(w->fn.ptr());
        Py_XDECREF(r);
    }

private:
    std::weak_ptr<PyWaker> waker_;
};

// A runtime-side waker that runs `fn` on the loop thread; `holder` keeps
// `fn` alive (and is reset, returning an empty waker, when `fn` is None).
std::function<void()> loop_waker(py::object fn, std::shared_ptr<PyWaker>& holder, LoopBridge& bridge) {
    if (fn.is_none()) {
        holder.reset();
        return {};
    }
    holder = std::make_shared<PyWaker>(PyWaker{std::move(fn)});
    std::weak_ptr<PyWaker> weak = holder;
    LoopBridge* loop = &bridge;
    return [weak, loop] { loop->submit(std::make_unique<WakeTask>(weak)); };
}

// One Server-Sent Event in FastAPI's bytes; ValueError (FastAPI's message)
// for a field FastAPI's ServerSentEvent would reject.
std::string encode_event(const std::optional<std::string>& data, const std::optional<std::string>& event,
                         const std::optional<std::string>& id, std::optional<std::int64_t> retry,
                         const std::optional<std::string>& comment) {
    sse::Event e;
    if (data) e.data = *data;
    if (event) e.event = *event;
    if (id) e.id = *id;
    e.retry = retry;
    if (comment) e.comment = *comment;
    std::string out;
    try {
        sse::append_event(out, e);
    } catch (const std::invalid_argument& error) {
        throw py::value_error(error.what());
    }
    return out;
}

// A streamed body as Python sees it. Destroyed with the GIL (by Python);
// the ResponseStream itself may live on in a broadcast Channel.
class PyStream {
public:
    PyStream(std::shared_ptr<ResponseStream> s, LoopBridge& bridge) : stream_(std::move(s)), bridge_(&bridge) {}
    PyStream(PyStream&&) noexcept = default;
    PyStream& operator=(PyStream&&) = delete;
    ~PyStream() {
        if (stream_) stream_->set_waker({});
    }

    int write(const py::buffer& data, bool defer) {
        py::buffer_info info = data.request();
        if (info.ndim > 1) throw py::type_error("a body chunk must be bytes-like");
        const std::string_view bytes(static_cast<const char*>(info.ptr),
                                     static_cast<std::size_t>(info.size * info.itemsize));
        return static_cast<int>(stream_->write(bytes, defer));
    }
    void flush() { stream_->flush(); }
    // An event whose data is json.dumps(value), for a plain value (see
    // json::dumps_plain_ascii); -1, nothing written, for any other value.
    int write_plain_event(py::handle value, bool defer) {
        std::string out = "data: ";
        if (!json::dumps_plain_ascii(value.ptr(), out)) return -1;
        out += "\n\n";
        return static_cast<int>(stream_->write(out, defer));
    }
    // One Server-Sent Event, encoded by sse::append_event (FastAPI's bytes).
    int send_event(std::optional<std::string> data, std::optional<std::string> event,
                   std::optional<std::string> id, std::optional<std::int64_t> retry,
                   std::optional<std::string> comment) {
        return static_cast<int>(stream_->write(encode_event(data, event, id, retry, comment)));
    }
    int send_comment(const std::string& text) {
        std::string out;
        sse::append_comment(out, text);
        return static_cast<int>(stream_->write(out));
    }
    void end() { stream_->end(); }
    void abort() { stream_->abort(); }
    int state() const { return static_cast<int>(stream_->state()); }
    // `fn` is called on the loop thread whenever the stream leaves `full`
    // or closes.
    void set_waker(py::object fn) { stream_->set_waker(loop_waker(std::move(fn), waker_, *bridge_)); }
    int wait_writable(double seconds) {
        py::gil_scoped_release released;
        return static_cast<int>(stream_->wait_writable(
            std::chrono::milliseconds(static_cast<long long>(std::max(seconds, 0.0) * 1000.0))));
    }
    const std::shared_ptr<ResponseStream>& stream() const noexcept { return stream_; }

private:
    std::shared_ptr<ResponseStream> stream_;
    std::shared_ptr<PyWaker> waker_;
    LoopBridge* bridge_;
};

// A broadcast channel: one event, encoded once, written to every subscribed
// stream, whichever reactor thread owns its connection. A subscriber that
// has fallen a whole buffer behind is dropped (its stream aborted) rather
// than let its queue grow; closed subscribers are forgotten as they are met.
class Channel {
public:
    void add(const PyStream& s) {
        std::lock_guard lock(mutex_);
        subscribers_.push_back(s.stream());
    }
    std::size_t publish(const std::string& bytes) {
        std::vector<std::shared_ptr<ResponseStream>> dropped;  // destroyed unlocked, without the GIL
        py::gil_scoped_release released;
        std::size_t delivered = 0;
        {
            std::lock_guard lock(mutex_);
            std::size_t keep = 0;
            for (std::size_t i = 0; i < subscribers_.size(); ++i) {
                std::shared_ptr<ResponseStream>& s = subscribers_[i];
                ResponseStream::State state = s->state();
                if (state == ResponseStream::State::open) state = s->write(bytes);
                else if (state == ResponseStream::State::full) s->abort();  // too slow
                if (state == ResponseStream::State::open || state == ResponseStream::State::full) {
                    ++delivered;
                    subscribers_[keep++] = std::move(s);
                } else {
                    dropped.push_back(std::move(s));
                }
            }
            subscribers_.resize(keep);
        }
        dropped.clear();
        return delivered;
    }
    std::size_t publish_event(std::optional<std::string> data, std::optional<std::string> event,
                              std::optional<std::string> id, std::optional<std::int64_t> retry,
                              std::optional<std::string> comment) {
        return publish(encode_event(data, event, id, retry, comment));
    }
    // Ends every subscriber's body (clients see a complete stream).
    void close() {
        std::vector<std::shared_ptr<ResponseStream>> all;
        {
            std::lock_guard lock(mutex_);
            all.swap(subscribers_);
        }
        py::gil_scoped_release released;
        for (auto& s : all) s->end();
        all.clear();
    }
    std::size_t size() const {
        std::lock_guard lock(mutex_);
        std::size_t open = 0;
        for (const auto& s : subscribers_) {
            const ResponseStream::State state = s->state();
            open += state == ResponseStream::State::open || state == ResponseStream::State::full;
        }
        return open;
    }

private:
    mutable std::mutex mutex_;
    std::vector<std::shared_ptr<ResponseStream>> subscribers_;
};

// A WebSocket as the bridge sees it (fasterapi.bridge.serve_websocket).
class PyWebSocket {
public:
    PyWebSocket(std::unique_ptr<WebSocket> w, LoopBridge& bridge) : ws_(std::move(w)), bridge_(&bridge) {}
    PyWebSocket(PyWebSocket&&) noexcept = default;
    PyWebSocket& operator=(PyWebSocket&&) = delete;
    ~PyWebSocket() {
        if (ws_) ws_->set_waker({});
    }

    bool accept(std::optional<std::string> subprotocol, const py::bytes& headers) {
        return ws_->accept(subprotocol ? std::string_view(*subprotocol) : std::string_view(),
                           static_cast<std::string>(headers));
    }
    bool refuse(int status, const py::bytes& headers, const py::bytes& body) {
        return ws_->refuse(response_from(status, headers, body));
    }
    int send(const py::object& data) {
        if (PyUnicode_Check(data.ptr())) {
            Py_ssize_t size = 0;
            const char* utf8 = PyUnicode_AsUTF8AndSize(data.ptr(), &size);
            if (!utf8) throw py::error_already_set();
            return static_cast<int>(ws_->send(true, std::string_view(utf8, static_cast<std::size_t>(size))));
        }
        py::buffer buffer(data);
        py::buffer_info info = buffer.request();
        return static_cast<int>(ws_->send(
            false, std::string_view(static_cast<const char*>(info.ptr), static_cast<std::size_t>(info.size * info.itemsize))));
    }
    void close(int code, const std::string& reason) {
        if (code < 1000 || code > 4999) throw py::value_error("WebSocket close codes are 1000-4999");
        ws_->close(static_cast<std::uint16_t>(code), reason);
    }
    void abort() { ws_->abort(); }
    // (kind, data, code): kind 0 text (str), 1 binary (bytes), 2 disconnect
    // (data: the reason); None when nothing has arrived.
    py::object take() {
        WebSocket::Received m;
        if (!ws_->take(m)) return py::none();
        py::object data;
        if (m.kind == WebSocket::Received::Kind::binary) data = py::bytes(m.data);
        else data = py::reinterpret_steal<py::object>(new_str(m.data));
        return py::make_tuple(static_cast<int>(m.kind), data, m.code);
    }
    // The next message's data if it is text (take_text) or binary
    // (take_bytes), else None, the message (if any) left for take().
    py::object take_text() {
        WebSocket::Received m;
        if (!ws_->take_if(WebSocket::Received::Kind::text, m)) return py::none();
        return py::reinterpret_steal<py::object>(new_str(m.data));
    }
    py::object take_bytes() {
        WebSocket::Received m;
        if (!ws_->take_if(WebSocket::Received::Kind::binary, m)) return py::none();
        return py::bytes(m.data);
    }
    int state() const { return static_cast<int>(ws_->state()); }
    py::list subprotocols() const {
        py::list out;
        for (const std::string& p : ws_->subprotocols()) out.append(p);
        return out;
    }
    void set_waker(py::object fn) { ws_->set_waker(loop_waker(std::move(fn), waker_, *bridge_)); }
    bool wait_received(double seconds) {
        py::gil_scoped_release released;
        return ws_->wait_received(std::chrono::milliseconds(static_cast<long long>(std::max(seconds, 0.0) * 1000.0)));
    }
    int wait_writable(double seconds) {
        py::gil_scoped_release released;
        return static_cast<int>(ws_->wait_writable(
            std::chrono::milliseconds(static_cast<long long>(std::max(seconds, 0.0) * 1000.0))));
    }

private:
    std::unique_ptr<WebSocket> ws_;
    std::shared_ptr<PyWaker> waker_;
    LoopBridge* bridge_;
};

// A RequestHold handed to Python: released by release() or when collected.
class PyHold {
public:
    explicit PyHold(RequestHold hold) : hold_(std::make_shared<RequestHold>(std::move(hold))) {}
    // `hang_up`: what ran after the response raised; the connection ends (HangUp).
    void release(bool hang_up) noexcept {
        if (hang_up) hold_->release_hanging_up();
        else hold_->release();
    }

private:
    std::shared_ptr<RequestHold> hold_;  // shared: pybind11 copies the holder's value
};

// How the bridge answers a request it serves on the loop: once, with a whole
// response or the head of a streamed one. Unanswered, it answers 500.
class PyAnswer {
public:
    PyAnswer(Responder r, LoopBridge& bridge)
        : hang_up_(r.hang_up_handle()), responder_(std::move(r)), bridge_(&bridge) {}

    void send(int status, const py::bytes& headers, const py::bytes& body) {
        if (!responder_) throw py::value_error("the request was already answered");
        http::Response r = response_from(status, headers, body);
        keep_declared_length(r);
        switch (lines_kind(headers.ptr())) {
            case Lines::outside: send_server_error(responder_, std::move(r)); break;
            case Lines::hang_up: r.hang_up = true; [[fallthrough]];
            case Lines::plain: responder_.send(std::move(r)); break;
        }
    }
    // The application raised after its response began: the connection
    // ends once it is written (HangUp). Before or after answering.
    void hang_up() const noexcept { hang_up_(); }
    // The connection's next request waits until it is released: for work
    // the bridge starts on the loop that outlives the call (which holds it
    // until it returns) — the app's exception handlers, a streamed
    // response and its background tasks.
    PyHold hold() const { return PyHold(hang_up_.hold()); }
    PyStream open(int status, const py::bytes& headers, const py::bytes& body) {
        if (!responder_) throw py::value_error("the request was already answered");
        http::Response r = response_from(status, headers, body);
        return PyStream(std::shared_ptr<ResponseStream>(responder_.stream(std::move(r))), *bridge_);
    }
    bool answered() const noexcept { return !responder_; }
    // What follows comes from the app's own middleware stack: sent as it is.
    void bypass() noexcept { responder_.clear_filter(); }

private:
    HangUp hang_up_;
    Responder responder_;
    LoopBridge* bridge_;
};

// send, take_text and take_bytes run once per message: plain CPython
// methods (a METH_O/METH_NOARGS call) instead of pybind11's dispatch, which
// costs more than the work they do.
PyWebSocket* websocket_of(PyObject* self) {
    try {
        return &py::cast<PyWebSocket&>(py::handle(self));
    } catch (const py::cast_error&) {
        PyErr_SetString(PyExc_TypeError, "not a runtime WebSocket handle");
        return nullptr;
    }
}

template <py::object (PyWebSocket::*take)()>
PyObject* websocket_take(PyObject* self, PyObject*) {
    PyWebSocket* ws = websocket_of(self);
    if (!ws) return nullptr;
    try {
        return (ws->*take)().release().ptr();
    } catch (py::error_already_set& e) {
        e.restore();
        return nullptr;
    }
}

PyObject* websocket_send(PyObject* self, PyObject* data) {
    PyWebSocket* ws = websocket_of(self);
    if (!ws) return nullptr;
    try {
        return PyLong_FromLong(ws->send(py::reinterpret_borrow<py::object>(data)));
    } catch (py::error_already_set& e) {
        e.restore();
        return nullptr;
    } catch (const std::exception& e) {
        PyErr_SetString(PyExc_TypeError, e.what());
        return nullptr;
    }
}

PyMethodDef websocket_hot_methods[] = {
    {"send", websocket_send, METH_O,
     "Queues a message (str: text, bytes-like: binary); the state after it (open, full, closed)."},
    {"take_text", websocket_take<&PyWebSocket::take_text>, METH_NOARGS,
     "The next message if it is text, else None (the message is left for take())."},
    {"take_bytes", websocket_take<&PyWebSocket::take_bytes>, METH_NOARGS,
     "The next message if it is binary, else None (the message is left for take())."},
};

void add_hot_methods(py::object cls) {
    auto* type = reinterpret_cast<PyTypeObject*>(cls.ptr());
    for (PyMethodDef& def : websocket_hot_methods) {
        py::object descr = py::reinterpret_steal<py::object>(PyDescr_NewMethod(type, &def));
        if (!descr) throw py::error_already_set();
        cls.attr(def.ml_name) = descr;
    }
}


// The awaitables _DirectWebSocket's receive_text, receive_bytes, send_text
// and send_bytes return (fasterapi.bridge). Like the coroutine of the
// Python method each stands in for, it does nothing until it is first
// sent to; then, when a text (or binary) message is already queued or the
// send goes straight into the connection's buffer, it completes at once
// without a coroutine frame. Anything else (no message yet, a message of
// the other kind, a full buffer, a state Starlette must see) starts the
// Python method's coroutine and hands every send, throw and close to it:
// the behaviour is that method's, only the common case is cheaper.
namespace ws_calls {

enum Op : int { receive_text = 0, receive_bytes = 1, send_text = 2, send_bytes = 3 };

struct Names {
    PyObject* conn = nullptr;
    PyObject* client_state = nullptr;
    PyObject* application_state = nullptr;
    PyObject* sent = nullptr;
};

// Where a _WebSocketConn (a class with __slots__) keeps its fields.
struct ConnSlots {
    PyTypeObject* type = nullptr;
    Py_ssize_t disconnect = 0, pushed = 0, ws = 0, accepted = 0;

    // The slot's value (borrowed), nullptr when unset.
    static PyObject* at(PyObject* conn, Py_ssize_t offset) {
        return *reinterpret_cast<PyObject**>(reinterpret_cast<char*>(conn) + offset);
    }
};

// Set by install() with the GIL; live as long as the interpreter.
struct Installed {
    PyTypeObject* call_type = nullptr;    // WebSocketCall
    PyTypeObject* handle_type = nullptr;  // this module's WebSocket handle
    PyObject* connected = nullptr;        // starlette.websockets.WebSocketState.CONNECTED
    PyObject* methods[4] = {};            // the Python methods, in Op order
    Names names;
    ConnSlots conn;
};
Installed installed;

struct Call {
    PyObject_HEAD
    PyObject* session;  // the _DirectWebSocket
    PyObject* data;     // what send_* sends; nullptr for receive_*
    PyObject* coro;     // the Python method's coroutine, once it has taken over
    int op;
    bool done;          // completed without one
};

// 1 when `o.name is expected`, 0 when not, -1 on error.
int attr_is(PyObject* o, PyObject* name, PyObject* expected) {
    PyObject* v = PyObject_GetAttr(o, name);
    if (!v) return -1;
    const int same = v == expected;
    Py_DECREF(v);
    return same;
}

// The runtime handle of the session's connection when messages can be taken
// from it or sent to it directly now (the conditions of _DirectWebSocket's
// Python methods), else nullptr: an exception is set if a lookup failed.
// `conn` holds the session's _conn, which keeps the handle alive.
PyWebSocket* direct_handle(PyObject* session, bool receiving, py::object& conn) {
    const Names& n = installed.names;
    const ConnSlots& slots = installed.conn;
    conn = py::reinterpret_steal<py::object>(PyObject_GetAttr(session, n.conn));
    PyObject* c = conn.ptr();
    if (!c || Py_TYPE(c) != slots.type) return nullptr;  // None: not direct
    int ok = receiving ? attr_is(session, n.client_state, installed.connected) : 1;
    if (ok == 1) ok = attr_is(session, n.application_state, installed.connected);
    if (ok != 1) return nullptr;
    if (receiving ? ConnSlots::at(c, slots.disconnect) != Py_None || ConnSlots::at(c, slots.pushed) != Py_None
                  : ConnSlots::at(c, slots.accepted) != Py_True)
        return nullptr;
    PyObject* h = ConnSlots::at(c, slots.ws);  // borrowed
    if (!h || Py_TYPE(h) != installed.handle_type) return nullptr;
    return &py::cast<PyWebSocket&>(py::handle(h));
}

// Hands the call to the Python method (or, after a send that filled the
// buffer, to the session's _sent(state)); 0, or -1 with an exception set.
int take_over(Call* c, PyObject* sent_state = nullptr) {
    if (sent_state) {
        PyObject* method = PyObject_GetAttr(c->session, installed.names.sent);
        if (!method) return -1;
        c->coro = PyObject_CallOneArg(method, sent_state);
        Py_DECREF(method);
    } else if (c->data) {
        PyObject* args[] = {c->session, c->data};
        c->coro = PyObject_Vectorcall(installed.methods[c->op], args, 2, nullptr);
    } else {
        c->coro = PyObject_CallOneArg(installed.methods[c->op], c->session);
    }
    return c->coro ? 0 : -1;
}

// The fast attempt at the first send: PYGEN_RETURN with the result, or the
// coroutine taken over (then 1), or PYGEN_ERROR.
int attempt(Call* c, PyObject** result) {
    const bool receiving = c->op == receive_text || c->op == receive_bytes;
    try {
        py::object conn;
        PyWebSocket* ws = direct_handle(c->session, receiving, conn);
        if (PyErr_Occurred()) return PYGEN_ERROR;
        if (ws && receiving) {
            py::object data = c->op == receive_text ? ws->take_text() : ws->take_bytes();
            if (!data.is_none()) {
                *result = data.release().ptr();
                return PYGEN_RETURN;
            }
        } else if (ws && Py_TYPE(c->data) == (c->op == send_text ? &PyUnicode_Type : &PyBytes_Type)) {
            const int state = ws->send(py::reinterpret_borrow<py::object>(c->data));
            if (state == 0) {  // open: queued
                *result = Py_NewRef(Py_None);
                return PYGEN_RETURN;
            }
            py::object s = py::reinterpret_steal<py::object>(PyLong_FromLong(state));
            if (!s) return PYGEN_ERROR;
            return take_over(c, s.ptr()) < 0 ? PYGEN_ERROR : 1;
        }
    } catch (py::error_already_set& e) {
        e.restore();
        return PYGEN_ERROR;
    } catch (const std::exception& e) {
        PyErr_SetString(PyExc_RuntimeError, e.what());
        return PYGEN_ERROR;
    }
    return take_over(c) < 0 ? PYGEN_ERROR : 1;
}

PySendResult am_send(PyObject* self, PyObject* arg, PyObject** result) {
    auto* c = reinterpret_cast<Call*>(self);
    if (!c->coro) {
        if (c->done) {
            PyErr_SetString(PyExc_RuntimeError, "cannot reuse already awaited coroutine");
            return PYGEN_ERROR;
        }
        if (arg != Py_None) {  // the coroutine raises what a just-started one raises
            if (take_over(c) < 0) return PYGEN_ERROR;
        } else {
            const int r = attempt(c, result);
            if (r == PYGEN_RETURN || r == PYGEN_ERROR) {
                c->done = true;
                return static_cast<PySendResult>(r);
            }
        }
    }
    return PyIter_Send(c->coro, arg, result);
}

// send()/__next__ in the iterator protocol's terms: a value yielded, or
// nullptr with StopIteration(result) or the error set.
PyObject* step(PyObject* self, PyObject* arg) {
    PyObject* result = nullptr;
    switch (am_send(self, arg, &result)) {
        case PYGEN_NEXT: return result;
        case PYGEN_RETURN:
            if (result == Py_None) PyErr_SetNone(PyExc_StopIteration);
            else _PyGen_SetStopIterationValue(result);
            Py_DECREF(result);
            return nullptr;
        case PYGEN_ERROR: break;
    }
    return nullptr;
}

PyObject* iternext(PyObject* self) { return step(self, Py_None); }
PyObject* send(PyObject* self, PyObject* arg) { return step(self, arg); }

PyObject* throw_(PyObject* self, PyObject* const* args, Py_ssize_t nargs) {
    auto* c = reinterpret_cast<Call*>(self);
    if (!c->coro) {
        if (c->done) {  // as a finished coroutine: the exception is raised as it is
            if (nargs < 1) {
                PyErr_SetString(PyExc_TypeError, "throw expected at least 1 argument, got 0");
                return nullptr;
            }
            PyObject* e = args[0];
            if (PyExceptionInstance_Check(e)) PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(e)), e);
            else if (PyExceptionClass_Check(e)) PyErr_SetObject(e, nargs > 1 ? args[1] : nullptr);
            else PyErr_SetString(PyExc_TypeError, "exceptions must be classes or instances deriving from BaseException");
            return nullptr;
        }
        if (take_over(c) < 0) return nullptr;  // thrown into the just-started coroutine, as it would be
    }
    PyObject* method = PyObject_GetAttrString(c->coro, "throw");
    if (!method) return nullptr;
    PyObject* r = PyObject_Vectorcall(method, args, static_cast<std::size_t>(nargs), nullptr);
    Py_DECREF(method);
    return r;
}

PyObject* close(PyObject* self, PyObject*) {
    auto* c = reinterpret_cast<Call*>(self);
    if (c->coro) return PyObject_CallMethod(c->coro, "close", nullptr);
    c->done = true;
    Py_RETURN_NONE;
}

PyObject* await(PyObject* self) { return Py_NewRef(self); }

int traverse(PyObject* self, visitproc visit, void* arg) {
    auto* c = reinterpret_cast<Call*>(self);
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(c->session);
    Py_VISIT(c->data);
    Py_VISIT(c->coro);
    return 0;
}

int clear(PyObject* self) {
    auto* c = reinterpret_cast<Call*>(self);
    Py_CLEAR(c->session);
    Py_CLEAR(c->data);
    Py_CLEAR(c->coro);
    return 0;
}

void dealloc(PyObject* self) {
    PyTypeObject* type = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    clear(self);
    type->tp_free(self);
    Py_DECREF(type);
}

PyMethodDef call_methods[] = {
    {"send", send, METH_O, "As a coroutine's send()."},
    {"throw", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(throw_)), METH_FASTCALL,
     "As a coroutine's throw()."},
    {"close", close, METH_NOARGS, "As a coroutine's close()."},
    {nullptr, nullptr, 0, nullptr},
};

PyType_Slot call_slots[] = {
    {Py_tp_dealloc, reinterpret_cast<void*>(dealloc)},
    {Py_tp_traverse, reinterpret_cast<void*>(traverse)},
    {Py_tp_clear, reinterpret_cast<void*>(clear)},
    {Py_tp_iternext, reinterpret_cast<void*>(iternext)},
    {Py_am_await, reinterpret_cast<void*>(await)},
    {Py_am_send, reinterpret_cast<void*>(am_send)},
    {Py_tp_methods, call_methods},
    {Py_tp_doc, const_cast<char*>("What a runtime WebSocket's receive_* or send_* returns, awaited as their coroutine is.")},
    {0, nullptr},
};

PyType_Spec call_spec = {"fasterapi.WebSocketCall", sizeof(Call), 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
                         call_slots};

PyObject* new_call(PyObject* session, PyObject* data, int op) {
    Call* c = PyObject_GC_New(Call, installed.call_type);
    if (!c) return nullptr;
    c->session = Py_NewRef(session);
    c->data = Py_XNewRef(data);
    c->coro = nullptr;
    c->op = op;
    c->done = false;
    PyObject_GC_Track(c);
    return reinterpret_cast<PyObject*>(c);
}

template <int op>
PyObject* receive(PyObject* self, PyObject*) { return new_call(self, nullptr, op); }
template <int op>
PyObject* send_data(PyObject* self, PyObject* data) { return new_call(self, data, op); }

PyMethodDef session_methods[] = {
    {"receive_text", receive<receive_text>, METH_NOARGS, "Starlette's receive_text(), awaited."},
    {"receive_bytes", receive<receive_bytes>, METH_NOARGS, "Starlette's receive_bytes(), awaited."},
    {"send_text", send_data<send_text>, METH_O, "Starlette's send_text(data), awaited."},
    {"send_bytes", send_data<send_bytes>, METH_O, "Starlette's send_bytes(data), awaited."},
};

PyObject* intern(const char* s) {
    PyObject* o = PyUnicode_InternFromString(s);
    if (!o) throw py::error_already_set();
    return o;
}

// Makes `cls` (fasterapi.bridge._DirectWebSocket) answer its four message
// methods with calls of this module; `methods` are its Python ones, which
// each call falls back on. Returns the call type (for collections.abc).
Py_ssize_t slot_offset(const py::object& cls, const char* name) {
    py::object d = cls.attr(name);
    if (!Py_IS_TYPE(d.ptr(), &PyMemberDescr_Type)) {
        throw py::type_error(std::string("the WebSocket connection's ") + name + " is not a slot");
    }
    const PyMemberDef* m = reinterpret_cast<PyMemberDescrObject*>(d.ptr())->d_member;
    if (m->type != T_OBJECT_EX) {
        throw py::type_error(std::string("the WebSocket connection's ") + name + " is not an object slot");
    }
    return m->offset;
}

py::object install(py::object cls, py::object conn_cls, py::object handle_type, py::object connected,
                   py::dict methods) {
    if (!installed.call_type) {
        installed.call_type = reinterpret_cast<PyTypeObject*>(PyType_FromSpec(&call_spec));
        if (!installed.call_type) throw py::error_already_set();
        Names& n = installed.names;
        n.conn = intern("_conn");
        n.client_state = intern("client_state");
        n.application_state = intern("application_state");
        n.sent = intern("_sent");
    }
    ConnSlots& slots = installed.conn;
    slots.disconnect = slot_offset(conn_cls, "disconnect");
    slots.pushed = slot_offset(conn_cls, "pushed");
    slots.ws = slot_offset(conn_cls, "ws");
    slots.accepted = slot_offset(conn_cls, "accepted");
    Py_XSETREF(slots.type, reinterpret_cast<PyTypeObject*>(conn_cls.release().ptr()));
    Py_XSETREF(installed.handle_type, reinterpret_cast<PyTypeObject*>(handle_type.release().ptr()));
    Py_XSETREF(installed.connected, connected.release().ptr());
    auto* type = reinterpret_cast<PyTypeObject*>(cls.ptr());
    for (int op = 0; op < 4; ++op) {
        PyMethodDef& def = session_methods[op];
        py::object fn = methods[def.ml_name];
        Py_XSETREF(installed.methods[op], fn.release().ptr());
        py::object descr = py::reinterpret_steal<py::object>(PyDescr_NewMethod(type, &def));
        if (!descr) throw py::error_already_set();
        cls.attr(def.ml_name) = descr;
    }
    return py::reinterpret_borrow<py::object>(reinterpret_cast<PyObject*>(installed.call_type));
}

}  // namespace ws_calls
}  // namespace

void define_answer_types(py::module_& m) {
    py::class_<PyStream>(m, "Stream", py::module_local())
        .def("write", &PyStream::write, py::arg("data"), py::arg("defer") = false)
        .def("flush", &PyStream::flush)
        .def("write_plain_event", &PyStream::write_plain_event, py::arg("value"), py::arg("defer") = false)
        .def("send_event", &PyStream::send_event, py::arg("data"), py::arg("event"), py::arg("id"),
             py::arg("retry"), py::arg("comment"))
        .def("send_comment", &PyStream::send_comment, py::arg("text"))
        .def("end", &PyStream::end)
        .def("abort", &PyStream::abort)
        .def_property_readonly("state", &PyStream::state)
        .def("set_waker", &PyStream::set_waker, py::arg("fn"))
        .def("wait_writable", &PyStream::wait_writable, py::arg("timeout"));
    py::class_<PyAnswer>(m, "Answer", py::module_local())
        .def("send", &PyAnswer::send, py::arg("status"), py::arg("headers"), py::arg("body"))
        .def("open", &PyAnswer::open, py::arg("status"), py::arg("headers"), py::arg("body") = py::bytes())
        .def_property_readonly("answered", &PyAnswer::answered)
        .def("bypass", &PyAnswer::bypass)
        .def("hang_up", &PyAnswer::hang_up)
        .def("hold", &PyAnswer::hold);
    py::class_<PyHold>(m, "Hold").def("release", &PyHold::release, py::arg("hang_up") = false);
    py::class_<PyWebSocket>(m, "WebSocket", py::module_local())
        .def("accept", &PyWebSocket::accept, py::arg("subprotocol"), py::arg("headers"))
        .def("refuse", &PyWebSocket::refuse, py::arg("status"), py::arg("headers"), py::arg("body"))
        .def("close", &PyWebSocket::close, py::arg("code"), py::arg("reason"))
        .def("abort", &PyWebSocket::abort)
        .def("take", &PyWebSocket::take)
        .def_property_readonly("state", &PyWebSocket::state)
        .def_property_readonly("subprotocols", &PyWebSocket::subprotocols)
        .def("set_waker", &PyWebSocket::set_waker, py::arg("fn"))
        .def("wait_received", &PyWebSocket::wait_received, py::arg("timeout"))
        .def("wait_writable", &PyWebSocket::wait_writable, py::arg("timeout"));
    add_hot_methods(m.attr("WebSocket"));
    m.def("install_websocket_calls", &ws_calls::install, py::arg("cls"), py::arg("conn_cls"),
          py::arg("handle_type"), py::arg("connected"), py::arg("methods"));
    py::class_<Channel>(m, "Channel", py::module_local())
        .def(py::init<>())
        .def("add", &Channel::add, py::arg("stream"))
        .def("publish", &Channel::publish, py::arg("data"))
        .def("publish_event", &Channel::publish_event, py::arg("data"), py::arg("event"), py::arg("id"),
             py::arg("retry"), py::arg("comment"))
        .def("close", &Channel::close)
        .def("__len__", &Channel::size);
}

namespace {

// The Python types typed values are built as, imported once with the GIL
// (module-level objects that live as long as the interpreter).
struct ValueTypes {
    PyObject* uuid = nullptr;     // uuid.UUID
    PyObject* decimal = nullptr;  // decimal.Decimal
    PyObject* tzinfo = nullptr;   // pydantic_core.TzInfo: the tzinfo pydantic gives parsed offsets

    // cls(text): uuid.UUID("...") or decimal.Decimal("...").
    static PyObject* from_text(PyObject* cls, std::string_view text) {
        PyObject* s = new_str(text);
        PyObject* v = s ? PyObject_CallOneArg(cls, s) : nullptr;
        Py_XDECREF(s);
        return v;
    }
    // y*10000 + m*100 + d -> datetime.date.
    static PyObject* date(std::int64_t ymd) {
        return PyDate_FromDate(static_cast<int>(ymd / 10000), static_cast<int>(ymd / 100 % 100),
                               static_cast<int>(ymd % 100));
    }
    // A packed time (and date) -> datetime.time or datetime.datetime, with
    // TzInfo(offset) when the text had an offset.
    PyObject* time(bool with_date, std::int64_t ymd, std::int64_t t, bool has_tz, std::int32_t offset) const {
        const int h = static_cast<int>(t / 10000000000LL), mi = static_cast<int>(t / 100000000 % 100),
                  sec = static_cast<int>(t / 1000000 % 100), us = static_cast<int>(t % 1000000);
        PyObject* tz = has_tz ? PyObject_CallFunction(tzinfo, "i", offset) : Py_NewRef(Py_None);
        if (!tz) return nullptr;
        PyObject* v = with_date
            ? PyDateTimeAPI->DateTime_FromDateAndTime(static_cast<int>(ymd / 10000), static_cast<int>(ymd / 100 % 100),
                                                      static_cast<int>(ymd % 100), h, mi, sec, us, tz,
                                                      PyDateTimeAPI->DateTimeType)
            : PyDateTimeAPI->Time_FromTime(h, mi, sec, us, tz, PyDateTimeAPI->TimeType);
        Py_DECREF(tz);
        return v;
    }
};
ValueTypes value_types;

void import_value_types() {
    if (value_types.uuid) return;
    PyDateTime_IMPORT;
    if (!PyDateTimeAPI) throw py::error_already_set();
    value_types.uuid = py::object(py::module_::import("uuid").attr("UUID")).release().ptr();
    value_types.decimal = py::object(py::module_::import("decimal").attr("Decimal")).release().ptr();
    value_types.tzinfo = py::object(py::module_::import("pydantic_core").attr("TzInfo")).release().ptr();
}

// values[index] of a choice's bound values (a tuple), or nullptr with a Python exception set.
PyObject* choice_value(PyObject* values, std::int64_t index) {
    if (!values || index < 0 || index >= PyTuple_GET_SIZE(values)) {
        PyErr_SetString(PyExc_RuntimeError, "a converted choice has no bound value; rebuild needed");
        return nullptr;
    }
    return Py_NewRef(PyTuple_GET_ITEM(values, index));
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
        if (spec.routes[i].request_endpoint && std::string_view(spec.routes[i].name) == "any_unmatched")
            unmatched_route_ = static_cast<std::uint32_t>(i);
        PyObject* stream_param = attr(r.binding, "stream_param");
        r.answers = PyObject_IsTrue(stream_param) == 1;
        Py_DECREF(stream_param);
        PyObject* fast = attr(r.binding, "fast_json");
        r.fast_json = PyObject_IsTrue(fast) == 1;
        Py_DECREF(fast);
        PyObject* max_body = attr(r.binding, "max_body_size");
        if (max_body != Py_None) {
            r.max_body = PyLong_AsSize_t(max_body);
            if (PyErr_Occurred()) {
                Py_DECREF(max_body);
                throw py::error_already_set();
            }
        }
        Py_DECREF(max_body);
        PyObject* via_app = attr(r.binding, "errors_via_app");
        r.errors_via_app = PyObject_IsTrue(via_app) == 1;
        Py_DECREF(via_app);
        PyObject* by_app = attr(r.binding, "served_by_app");
        r.served_by_app = PyObject_IsTrue(by_app) == 1;
        Py_DECREF(by_app);
        PyObject* at_once = attr(r.binding, "runs_at_once");
        r.runs_at_once = PyObject_IsTrue(at_once) == 1;
        Py_DECREF(at_once);
        PyObject* allow = attr(r.binding, "allow");
        Py_ssize_t allow_size = 0;
        const char* allow_text = PyUnicode_AsUTF8AndSize(allow, &allow_size);
        if (!allow_text) {
            Py_DECREF(allow);
            throw py::error_already_set();
        }
        r.allow.assign(allow_text, static_cast<std::size_t>(allow_size));
        Py_DECREF(allow);
        PyObject* status = attr(r.binding, "status_code");
        r.status = static_cast<int>(PyLong_AsLong(status));
        Py_DECREF(status);
        PyObject* model = attr(r.binding, "body_model");  // None, or (cls, ((name, default or ..., nested), ...))
        if (model != Py_None) {
            r.model = model_spec(model);
            if (!r.model) {
                Py_DECREF(model);
                throw py::error_already_set();
            }
        }
        Py_DECREF(model);
        PyObject* choices = attr(r.binding, "choices");  // a tuple per converted parameter: None or the values
        for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(choices); ++k) {
            PyObject* c = PyTuple_GET_ITEM(choices, k);
            r.choices.push_back(c == Py_None ? nullptr : Py_NewRef(c));
        }
        Py_DECREF(choices);
    }
    import_value_types();
    bridge_ = Py_NewRef(bridge);
    loop_ = Py_NewRef(loop);
    executor_.set_thread_init([this] {
        PyObject* r = PyObject_CallMethod(bridge_, "claim_worker_thread", nullptr);
        if (!r) PyErr_Print();
        Py_XDECREF(r);
    });
    PyObject* encoders = PyImport_ImportModule("fastapi.encoders");
    if (!encoders) throw py::error_already_set();
    jsonable_encoder_ = attr(encoders, "jsonable_encoder");
    response_cls_ = py::object(py::module_::import("starlette.responses").attr("Response")).release().ptr();
    Py_DECREF(encoders);
    exception_response_ = attr(bridge, "exception_response");
    internal_error_ = attr(bridge, "internal_error");
    outside_type_ = reinterpret_cast<PyTypeObject*>(attr(bridge, "Outside"));
    outside_lines = outside_type_;
    redirect_fn_ = attr(bridge, "redirect");
    create_task_ = attr(loop, "create_task");
    context_kwnames_ = Py_BuildValue("(s)", "context");
    if (!context_kwnames_) throw py::error_already_set();
    drive_ = attr(bridge, "drive");
    finish_async_ = PyCFunction_New(&finish_async_def, nullptr);
    if (!finish_async_) throw py::error_already_set();
    PyObject* tasks = PyImport_ImportModule("asyncio.tasks");
    if (!tasks) throw py::error_already_set();
    enter_task_ = attr(tasks, "_enter_task");
    leave_task_ = attr(tasks, "_leave_task");
    Py_DECREF(tasks);
    stand_in_ = attr(bridge, "stand_in");
    parked_ = attr(bridge, "parked");
    create_future_ = attr(loop, "create_future");
    flush_handoffs_ = py::cpp_function(handoffs_.flusher()).release().ptr();
}

void AppDispatcher::schedule_handoff_flush() {
    PyGILState_STATE gil = PyGILState_Ensure();
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);  // whatever the caller has pending stays pending
    PyObject* handle = PyObject_CallMethod(loop_, "call_soon", "O", flush_handoffs_);
    if (handle) {
        Py_DECREF(handle);
    } else {
        PyErr_Clear();  // the loop is closed: nothing waits for a later turn
        handoffs_.flush();
    }
    PyErr_Restore(type, value, tb);
    PyGILState_Release(gil);
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
        for (PyObject* o : r.choices) Py_XDECREF(o);
        r.model.reset();
    }
    handoffs_.flush();
    Py_XDECREF(flush_handoffs_);
    Py_XDECREF(bridge_);
    Py_XDECREF(loop_);
    Py_XDECREF(jsonable_encoder_);
    Py_XDECREF(response_cls_);
    Py_XDECREF(exception_response_);
    Py_XDECREF(internal_error_);
    Py_XDECREF(reinterpret_cast<PyObject*>(outside_type_));
    Py_XDECREF(redirect_fn_);
    Py_XDECREF(create_task_);
    Py_XDECREF(context_kwnames_);
    Py_XDECREF(drive_);
    Py_XDECREF(finish_async_);
    Py_XDECREF(enter_task_);
    Py_XDECREF(leave_task_);
    Py_XDECREF(stand_in_);
    release_stand_ins();
    Py_XDECREF(parked_);
    Py_XDECREF(create_future_);
    Py_XDECREF(server_address_);
    for (PyObject* name : header_names_) Py_XDECREF(name);
}

PyObject* AppDispatcher::header_name(std::string_view lower) {
    for (std::size_t i = 0; i < common_header_names_.size(); ++i) {
        if (common_header_names_[i] != lower) continue;
        if (header_names_[i] == nullptr) header_names_[i] = new_bytes(lower);
        return Py_XNewRef(header_names_[i]);
    }
    return new_bytes(lower);
}

PyObject* AppDispatcher::header_list(const http::Request& req) {
    PyObject* headers = PyList_New(static_cast<Py_ssize_t>(req.headers.size()));
    if (!headers) return nullptr;
    std::string lower;
    Py_ssize_t i = 0;
    for (const http::Header& h : req.headers) {
        lower.assign(h.name);
        for (char& ch : lower) ch = static_cast<char>((ch >= 'A' && ch <= 'Z') ? ch - 'A' + 'a' : ch);
        PyObject* name = header_name(lower);
        PyObject* value = name ? new_bytes(h.value) : nullptr;
        PyObject* pair = value ? PyTuple_Pack(2, name, value) : nullptr;
        Py_XDECREF(name);
        Py_XDECREF(value);
        if (!pair) {
            Py_DECREF(headers);
            return nullptr;
        }
        PyList_SET_ITEM(headers, i++, pair);
    }
    return headers;
}

void AppDispatcher::start(ServerConfig config) {
    config_ = std::move(config);
    executor_.start();
    server_ = std::make_unique<Server>(config_, *this);
    server_->start();
}

std::uint16_t AppDispatcher::port() const noexcept { return server_ ? server_->port() : 0; }

TimingSummary AppDispatcher::request_timings() const noexcept {
    return server_ ? server_->request_timings() : TimingSummary{};
}

reactor_context& AppDispatcher::bridge_reactor() {
    PyObject* current = PyImport_ImportModule("asyncio");
    PyObject* loop = current ? PyObject_CallMethod(current, "get_running_loop", nullptr) : nullptr;
    Py_XDECREF(current);
    const bool here = loop == loop_;
    Py_XDECREF(loop);
    PyErr_Clear();
    if (!here) throw py::value_error("the runtime's awaitables are made on its own event loop, from a coroutine");
    reactor_context* reactor = server_ && !stopped_ ? server_->reactor(0) : nullptr;
    if (!reactor) throw py::value_error("the server is not running");
    return *reactor;
}

py::object AppDispatcher::sleep(double seconds) {
    if (!(seconds >= 0)) throw py::value_error("seconds must be >= 0");
    reactor_context& reactor = bridge_reactor();
    const auto d = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(seconds));
    return awaitable_from(reactor, loop_bridge_, loop_, [d] {
        return fasterapi::sleep(d).then([] { return std::string(); });
    });
}

py::object AppDispatcher::relay(py::handle awaitable) {
    reactor_context& reactor = bridge_reactor();
    PyObject* owned = Py_NewRef(awaitable.ptr());
    LoopBridge* loop_bridge = &loop_bridge_;
    PyObject* loop = loop_;
    return awaitable_from(reactor, loop_bridge_, loop_, [loop_bridge, loop, owned] {
        return await_python(*loop_bridge, loop, owned);
    });
}

std::size_t AppDispatcher::stop(std::chrono::milliseconds grace) {
    stopped_ = true;
    auto deadline = std::chrono::steady_clock::now() + grace;
    if (server_) server_->stop(grace);
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    std::size_t running = executor_.stop(std::max(left, std::chrono::milliseconds(0)));
    loop_bridge_.close();
    return running;
}

namespace {

// The app's CORSMiddleware(s) applied to a compiled route's response (cors.hpp).
class CorsFilter final : public ResponseFilter {
public:
    CorsFilter(std::shared_ptr<const std::vector<cors::Policy>> policies, const http::Header* origin)
        : policies_(std::move(policies)), has_origin_(origin != nullptr) {
        if (origin) origin_.assign(origin->value);
    }
    void apply(http::Response& head) const override {
        cors::apply(*policies_, has_origin_ ? &origin_ : nullptr, head.headers);
    }

private:
    std::shared_ptr<const std::vector<cors::Policy>> policies_;
    std::string origin_;
    bool has_origin_;
};

}  // namespace

void AppDispatcher::set_cors(std::vector<cors::Policy> policies, std::size_t catch_all) {
    if (catch_all >= spec_.route_count || !spec_.routes[catch_all].request_endpoint) {
        throw std::invalid_argument("CORS needs the app's catch-all route");
    }
    cors_ = std::make_shared<const std::vector<cors::Policy>>(std::move(policies));
    cors_catch_all_ = catch_all;
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

    // WebSocket handshakes go to the app's own ASGI entry, which routes them
    // (Starlette's WebSocket routes, dependencies, 403 for no route) and
    // accepts or refuses; frames are handled in C++ from then on.
    if (const http::Header* upgrade = c.request.find_header("upgrade");
        upgrade != nullptr && ws::upgrade_has_websocket(upgrade->value)) {
        const ws::Handshake hs = ws::check_handshake(c.request);
        if (hs.status != 0) {
            http::Response r;
            r.status = hs.status;
            if (hs.status == 426) r.add_header("sec-websocket-version", "13");
            r.add_header("content-type", "text/plain; charset=utf-8");
            r.body.append("Failed to open a WebSocket connection: ").append(hs.detail).append(".\n");
            pc->responder.send(std::move(r));
            return;
        }
        pc->websocket = true;
        pc->offer.key.assign(hs.key);
        for (std::string_view p : hs.protocols) pc->offer.protocols.emplace_back(p);
        for (std::string_view e : hs.extensions) pc->offer.extensions.emplace_back(e);
        pending_work.async.push_back(std::make_unique<AsyncTask>(std::move(pc)));
        return;
    }

    router::Result found;
    if (c.path.empty() || c.path.front() != '/') {
        // A target not in origin-form ("http://h/p", "*", "ping"), a path
        // as uvicorn passes it on: no route matches it (nor its other slash
        // form), and the app's own not-found handling answers, when it has one.
        if (unmatched_route_ == router::no_route) {
            pc->responder.send(json_response(404, {}, std::string(not_found_body)));
            return;
        }
        found.full = unmatched_route_;
    } else {
        router::lookup(*spec_.table, router::route_path(c.path, spec_.root_path),
                       router::method_bit(c.request.method), found);
    }
    if (cors_ && found.full != router::no_route && !routes_[found.full].served_by_app) {
        const http::Header* origin = c.request.find_header("origin");
        if (cors::preflight(c.request.method == http::Method::options, origin != nullptr,
                            c.request.find_header("access-control-request-method") != nullptr)) {
            found.full = cors_catch_all_;  // the middleware answers it, through the app's own entry
        } else {
            pc->responder.set_filter(std::make_unique<CorsFilter>(cors_, origin));
        }
    }
    if (found.full != router::no_route) {
        c.route = found.full;
        c.captures = found.captures;
        const RouteSpec& route = spec_.routes[found.full];
        pc->deferred = !route.request_endpoint && !route.trampoline(c);
        if (c.request.body.size() > routes_[found.full].max_body) c.use_asgi = true;
        if (route.is_async || c.use_asgi) {
            pending_work.async.push_back(std::make_unique<AsyncTask>(std::move(pc)));
        } else {
            pending_work.sync.push_back(std::make_unique<SyncTask>(std::move(pc)));
        }
        return;
    }

    if (found.partial != router::no_route) {
        std::string allow = "allow: ";
        const std::string& live = routes_[found.partial].allow;
        allow.append(live.empty() ? std::string_view(spec_.routes[found.partial].pattern.allow) : live).append("\r\n");
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

bool AppDispatcher::reads_body(const http::Request& head) {
    if (const http::Header* upgrade = head.find_header("upgrade");
        upgrade != nullptr && ws::upgrade_has_websocket(upgrade->value)) {
        return true;
    }
    std::string path;
    if (head.path.find('%') != std::string_view::npos) {
        text::unquote(head.path, path);
    } else {
        path.assign(head.path);
    }
    router::Result found;
    router::lookup(*spec_.table, router::route_path(path, spec_.root_path), router::method_bit(head.method), found);
    if (found.full != router::no_route) {
        // A CORS preflight goes to the middleware through the app's own entry.
        if (cors_ && head.method == http::Method::options) return true;
        return spec_.routes[found.full].reads_body || routes_[found.full].served_by_app;
    }
    // A 405, a 404 or a redirect to the path with(out) its slash.
    return false;
}

void AppDispatcher::flush() {
    executor_.submit_all(pending_work.sync);
    loop_bridge_.submit_all(pending_work.async);
}

PyObject* AppDispatcher::arg_value(PyCall& pc, std::size_t slot) {
    BoundRoute& br = routes_[pc.call.route];
    const Arg& a = pc.call.args[slot];
    switch (a.kind) {
        case Arg::Kind::absent: return Py_NewRef(br.defaults[slot]);
        case Arg::Kind::str: return new_str(a.s);
        case Arg::Kind::int_: return PyLong_FromLongLong(a.i);
        case Arg::Kind::float_: return PyFloat_FromDouble(a.d);
        case Arg::Kind::bool_: return Py_NewRef(a.b ? Py_True : Py_False);
        case Arg::Kind::model: return new_model(*br.model, pc.call.body);
        case Arg::Kind::uuid: return value_types.from_text(value_types.uuid, a.s);
        case Arg::Kind::decimal: return value_types.from_text(value_types.decimal, a.s);
        case Arg::Kind::date: return value_types.date(a.i);
        case Arg::Kind::time: return value_types.time(false, 0, a.i, a.b, a.offset);
        case Arg::Kind::datetime: return value_types.time(true, a.ymd, a.i, a.b, a.offset);
        case Arg::Kind::choice: return choice_value(slot < br.choices.size() ? br.choices[slot] : nullptr, a.i);
        case Arg::Kind::list: {
            PyObject* list = PyList_New(0);
            if (!list) return nullptr;
            Arg item;
            for (const auto& [key, value] : pc.call.query()) {
                if (key != a.s) continue;
                PyObject* v = nullptr;
                if (conv::list_item(value, static_cast<ListOf>(a.i), item)) {
                    switch (item.kind) {
                        case Arg::Kind::str: v = new_str(item.s); break;
                        case Arg::Kind::int_: v = PyLong_FromLongLong(item.i); break;
                        case Arg::Kind::float_: v = PyFloat_FromDouble(item.d); break;
                        case Arg::Kind::bool_: v = Py_NewRef(item.b ? Py_True : Py_False); break;
                        default: break;
                    }
                }
                if (!v) {
                    if (!PyErr_Occurred()) PyErr_SetString(PyExc_RuntimeError, "a list element no longer converts");
                    Py_DECREF(list);
                    return nullptr;
                }
                int rc = PyList_Append(list, v);
                Py_DECREF(v);
                if (rc < 0) {
                    Py_DECREF(list);
                    return nullptr;
                }
            }
            return list;
        }
    }
    PyErr_SetString(PyExc_RuntimeError, "unknown argument kind");
    return nullptr;
}

PyObject* AppDispatcher::build_args_and_call(PyCall& pc) {
    BoundRoute& br = routes_[pc.call.route];
    const Py_ssize_t n = PyTuple_GET_SIZE(br.kwnames);
    const Py_ssize_t converted = br.answers ? n - 1 : n;
    PyObject* stack[max_args + 1];
    stack[0] = nullptr;  // PY_VECTORCALL_ARGUMENTS_OFFSET lets the callee use this slot
    Py_ssize_t built = 0;
    PyObject* result = nullptr;
    for (; built < converted; ++built) {
        PyObject* v = arg_value(pc, static_cast<std::size_t>(built));
        if (!v) goto done;
        stack[built + 1] = v;
    }
    if (br.answers) {
        PyObject* answer = new_answer(pc);
        if (!answer) goto done;
        stack[++built] = answer;
    }
    result = PyObject_Vectorcall(br.endpoint, stack + 1, PY_VECTORCALL_ARGUMENTS_OFFSET, br.kwnames);
done:
    for (Py_ssize_t k = 0; k < built; ++k) Py_DECREF(stack[k + 1]);
    return result;
}

namespace {

PyObject* body_value(const body::Value& v, const ModelSpec* nested, PyObject* choices) {
    switch (v.kind) {
        case body::Value::Kind::absent:
        case body::Value::Kind::null: return Py_NewRef(Py_None);
        case body::Value::Kind::str: return new_str(v.s);
        case body::Value::Kind::int_: return PyLong_FromLongLong(v.i);
        case body::Value::Kind::float_: return PyFloat_FromDouble(v.d);
        case body::Value::Kind::bool_: return Py_NewRef(v.b ? Py_True : Py_False);
        case body::Value::Kind::model: return new_model(*nested, v.items);
        case body::Value::Kind::uuid: return value_types.from_text(value_types.uuid, v.s);
        case body::Value::Kind::decimal: return value_types.from_text(value_types.decimal, v.s);
        case body::Value::Kind::date: return value_types.date(v.i);
        case body::Value::Kind::time: return value_types.time(false, 0, v.i, v.b, v.offset);
        case body::Value::Kind::datetime: return value_types.time(true, v.ymd, v.i, v.b, v.offset);
        case body::Value::Kind::choice: return choice_value(choices, v.i);
        case body::Value::Kind::list: {
            PyObject* list = PyList_New(static_cast<Py_ssize_t>(v.items.size()));
            if (!list) return nullptr;
            for (std::size_t k = 0; k < v.items.size(); ++k) {
                PyObject* item = body_value(v.items[k], nested, choices);
                if (!item) {
                    Py_DECREF(list);
                    return nullptr;
                }
                PyList_SET_ITEM(list, static_cast<Py_ssize_t>(k), item);
            }
            return list;
        }
    }
    return Py_NewRef(Py_None);
}

// The bridge's (cls, ((name, default or ..., nested or None, choices or None), ...)), with the GIL.
std::unique_ptr<ModelSpec> model_spec(PyObject* desc) {
    auto spec = std::make_unique<ModelSpec>();
    PyObject* cls = nullptr;
    PyObject* fields = nullptr;
    if (!PyArg_ParseTuple(desc, "O!O!", &PyType_Type, &cls, &PyTuple_Type, &fields)) return nullptr;
    spec->cls = Py_NewRef(cls);
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(fields); ++k) {
        PyObject *name, *fallback, *nested, *choices;
        if (!PyArg_ParseTuple(PyTuple_GET_ITEM(fields, k), "UOOO", &name, &fallback, &nested, &choices)) return nullptr;
        spec->choices.push_back(choices == Py_None ? nullptr : Py_NewRef(choices));
        Py_INCREF(name);
        PyUnicode_InternInPlace(&name);
        spec->names.push_back(name);
        spec->defaults.push_back(fallback == Py_Ellipsis ? nullptr : Py_NewRef(fallback));
        spec->nested.emplace_back();
        if (nested != Py_None && !(spec->nested.back() = model_spec(nested))) return nullptr;
    }
    return spec;
}

}  // namespace

ModelSpec::~ModelSpec() {
    Py_XDECREF(cls);
    for (PyObject* o : names) Py_DECREF(o);
    for (PyObject* o : defaults) Py_XDECREF(o);
    for (PyObject* o : choices) Py_XDECREF(o);
}

namespace {

PyObject* new_model(const ModelSpec& spec, const std::vector<body::Value>& values) {
    // What pydantic's model_construct does, for a model the generator found
    // plain enough (no validators, private attributes, aliases or extras):
    // the fields in declaration order, defaults for the absent ones, and the
    // present ones as the fields set.
    static PyObject* dict_name = PyUnicode_InternFromString("__dict__");
    static PyObject* set_name = PyUnicode_InternFromString("__pydantic_fields_set__");
    static PyObject* extra_name = PyUnicode_InternFromString("__pydantic_extra__");
    static PyObject* private_name = PyUnicode_InternFromString("__pydantic_private__");
    auto* type = reinterpret_cast<PyTypeObject*>(spec.cls);
    PyObject* empty = PyTuple_New(0);
    PyObject* obj = empty ? type->tp_new(type, empty, nullptr) : nullptr;
    Py_XDECREF(empty);
    PyObject* dict = obj ? PyDict_New() : nullptr;
    PyObject* set = dict ? PySet_New(nullptr) : nullptr;
    bool ok = set != nullptr;
    for (std::size_t k = 0; ok && k < spec.names.size(); ++k) {
        const body::Value& v = values[k];
        PyObject* item;
        if (v.kind == body::Value::Kind::absent) {
            item = Py_NewRef(spec.defaults[k]);
        } else {
            item = body_value(v, spec.nested[k].get(), spec.choices[k]);
            ok = item && PySet_Add(set, spec.names[k]) == 0;
        }
        ok = ok && item && PyDict_SetItem(dict, spec.names[k], item) == 0;
        Py_XDECREF(item);
    }
    ok = ok && PyObject_GenericSetAttr(obj, dict_name, dict) == 0 && PyObject_GenericSetAttr(obj, set_name, set) == 0 &&
         PyObject_GenericSetAttr(obj, extra_name, Py_None) == 0 &&
         PyObject_GenericSetAttr(obj, private_name, Py_None) == 0;
    Py_XDECREF(dict);
    Py_XDECREF(set);
    if (!ok) {
        Py_XDECREF(obj);
        return nullptr;
    }
    return obj;
}

}  // namespace

PyObject* AppDispatcher::new_answer(PyCall& pc) {
    pc.hold = pc.responder.hold();
    try {
        return py::cast(PyAnswer(std::move(pc.responder), loop_bridge_)).release().ptr();
    } catch (py::error_already_set& e) {
        e.restore();
        return nullptr;
    }
}

bool AppDispatcher::via_asgi(const PyCall& pc) const noexcept {
    return pc.call.use_asgi || spec_.routes[pc.call.route].request_endpoint;
}

PyObject* AppDispatcher::call_handler(PyCall& pc, bool& answered, bool& to_asgi) {
    answered = false;
    to_asgi = false;
    const http::Request& req = pc.call.request;
    if (pc.websocket) {
        PyObject* handle;
        try {
            handle = py::cast(PyWebSocket(pc.responder.websocket(std::move(pc.offer)), loop_bridge_)).release().ptr();
        } catch (py::error_already_set& e) {
            e.restore();
            return nullptr;
        }
        PyObject* headers = header_list(req);
        if (!headers) {
            Py_DECREF(handle);
            return nullptr;
        }
        PyObject* client = client_tuple(req);
        if (!client) {
            Py_DECREF(handle);
            Py_DECREF(headers);
            return nullptr;
        }
        return PyObject_CallMethod(bridge_, "serve_websocket", "(NNNNNsON)", handle, new_str(pc.call.path),
                                   new_bytes(req.path), new_bytes(req.query), headers,
                                   req.version_minor == 0 ? "1.0" : "1.1",
                                   server_address_ ? server_address_ : Py_None, client);
    }
    BoundRoute& br = routes_[pc.call.route];

    if (via_asgi(pc)) {
        // The bridge answers through `answer`, as soon as the app has sent
        // its response; the coroutine itself may run on after that.
        return call_for_request(pc, br.asgi, nullptr);
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
    if (br.answers) {
        PyObject* answer = new_answer(pc);
        const Py_ssize_t last = PyTuple_GET_SIZE(br.kwnames) - 1;
        if (!answer || PyDict_SetItem(validated, PyTuple_GET_ITEM(br.kwnames, last), answer) < 0) {
            Py_XDECREF(answer);
            Py_DECREF(validated);
            return nullptr;
        }
        Py_DECREF(answer);
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
    // In a copy of the worker's context, as anyio's to_thread runs each call
    // under FastAPI: ContextVars a handler sets do not reach later requests.
    PyObject* context = PyContext_CopyCurrent();
    const bool entered = context && PyContext_Enter(context) == 0;
    if (!entered) PyErr_Clear();
    PyObject* result = call_handler(pc, answered, to_asgi);
    if (entered) {
        PyObject *type, *value, *tb;
        PyErr_Fetch(&type, &value, &tb);
        if (PyContext_Exit(context) < 0) PyErr_WriteUnraisable(nullptr);
        PyErr_Restore(type, value, tb);
    }
    Py_XDECREF(context);
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
    if (pc->websocket) {
        // The session's coroutine (bridge.serve_websocket) copied what it
        // needs of the handshake and answers every outcome itself through
        // its handle; the session may last hours, so the call is not kept.
        pc.reset();
        start_session(coro);
        return;
    }
    if (routes_[pc->call.route].runs_at_once && !pc->call.use_asgi && PyCoro_CheckExact(coro)) {
        run_at_once(std::move(pc), coro);
        return;
    }
    start_driven(std::move(pc), coro);
}

void AppDispatcher::start_driven(std::unique_ptr<PyCall> pc, PyObject* coro) {
    // The task runs in a context of its own, as asyncio's create_task gives
    // it; bridge.drive awaits the handler's coroutine and makes the response
    // in that task (so in that context, where a returned Response's
    // background task then sees the ContextVars the handler set, as when
    // Starlette runs it in the request's task).
    auto* pending = new AsyncCall{std::move(pc)};
    PyObject* token = PyCapsule_New(pending, async_call_name, destroy_async_call);
    if (!token) {
        std::unique_ptr<PyCall> back = std::move(pending->call);
        delete pending;
        Py_DECREF(coro);
        respond_exception(*back);
        return;
    }
    PyObject* driven = PyObject_CallFunctionObjArgs(drive_, coro, token, finish_async_, nullptr);
    PyObject* task = driven ? new_task(driven) : nullptr;
    if (!task) {
        // Nothing will run: answer here (the capsule still holds the call).
        PyObject *type, *value, *tb;
        PyErr_Fetch(&type, &value, &tb);
        for (PyObject* c : {driven, coro}) {
            if (!c) continue;
            PyObject* r = PyObject_CallMethod(c, "close", nullptr);  // no "never awaited" warning
            if (!r) PyErr_Clear();
            Py_XDECREF(r);
        }
        PyErr_Restore(type, value, tb);
        std::unique_ptr<PyCall> back = std::move(pending->call);
        Py_XDECREF(driven);
        Py_DECREF(coro);
        Py_DECREF(token);
        if (back) respond_exception(*back);
        return;
    }
    Py_DECREF(task);
    Py_DECREF(driven);
    Py_DECREF(coro);
    Py_DECREF(token);
}

namespace {

// Ends a kept stand-in's wait and drops `release` (null: nothing kept): its
// task ends at the loop's next turn (cancelled instead if it was cancelled).
void end_wait(PyObject*& release) {
    if (!release) return;
    static PyObject* const set_result_name = PyUnicode_InternFromString("set_result");
    PyObject* r = PyObject_CallMethodOneArg(release, set_result_name, Py_None);
    if (!r) PyErr_Clear();  // cancelled: the task ends so
    Py_XDECREF(r);
    Py_CLEAR(release);
}

}  // namespace

// What a task would do for a coroutine that never waits, less the loop turn
// it waits for: its one step runs here, on the loop thread, in a copy of the
// current context (so ContextVars it sets stay its own), with a task of its
// own current — a pending one, for this request alone (made after the
// loop's previous batch, or else here), that ends at the loop's next turn
// after the response — so asyncio.current_task(), sniffio, anyio and whatever
// keys state by task (async_scoped_session) see one task per request, as
// under FastAPI; and the response is made in that context, as bridge.drive
// makes it in the task's.
void AppDispatcher::run_at_once(std::unique_ptr<PyCall> pc, PyObject* coro) {
    stand_ins_used_ = true;
    // The stand-in made ahead, if there is one its task is still waiting
    // for (not cancelled by an all_tasks() sweep): its task has a context
    // of its own, where its one step after the release runs nothing.
    // Otherwise one made here, with one context for the task and the
    // handler: the handler's step is the task's first, as it would be under
    // create_task; the task's own (empty) step enters it again at the next
    // turn, after it is left here.
    static PyObject* const done_name = PyUnicode_InternFromString("done");
    KeptStandIn kept = std::exchange(kept_stand_in_, KeptStandIn{});
    if (kept.task) {
        PyObject* done = PyObject_CallMethodNoArgs(kept.release, done_name);
        if (!done) PyErr_Clear();
        if (done != Py_False) {
            Py_CLEAR(kept.task);
            Py_CLEAR(kept.release);
        }
        Py_XDECREF(done);
    }
    PyObject* context = PyContext_CopyCurrent();
    PyObject* task = kept.task;
    if (!task && context) {
        PyObject* stand_in_coro = PyObject_CallNoArgs(stand_in_);
        task = stand_in_coro ? new_task(stand_in_coro, context) : nullptr;
        Py_XDECREF(stand_in_coro);
    }
    if (!task || PyContext_Enter(context) < 0) {
        Py_XDECREF(context);
        Py_XDECREF(task);
        PyErr_Clear();
        end_wait(kept.release);
        start_driven(std::move(pc), coro);
        return;
    }
    PyObject* args[] = {loop_, task};
    PyObject* entered = PyObject_Vectorcall(enter_task_, args, 2, nullptr);
    if (!entered) {
        // Another task is current (the loop is not where it usually is): as usual, then.
        PyErr_Clear();
        PyContext_Exit(context);
        Py_DECREF(context);
        Py_DECREF(task);
        end_wait(kept.release);
        start_driven(std::move(pc), coro);
        return;
    }
    Py_DECREF(entered);
    PyObject* result = nullptr;
    const PySendResult sent = PyIter_Send(coro, Py_None, &result);
    {
        PyObject *type, *value, *tb;
        PyErr_Fetch(&type, &value, &tb);
        PyObject* left = PyObject_Vectorcall(leave_task_, args, 2, nullptr);
        if (!left) PyErr_WriteUnraisable(leave_task_);
        Py_XDECREF(left);
        PyErr_Restore(type, value, tb);
    }
    if (sent == PYGEN_NEXT) {
        // Not for code never_suspends passed (a coroutine waits only at an
        // await, async with or async for of its own): an error, not a hang.
        Py_XDECREF(result);
        PyObject* closed = PyObject_CallMethod(coro, "close", nullptr);
        if (!closed) PyErr_Clear();
        Py_XDECREF(closed);
        PyErr_SetString(PyExc_RuntimeError, "an async handler whose code never waits waited");
    }
    Py_DECREF(coro);
    finish(*pc, sent == PYGEN_RETURN ? result : nullptr);  // else the exception is set
    if (PyContext_Exit(context) < 0) PyErr_WriteUnraisable(nullptr);
    Py_DECREF(context);
    end_wait(kept.release);
    Py_DECREF(task);  // the loop keeps it until its step, at the next turn
}

void AppDispatcher::keep_stand_in() {
    if (!stand_ins_used_ || stand_ins_ended_ || kept_stand_in_.task) return;
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyObject* release = PyObject_CallNoArgs(create_future_);
    PyObject* coro = release ? PyObject_CallOneArg(parked_, release) : nullptr;
    PyObject* task = coro ? new_task(coro) : nullptr;
    Py_XDECREF(coro);
    if (task) {
        kept_stand_in_ = {task, release};
    } else {
        // The next request makes its own, as without one kept.
        PyErr_Clear();
        Py_XDECREF(release);
    }
    PyErr_Restore(type, value, tb);
}

void AppDispatcher::release_stand_ins() {
    stand_ins_ended_ = true;
    KeptStandIn kept = std::exchange(kept_stand_in_, KeptStandIn{});
    if (!kept.task) return;
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    end_wait(kept.release);
    Py_DECREF(kept.task);
    PyErr_Restore(type, value, tb);
}

PyObject* AppDispatcher::new_task(PyObject* coro, PyObject* context) {
    PyObject* copied = context ? nullptr : PyContext_CopyCurrent();
    if (!context && !copied) return nullptr;
    PyObject* args[] = {coro, context ? context : copied};
    PyObject* task = PyObject_Vectorcall(create_task_, args, 1, context_kwnames_);
    Py_XDECREF(copied);
    return task;
}

void AppDispatcher::start_session(PyObject* coro) {
    PyObject* task = new_task(coro);
    if (!task) {
        // Logged; closing the coroutine drops its handle, which disconnects.
        PyErr_Print();
        PyObject* r = PyObject_CallMethod(coro, "close", nullptr);
        if (!r) PyErr_Print();
        Py_XDECREF(r);
    }
    Py_XDECREF(task);
    Py_DECREF(coro);
}

void AppDispatcher::finish(PyCall& pc, PyObject* result) {
    if (!result) {
        respond_exception(pc);
        return;
    }
    if (!pc.responder) {  // the handler answered through its Answer (fasterapi.SSE)
        Py_DECREF(result);
        return;
    }
    if (via_asgi(pc)) {  // the bridge answered through its Answer
        Py_DECREF(result);
        return;
    }
    BoundRoute& br = routes_[pc.call.route];
    // Not a Response: FastAPI sends JSONResponse(jsonable_encoder(result)),
    // whose bytes encode_jsonable writes (calling jsonable_encoder only for
    // what is not plain JSON: a model, a datetime, an Enum ...).
    int is_response = 0;
    if (br.fast_json && !plain_json_type(result)) {
        is_response = PyObject_IsInstance(result, response_cls_);
        if (is_response < 0) {
            Py_DECREF(result);
            respond_exception(pc);
            return;
        }
    }
    if (br.fast_json && !is_response) {
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
    std::string_view method = http::method_name(pc.call.request.method);
    if (method.empty()) method = pc.call.request.method_token;
    PyObject* rendered = PyObject_CallMethod(br.binding, "finish", "(Os#)", result, method.data(),
                                             static_cast<Py_ssize_t>(method.size()));
    Py_DECREF(result);
    if (!rendered) {
        respond_exception(pc);
        return;
    }
    if (!PyTuple_Check(rendered)) {  // a StreamingResponse (or FileResponse ...)
        respond_streaming(pc, rendered);
        return;
    }
    if (PyTuple_GET_SIZE(rendered) == 4) {  // (status, headers, body, background)
        // The background runs on the loop once the response is out; the
        // connection's next request waits for it.
        PyObject* background = Py_NewRef(PyTuple_GET_ITEM(rendered, 3));
        PyObject* head = PyTuple_GetSlice(rendered, 0, 3);
        Py_DECREF(rendered);
        if (!head) {
            Py_DECREF(background);
            respond_exception(pc);
            return;
        }
        PyObject* hold = nullptr;
        try {
            hold = py::cast(PyHold(pc.responder.hold())).release().ptr();
        } catch (py::error_already_set& e) {
            e.restore();
        }
        PyObject* scheduled = nullptr;
        if (hold && br.errors_via_app) {
            // A task that fails after the response is seen by the app's own
            // exception handlers, as under FastAPI.
            PyObject* fn = PyObject_GetAttrString(br.binding, "background_via_app");
            PyObject* kwargs = fn ? Py_BuildValue("{sOsO}", "background", background, "hold", hold) : nullptr;
            if (kwargs) scheduled = call_for_request(pc, fn, kwargs, false);
            Py_XDECREF(kwargs);
            Py_XDECREF(fn);
            Py_DECREF(hold);
        } else if (hold) {
            scheduled = PyObject_CallMethod(bridge_, "run_in_background", "(ON)", background, hold);
        }
        Py_DECREF(background);
        if (!scheduled) PyErr_Print();  // logged; the response still goes out
        Py_XDECREF(scheduled);
        respond_rendered(pc, head);
        return;
    }
    respond_rendered(pc, rendered);
}

void AppDispatcher::respond_streaming(PyCall& pc, PyObject* response) {
    if (routes_[pc.call.route].errors_via_app) {
        // An error the response raises before it starts (a FileResponse of
        // a missing file) goes to the app's exception handlers.
        PyObject* fn = PyObject_GetAttrString(routes_[pc.call.route].binding, "stream_via_app");
        PyObject* kwargs = fn ? Py_BuildValue("{sO}", "response", response) : nullptr;
        Py_DECREF(response);
        PyObject* r = kwargs ? call_for_request(pc, fn, kwargs) : nullptr;
        Py_XDECREF(kwargs);
        Py_XDECREF(fn);
        if (!r) PyErr_Print();  // the Responder, dropped with its Answer, answered 500
        Py_XDECREF(r);
        return;
    }
    const http::Request& req = pc.call.request;
    std::string_view method = http::method_name(req.method);
    if (method.empty()) method = req.method_token;
    PyObject* answer = new_answer(pc);
    if (!answer) {
        Py_DECREF(response);
        PyErr_Print();
        return;  // the Responder, dropped with the PyAnswer, answered 500
    }
    PyObject* headers = header_list(req);  // a FileResponse answers Range requests from them
    if (!headers) {
        Py_DECREF(response);
        Py_DECREF(answer);
        PyErr_Print();
        return;
    }
    PyObject* r = PyObject_CallMethod(bridge_, "stream_response", "(NNs#sN)", response, answer, method.data(),
                                      static_cast<Py_ssize_t>(method.size()),
                                      req.version_minor == 0 ? "1.0" : "1.1", headers);
    if (!r) PyErr_Print();
    Py_XDECREF(r);
}

void AppDispatcher::redirect(PyCall& pc) {
    const http::Request& req = pc.call.request;
    PyObject* headers = header_list(req);
    PyObject* client = headers ? client_tuple(req) : nullptr;
    if (!client) {
        Py_XDECREF(headers);
        respond_exception(pc);
        return;
    }
    PyObject* rendered = PyObject_CallFunction(redirect_fn_, "(Ny#NON)", new_str(pc.call.path), req.query.data(),
                                               static_cast<Py_ssize_t>(req.query.size()), headers,
                                               server_address_ ? server_address_ : Py_None, client);
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
    if (value && !pc.websocket && pc.responder && !via_asgi(pc) && routes_[pc.call.route].errors_via_app) {
        const bool started = exception_via_app(pc, value);
        Py_XDECREF(type);
        Py_XDECREF(value);
        Py_XDECREF(tb);
        if (!started) PyErr_Print();  // the Responder, dropped with its Answer, answered 500
        return;
    }
    PyObject* rendered = value ? PyObject_CallOneArg(exception_response_, value) : nullptr;
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    if (!rendered) {
        PyErr_Print();
        send_server_error(pc.responder, plain_500());
        return;
    }
    respond_rendered(pc, rendered);
}

bool AppDispatcher::exception_via_app(PyCall& pc, PyObject* exc) {
    PyObject* fn = PyObject_GetAttrString(routes_[pc.call.route].binding, "exception_via_app");
    PyObject* kwargs = fn ? Py_BuildValue("{sO}", "exc", exc) : nullptr;
    PyObject* r = kwargs ? call_for_request(pc, fn, kwargs) : nullptr;
    Py_XDECREF(kwargs);
    Py_XDECREF(fn);
    if (!r) return false;
    Py_DECREF(r);
    return true;
}

PyObject* AppDispatcher::call_for_request(PyCall& pc, PyObject* fn, PyObject* kwargs, bool with_answer) {
    const http::Request& req = pc.call.request;
    PyObject* answer = with_answer ? new_answer(pc) : Py_NewRef(Py_None);
    if (!answer) return nullptr;
    PyObject* headers = header_list(req);
    if (!headers) {
        Py_DECREF(answer);
        return nullptr;
    }
    std::string_view method = http::method_name(req.method);
    if (method.empty()) method = req.method_token;
    PyObject* args = Py_BuildValue("(Ns#NNNNNsO)", answer, method.data(), static_cast<Py_ssize_t>(method.size()),
                                   new_str(pc.call.path), new_bytes(req.path), new_bytes(req.query), headers,
                                   new_bytes(req.body), req.version_minor == 0 ? "1.0" : "1.1",
                                   server_address_ ? server_address_ : Py_None);
    if (!args) return nullptr;
    // scope["client"], as uvicorn gives it.
    PyObject* all = kwargs ? PyDict_Copy(kwargs) : PyDict_New();
    PyObject* client = client_tuple(req);
    PyObject* result = nullptr;
    if (all && client && PyDict_SetItemString(all, "client", client) == 0) result = PyObject_Call(fn, args, all);
    Py_XDECREF(client);
    Py_XDECREF(all);
    Py_DECREF(args);
    return result;
}

void AppDispatcher::respond_rendered(PyCall& pc, PyObject* rendered) {
    PyObject *status, *headers, *body;
    if (!PyArg_ParseTuple(rendered, "OSS", &status, &headers, &body)) {
        Py_DECREF(rendered);
        PyErr_Print();
        send_server_error(pc.responder, plain_500());
        return;
    }
    http::Response r;
    r.status = static_cast<std::uint16_t>(PyLong_AsLong(status));
    r.has_content_length = true;
    r.headers.assign(PyBytes_AS_STRING(headers), static_cast<std::size_t>(PyBytes_GET_SIZE(headers)));
    r.body.assign(PyBytes_AS_STRING(body), static_cast<std::size_t>(PyBytes_GET_SIZE(body)));
    const Lines kind = lines_kind(headers);
    const bool outside = kind == Lines::outside;
    r.hang_up = kind == Lines::hang_up;
    Py_DECREF(rendered);
    keep_declared_length(r);
    // Sending takes the owning reactor's queue lock for a moment; reactor
    // threads never take the GIL, so holding it here cannot deadlock.
    if (outside) send_server_error(pc.responder, std::move(r));
    else pc.responder.send(std::move(r));
}

}  // namespace fasterapi
