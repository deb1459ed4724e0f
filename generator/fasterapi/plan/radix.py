"""The tree of parameterised templates, by path segment, flattened into tables.

A template the tree holds (``patterns.kind`` "radix") is a sequence of whole
segments after the leading ``/``: literal text, a segment parameter (its
convertor's regex must take the whole segment), and possibly a rest parameter
last, which takes everything after the ``/`` that follows the segments before
it. ``/users/{id}/posts`` -> literal ``users``, parameter, literal ``posts``;
``/static/{p:path}`` -> literal ``static``, then the rest; ``/x/`` -> literal
``x``, literal ``""``. A request path ``/s1/s2/...`` matches exactly when
its segments (``path[1:].split("/")``) match one by one, which is what
Starlette's regex means for these templates.

Each node has its literal children (looked up by the segment's bytes), one
child for a ``str`` parameter, one per typed convertor (``int``, ``float``,
``uuid``), the routes whose template ends there and those whose rest
parameter starts there. Node 0 is the root; each node records the smallest
route index below it so the lookup can skip subtrees that cannot win.

A node's literal children are a short list scanned in order, or, past
``SCAN_MAX`` of them, an open-addressing table of ``2**hash_bits`` slots
(linear probing, empty slots have child ``NO_NODE``) indexed by
``literal_slot``. Segments are compared by their length and first 8 bytes
as one word (``word``), then the rest.

``/users/{id}`` (route 0) and ``/users/{id}/posts`` (route 1) ->
root -"users"-> n1; n1 -{param}-> n2 (ends: 0); n2 -"posts"-> n3 (ends: 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..ir import PathPart

SCAN_MAX = 4  # literal children scanned in order; more are hashed
NO_NODE = 0xFFFFFFFF
_M = (1 << 64) - 1
_SLOT_MULTIPLIER = 0x9E3779B97F4A7C15
TYPED_CONVERTORS = ("int", "float", "uuid")


def word(segment: bytes) -> int:
    """The first 8 bytes of a segment as a little-endian word, zero-padded: ``word(b"ab")`` -> ``0x6261``."""
    return int.from_bytes(segment[:8].ljust(8, b"\0"), "little")


def literal_slot(segment: bytes, bits: int) -> int:
    """Where a node's hashed literal table starts probing for ``segment``."""
    return (((word(segment) + len(segment)) * _SLOT_MULTIPLIER) & _M) >> (64 - bits)


@dataclass
class _Trie:
    literals: dict[bytes, _Trie] = field(default_factory=dict)
    param: _Trie | None = None  # a str segment parameter
    typed: dict[str, _Trie] = field(default_factory=dict)  # convertor -> child
    ends: list[int] = field(default_factory=list)
    rests: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Node:
    literals_begin: int  # Tree.literals[literals_begin ...]: literal_slots entries
    literal_slots: int
    hash_bits: int  # 0: the entries are scanned; else they are a table of 2**hash_bits slots
    param_child: int  # after a str segment parameter; -1: none
    typed_begin: int  # children after typed segment parameters: Tree.typed[typed_begin ...]
    typed_count: int
    end_begin: int  # Tree.route_lists[end_begin ...]: end_count ending routes, then rest_count rest routes
    end_count: int
    rest_count: int
    min_route: int


@dataclass(frozen=True)
class Literal:
    segment: bytes
    child: int  # NO_NODE: an empty slot of a hashed table


@dataclass(frozen=True)
class Typed:
    convertor: str  # "int", "float" or "uuid"
    child: int


@dataclass(frozen=True)
class Tree:
    nodes: tuple[Node, ...]
    literals: tuple[Literal, ...]
    route_lists: tuple[int, ...]
    typed: tuple[Typed, ...] = ()

    def literal_child(self, node: Node, segment: bytes) -> int | None:
        """The child of ``node`` for a literal segment, or None (the lookup's model, by scanning)."""
        for lit in self.literals[node.literals_begin:node.literals_begin + node.literal_slots]:
            if lit.child != NO_NODE and lit.segment == segment:
                return lit.child
        return None


# What a segment of a template is: literal bytes, a parameter (its convertor) or the rest.
_Segment = tuple[str, "bytes | str"]


