// libFuzzer harness for the JSON encoder (fasterapi/json.hpp) against the
// interpreter's own json module, on values made from the input: what a
// handler returns is often what a client sent (str with lone surrogates, as
// json.loads gives them, huge ints, any float), nested in lists, tuples and
// dicts with keys of every kind.
//
// The input is read as a little program that builds one value (see build()).
// What must hold:
//   1. json::dumps writes the bytes json.dumps(v, ensure_ascii=False,
//      allow_nan=False, separators=(",", ":")).encode("utf-8") gives, or
//      raises what that raises: the same exception type and, but for a
//      UnicodeEncodeError's position, the same message;
//   2. json::dumps_plain_ascii writes json.dumps(v) when it says it can,
//      and otherwise leaves the output as it was, with no exception set;
//   3. nothing crashes, leaks (no reference is lost: Python allocates with
//      malloc here, so the leak checker sees its objects) or reads out of
//      bounds (ASan, UBSan).
#include "fasterapi/json.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

namespace json = fasterapi::json;

namespace {

PyObject* reference_dumps = nullptr;  // the helpers below, from the interpreter
PyObject* reference_plain = nullptr;
PyObject* opaque_type = nullptr;

constexpr const char* helpers = R"PY(
import json

def ref(o):
    return json.dumps(o, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")

def ref_plain(o):
    return json.dumps(o).encode("ascii")

class Opaque:
    pass
)PY";

[[noreturn]] void fail(const char* what, const std::string& a = {}, const std::string& b = {}) {
    std::fprintf(stderr, "json_fuzz: %s\n  ours:   %s\n  python: %s\n", what, a.c_str(), b.c_str());
    std::abort();
}

class Reader {
public:
    Reader(const std::uint8_t* p, std::size_t n) : p_(p), n_(n) {}
    bool done() const { return i_ >= n_; }
    std::uint8_t byte() { return done() ? 0 : p_[i_++]; }
    std::string_view bytes(std::size_t n) {
        n = std::min(n, n_ - i_);
        const std::string_view s(reinterpret_cast<const char*>(p_ + i_), n);
        i_ += n;
        return s;
    }

private:
    const std::uint8_t* p_;
    std::size_t n_;
    std::size_t i_ = 0;
};

// One value from the input. Every call returns a new reference.
PyObject* build(Reader& r, int depth) {
    const std::uint8_t op = r.byte();
    const int kind = depth >= 24 ? op % 8 : op % 12;  // deep down, scalars only
    switch (kind) {
        case 0: Py_RETURN_NONE;
        case 1: return PyBool_FromLong(op & 0x80);
        case 2: return PyLong_FromLong(static_cast<std::int8_t>(r.byte()));
        case 3: {
            std::uint64_t v = 0;
            for (char c : r.bytes(8)) v = v << 8 | static_cast<unsigned char>(c);
            return PyLong_FromLongLong(static_cast<long long>(v));
        }
        case 4: {  // an int of up to 60 decimal digits
            std::string digits = (op & 0x80) ? "-" : "";
            for (char c : r.bytes(r.byte() % 60 + 1)) digits.push_back(static_cast<char>('0' + static_cast<unsigned char>(c) % 10));
            if (digits.empty() || digits == "-") digits.push_back('7');  // the input ran out
            return PyLong_FromString(digits.c_str(), nullptr, 10);
        }
        case 5: {  // any double, NaN and infinities included
            std::uint64_t bits = 0;
            for (char c : r.bytes(8)) bits = bits << 8 | static_cast<unsigned char>(c);
            double d;
            std::memcpy(&d, &bits, sizeof d);
            return PyFloat_FromDouble(d);
        }
        case 6: {  // a short double, the kind handlers compute
            const double d = static_cast<std::int16_t>(r.byte() << 8 | r.byte()) / static_cast<double>(1 + r.byte());
            return PyFloat_FromDouble(d);
        }
        case 7: {  // a str: UTF-8 with lone surrogates allowed, else latin-1
            const std::string_view s = r.bytes(r.byte() % 32);
            PyObject* o = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "surrogatepass");
            if (o == nullptr) {
                PyErr_Clear();
                o = PyUnicode_DecodeLatin1(s.data(), static_cast<Py_ssize_t>(s.size()), nullptr);
            }
            return o;
        }
        case 8:
        case 9: {
            const Py_ssize_t n = r.byte() % 6;
            PyObject* seq = kind == 8 ? PyList_New(n) : PyTuple_New(n);
            for (Py_ssize_t i = 0; i < n; ++i) {
                PyObject* item = build(r, depth + 1);
                if (item == nullptr) fail("building an item failed");
                if (kind == 8) PyList_SET_ITEM(seq, i, item);
                else PyTuple_SET_ITEM(seq, i, item);
            }
            return seq;
        }
        case 10: {
            PyObject* dict = PyDict_New();
            const int n = r.byte() % 6;
            for (int i = 0; i < n; ++i) {
                PyObject* key = build(r, depth + 1);
                PyObject* value = build(r, depth + 1);
                if (key == nullptr || value == nullptr) fail("building an entry failed");
                if (PyDict_SetItem(dict, key, value) != 0) PyErr_Clear();  // an unhashable key: left out
                Py_DECREF(key);
                Py_DECREF(value);
            }
            return dict;
        }
        default: return PyObject_CallNoArgs(opaque_type);  // no JSON form
    }
}

