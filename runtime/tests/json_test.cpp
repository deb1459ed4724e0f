// json: dumps and encode_jsonable against the interpreter's own
// json.dumps(..., ensure_ascii=False, allow_nan=False, separators=(",", ":"))
// .encode("utf-8") and fastapi.encoders.jsonable_encoder, on hand-written
// corner cases and on random nested values; append_double against repr().
//
// The jsonable_encoder part runs when fastapi is importable (point PYTHONPATH
// at an environment that has it) and is skipped, with a warning, otherwise.
#include "fasterapi/json.hpp"

#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <ostream>
#include <random>
#include <string>
#include <vector>

namespace json = fasterapi::json;

namespace {

// Helpers and fixtures on the Python side. `make_random(seed, n, exotic)`
// builds n nested values; exotic ones also hold types that only
// jsonable_encoder knows.
constexpr const char* python_helpers = R"PY(
import dataclasses, datetime, decimal, enum, json, math, random, sys, uuid
from collections import OrderedDict, deque
from pathlib import PurePosixPath

def ref(o):
    return json.dumps(o, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")

try:
    from fastapi.encoders import jsonable_encoder
    import pydantic
except ImportError:
    jsonable_encoder = None

def ref_jsonable(o):
    return ref(jsonable_encoder(o))

class LoudInt(int):
    def __repr__(self): return "LoudInt!"
    def __str__(self): return "LoudInt!"

class LoudFloat(float):
    def __repr__(self): return "LoudFloat!"

class Name(str):
    def __str__(self): return "Name!"

class NotSa(str):
    def startswith(self, *a): return False

class Items(dict):
    def items(self): return [("from_items", 1)]

class BadItems(dict):
    def items(self): return [("k", 1, 2)]

class Iter(list):
    def __iter__(self): return iter(["from_iter"])

class Color(enum.Enum):
    RED = "red"
    LIST = [1, 2]

class Letter(str, enum.Enum):
    A = "a"

class Level(enum.IntEnum):
    HIGH = 3

@dataclasses.dataclass
class Point:
    x: int
    y: float
    tags: list

class Masquerade:
    __class__ = property(lambda self: int)

if jsonable_encoder is not None:
    class Model(pydantic.BaseModel):
        name: str
        when: datetime.datetime
        items: list
        ratio: float = 0.5

def deep(n):
    a = []
    for _ in range(n):
        a = [a]
    return a

def circular_list():
    a = [1]
    a.append(a)
    return a

def circular_dict():
    d = {}
    d["self"] = {"again": d}
    return d

def gen():
    yield 1
    yield "two"

ALPHABET = ["a", "Z", "0", " ", "\"", "\\", "/", "\x00", "\x1f", "\x7f", "\n", "\t", "\b", "\f", "\r",
            "é", "ß", "€", "\u2028", "\u2029", "\ufeff", "\uffff", "😀", "\U0010ffff", "_", "s"]

def rand_str(r):
    if r.random() < 0.05:
        return "_sa" + rand_str(r)
    return "".join(r.choice(ALPHABET) if r.random() < 0.8 else chr(r.randrange(0x20, 0x2fff))
                   for _ in range(r.randrange(0, 8)))

def rand_float(r):
    k = r.randrange(6)
    if k == 0: return r.uniform(-1e6, 1e6)
    if k == 1: return r.choice([0.0, -0.0, 1e16, 1e-5, 1e-4, 1.5e300, 5e-324, 0.1, 1/3])
    if k == 2: return float(r.randrange(-10**17, 10**17))
    if k == 3: return r.random() * 10.0 ** r.randrange(-30, 30)
    return __import__("struct").unpack("<d", r.getrandbits(64).to_bytes(8, "little"))[0]

def rand_int(r):
    k = r.randrange(4)
    if k == 0: return r.randrange(-1000, 1000)
    if k == 1: return r.choice([2**63 - 1, -2**63, 2**63, -2**63 - 1, 2**64, 0])
    if k == 2: return r.randrange(-2**200, 2**200)
    return r.randrange(-2**64, 2**64)

def rand_scalar(r, exotic):
    k = r.randrange(14 if exotic else 10)
    if k == 0: return None
    if k == 1: return r.random() < 0.5
    if k in (2, 3): return rand_int(r)
    if k in (4, 5): return rand_float(r)
    if k in (6, 7): return rand_str(r)
    if k == 8: return r.choice([LoudInt(r.randrange(100)), LoudFloat(r.random()), Name(rand_str(r)), Level.HIGH])
    if k == 9:
        if r.random() < 0.02: return float("nan") if r.random() < 0.5 else float("-inf")
        if r.random() < 0.02: return "bad\ud800"
        return rand_str(r)
    if k == 10: return r.choice([Color.RED, Color.LIST, Letter.A, uuid.UUID(int=r.getrandbits(128))])
    if k == 11: return r.choice([datetime.date(2020, 1, 2), datetime.datetime(2021, 5, 6, 7, 8, 9, 10),
                                 datetime.timedelta(seconds=r.randrange(10**6)), decimal.Decimal("1.25"),
                                 decimal.Decimal(r.randrange(1000)), PurePosixPath("/a/b")])
    if k == 12: return {r.randrange(5), rand_str(r)} if r.random() < 0.5 else frozenset([1])
    return Point(r.randrange(9), r.random(), [rand_str(r)])

def rand_key(r, exotic):
    k = r.randrange(12 if exotic else 10)
    if k < 5: return rand_str(r)
    if k == 5: return rand_int(r)
    if k == 6: return rand_float(r)
    if k == 7: return r.choice([True, False, None])
    if k == 8: return Name(rand_str(r))
    if k == 9: return r.choice([LoudInt(r.randrange(9)), LoudFloat(0.25), "_sa", "_sax", "_s"])
    if k == 10: return r.choice([Letter.A, Level.HIGH, Color.RED])
    return r.choice([(1, 2), datetime.date(2020, 1, 1), NotSa("_sa_not"), Name("_sa_name")])

def rand_value(r, depth, exotic):
    k = r.randrange(10) if depth < 5 else 0
    if k < 4: return rand_scalar(r, exotic)
    n = r.randrange(0, 6)
    if k < 6: return [rand_value(r, depth + 1, exotic) for _ in range(n)]
    if k == 6: return tuple(rand_value(r, depth + 1, exotic) for _ in range(n))
    if k == 7 and exotic:
        return r.choice([OrderedDict, Iter, deque])(
            {rand_key(r, False): rand_value(r, depth + 1, exotic) for _ in range(n)}
            if r.random() < 0.3 else [(rand_str(r), rand_value(r, depth + 1, exotic)) for _ in range(n)])
    if k == 7 and r.random() < 0.3: return Items(a=1)
    d = {}
    for _ in range(n):
        d[rand_key(r, exotic)] = rand_value(r, depth + 1, exotic)
    return d

def make_random(seed, n, exotic):
    r = random.Random(seed)
    return [rand_value(r, 0, exotic) for _ in range(n)]
)PY";

struct Python {
    PyObject* globals = nullptr;
    PyObject* ref = nullptr;
    PyObject* ref_jsonable = nullptr;
    PyObject* jsonable_encoder = nullptr;  // nullptr when fastapi is missing

