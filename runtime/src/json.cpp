#include "fasterapi/json.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <vector>

namespace fasterapi::json {
namespace {

// For each byte: 0 when it is written raw, 'u' for \u00XX, or the letter of
// its short escape. This is json's ensure_ascii=False table: only '"', '\\'
// and controls below 0x20 are escaped (0x7F and U+2028 stay raw).
constexpr std::array<char, 256> escapes = [] {
    std::array<char, 256> t{};
    for (int c = 0; c < 0x20; ++c) t[static_cast<std::size_t>(c)] = 'u';
    t['"'] = '"';
    t['\\'] = '\\';
    t['\b'] = 'b';
    t['\f'] = 'f';
    t['\n'] = 'n';
    t['\r'] = 'r';
    t['\t'] = 't';
    return t;
}();

// What RecursionError says, from json.dumps and from jsonable_encoder.
constexpr char dumps_recursion_note[] = " while encoding a JSON object";
constexpr char jsonable_recursion_note[] = " while calling a Python object";

// The lists and dicts being encoded by `dumps`, innermost last: json.dumps
// refuses to enter one of them again. Depth is bounded by the recursion
// limit, so a linear scan stays cheap, and shallow documents allocate nothing.
class OpenContainers {
public:
    bool contains(PyObject* o) const noexcept {
        const std::size_t inline_used = size_ < inline_.size() ? size_ : inline_.size();
        for (std::size_t i = 0; i < inline_used; ++i)
            if (inline_[i] == o) return true;
        for (PyObject* p : spill_)
            if (p == o) return true;
        return false;
    }

    void push(PyObject* o) {
        if (size_ < inline_.size()) inline_[size_] = o;
        else spill_.push_back(o);
        ++size_;
    }

    void pop() noexcept {
        --size_;
        if (size_ >= inline_.size()) spill_.pop_back();
    }

private:
    std::array<PyObject*, 32> inline_{};
    std::vector<PyObject*> spill_;
    std::size_t size_ = 0;
};

// An exception taken out of the interpreter to be raised later, if nothing
// that Python would have raised first comes up in the meantime.
class PendingError {
public:
    PendingError() = default;
    PendingError(const PendingError&) = delete;
    PendingError& operator=(const PendingError&) = delete;
    ~PendingError() { drop(); }

#if PY_VERSION_HEX >= 0x030C0000
    explicit operator bool() const noexcept { return exception_ != nullptr; }

    // Takes the current exception if none is held yet; clears it otherwise.
    void take() noexcept {
        if (exception_ == nullptr) exception_ = PyErr_GetRaisedException();
        else PyErr_Clear();
    }

    void raise() noexcept {
        PyErr_SetRaisedException(exception_);
        exception_ = nullptr;
    }

    void drop() noexcept { Py_CLEAR(exception_); }

private:
    PyObject* exception_ = nullptr;
#else
    explicit operator bool() const noexcept { return type_ != nullptr; }

    // Takes the current exception if none is held yet; clears it otherwise.
    void take() noexcept {
        if (type_ == nullptr) PyErr_Fetch(&type_, &value_, &traceback_);
        else PyErr_Clear();
    }

    void raise() noexcept {
        PyErr_Restore(type_, value_, traceback_);
        type_ = value_ = traceback_ = nullptr;
    }

    void drop() noexcept {
        Py_CLEAR(type_);
        Py_CLEAR(value_);
        Py_CLEAR(traceback_);
    }

private:
    PyObject* type_ = nullptr;
    PyObject* value_ = nullptr;
    PyObject* traceback_ = nullptr;
#endif
};

// Python does the work in three passes, each raising before the next one
// starts: jsonable_encoder over the whole value, then json.dumps, then
// .encode("utf-8"). Here it is one pass, so the errors of the later stages
// are held back (the first of each kind) and raised at the end only if no
// earlier stage failed.
class Encoder {
public:
    Encoder(std::string& out, PyObject* jsonable_encoder) noexcept
        : out_(out), jsonable_encoder_(jsonable_encoder) {}

    Encoder(const Encoder&) = delete;
    Encoder& operator=(const Encoder&) = delete;

    // json.dumps semantics.
    bool value(PyObject* obj);
    // dumps(jsonable_encoder(obj)) semantics.
    bool jsonable(PyObject* obj);

