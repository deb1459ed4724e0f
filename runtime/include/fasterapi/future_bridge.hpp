// Future bridge: runtime futures awaited from Python, and Python awaitables
// resolving runtime futures.
//
// Python side: an asyncio future on the runtime's loop. Runtime side: a
// future<std::string> on a reactor thread. The two meet only through queues:
// the LoopBridge (into the loop thread, where the GIL is taken) and the
// reactor_context's post() (into the reactor thread, via foreign_promise).
//
// What must hold:
//   1. A reactor thread never takes the GIL and never touches a Python
//      reference count: Python objects cross it as owned PyObject* that only
//      a task running on the loop thread, with the GIL, releases.
//   2. Each crossing is one queue push and one wake-up.
//   3. If the far side shuts down before answering, the waiting side is
//      still answered (broken_promise on the runtime side; the asyncio future
//      is left pending only when the loop itself is gone, and a reference is
//      then leaked rather than released without the GIL).
//   4. Values cross as bytes (a Python result of bytes or str, UTF-8); an
//      exception crosses as its message (RuntimeError on the Python side,
//      python_error on the runtime side).
#pragma once

#include <functional>
#include <stdexcept>
#include <string>

#include <pybind11/pybind11.h>

#include "fasterapi/executor.hpp"
#include "fasterapi/future.hpp"

namespace fasterapi {

// A Python awaitable raised; what() is "ExceptionType: message".
class python_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// On the loop thread, with the GIL. Runs `make` on `reactor` and returns an
// asyncio future (created on `asyncio_loop`) that resolves with the bytes
// the runtime future gives, or raises RuntimeError with its message.
pybind11::object awaitable_from(reactor_context& reactor, LoopBridge& loop_bridge, pybind11::handle asyncio_loop,
                                std::function<future<std::string>()> make);

// On a reactor thread with a bound reactor_context. `awaitable` is an owned
// reference, taken with the GIL; it is scheduled on `asyncio_loop` (which
// must outlive the call) and the returned future resolves with its result.
future<std::string> await_python(LoopBridge& loop_bridge, PyObject* asyncio_loop, PyObject* awaitable);

}  // namespace fasterapi