    Python() {
        Py_Initialize();
        globals = PyDict_New();
        PyDict_SetItemString(globals, "__builtins__", PyEval_GetBuiltins());
        PyObject* r = PyRun_String(python_helpers, Py_file_input, globals, globals);
        if (r == nullptr) PyErr_Print();
        REQUIRE(r != nullptr);
        Py_DECREF(r);
        ref = PyDict_GetItemString(globals, "ref");
        ref_jsonable = PyDict_GetItemString(globals, "ref_jsonable");
        jsonable_encoder = PyDict_GetItemString(globals, "jsonable_encoder");
        if (jsonable_encoder == Py_None) jsonable_encoder = nullptr;
    }

    static Python& get() {
        static Python python;
        return python;
    }

    // New reference to the value of a Python expression.
    PyObject* eval(const std::string& expr) {
        PyObject* r = PyRun_String(expr.c_str(), Py_eval_input, globals, globals);
        if (r == nullptr) PyErr_Print();
        REQUIRE(r != nullptr);
        return r;
    }
};

bool have_fastapi() {
    if (Python::get().jsonable_encoder != nullptr) return true;
    WARN("fastapi is not importable: jsonable_encoder comparisons skipped");
    return false;
}

struct Outcome {
    bool ok = false;
    std::string bytes;       // when ok
    std::string error_type;  // when not
    std::string message;
};

std::ostream& operator<<(std::ostream& os, const Outcome& o) {
    if (o.ok) return os << "bytes " << o.bytes;
    return os << o.error_type << ": " << o.message;
}

std::string str_of(PyObject* o) {
    PyObject* s = PyObject_Str(o);
    REQUIRE(s != nullptr);
    Py_ssize_t n = 0;
    const char* p = PyUnicode_AsUTF8AndSize(s, &n);
    std::string out = p != nullptr ? std::string(p, static_cast<std::size_t>(n)) : "<unprintable>";
    if (p == nullptr) PyErr_Clear();
    Py_DECREF(s);
    return out;
}

Outcome failure() {
    REQUIRE(PyErr_Occurred() != nullptr);
#if PY_VERSION_HEX >= 0x030C0000
    PyObject* value = PyErr_GetRaisedException();
#else
    PyObject *type = nullptr, *value = nullptr, *tb = nullptr;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    Py_XDECREF(type);
    Py_XDECREF(tb);
#endif
    REQUIRE(value != nullptr);
    Outcome o;
    o.error_type = Py_TYPE(value)->tp_name;
    o.message = str_of(value);
    Py_DECREF(value);
    return o;
}

Outcome ours(PyObject* obj, bool jsonable) {
    std::string out;
    const bool ok = jsonable ? json::encode_jsonable(obj, Python::get().jsonable_encoder, out)
                             : json::dumps(obj, out);
    if (!ok) return failure();
    REQUIRE(PyErr_Occurred() == nullptr);
    Outcome o;
    o.ok = true;
    o.bytes = std::move(out);
    return o;
}

Outcome theirs(PyObject* obj, bool jsonable) {
    Python& py = Python::get();
    PyObject* r = PyObject_CallOneArg(jsonable ? py.ref_jsonable : py.ref, obj);
    if (r == nullptr) return failure();
    Outcome o;
    o.ok = true;
    o.bytes.assign(PyBytes_AS_STRING(r), static_cast<std::size_t>(PyBytes_GET_SIZE(r)));
    Py_DECREF(r);
    return o;
}

// Same bytes, or the same exception. The message is compared too, except
// for UnicodeEncodeError, whose position counts from the start of the whole
// document in Python and from the start of the offending str here.
bool same(const Outcome& a, const Outcome& b) {
    if (a.ok != b.ok) return false;
    if (a.ok) return a.bytes == b.bytes;
    if (a.error_type != b.error_type) return false;
    return a.error_type == "UnicodeEncodeError" || a.message == b.message;
}

// Compares on fresh objects from `expr` for each side, so values consumed
// on the way (generators) are seen whole by both.
void check_expr(const std::string& expr, bool jsonable) {
    Python& py = Python::get();
    PyObject* a = py.eval(expr);
    PyObject* b = py.eval(expr);
    const Outcome expected = theirs(a, jsonable);
    const Outcome got = ours(b, jsonable);
    Py_DECREF(a);
    Py_DECREF(b);
    INFO((jsonable ? "encode_jsonable(" : "dumps(") << expr << ")");
    INFO("python: " << expected);
    INFO("ours:   " << got);
    CHECK(same(expected, got));
}

std::string dumps_of(const std::string& expr) {
    PyObject* o = Python::get().eval(expr);
    std::string out;
    const bool ok = json::dumps(o, out);
    Py_DECREF(o);
    REQUIRE(ok);
    return out;
}

const char* const shared_cases[] = {
    "None", "True", "False", "0", "-1", "2**63-1", "-2**63", "2**63", "-2**63-1", "10**400", "-(10**400)",
    "0.0", "-0.0", "1.0", "0.1", "1e16", "1e-5", "1e-4", "123456789012345678.0", "5e-324", "1.7976931348623157e308",
    "float('nan')", "float('inf')", "-float('inf')", "[1.0, float('nan')]",
    "''", "'plain'", "'quote\" back\\\\ slash/'", "''.join(map(chr, range(0x20)))", "'\\x7f\\u2028\\u2029'",
    "'é€😀\\U0010ffff'", "'\\ud800'", "'a\\udfffb'", "['\\ud800', float('nan')]", "{'\\ud800': 1}",
    "[]", "()", "{}", "[[]]", "[[], {}, ()]", "[1, [2, [3, [4, {'a': (5, 6)}]]]]", "(1, 'two', 3.0, None)",
    "{'a': 1, 'b': [True, False, None]}", "{1: 'int', 2.5: 'float', True: 't', False: 'f', None: 'n'}",
    "{-0.0: 1}", "{1e16: 1}", "{10**30: 1}", "{float('nan'): 1}", "{float('inf'): 1}", "{(1, 2): 3}",
    "{'a': 1, (1,): 2}", "{'z': 1, 'a': 2, 'm': 3}",
    "LoudInt(5)", "[LoudInt(-7)]", "{LoudInt(3): LoudInt(4)}", "LoudFloat(2.5)", "{LoudFloat(0.5): 1}",
    "Name('x')", "{Name('k'): Name('v')}", "Level.HIGH", "{Level.HIGH: 1}",
    "Items(a=2)", "Items()", "BadItems(a=1)", "Iter([1, 2])", "OrderedDict([('b', 1), ('a', 2)])",
    "{'_sa_instance_state': 1, 'a': 2}", "{'_sa': 1}", "{'_s': 1, '_SA': 2, 'sa': 3, '__sa': 4}",
    "{'_sa\\ud800': 1}", "{Name('_sa_x'): 1, 'y': 2}", "{NotSa('_sa_kept'): 1}",
    "{'a': {'_sa_b': 1, 'c': [{'_sa_d': 2}]}}", "[{'_sa': 1}]",
    "{1, 2}", "frozenset()", "b'bytes'", "object()", "Color.RED", "[Color.LIST]", "{Letter.A: 1, 'a': 2}",
    "{'a': 2, Letter.A: 1}", "{Color.RED: Letter.A}", "datetime.datetime(2020, 1, 2, 3, 4, 5, 6)",
    "[datetime.date(2020, 1, 2)]", "decimal.Decimal('1.5')", "decimal.Decimal('2')", "uuid.UUID(int=1)",
    "PurePosixPath('/x')", "Point(1, 2.5, ['t'])", "[Point(1, float('nan'), [])]", "deque([1, (2, 3)])",
    "gen()", "{'g': gen()}", "Masquerade()", "{'k': Masquerade()}",
    "circular_list()", "circular_dict()", "deep(100000)", "{'a': deep(100000)}",
};

}  // namespace