    bool finish(bool ok) {
        if (!ok) return false;
        if (dumps_error_) {
            dumps_error_.raise();
            return false;
        }
        if (encode_error_) {
            encode_error_.raise();
            return false;
        }
        return true;
    }

private:
    bool string(PyObject* str);
    bool integer(PyObject* obj);
    bool floating(PyObject* obj);
    bool key(PyObject* key);
    bool entry(PyObject* key, PyObject* value, bool& first);
    bool array(PyObject* seq);
    bool object(PyObject* dict);
    bool unsupported(PyObject* obj);

    bool jsonable_array(PyObject* seq);
    bool jsonable_object(PyObject* dict);
    bool through_jsonable_encoder(PyObject* obj);
    // For a json.dumps step taken inside jsonable(): a failure is held back
    // so that a later jsonable_encoder error still wins.
    bool dumps_step(bool ok) {
        if (!ok) dumps_error_.take();
        return true;
    }

    bool enter(PyObject* container);
    void leave() noexcept;

    std::string& out_;
    PyObject* jsonable_encoder_;
    OpenContainers open_;
    PendingError dumps_error_;
    PendingError encode_error_;
};

bool Encoder::value(PyObject* obj) {
    if (obj == Py_None) {
        out_ += "null";
        return true;
    }
    if (obj == Py_True) {
        out_ += "true";
        return true;
    }
    if (obj == Py_False) {
        out_ += "false";
        return true;
    }
    // The order of these checks is json's: it decides for objects that are
    // subclasses of more than one of them.
    if (PyUnicode_Check(obj)) return string(obj);
    if (PyLong_Check(obj)) return integer(obj);
    if (PyFloat_Check(obj)) return floating(obj);
    if (PyList_Check(obj) || PyTuple_Check(obj)) return array(obj);
    if (PyDict_Check(obj)) return object(obj);
    return unsupported(obj);
}

// The str's own characters, never its __str__: json reads subclasses raw.
bool Encoder::string(PyObject* str) {
    Py_ssize_t size = 0;
    const char* utf8 = PyUnicode_AsUTF8AndSize(str, &size);
    if (utf8 == nullptr) {
        if (!PyErr_ExceptionMatches(PyExc_UnicodeEncodeError)) return false;
        encode_error_.take();
        return true;
    }
    append_string(std::string_view(utf8, static_cast<std::size_t>(size)), out_);
    return true;
}

// int.__repr__ even for subclasses that override __repr__ (json calls
// PyLong_Type's repr directly); the slow path keeps int_max_str_digits.
bool Encoder::integer(PyObject* obj) {
    int overflow = 0;
    const long long v = PyLong_AsLongLongAndOverflow(obj, &overflow);
    if (overflow == 0) {
        if (v == -1 && PyErr_Occurred()) return false;
        char buf[24];
        const auto res = std::to_chars(buf, buf + sizeof buf, v);
        out_.append(buf, res.ptr);
        return true;
    }
    PyObject* repr = PyLong_Type.tp_repr(obj);
    if (repr == nullptr) return false;
    Py_ssize_t size = 0;
    const char* digits = PyUnicode_AsUTF8AndSize(repr, &size);
    if (digits != nullptr) out_.append(digits, static_cast<std::size_t>(size));
    Py_DECREF(repr);
    return digits != nullptr;
}

bool Encoder::floating(PyObject* obj) {
    const double v = PyFloat_AS_DOUBLE(obj);
    if (!std::isfinite(v)) {
        PyErr_SetString(PyExc_ValueError, "Out of range float values are not JSON compliant");
        return false;
    }
    append_double(v, out_);
    return true;
}

// A dict key, by json's rules and in json's order of checks.
bool Encoder::key(PyObject* k) {
    if (PyUnicode_Check(k)) return string(k);
    if (PyFloat_Check(k) || (PyLong_Check(k) && k != Py_True && k != Py_False)) {
        out_.push_back('"');
        const bool ok = PyFloat_Check(k) ? floating(k) : integer(k);
        out_.push_back('"');
        return ok;
    }
    if (k == Py_True) out_ += "\"true\"";
    else if (k == Py_False) out_ += "\"false\"";
    else if (k == Py_None) out_ += "\"null\"";
    else {
        PyErr_Format(PyExc_TypeError, "keys must be str, int, float, bool or None, not %.100s",
                     Py_TYPE(k)->tp_name);
        return false;
    }
    return true;
}

bool Encoder::entry(PyObject* k, PyObject* v, bool& first) {
    if (!first) out_.push_back(',');
    first = false;
    if (!key(k)) return false;
    out_.push_back(':');
    return value(v);
}

bool Encoder::enter(PyObject* container) {
    if (open_.contains(container)) {
        PyErr_SetString(PyExc_ValueError, "Circular reference detected");
        return false;
    }
    if (Py_EnterRecursiveCall(dumps_recursion_note)) return false;
    open_.push(container);
    return true;
}

void Encoder::leave() noexcept {
    open_.pop();
    Py_LeaveRecursiveCall();
}

// Exact lists and tuples are read by index; subclasses through their
// __iter__, into a list first (json uses PySequence_Fast). The size is read
// again on every step and each item held, because a dict subclass's items()
// met further down runs Python code that could change the sequence.
bool Encoder::array(PyObject* seq) {
    PyObject* fast = PySequence_Fast(seq, "_iterencode_list needs a sequence");
    if (fast == nullptr) return false;
    bool ok = true;
    if (PySequence_Fast_GET_SIZE(fast) == 0) {
        out_ += "[]";
    } else if ((ok = enter(seq))) {
        out_.push_back('[');
        for (Py_ssize_t i = 0; ok && i < PySequence_Fast_GET_SIZE(fast); ++i) {
            if (i != 0) out_.push_back(',');
            PyObject* item = PySequence_Fast_GET_ITEM(fast, i);
            Py_INCREF(item);
            ok = value(item);
            Py_DECREF(item);
        }
        leave();
        out_.push_back(']');
    }
    Py_DECREF(fast);
    return ok;
}

// A dict subclass is read through its items() (json uses PyMapping_Items),
// but only when its own storage is not empty.
bool Encoder::object(PyObject* dict) {
    if (PyDict_GET_SIZE(dict) == 0) {
        out_ += "{}";
        return true;
    }
    if (!enter(dict)) return false;
    out_.push_back('{');
    bool ok = true;
    bool first = true;
    if (PyDict_CheckExact(dict)) {
        Py_ssize_t pos = 0;
        PyObject* k = nullptr;
        PyObject* v = nullptr;
        while (ok && PyDict_Next(dict, &pos, &k, &v)) {
            Py_INCREF(k);
            Py_INCREF(v);
            ok = entry(k, v, first);
            Py_DECREF(k);
            Py_DECREF(v);
        }
    } else {
        PyObject* items = PyMapping_Items(dict);
        ok = items != nullptr;
        for (Py_ssize_t i = 0; ok && i < PyList_GET_SIZE(items); ++i) {
            PyObject* item = PyList_GET_ITEM(items, i);
            if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2) {
                PyErr_SetString(PyExc_ValueError, "items must return 2-tuples");
                ok = false;
                break;
            }
            ok = entry(PyTuple_GET_ITEM(item, 0), PyTuple_GET_ITEM(item, 1), first);
        }
        Py_XDECREF(items);
    }
    leave();
    out_.push_back('}');
    return ok;
}

// json.dumps without `default` raises what JSONEncoder.default raises.
bool Encoder::unsupported(PyObject* obj) {
    PyObject* cls = PyObject_GetAttrString(obj, "__class__");
    if (cls == nullptr) return false;
    PyObject* name = PyObject_GetAttrString(cls, "__name__");
    Py_DECREF(cls);
    if (name == nullptr) return false;
    PyErr_Format(PyExc_TypeError, "Object of type %S is not JSON serializable", name);
    Py_DECREF(name);
    return false;
}

// jsonable_encoder returns exact str, int, float, bool and None unchanged,
// and rebuilds exact lists, tuples and dicts from their encoded parts, so
// those can be written directly; everything else is its business.
bool Encoder::jsonable(PyObject* obj) {
    PyTypeObject* type = Py_TYPE(obj);
    if (type == &PyDict_Type) return jsonable_object(obj);
    if (type == &PyList_Type || type == &PyTuple_Type) return jsonable_array(obj);
    if (type == &PyUnicode_Type || type == &PyLong_Type || type == &PyFloat_Type ||
        type == &PyBool_Type || obj == Py_None)
        return dumps_step(value(obj));
    return through_jsonable_encoder(obj);
}

bool Encoder::through_jsonable_encoder(PyObject* obj) {
    PyObject* encoded = PyObject_CallOneArg(jsonable_encoder_, obj);
    if (encoded == nullptr) return false;
    const bool ok = value(encoded);
    Py_DECREF(encoded);
    return dumps_step(ok);
}

// jsonable_encoder has no circular check of its own: a cycle ends in
// RecursionError there, so only the recursion limit applies here. Its list
// iterator sees items appended on the way, as this index loop does.
bool Encoder::jsonable_array(PyObject* seq) {
    if (Py_EnterRecursiveCall(jsonable_recursion_note)) return false;
    out_.push_back('[');
    bool ok = true;
    for (Py_ssize_t i = 0; ok && i < PySequence_Fast_GET_SIZE(seq); ++i) {
        if (i != 0) out_.push_back(',');
        PyObject* item = PySequence_Fast_GET_ITEM(seq, i);
        Py_INCREF(item);
        ok = jsonable(item);
        Py_DECREF(item);
    }
    Py_LeaveRecursiveCall();
    out_.push_back(']');
    return ok;
}

// Keys jsonable_encoder returns as they are; any other key may become a
// different one (an Enum its value, a str subclass whose startswith says
// otherwise) and even merge with another, so the whole dict goes to it.
bool plain_key(PyObject* k) noexcept {
    PyTypeObject* type = Py_TYPE(k);
    return type == &PyUnicode_Type || type == &PyLong_Type || type == &PyFloat_Type ||
           type == &PyBool_Type || k == Py_None;
}

// sqlalchemy_safe=True, the default: jsonable_encoder drops str keys that
// start with "_sa".
bool sqlalchemy_key(PyObject* k) noexcept {
    if (!PyUnicode_CheckExact(k) || PyUnicode_GetLength(k) < 3) return false;
    return PyUnicode_ReadChar(k, 0) == '_' && PyUnicode_ReadChar(k, 1) == 's' &&
           PyUnicode_ReadChar(k, 2) == 'a';
}

bool Encoder::jsonable_object(PyObject* dict) {
    Py_ssize_t pos = 0;
    PyObject* k = nullptr;
    PyObject* v = nullptr;
    while (PyDict_Next(dict, &pos, &k, &v))
        if (!plain_key(k)) return through_jsonable_encoder(dict);

    if (Py_EnterRecursiveCall(jsonable_recursion_note)) return false;
    out_.push_back('{');
    bool ok = true;
    bool first = true;
    pos = 0;
    while (ok && PyDict_Next(dict, &pos, &k, &v)) {
        if (sqlalchemy_key(k)) continue;
        Py_INCREF(k);
        Py_INCREF(v);
        if (!first) out_.push_back(',');
        first = false;
        dumps_step(key(k));
        out_.push_back(':');
        ok = jsonable(v);
        Py_DECREF(k);
        Py_DECREF(v);
    }
    Py_LeaveRecursiveCall();
    out_.push_back('}');
    return ok;
}

}  // namespace

