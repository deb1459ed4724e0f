"""Request bodies echoed back: JSON values read into dict/list/Any bodies and
returned as plain Python values, so the response JSON (floats, big integers,
escapes, unicode, lone surrogates, "_sa" keys, deep nesting) must be FastAPI's."""

from typing import Any

from fastapi import Body, FastAPI

from tests.differential import Case

app = FastAPI()


@app.post("/echo")
def echo(data: Any = Body()):
    return data


@app.post("/wrap")
async def wrap(data: dict[str, Any]):
    return {"got": data, "n": len(data)}


@app.post("/floats")
def floats(values: list[float]):
    return {"values": values, "halves": [v / 2 for v in values], "sum": sum(values)}


@app.post("/ints")
async def ints(values: list[int]):
    return {"values": values, "squares": [v * v for v in values]}


@app.post("/keys")
def keys(data: dict[str, int]):
    out: dict[Any, Any] = {int(k): v for k, v in data.items() if k.isdigit()}
    out.update({k: v for k, v in data.items() if not k.isdigit()})
    out[None] = 0
    out[2.5] = True
    return out


@app.post("/strings")
def strings(values: list[str]):
    return {"values": values, "upper": [v.upper() for v in values], "lens": [len(v) for v in values]}


@app.post("/tuple")
async def as_tuple(values: list[Any]):
    return tuple(values)


J = {"content-type": "application/json"}


def nest(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


CASES = [
    Case("POST", "/echo", J, b'{"a":[1,2.0,"x",null,true,false,{"b":{}}],"c":[]}'),
    Case("POST", "/echo", J, b'"caf\\u00e9 \\u2028 \\u007f \\u0000 \\u001f \\t"'),
    Case("POST", "/echo", J, '"raw ☃ 𝄞 é"'.encode()),
    Case("POST", "/echo", J, b'"\\ud800"'),
    Case("POST", "/echo", J, b'["\\udfff", 1]'),
    Case("POST", "/echo", J, b'"\\ud83d\\ude00"'),
    Case("POST", "/echo", J, b"12345678901234567890123456789012345678901234567890"),
    Case("POST", "/echo", J, b"-0"),
    Case("POST", "/echo", J, b"-0.0"),
    Case("POST", "/echo", J, b'{"_sa_instance_state":1,"_sale":2,"_s":3,"sa":4,"_SA":5}'),
    Case("POST", "/echo", J, b'{"a":1,"a":2,"b":{"c":1,"c":null}}'),
    Case("POST", "/echo", J, nest(200)),
    Case("POST", "/echo", J, b"[" * 300 + b"]" * 300),
    Case("POST", "/wrap", J, b'{"x":{"_sa":1,"y":[{"_sam":2}]}}'),
    Case("POST", "/wrap", J, b'{"\\u00e9":"\\"q\\"","\\\\":"/","\\n":"\\r"}'),
    Case("POST", "/floats", J, b"[0.1, 0.2, 0.30000000000000004, 1e16, 1e15, 123456789012345678, 1e-4, 1e-5]"),
    Case("POST", "/floats", J, b"[5e-324, 1.7976931348623157e308, 2.5e-7, 100, -1.5e22, 9007199254740993]"),
    Case("POST", "/floats", J, b"[1e22, 1e21, 1234567890123456.7, 0.000123, 3.14159265358979323846]"),
    Case("POST", "/floats", J, b"[1.7976931348623157e308, 1.7976931348623157e308]"),
    Case("POST", "/ints", J, b"[0, -1, 9223372036854775807, 9223372036854775808, -9223372036854775809]"),
    Case("POST", "/ints", J, b"[18446744073709551616, 4294967296, 3037000500]"),
    Case("POST", "/ints", J, b"[1.0, 2e0, true]"),
    Case("POST", "/ints", J, b"[1.5]"),
    Case("POST", "/keys", J, b'{"1":1,"b":2,"_sa":3,"10":4}'),
    Case("POST", "/strings", J, b'["stra\\u00dfe", "\\u0131", "\\ufb03", "ok"]'),
    Case("POST", "/strings", J, b'["\\ud800x"]'),
    Case("POST", "/tuple", J, b'[1, "a", [2, {"k": [3]}], null]'),
    Case("POST", "/echo", J, nest(2000)),
    # Nested deeper than FastAPI's json.loads manages from its call stack (RecursionError -> 400).
    Case("POST", "/echo", J, nest(980)),
    Case("POST", "/echo", J, b"[" * 980 + b"]" * 980),
]