std::string bytes_of(PyObject* b) {
    return std::string(PyBytes_AS_STRING(b), static_cast<std::size_t>(PyBytes_GET_SIZE(b)));
}

// "bytes:<...>" or "<ExceptionType>: <message>", clearing the exception.
std::string outcome_of_error(bool unicode_position_free) {
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    std::string s = reinterpret_cast<PyTypeObject*>(type)->tp_name;
    if (!(unicode_position_free && PyErr_GivenExceptionMatches(type, PyExc_UnicodeEncodeError))) {
        PyObject* text = value ? PyObject_Str(value) : nullptr;
        if (text != nullptr) {
            s.append(": ").append(PyUnicode_AsUTF8(text));
            Py_DECREF(text);
        } else {
            PyErr_Clear();
        }
    }
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    return s;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    // Python's own allocator keeps objects in mmap'd arenas, which the leak
    // checker does not scan: everything they point to would look leaked.
    // With malloc, a reference the encoder loses shows up as a leak.
    PyPreConfig pre;
    PyPreConfig_InitPythonConfig(&pre);
    pre.allocator = PYMEM_ALLOCATOR_MALLOC;
    if (PyStatus_Exception(Py_PreInitialize(&pre))) std::abort();
    Py_InitializeEx(0);
    PyObject* main = PyImport_AddModule("__main__");
    PyObject* globals = PyModule_GetDict(main);
    PyObject* r = PyRun_String(helpers, Py_file_input, globals, globals);
    if (r == nullptr) {
        PyErr_Print();
        std::abort();
    }
    Py_DECREF(r);
    reference_dumps = PyDict_GetItemString(globals, "ref");
    reference_plain = PyDict_GetItemString(globals, "ref_plain");
    opaque_type = PyDict_GetItemString(globals, "Opaque");
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Reader reader(data, size);
    PyObject* value = build(reader, 0);
    if (value == nullptr) fail("building the value failed");

    // 1
    std::string ours;
    const bool ok = json::dumps(value, ours);
    const std::string got = ok ? "bytes:" + ours : outcome_of_error(true);
    PyObject* theirs = PyObject_CallOneArg(reference_dumps, value);
    const std::string expected = theirs ? "bytes:" + bytes_of(theirs) : outcome_of_error(true);
    Py_XDECREF(theirs);
    if (got != expected) fail("dumps differs from json.dumps", got, expected);

    // 2
    std::string plain = "kept";
    if (json::dumps_plain_ascii(value, plain)) {
        PyObject* ref = PyObject_CallOneArg(reference_plain, value);
        if (ref == nullptr) fail("dumps_plain_ascii wrote what json.dumps refuses", plain, outcome_of_error(false));
        const std::string want = "kept" + bytes_of(ref);
        Py_DECREF(ref);
        if (plain != want) fail("dumps_plain_ascii differs from json.dumps", plain, want);
    } else {
        if (PyErr_Occurred()) fail("dumps_plain_ascii refused with an exception set", outcome_of_error(false));
        if (plain != "kept") fail("dumps_plain_ascii refused but changed the output", plain);
    }
    Py_DECREF(value);
    return 0;
}