bool dumps(PyObject* obj, std::string& out) {
    Encoder encoder(out, nullptr);
    return encoder.finish(encoder.value(obj));
}

bool encode_jsonable(PyObject* obj, PyObject* jsonable_encoder, std::string& out) {
    Encoder encoder(out, jsonable_encoder);
    return encoder.finish(encoder.jsonable(obj));
}

namespace {

// json's ensure_ascii escaping of one str: everything outside ' '..'~' is
// escaped, code points above the BMP as a surrogate pair, lone surrogates
// as themselves (json works on code points, not UTF-8).
void append_ascii_string(PyObject* str, std::string& out) {
    static constexpr char hex[] = "0123456789abcdef";
    const int kind = PyUnicode_KIND(str);
    const void* data = PyUnicode_DATA(str);
    const Py_ssize_t n = PyUnicode_GET_LENGTH(str);
    out.push_back('"');
    auto u4 = [&](unsigned c) {
        const char u[] = {'\\', 'u', hex[(c >> 12) & 15], hex[(c >> 8) & 15], hex[(c >> 4) & 15], hex[c & 15]};
        out.append(u, sizeof u);
    };
    for (Py_ssize_t i = 0; i < n; ++i) {
        const Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c >= ' ' && c <= '~' && c != '"' && c != '\\') {
            out.push_back(static_cast<char>(c));
            continue;
        }
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            default:
                if (c >= 0x10000) {
                    const unsigned v = c - 0x10000;
                    u4(0xd800 | (v >> 10));
                    u4(0xdc00 | (v & 0x3ff));
                } else {
                    u4(c);
                }
        }
    }
    out.push_back('"');
}

