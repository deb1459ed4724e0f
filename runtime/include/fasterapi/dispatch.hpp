// Dispatch: from a parsed request to a handler call and back to bytes.
//
// On the reactor thread, without the GIL: percent-decode the path, match it
// against the route table (Starlette's order and semantics), answer 404/405 in
// C++, run the route's trampoline. Then hand the call to Python: `def`
// handlers to the Executor's workers, `async def` handlers to the asyncio loop.
// With the GIL: build the arguments (or let FastAPI validate them), call the
// handler, and encode the result — in C++ for plain JSON-able values, through
// FastAPI's own code (fasterapi.bridge) for everything else.
//
// Request states:
//   1. matched    — route found, trampoline ran (arguments converted, or
//                   validation deferred to FastAPI);
//   2. queued     — a Task on the executor or the loop bridge;
//   3. running    — the handler runs (sync: on a worker; async: a Task on
//                   the loop whose completion callback finishes the request);
//   4. answered   — a Response handed to the Responder (exactly once; a
//                   dropped task answers 500 through the Responder).
#pragma once

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <pybind11/pybind11.h>

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fasterapi/app.hpp"
#include "fasterapi/cors.hpp"
#include "fasterapi/executor.hpp"
#include "fasterapi/server.hpp"

namespace fasterapi {

// A route bound to the live app: strong references, owned with the GIL.
// A pydantic model the runtime builds from a body validated in C++: its
// class, and per field its name, default (nullptr: required), for a
// nested model that model's spec, and for a choice the values (a tuple).
struct ModelSpec {
    PyObject* cls = nullptr;
    std::vector<PyObject*> names;
    std::vector<PyObject*> defaults;
    std::vector<std::unique_ptr<ModelSpec>> nested;
    std::vector<PyObject*> choices;
    ModelSpec() = default;
    ModelSpec(const ModelSpec&) = delete;
    ModelSpec& operator=(const ModelSpec&) = delete;
    ~ModelSpec();  // with the GIL
};

struct BoundRoute {
    PyObject* binding = nullptr;   // fasterapi.bridge.Binding
    PyObject* endpoint = nullptr;  // the handler (or the bridge's request-endpoint caller)
    PyObject* asgi = nullptr;      // the bridge's caller of the app's own ASGI entry
    PyObject* kwnames = nullptr;   // tuple of keyword names, in Arg order
    std::vector<PyObject*> defaults;
    std::vector<PyObject*> capture_names;  // str per path capture, for validation in Python
    bool fast_json = false;
    bool answers = false;  // the last keyword is a fasterapi.SSE: the handler answers through it
    bool errors_via_app = false;  // the app's own exception handlers answer this route's errors
    bool served_by_app = false;   // the app's own ASGI entry serves it whole, middleware included
    // An `async def` handler whose code never suspends (no await, async for
    // or async with): its coroutine runs to its end at once, without a task
    // of its own (AppDispatcher::run_at_once).
    bool runs_at_once = false;
    // FastAPI's max_body_size for this route (the smallest that applies):
    // a longer body is FastAPI's to answer (413, at the moment it decides).
    std::size_t max_body = static_cast<std::size_t>(-1);
    int status = 200;
    // A 405's Allow value for this route, read from the live route in this
    // process (Starlette joins its methods in set order, which changes with
    // the hash seed); empty: the compiled pattern's (sorted) one.
    std::string allow;
    // The JSON body validated in C++ (an Arg of kind model).
    std::unique_ptr<ModelSpec> model;
    // Per converted parameter: the values of an Arg of kind choice (a
    // tuple: enum members or literal values), or nullptr.
    std::vector<PyObject*> choices;
};

class AppDispatcher final : public Dispatcher {
public:
    // With the GIL. `bindings` is bridge.bind(app, ir); `bridge` the module
    // fasterapi.bridge; `loop` the asyncio loop async handlers run on.
    AppDispatcher(const AppSpec& spec, PyObject* bindings, PyObject* bridge, PyObject* loop,
                  unsigned threads);
    ~AppDispatcher() override;  // with the GIL; stop() must have been called

    void dispatch(http::Request&& request, Responder responder) override;
    // The route the request goes to may read its body (RouteSpec::reads_body,
    // or served by the app's own entry); 404 and 405 answers never do.
    bool reads_body(const http::Request& head) override;
    // Hands this reactor thread's batch to the executor and the loop.
    void flush() override;

