// Executor micro-benchmark: how many Python tasks per second the executor
// dispatches, and what one hand-off costs, with an embedded interpreter.
//
// Every task calls a Python no-op (`lambda: None`) with the GIL, as a handler
// call would, and counts itself done. Cases:
//   - call floor:     the same call in a loop on one thread holding the GIL;
//                     what a task costs without any executor;
//   - flood, batch B: one producer submits N tasks in batches of B
//                     (submit_all, as a reactor hands over one event-loop
//                     turn's requests) as fast as it can; tasks/s until all ran;
//   - round trip:     submit one task, wait until it has run, repeat; µs per
//                     hand-off and back, the latency a lone request pays.
//
// Build (from the repository root), one line (bench/micro.py does it for you):
//   g++ -std=c++20 -O2 -Iruntime/include -I$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
//       bench/executor_bench.cpp runtime/src/executor.cpp -L<libdir> -lpython3.11 -lpthread -o executor_bench
// Run pinned to one core, as the server is: taskset -c 0 ./executor_bench [results.json]
// (default bench/results/executor.json). Compare figures within one run.
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "fasterapi/executor.hpp"

namespace {

using bench_clock = std::chrono::steady_clock;
constexpr int rounds = 5;
constexpr unsigned pool_threads = 40;  // the runtime's default, as FastAPI's thread pool

struct Done {
    std::atomic<std::uint64_t> count{0};
};

class NoOp final : public fasterapi::Task {
public:
    NoOp(PyObject* fn, Done& done) : fn_(fn), done_(done) {}
    void run() override {
        PyObject* r = PyObject_CallNoArgs(fn_);
        if (r == nullptr) PyErr_Clear();
        Py_XDECREF(r);
        done_.count.fetch_add(1, std::memory_order_release);
        done_.count.notify_one();
    }

private:
    PyObject* fn_;
    Done& done_;
};

void wait_for(Done& done, std::uint64_t target) {
    for (std::uint64_t seen = done.count.load(std::memory_order_acquire); seen < target;
         seen = done.count.load(std::memory_order_acquire))
        done.count.wait(seen, std::memory_order_acquire);
}

struct Row {
    std::string name;
    std::string what;
    double value;  // median over rounds
    std::string unit;
};

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

double seconds_since(bench_clock::time_point t) {
    return std::chrono::duration<double>(bench_clock::now() - t).count();
}

double call_floor_ns(PyObject* fn, int n) {
    PyGILState_STATE g = PyGILState_Ensure();
    const auto t = bench_clock::now();
    for (int i = 0; i < n; ++i) Py_XDECREF(PyObject_CallNoArgs(fn));
    const double s = seconds_since(t);
    PyGILState_Release(g);
    return s * 1e9 / n;
}

double flood_tasks_per_s(fasterapi::Executor& ex, PyObject* fn, std::size_t n, std::size_t batch) {
    Done done;
    std::vector<std::unique_ptr<fasterapi::Task>> tasks;
    tasks.reserve(batch);
    const auto t = bench_clock::now();
    for (std::size_t sent = 0; sent < n;) {
        const std::size_t k = std::min(batch, n - sent);
        for (std::size_t i = 0; i < k; ++i) tasks.push_back(std::make_unique<NoOp>(fn, done));
        ex.submit_all(tasks);
        sent += k;
    }
    wait_for(done, n);
    return static_cast<double>(n) / seconds_since(t);
}

double round_trip_us(fasterapi::Executor& ex, PyObject* fn, int n) {
    Done done;
    const auto t = bench_clock::now();
    for (int i = 0; i < n; ++i) {
        ex.submit(std::make_unique<NoOp>(fn, done));
        wait_for(done, static_cast<std::uint64_t>(i) + 1);
    }
    return seconds_since(t) * 1e6 / n;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string out_path = argc > 1 ? argv[1] : "bench/results/executor.json";
    Py_InitializeEx(0);
    PyObject* globals = PyDict_New();
    PyDict_SetItemString(globals, "__builtins__", PyEval_GetBuiltins());
    PyObject* fn = PyRun_String("lambda: None", Py_eval_input, globals, globals);
    if (fn == nullptr) {
        PyErr_Print();
        return 1;
    }
    PyThreadState* main_state = PyEval_SaveThread();  // the workers take the GIL from here on

    std::vector<Row> rows;
    {
        std::vector<double> v;
        for (int r = 0; r < rounds; ++r) v.push_back(call_floor_ns(fn, 1'000'000));
        rows.push_back({"call floor", "the no-op call in a loop, GIL held, no executor", median(v), "ns per call"});
    }
    fasterapi::Executor ex(pool_threads);
    ex.start();
    for (std::size_t batch : {std::size_t{1}, std::size_t{16}, std::size_t{256}}) {
        std::vector<double> v;
        for (int r = 0; r < rounds; ++r) v.push_back(flood_tasks_per_s(ex, fn, 300'000, batch));
        rows.push_back({"flood, batch " + std::to_string(batch),
                        "300,000 tasks submitted in batches of " + std::to_string(batch) + ", until all ran",
                        median(v), "tasks/s"});
    }
    {
        std::vector<double> v;
        for (int r = 0; r < rounds; ++r) v.push_back(round_trip_us(ex, fn, 20'000));
        rows.push_back({"round trip", "submit one task, wait until it ran, repeat", median(v), "us per task"});
    }
    ex.stop(std::chrono::milliseconds(1000));

    PyEval_RestoreThread(main_state);
    Py_DECREF(fn);
    Py_DECREF(globals);
    Py_FinalizeEx();

    std::printf("| case | figure | unit | what |\n|---|---:|---|---|\n");
    std::ofstream out(out_path);
    out << "{\n  \"threads\": " << pool_threads << ",\n  \"rounds\": " << rounds << ",\n  \"cases\": [\n";
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const Row& r = rows[i];
        std::printf("| %s | %.1f | %s | %s |\n", r.name.c_str(), r.value, r.unit.c_str(), r.what.c_str());
        out << "    {\"name\": \"" << r.name << "\", \"value\": " << r.value << ", \"unit\": \"" << r.unit
            << "\", \"what\": \"" << r.what << "\"}" << (i + 1 < rows.size() ? "," : "") << "\n";
    }
    out << "  ]\n}\n";
    return out ? 0 : 1;
}