bool plain_ascii(PyObject* obj, std::string& out, int depth) {
    if (obj == Py_None) {
        out += "null";
        return true;
    }
    if (obj == Py_True) {
        out += "true";
        return true;
    }
    if (obj == Py_False) {
        out += "false";
        return true;
    }
    if (PyUnicode_CheckExact(obj)) {
        append_ascii_string(obj, out);
        return true;
    }
    if (PyLong_CheckExact(obj)) {
        int overflow = 0;
        const long long v = PyLong_AsLongLongAndOverflow(obj, &overflow);
        if (overflow != 0 || (v == -1 && PyErr_Occurred())) {
            PyErr_Clear();
            return false;  // big ints (and int_max_str_digits) are Python's
        }
        char buf[24];
        const auto res = std::to_chars(buf, buf + sizeof buf, v);
        out.append(buf, res.ptr);
        return true;
    }
    if (PyFloat_CheckExact(obj)) {
        const double v = PyFloat_AS_DOUBLE(obj);
        if (!std::isfinite(v)) return false;  // FastAPI turns these into null first
        append_double(v, out);
        return true;
    }
    if (depth >= 32) return false;
    if (PyList_CheckExact(obj)) {
        const Py_ssize_t n = PyList_GET_SIZE(obj);
        out.push_back('[');
        for (Py_ssize_t i = 0; i < n; ++i) {
            if (i != 0) out += ", ";
            if (!plain_ascii(PyList_GET_ITEM(obj, i), out, depth + 1)) return false;
        }
        out.push_back(']');
        return true;
    }
    if (PyDict_CheckExact(obj)) {
        Py_ssize_t pos = 0;
        PyObject* k = nullptr;
        PyObject* v = nullptr;
        bool first = true;
        out.push_back('{');
        while (PyDict_Next(obj, &pos, &k, &v)) {
            if (!PyUnicode_CheckExact(k)) return false;
            if (!first) out += ", ";
            first = false;
            append_ascii_string(k, out);
            out += ": ";
            if (!plain_ascii(v, out, depth + 1)) return false;
        }
        out.push_back('}');
        return true;
    }
    return false;
}

}  // namespace