    // Called with the GIL by the loop's reader callback.
    void drain_loop() {
        if (!handoffs_attached_) {  // the loop's thread: its hand-offs to reactors are batched
            handoffs_.attach();
            handoffs_attached_ = true;
        }
        loop_bridge_.drain();
        keep_stand_in();
    }
    // With the GIL on the loop thread, as the server stops: the kept
    // stand-in task (run_at_once) is released, so it ends at the loop's next
    // turn instead of being destroyed pending, and no other is made.
    void release_stand_ins();
    int loop_fd() const noexcept { return loop_bridge_.fd(); }

    // Before start(): the app's only middleware is CORSMiddleware (`policies`,
    // innermost first): compiled routes' responses get its headers, and
    // preflight requests go to route `catch_all` (the app's own entry).
    void set_cors(std::vector<cors::Policy> policies, std::size_t catch_all);

    void start(ServerConfig config);  // with the GIL released
    std::uint16_t port() const noexcept;
    // What the server recorded with ServerConfig::request_timing.
    TimingSummary request_timings() const noexcept;
    // With the GIL, after start(): scope["server"] for redirects and request endpoints.
    void set_server_address(PyObject* address) {
        Py_XDECREF(server_address_);
        server_address_ = Py_NewRef(address);
    }
    // The future bridge (future_bridge.hpp), with the GIL on the loop thread:
    // an awaitable that a reactor timer resolves after `seconds` (with b"");
    // and `relay`: `awaitable` is awaited from reactor thread 0 through a
    // runtime future, whose result resolves the returned awaitable, so a
    // value makes the whole trip Python -> runtime promise -> runtime future
    // -> Python.
    pybind11::object sleep(double seconds);
    pybind11::object relay(pybind11::handle awaitable);

    // Without the GIL: stop the server (in-flight requests finish within
    // `grace`), then the executor. Returns handlers still running at the end.
    std::size_t stop(std::chrono::milliseconds grace);

    // Used by tasks, with the GIL.
    struct PyCall;
    void run_sync(std::unique_ptr<PyCall>& call);
    void start_async(std::unique_ptr<PyCall> call);
    // loop.create_task(coro, context=<a copy of the current one>): a new
    // reference, or nullptr with a Python exception set.
    // loop.create_task(coro, context=context): a copy of the current context
    // when `context` is null.
    PyObject* new_task(PyObject* coro, PyObject* context = nullptr);
    // The handler's coroutine in a task of its own, through bridge.drive (steals `coro`).
    void start_driven(std::unique_ptr<PyCall> call, PyObject* coro);
    // A runs_at_once handler's coroutine, run to its end here, in a copy of
    // the current context and with a task of its own current: the one
    // keep_stand_in made ahead, or one of bridge.stand_in (steals `coro`).
    void run_at_once(std::unique_ptr<PyCall> call, PyObject* coro);
    // After each batch the loop runs, when run_at_once has been used: a
    // stand-in task made for the next such request (bridge.parked), so that
    // one request at a time does not wait for a task to be made.
    void keep_stand_in();
    // Runs a WebSocket session's coroutine as a task of its own (steals `coro`).
    void start_session(PyObject* coro);
    void finish(PyCall& call, PyObject* result);  // steals result; nullptr: exception set
    void redirect(PyCall& call);

    const AppSpec& spec() const noexcept { return spec_; }
    LoopBridge& loop_bridge() noexcept { return loop_bridge_; }

private:
    // The handler's result (a coroutine for async routes), or nullptr with a
    // Python exception set; `answered` when a response was already sent (a
    // 422); `to_asgi` when FastAPI must handle the request as a whole.
    PyObject* call_handler(PyCall& call, bool& answered, bool& to_asgi);
    bool via_asgi(const PyCall& call) const noexcept;
    // Moves the call's Responder into a new bridge Answer (a new reference),
    // or nullptr with a Python exception set.
    PyObject* new_answer(PyCall& call);
    void respond_rendered(PyCall& call, PyObject* rendered);  // steals
    // A compiled route returned a streaming response: the bridge drives it
    // on the loop, answering through `call`'s Responder. Steals `response`.
    void respond_streaming(PyCall& call, PyObject* response);
    void respond_exception(PyCall& call);                     // Python exception set
    // Hands `exc` to the binding's exception_via_app (the app's exception
    // handlers answer it on the loop); false, with a Python exception set,
    // if that could not be started.
    bool exception_via_app(PyCall& call, PyObject* exc);
    // fn(answer, method, path, raw_path, raw_query, headers, body,
    // http_version, server, **kwargs): the request as the bridge's ASGI
    // callers take it, its Responder moved into `answer`. A new reference,
    // or nullptr with a Python exception set.
    // with_answer false: the Answer argument is None, the Responder stays with the call.
    PyObject* call_for_request(PyCall& call, PyObject* fn, PyObject* kwargs, bool with_answer = true);
    PyObject* build_args_and_call(PyCall& call);
    // The Python value of a converted parameter (a new reference), or
    // nullptr with a Python exception set.
    PyObject* arg_value(PyCall& call, std::size_t slot);
    // Reactor 0's context, for the future bridge; throws unless called on
    // the runtime's loop while the server runs.
    reactor_context& bridge_reactor();
    // HandoffBatch's schedule_flush: the batch is flushed at the loop's next
    // turn (loop.call_soon), after the tasks that run in this one.
    void schedule_handoff_flush();