TEST_CASE("dumps writes what json.dumps writes", "[json]") {
    Python::get();
    CHECK(dumps_of("{'a': [1, 2.5, None, True, False, 'x']}") == R"({"a":[1,2.5,null,true,false,"x"]})");
    CHECK(dumps_of("'\\x00\\x1f\"\\\\\\n\\u00e9'") == "\"\\u0000\\u001f\\\"\\\\\\n\xC3\xA9\"");
    CHECK(dumps_of("{1: 1.0, False: None, None: -0.0, 2.5: 1e16}") == R"({"1":1.0,"false":null,"null":-0.0,"2.5":1e+16})");
    CHECK(dumps_of("(LoudInt(3), LoudFloat(1.5), Name('n'))") == R"([3,1.5,"n"])");
    CHECK(dumps_of("Items(a=1)") == R"({"from_items":1})");
    CHECK(dumps_of("Iter([1])") == R"(["from_iter"])");  // subclasses are iterated

    for (const char* expr : shared_cases) check_expr(expr, false);
}

TEST_CASE("dumps appends to what is already there", "[json]") {
    Python& py = Python::get();
    PyObject* o = py.eval("[1]");
    std::string out = "prefix:";
    CHECK(json::dumps(o, out));
    CHECK(out == "prefix:[1]");
    Py_DECREF(o);
}