bool dumps_plain_ascii(PyObject* obj, std::string& out) {
    const std::size_t mark = out.size();
    if (plain_ascii(obj, out, 0)) return true;
    out.resize(mark);
    return false;
}

void append_string(std::string_view utf8, std::string& out) {
    static constexpr char hex[] = "0123456789abcdef";
    out.reserve(out.size() + utf8.size() + 2);
    out.push_back('"');
    std::size_t run = 0;
    for (std::size_t i = 0; i < utf8.size(); ++i) {
        const auto c = static_cast<unsigned char>(utf8[i]);
        const char e = escapes[c];
        if (e == 0) continue;
        out.append(utf8.data() + run, i - run);
        run = i + 1;
        if (e == 'u') {
            const char u[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            out.append(u, sizeof u);
        } else {
            out.push_back('\\');
            out.push_back(e);
        }
    }
    out.append(utf8.data() + run, utf8.size() - run);
    out.push_back('"');
}

// Python's repr: the shortest digits that round-trip (what to_chars gives
// without a precision), placed as float_repr_style 'short' places them:
// positional when the decimal point falls within (-4, 16] digits of the
// first one, otherwise d.ddde±XX.
void append_double(double v, std::string& out) {
    char buf[32];
    const auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
    const char* p = buf;
    if (*p == '-') {
        out.push_back('-');
        ++p;
    }
    char digits[20];
    int count = 0;
    for (; *p != 'e'; ++p)
        if (*p != '.') digits[count++] = *p;
    ++p;
    const bool negative_exponent = *p == '-';
    int exponent = 0;
    std::from_chars(p + 1, res.ptr, exponent);
    if (negative_exponent) exponent = -exponent;

    const int point = exponent + 1;  // digits before the decimal point
    if (point > -4 && point <= 16) {
        if (point <= 0) {
            out += "0.";
            out.append(static_cast<std::size_t>(-point), '0');
            out.append(digits, static_cast<std::size_t>(count));
        } else if (point < count) {
            out.append(digits, static_cast<std::size_t>(point));
            out.push_back('.');
            out.append(digits + point, static_cast<std::size_t>(count - point));
        } else {
            out.append(digits, static_cast<std::size_t>(count));
            out.append(static_cast<std::size_t>(point - count), '0');
            out += ".0";
        }
        return;
    }
    out.push_back(digits[0]);
    if (count > 1) {
        out.push_back('.');
        out.append(digits + 1, static_cast<std::size_t>(count - 1));
    }
    out.push_back('e');
    out.push_back(exponent < 0 ? '-' : '+');
    const int magnitude = exponent < 0 ? -exponent : exponent;
    if (magnitude < 10) out.push_back('0');
    char exp_buf[8];
    const auto exp_res = std::to_chars(exp_buf, exp_buf + sizeof exp_buf, magnitude);
    out.append(exp_buf, exp_res.ptr);
}

}  // namespace fasterapi::json