    const AppSpec& spec_;
    std::vector<BoundRoute> routes_;
    PyObject* bridge_ = nullptr;
    PyObject* loop_ = nullptr;
    PyObject* jsonable_encoder_ = nullptr;
    PyObject* response_cls_ = nullptr;  // starlette.responses.Response
    PyObject* exception_response_ = nullptr;
    PyObject* internal_error_ = nullptr;
    PyTypeObject* outside_type_ = nullptr;  // bridge.Outside
    PyObject* redirect_fn_ = nullptr;
    PyObject* create_task_ = nullptr;
    PyObject* context_kwnames_ = nullptr;  // ("context",), for create_task's keyword
    PyObject* drive_ = nullptr;         // bridge.drive: runs a handler's coroutine, then finish_async
    PyObject* finish_async_ = nullptr;  // the C function drive calls with the result
    PyObject* enter_task_ = nullptr;    // asyncio.tasks._enter_task
    PyObject* leave_task_ = nullptr;    // asyncio.tasks._leave_task
    PyObject* stand_in_ = nullptr;      // bridge.stand_in: the coroutine function of a run_at_once call's task
    PyObject* parked_ = nullptr;        // bridge.parked: the same, for a task made ahead of its request
    PyObject* create_future_ = nullptr;  // loop.create_future
    // The stand-in made ahead (keep_stand_in), pending on `release`; loop thread only.
    struct KeptStandIn {
        PyObject* task = nullptr;
        PyObject* release = nullptr;
    };
    KeptStandIn kept_stand_in_;
    bool stand_ins_used_ = false;   // run_at_once ran: keep one ready
    bool stand_ins_ended_ = false;  // release_stand_ins ran: make no more
    PyObject* server_address_ = nullptr;  // ("127.0.0.1", port) as scope["server"]
    // scope["headers"] as [(b"lower-case-name", b"value"), ...]. The names
    // most requests carry are made once and shared by every scope (bytes are
    // immutable): an object less per header, about 50 bytes, for each
    // request and for as long as a WebSocket's scope lives.
    PyObject* header_list(const http::Request& request);
    PyObject* header_name(std::string_view lower);
    static constexpr std::array<std::string_view, 40> common_header_names_{
        "host", "user-agent", "accept", "accept-encoding", "accept-language", "connection", "content-type",
        "content-length", "cookie", "authorization", "cache-control", "pragma", "origin", "referer", "upgrade",
        "sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions", "sec-websocket-protocol",
        "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-real-ip", "x-request-id", "if-none-match",
        "if-modified-since", "range", "dnt", "sec-fetch-site", "sec-fetch-mode", "sec-fetch-dest", "sec-fetch-user",
        "sec-ch-ua", "sec-ch-ua-mobile", "sec-ch-ua-platform", "upgrade-insecure-requests", "priority", "te",
        "x-api-key", "expect"};
    std::array<PyObject*, common_header_names_.size()> header_names_{};  // made on first use
    std::shared_ptr<const std::vector<cors::Policy>> cors_;  // null: no CORS to apply
    std::size_t cors_catch_all_ = 0;
    // The route every unmatched request goes to when the app routes those
    // itself (its own 404 handler, middleware, CORS): router::no_route if none.
    std::uint32_t unmatched_route_ = router::no_route;
    Executor executor_;
    LoopBridge loop_bridge_;
    HandoffBatch handoffs_{[this] { schedule_handoff_flush(); }};
    bool handoffs_attached_ = false;
    PyObject* flush_handoffs_ = nullptr;  // handoffs_.flusher() as a Python callable
    std::unique_ptr<Server> server_;
    ServerConfig config_;
    bool stopped_ = false;
};

// The Python types through which the bridge answers requests it serves on
// the loop (`Answer`) and writes streamed bodies (`Stream`); module-local.
void define_answer_types(pybind11::module_& m);

}  // namespace fasterapi
