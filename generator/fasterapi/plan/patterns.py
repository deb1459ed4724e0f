"""What a route template means to the router, from its IR parts.

Starlette compiles a template to a regex: literal text escaped, each
parameter its convertor's regex (``str`` ``[^/]+``, ``int`` ``[0-9]+``,
``float`` ``[0-9]+(\\.[0-9]+)?``, ``uuid`` 32 hex digits with optional dashes,
``path`` ``.*``), anchored with ``^`` and ``$``. The plan classifies each
template by how it can be matched:

- ``static``: no parameters; found by the perfect hash;
- ``radix``: every parameter fills a whole segment (``/users/{id}/posts``)
  and a rest parameter, if any, is the last part and follows a ``/``; held
  by the radix tree;
- ``fallback``: anything else (``/files/{name}.txt``, ``/pair/{a}-{b}``),
  matched by the runtime's backtracking matcher.
"""

from __future__ import annotations

import re
from typing import Literal

from ..ir import PathPart

Kind = Literal["static", "radix", "fallback"]

# The regexes of starlette.convertors, groups made non-capturing so that a
# template's groups are its parameters, in order.
CONVERTOR_REGEX = {
    "str": "[^/]+",
    "int": "[0-9]+",
    "float": r"[0-9]+(?:\.[0-9]+)?",
    "uuid": "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}",
    "path": ".*",
}
# The same over bytes (they are ASCII-only), for the segments the tree checks whole.
_WHOLE = {name: re.compile(rx.encode("ascii")) for name, rx in CONVERTOR_REGEX.items()}


def regex(parts: tuple[PathPart, ...]) -> re.Pattern[str]:
    """``/files/{name}.txt`` -> ``^/files/([^/]+)\\.txt$``, Starlette's regex with positional groups."""
    body = "".join(re.escape(p.text) if p.kind == "literal" else f"({CONVERTOR_REGEX[p.convertor]})" for p in parts)
    return re.compile(f"^{body}$")


def fills(convertor: str, segment: bytes) -> bool:
    """Whether a parameter with this convertor can take all of ``segment``: ``fills("int", b"007")`` -> True."""
    return _WHOLE[convertor].fullmatch(segment) is not None


def kind(parts: tuple[PathPart, ...]) -> Kind:
    """``/users/{id}`` -> radix; ``/users/me`` -> static; ``/files/{name}.txt`` -> fallback."""
    if all(p.kind == "literal" for p in parts):
        return "static"
    for i, p in enumerate(parts):
        if p.kind == "literal":
            continue
        before = parts[i - 1] if i > 0 else None
        after = parts[i + 1] if i + 1 < len(parts) else None
        if before is None or before.kind != "literal" or not before.text.endswith("/"):
            return "fallback"
        if p.kind == "rest" and after is not None:
            return "fallback"
        if p.kind == "segment" and after is not None and (after.kind != "literal" or not after.text.startswith("/")):
            return "fallback"
    return "radix"


def static_path(parts: tuple[PathPart, ...]) -> str:
    return "".join(p.text for p in parts)
