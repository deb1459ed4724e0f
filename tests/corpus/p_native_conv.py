"""The str/int/float/bool conversions FasterAPI does in C++ (path, query, header), pushed to their edges:
unicode digits, underscores, signs, whitespace, hex/octal spellings, float spellings, bool spellings with spaces,
defaults that are returned unvalidated (an int default for a float parameter, None without Optional), and
JSON string escaping of what came in."""

from typing import Annotated, Optional

from fastapi import FastAPI, Header, Query

from tests.differential import Case

app = FastAPI()


@app.get("/i/{n}")
def path_int(n: int):
    return {"n": n}


@app.get("/f")
async def query_float(x: float = 1, y: float = 2.5e-8, z: Optional[float] = None):
    return {"x": x, "y": y, "z": z}


@app.get("/b")
def query_bool(b: bool = 0, c: Optional[bool] = None, d: bool = True):
    return {"b": b, "c": c, "d": d}


@app.get("/d")
def defaults(n: int = -1, s: str = "é\"\\", t: str = None, u: int = "not-an-int"):
    return {"n": n, "s": s, "t": t, "u": u}


@app.get("/s")
async def query_str(q: str):
    return {"q": q, "len": len(q)}


@app.get("/h")
def header_conv(
    x_n: Annotated[int | None, Header()] = None,
    x_f: Annotated[float | None, Header()] = None,
    x_b: Annotated[bool | None, Header()] = None,
    x_s: Annotated[str | None, Header()] = None,
):
    return {"n": x_n, "f": x_f, "b": x_b, "s": x_s}


@app.get("/q")
def query_int(n: Annotated[int, Query()] = 0):
    return {"n": n}


CASES = [
    *(Case("GET", f"/i/{v}") for v in ["%D9%A3", "%EF%BC%91%EF%BC%92", "1__0", "_1", "1_", "0b101", "0o7",
                                        "%2D5", "--5", "+-5", "%0912", "12%0A", "9223372036854775808",
                                        "-9223372036854775808", "18446744073709551616", "00000000000000000001"]),
    *(Case("GET", f"/f?x={v}") for v in ["1e22", "1e21", "1e-5", "0.0001", "1e", "e1", ".", "-", "%2B",
                                          "1.", "0x1p3", "1e%2B3", "1E%2B03", "%2Binf", "iNF", "infinity",
                                          "-nan", "%EF%BC%91.5", "9007199254740993", "1.000000000000000111",
                                          "4.9406564584124654e-324", "2.2250738585072014e-308", "1_0.5",
                                          "%201.5", "100"]),
    Case("GET", "/f"),
    Case("GET", "/f?z="),
    Case("GET", "/f?z=3"),
    *(Case("GET", f"/b?c={v}") for v in ["%20true", "true%20", "TRUE%09", "Tr", "yES", "nO", "oN", "0.0",
                                          "00", "-1", "false&b=1"]),
    Case("GET", "/b"),
    Case("GET", "/d"),
    Case("GET", "/d?n=3&s=x&t=y&u=4"),
    Case("GET", "/d?u=z"),
    Case("GET", "/s?q=%01%7F%E2%80%A8%5C%22%09%08%0C%0D%0A%2F"),
    Case("GET", "/s?q=%F0%9F%92%A9%ED%A0%80"),
    Case("GET", "/s?q=%C0%AF"),
    Case("GET", "/s?%71=by-encoded-key"),
    Case("GET", "/s?q+=spaced-key"),
    Case("GET", "/h", headers={"x-n": "", "x-f": "", "x-b": "", "x-s": ""}),
    Case("GET", "/h", headers={"x-n": "1_000", "x-f": "1e3", "x-b": "YES", "x-s": "plain"}),
    Case("GET", "/h", headers={"x-n": "0x10", "x-f": "nan", "x-b": "2"}),
    Case("GET", "/h", headers={"x-s": "\"quoted\", (x)"}),
    Case("GET", "/h", headers={"x-s": "a\tb  c"}),
    Case("GET", "/q?n=1&n=x"),
    Case("GET", "/q?n=x&n=1"),
    Case("GET", "/q?n=%31%32"),
]