def segments(parts: tuple[PathPart, ...]) -> list[_Segment]:
    """A tree template's segments after the leading ``/``.

    ``/users/{id}/posts`` -> ``[("literal", b"users"), ("param", "str"), ("literal", b"posts")]``;
    ``/static/{p:path}`` -> ``[("literal", b"static"), ("rest", "path")]``.
    """
    pieces: list[list[object]] = [[]]
    for p in parts:
        if p.kind == "literal":
            chunks = p.text.split("/")
            pieces[-1].append(chunks[0])
            pieces.extend([c] for c in chunks[1:])
        else:
            pieces[-1].append(p)
    assert pieces[0] == [""], "a tree template starts with /"
    out: list[_Segment] = []
    for piece in pieces[1:]:
        params = [x for x in piece if isinstance(x, PathPart)]
        if not params:
            out.append(("literal", "".join(str(x) for x in piece).encode("utf-8")))
            continue
        assert len(params) == 1 and all(x == "" for x in piece if not isinstance(x, PathPart)), piece
        param = params[0]
        out.append(("rest", "path") if param.kind == "rest" else ("param", param.convertor))
    return out


def build(routes: list[tuple[int, tuple[PathPart, ...]]]) -> Tree:
    """(route index, parts) of tree templates, in declaration order -> the flattened tree."""
    if not routes:
        return Tree((), (), (), ())
    root = _Trie()
    for index, parts in routes:
        node = root
        for kind, what in segments(parts):
            if kind == "literal":
                assert isinstance(what, bytes)
                node = node.literals.setdefault(what, _Trie())
            elif kind == "param" and what == "str":
                if node.param is None:
                    node.param = _Trie()
                node = node.param
            elif kind == "param":
                assert isinstance(what, str)
                node = node.typed.setdefault(what, _Trie())
            else:
                node.rests.append(index)
                break
        else:
            node.ends.append(index)

    nodes: list[Node | None] = []
    literals: list[Literal] = []
    route_lists: list[int] = []
    typed: list[Typed] = []

    def emit(trie: _Trie) -> tuple[int, int]:
        """Index of the emitted node and the smallest route below it."""
        me = len(nodes)
        nodes.append(None)
        smallest = min([*trie.ends, *trie.rests], default=1 << 32)
        children: list[tuple[bytes, int]] = []
        for segment in sorted(trie.literals):
            index, low = emit(trie.literals[segment])
            children.append((segment, index))
            smallest = min(smallest, low)
        param = -1
        if trie.param is not None:
            param, low = emit(trie.param)
            smallest = min(smallest, low)
        typed_children: list[Typed] = []
        for convertor in TYPED_CONVERTORS:
            if convertor in trie.typed:
                index, low = emit(trie.typed[convertor])
                typed_children.append(Typed(convertor, index))
                smallest = min(smallest, low)
        typed_begin = len(typed)
        typed.extend(typed_children)
        table, bits = _literal_table(children)
        literals_begin = len(literals)
        literals.extend(table)
        end_begin = len(route_lists)
        route_lists.extend(sorted(trie.ends))
        route_lists.extend(sorted(trie.rests))
        nodes[me] = Node(literals_begin, len(table), bits, param, typed_begin, len(typed_children), end_begin,
                         len(trie.ends), len(trie.rests), smallest)
        return me, smallest

    emit(root)
    return Tree(tuple(n for n in nodes if n is not None), tuple(literals), tuple(route_lists), tuple(typed))


def _literal_table(children: list[tuple[bytes, int]]) -> tuple[list[Literal], int]:
    """A node's literal children as scanned entries, or as a hashed table and its bit count."""
    if len(children) <= SCAN_MAX:
        return [Literal(s, c) for s, c in children], 0
    bits = 1
    while (1 << bits) < 2 * len(children):
        bits += 1
    table = [Literal(b"", NO_NODE)] * (1 << bits)
    for segment, child in children:
        slot = literal_slot(segment, bits)
        while table[slot].child != NO_NODE:
            slot = (slot + 1) & ((1 << bits) - 1)
        table[slot] = Literal(segment, child)
    return table, bits