TEST_CASE("dumps fails with json's exceptions", "[json]") {
    Python& py = Python::get();
    const auto outcome = [&](const char* expr) {
        PyObject* o = py.eval(expr);
        const Outcome r = ours(o, false);
        Py_DECREF(o);
        return r;
    };
    Outcome r = outcome("float('nan')");
    CHECK(r.error_type == "ValueError");
    CHECK(r.message == "Out of range float values are not JSON compliant");
    r = outcome("{(1,): 2}");
    CHECK(r.error_type == "TypeError");
    CHECK(r.message == "keys must be str, int, float, bool or None, not tuple");
    r = outcome("[datetime.date(2020, 1, 1)]");
    CHECK(r.error_type == "TypeError");
    CHECK(r.message == "Object of type date is not JSON serializable");
    r = outcome("circular_list()");
    CHECK(r.error_type == "ValueError");
    CHECK(r.message == "Circular reference detected");
    r = outcome("'\\ud800'");
    CHECK(r.error_type == "UnicodeEncodeError");
    // json.dumps raises before .encode("utf-8") gets the chance to.
    r = outcome("['\\udc00', {(1,): 2}]");
    CHECK(r.error_type == "TypeError");
    r = outcome("deep(100000)");
    CHECK(r.error_type == "RecursionError");
}

