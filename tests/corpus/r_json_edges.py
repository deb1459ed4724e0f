"""Plain JSON return values at the edges of the encoder: huge ints past Python's
digit limit, lone surrogates, deep and circular nesting, non-string and colliding
keys, subclasses of builtins, float formatting."""

import collections
import math
from typing import Any

from fastapi import FastAPI

from tests.differential import Case

app = FastAPI()


class MyStr(str):
    pass


class MyInt(int):
    pass


class MyFloat(float):
    def __repr__(self):
        return "MyFloat!"


class MyDict(dict):
    pass


def nested(depth: int) -> Any:
    value: Any = 0
    for _ in range(depth):
        value = [value]
    return value


def circular() -> list:
    a: list = [1]
    a.append(a)
    return a


FLOATS = {
    "tenth": 0.1 + 0.2,
    "e15": 1e15,
    "e16": 1e16,
    "e17": 123456789012345678.0,
    "neg_e5": 1e-5,
    "neg_e4": 1e-4,
    "denorm": 5e-324,
    "negzero_list": [-0.0, 0.0],
    "pi": math.pi,
    "int_like": 2.0**53,
    "above_2_53": 2.0**53 + 2,
    "neg_big": -1.5e300,
}

VALUES = {
    "huge_int": 10**5000,
    "limit_int": 10**4299,
    "lone_surrogate": "a\ud800b",
    "surrogate_key": {"\udfff": 1},
    "deep_ok": nested(200),
    "deep_too_far": nested(3000),
    "colliding_keys": {1: "int", "1": "str", True: "bool", "true": "strbool"},
    "float_keys": {0.5: "half", 1e20: "big", -0.0: "negzero"},
    "none_key": {None: 1, "null": 2},
    "str_sub": MyStr("sub"),
    "int_sub": [MyInt(5), True, False],
    "float_sub": MyFloat(1.5),
    "dict_sub": MyDict(a=1),
    "ordered": collections.OrderedDict([("z", 1), ("a", 2)]),
    "defaultdict": collections.defaultdict(list, {"k": [1]}),
    "counter": collections.Counter("aab"),
    "deque": collections.deque([1, 2]),
    "namedtuple": collections.namedtuple("P", "x y")(1, 2),
    "range": range(3),
    "generator_like": map(str, [1, 2]),
    "empty_str": "",
    "long_str": "x" * 100000,
}


@app.get("/float/{name}")
def get_float(name: str):
    return FLOATS[name]


@app.get("/floats")
async def floats():
    return FLOATS


@app.get("/value/{name}")
def value(name: str):
    return VALUES[name]


@app.get("/avalue/{name}")
async def avalue(name: str):
    return VALUES[name]


@app.get("/circular")
def get_circular():
    return circular()


@app.get("/echo-int")
def echo_int(n: int):
    return {"n": n, "double": n * 2}


@app.get("/echo-float")
async def echo_float(x: float):
    return [x, -x, x * 10]


@app.get("/echo-str")
def echo_str(s: str):
    return s


CASES = [
    *(Case("GET", f"/float/{name}") for name in FLOATS),
    Case("GET", "/floats"),
    *(Case("GET", f"/value/{name}") for name in VALUES),
    Case("GET", "/avalue/huge_int"),
    Case("GET", "/avalue/lone_surrogate"),
    Case("GET", "/avalue/deep_too_far"),
    Case("GET", "/circular"),
    Case("GET", "/echo-int?n=99999999999999999999999"),
    Case("GET", "/echo-int?n=-0"),
    Case("GET", "/echo-int?n=1e3"),
    Case("GET", "/echo-float?x=1e308"),
    Case("GET", "/echo-float?x=-0"),
    Case("GET", "/echo-float?x=nan"),
    Case("GET", "/echo-float?x=inf"),
    Case("GET", "/echo-float?x=0.1"),
    Case("GET", "/echo-str?s=%F0%9F%98%80%00%0A"),
    Case("GET", "/echo-str?s=%ED%A0%80"),
    Case("GET", "/echo-str?s=%FF"),
]
