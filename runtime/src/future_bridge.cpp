#include "fasterapi/future_bridge.hpp"

#include <memory>
#include <utility>

namespace py = pybind11;

namespace fasterapi {

namespace {

// The outcome of a runtime future, carried to the loop thread.
struct Outcome {
    bool ok = false;
    std::string value;  // the bytes, or the error message
};

Outcome outcome_of(future<std::string>& f) {
    Outcome o;
    try {
        o.value = f.get();
        o.ok = true;
    } catch (const std::exception& e) {
        o.value = e.what();
    } catch (...) {
        o.value = "unknown C++ exception";
    }
    return o;
}

// On the loop thread: settles the asyncio future unless it was cancelled.
class SettleAsyncioFuture final : public Task {
public:
    SettleAsyncioFuture(PyObject* fut, Outcome outcome) : fut_(fut), outcome_(std::move(outcome)) {}
    ~SettleAsyncioFuture() override {
        // Dropped unrun (the loop is gone): no GIL here, so the reference
        // is leaked rather than released (what must hold, 3).
    }
    void run() override {
        PyObject* done = PyObject_CallMethod(fut_, "done", nullptr);
        const int finished = done ? PyObject_IsTrue(done) : -1;
        Py_XDECREF(done);
        if (finished == 0) {
            PyObject* r;
            if (outcome_.ok) {
                PyObject* value = PyBytes_FromStringAndSize(outcome_.value.data(),
                                                            static_cast<Py_ssize_t>(outcome_.value.size()));
                r = value ? PyObject_CallMethod(fut_, "set_result", "(N)", value) : nullptr;
            } else {
                PyObject* text = PyUnicode_DecodeUTF8(outcome_.value.data(),
                                                      static_cast<Py_ssize_t>(outcome_.value.size()), "replace");
                PyObject* exc = text ? PyObject_CallOneArg(PyExc_RuntimeError, text) : nullptr;
                Py_XDECREF(text);
                r = exc ? PyObject_CallMethod(fut_, "set_exception", "(N)", exc) : nullptr;
            }
            Py_XDECREF(r);
        }
        if (PyErr_Occurred()) PyErr_Print();
        Py_DECREF(fut_);
    }

private:
    PyObject* fut_;  // owned
    Outcome outcome_;
};

// On the reactor thread: runs `make` and sends its outcome to the loop.
class StartOnReactor final : public reactor_context::task {
public:
    StartOnReactor(LoopBridge& loop_bridge, PyObject* fut, std::function<future<std::string>()> make)
        : loop_bridge_(&loop_bridge), fut_(fut), make_(std::move(make)) {}
    void run() noexcept override {
        future<std::string> f = make_ready_future<std::string>();
        try {
            f = make_();
        } catch (...) {
            f = make_exception_future<std::string>(std::current_exception());
        }
        LoopBridge* loop_bridge = loop_bridge_;
        PyObject* fut = fut_;
        fut_ = nullptr;
        (void)std::move(f).then_wrapped([loop_bridge, fut](future<std::string> done) {
            loop_bridge->submit(std::make_unique<SettleAsyncioFuture>(fut, outcome_of(done)));
        });
    }

private:
    LoopBridge* loop_bridge_;
    PyObject* fut_;  // owned until handed on; leaked if this task is dropped unrun
    std::function<future<std::string>()> make_;
};

std::string python_message() {
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    std::string message = "error";
    if (type && value) {
        PyObject* text = PyObject_Str(value);
        const char* name = reinterpret_cast<PyTypeObject*>(type)->tp_name;
        message = name;
        if (text) {
            Py_ssize_t n = 0;
            const char* utf8 = PyUnicode_AsUTF8AndSize(text, &n);
            if (utf8 && n > 0) message.append(": ").append(utf8, static_cast<std::size_t>(n));
        }
        Py_XDECREF(text);
    }
    PyErr_Clear();
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    return message;
}

// Bytes or str (UTF-8) -> the value; anything else is a TypeError.
bool bytes_of(PyObject* result, std::string& out) {
    if (PyBytes_Check(result)) {
        out.assign(PyBytes_AS_STRING(result), static_cast<std::size_t>(PyBytes_GET_SIZE(result)));
        return true;
    }
    if (PyUnicode_Check(result)) {
        Py_ssize_t n = 0;
        const char* utf8 = PyUnicode_AsUTF8AndSize(result, &n);
        if (!utf8) return false;
        out.assign(utf8, static_cast<std::size_t>(n));
        return true;
    }
    PyErr_Format(PyExc_TypeError, "an awaitable resolving a runtime future must return bytes or str, not %s",
                 Py_TYPE(result)->tp_name);
    return false;
}

// On the loop thread: schedules the awaitable; its completion settles the
// foreign promise (posted back to the reactor).
class StartAwaitable final : public Task {
public:
    StartAwaitable(PyObject* loop, PyObject* awaitable, foreign_promise<std::string> promise)
        : loop_(loop), awaitable_(awaitable), promise_(std::make_shared<foreign_promise<std::string>>(std::move(promise))) {}
    void run() override {
        PyObject* awaitable = awaitable_;
        awaitable_ = nullptr;
        PyObject* task = PyObject_CallMethod(loop_, "create_task", "(O)", awaitable);
        Py_DECREF(awaitable);
        if (!task) {
            fail(python_message());
            return;
        }
        try {
            auto promise = promise_;
            py::cpp_function done([promise](py::handle t) {
                PyObject* result = PyObject_CallMethod(t.ptr(), "result", nullptr);
                std::string value;
                if (result && bytes_of(result, value)) {
                    promise->set_value(std::move(value));
                } else {
                    promise->set_exception(std::make_exception_ptr(python_error(python_message())));
                }
                Py_XDECREF(result);
            });
            PyObject* r = PyObject_CallMethod(task, "add_done_callback", "(O)", done.ptr());
            if (!r) fail(python_message());
            Py_XDECREF(r);
        } catch (py::error_already_set& e) {
            e.restore();
            fail(python_message());
        }
        Py_DECREF(task);
    }

private:
    void fail(std::string message) {
        promise_->set_exception(std::make_exception_ptr(python_error(std::move(message))));
    }

    PyObject* loop_;       // borrowed: outlives the call (await_python's contract)
    PyObject* awaitable_;  // owned until run(); leaked if dropped unrun
    std::shared_ptr<foreign_promise<std::string>> promise_;
};

}  // namespace

py::object awaitable_from(reactor_context& reactor, LoopBridge& loop_bridge, py::handle asyncio_loop,
                          std::function<future<std::string>()> make) {
    py::object fut = asyncio_loop.attr("create_future")();
    PyObject* owned = Py_NewRef(fut.ptr());
    reactor.post(std::make_unique<StartOnReactor>(loop_bridge, owned, std::move(make)));
    return fut;
}

future<std::string> await_python(LoopBridge& loop_bridge, PyObject* asyncio_loop, PyObject* awaitable) {
    foreign_promise<std::string> promise;
    future<std::string> f = promise.get_future();
    loop_bridge.submit(std::make_unique<StartAwaitable>(asyncio_loop, awaitable, std::move(promise)));
    return f;
}

}  // namespace fasterapi