TEST_CASE("encode_jsonable writes what FastAPI sends", "[json][fastapi]") {
    if (!have_fastapi()) return;
    Python& py = Python::get();
    for (const char* expr : shared_cases) check_expr(expr, true);
    check_expr("Model(name='m', when=datetime.datetime(2020, 1, 1), items=[1, {2}])", true);
    check_expr("{'m': [Model(name='\\u00e9', when=datetime.datetime(2020, 1, 1), items=[])]}", true);
    check_expr("Model(name='m', when=datetime.datetime(2020, 1, 1), items=[], ratio=float('nan'))", true);

    PyObject* o = py.eval("{'_sa_state': object(), 'a': [1, (2, '\\u20ac')], 'b': {'c': None}}");
    std::string out;
    CHECK(json::encode_jsonable(o, py.jsonable_encoder, out));
    CHECK(out == "{\"a\":[1,[2,\"\xE2\x82\xAC\"]],\"b\":{\"c\":null}}");
    Py_DECREF(o);
}

TEST_CASE("random nested values encode as Python encodes them", "[json]") {
    Python& py = Python::get();
    const bool fastapi = have_fastapi();
    struct Round {
        long seed;
        long count;
        bool exotic;
    };
    for (const Round round : {Round{1, 3000, false}, Round{2, 1500, true}}) {
        PyObject* values = PyObject_CallFunction(PyDict_GetItemString(py.globals, "make_random"), "lli",
                                                 round.seed, round.count, round.exotic ? 1 : 0);
        if (values == nullptr) PyErr_Print();
        REQUIRE(values != nullptr);
        int failures = 0;
        int compared = 0;
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(values); ++i) {
            PyObject* v = PyList_GET_ITEM(values, i);
            for (const bool jsonable : {false, true}) {
                if (jsonable && !fastapi) continue;
                const Outcome expected = theirs(v, jsonable);
                const Outcome got = ours(v, jsonable);
                ++compared;
                if (!same(expected, got)) {
                    ++failures;
                    if (failures <= 5) {
                        INFO("seed " << round.seed << " value #" << i << (jsonable ? " jsonable" : " dumps"));
                        INFO("python: " << expected);
                        INFO("ours:   " << got);
                        CHECK(false);
                    }
                }
            }
        }
        CHECK(compared > 0);
        CHECK(failures == 0);
        Py_DECREF(values);
    }
}

namespace {

std::string python_repr(double v) {
    PyObject* f = PyFloat_FromDouble(v);
    PyObject* r = PyObject_Repr(f);
    Py_ssize_t n = 0;
    const char* p = PyUnicode_AsUTF8AndSize(r, &n);
    std::string out(p, static_cast<std::size_t>(n));
    Py_DECREF(r);
    Py_DECREF(f);
    return out;
}

std::string ours_repr(double v) {
    std::string out;
    json::append_double(v, out);
    return out;
}

}  // namespace

TEST_CASE("append_double is repr(float)", "[json]") {
    Python::get();
    CHECK(ours_repr(1.0) == "1.0");
    CHECK(ours_repr(0.0) == "0.0");
    CHECK(ours_repr(-0.0) == "-0.0");
    CHECK(ours_repr(0.1) == "0.1");
    CHECK(ours_repr(0.0001) == "0.0001");
    CHECK(ours_repr(0.00001) == "1e-05");
    CHECK(ours_repr(1234567890123456.0) == "1234567890123456.0");
    CHECK(ours_repr(1e16) == "1e+16");
    CHECK(ours_repr(1.5e300) == "1.5e+300");
    CHECK(ours_repr(5e-324) == "5e-324");
    CHECK(ours_repr(1.7976931348623157e308) == "1.7976931348623157e+308");
    CHECK(ours_repr(123.456) == "123.456");
    CHECK(ours_repr(-2.5e-7) == "-2.5e-07");

    int mismatches = 0;
    const auto compare = [&](double v) {
        if (!std::isfinite(v)) return;
        const std::string expected = python_repr(v);
        const std::string got = ours_repr(v);
        if (expected != got && ++mismatches <= 5) {
            INFO("python " << expected << " ours " << got);
            CHECK(false);
        }
    };
    for (int e = -330; e <= 310; ++e) {
        const double p = std::pow(10.0, e);
        for (const double v : {p, std::nextafter(p, 0.0), std::nextafter(p, HUGE_VAL), 9.5 * p, 1.5 * p}) {
            compare(v);
            compare(-v);
        }
    }
    for (double v = 1; v < 1e17; v *= 2) {
        compare(v);
        compare(v + 1);
        compare(v - 1);
    }
    std::mt19937_64 rng(42);
    for (int i = 0; i < 200000; ++i) compare(std::bit_cast<double>(rng()));
    std::uniform_int_distribution<int> digits(0, 99999), exponents(-25, 25);
    for (int i = 0; i < 50000; ++i) compare(digits(rng) * std::pow(10.0, exponents(rng)));
    CHECK(mismatches == 0);
}

TEST_CASE("append_string escapes like ensure_ascii=False", "[json]") {
    std::string out;
    json::append_string(std::string_view("a\0\x1f\x7f\"\\\b\f\n\r\t/\xE2\x80\xA8", 15), out);
    CHECK(out == "\"a\\u0000\\u001f\x7f\\\"\\\\\\b\\f\\n\\r\\t/\xE2\x80\xA8\"");
    for (int c = 0; c < 0x20; ++c) {
        std::string one;
        const char ch = static_cast<char>(c);
        json::append_string(std::string_view(&ch, 1), one);
        PyObject* s = PyUnicode_FromOrdinal(c);
        const Outcome expected = theirs(s, false);
        Py_DECREF(s);
        CHECK(one == expected.bytes);
    }
}

TEST_CASE("encoding holds no references it does not release", "[json]") {
    Python& py = Python::get();
    const bool fastapi = have_fastapi();
    PyObject* getallocatedblocks = PySys_GetObject("getallocatedblocks");  // borrowed
    REQUIRE(getallocatedblocks != nullptr);
    const auto blocks = [&] {
        PyGC_Collect();  // failed calls leave cycles (tracebacks) behind
        PyObject* r = PyObject_CallNoArgs(getallocatedblocks);
        const long n = PyLong_AsLong(r);
        Py_DECREF(r);
        return n;
    };
    // Values on success and on every failure path, with probes whose own
    // reference counts must come back to where they started.
    PyObject* probe_str = py.eval("'probe-' + 'é' * 3");
    PyObject* probe_big = py.eval("10**40");
    PyObject* probe_set = py.eval("{1, 2}");
    PyDict_SetItemString(py.globals, "probe_str", probe_str);
    PyDict_SetItemString(py.globals, "probe_big", probe_big);
    PyDict_SetItemString(py.globals, "probe_set", probe_set);
    const char* const exprs[] = {
        "[{probe_str: probe_big, 'x': (probe_str, 1.5, None)}, Items(a=probe_big), LoudInt(7)]",
        "{probe_str: [probe_big, float('nan')]}",
        "[probe_str, {probe_big: 1, (1,): probe_str}]",
        "[probe_str, '\\ud800', probe_big]",
        "[probe_str, '\\ud800', object()]",
        "{'a': [probe_set, probe_str]}",
        "{probe_str: Letter.A, Letter.A: probe_big}",
        "{'_sa_x': probe_str, 'k': [probe_big, Point(1, 2.0, [probe_str])]}",
        "circular_list() + [probe_str]",
        "BadItems(a=probe_str)",
    };
    std::vector<PyObject*> values;
    for (const char* e : exprs) values.push_back(py.eval(e));
    const Py_ssize_t str_refs = Py_REFCNT(probe_str);
    const Py_ssize_t big_refs = Py_REFCNT(probe_big);
    const Py_ssize_t set_refs = Py_REFCNT(probe_set);

    std::string out;
    const auto run = [&] {
        for (PyObject* v : values) {
            for (const bool jsonable : {false, true}) {
                if (jsonable && !fastapi) continue;
                out.clear();
                const bool ok = jsonable ? json::encode_jsonable(v, py.jsonable_encoder, out)
                                         : json::dumps(v, out);
                if (!ok) PyErr_Clear();
            }
        }
    };
    // Warm up: caches (UTF-8 of strs, jsonable_encoder's lazy tables) and
    // freelists settle before counting.
    for (int i = 0; i < 500; ++i) run();
    const long before = blocks();
    for (int i = 0; i < 2000; ++i) run();
    const long after = blocks();
    // A leak of one object per call would show as 2000 blocks or more;
    // freelists and caches move the count by a few hundred at most.
    CHECK(after - before < 1000);
    CHECK(Py_REFCNT(probe_str) == str_refs);
    CHECK(Py_REFCNT(probe_big) == big_refs);
    CHECK(Py_REFCNT(probe_set) == set_refs);
    for (PyObject* v : values) Py_DECREF(v);
    Py_DECREF(probe_str);
    Py_DECREF(probe_big);
    Py_DECREF(probe_set);
}
