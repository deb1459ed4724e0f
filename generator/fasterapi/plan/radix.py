"""The radix tree of parameterised templates, flattened into tables.

Templates are inserted byte by byte (UTF-8), with one child per node for a
``str`` segment parameter, one per typed convertor (``int``, ``float``,
``uuid``: the segment must match the convertor whole) and, per node, the
routes whose rest parameter starts there; chains of single-child literal nodes are then compressed into edge
labels. Node 0 is the root. Each node records the smallest route index in
its subtree so the lookup can skip subtrees that cannot win.

``/users/{id}`` (route 0) and ``/users/{id}/posts`` (route 1) ->
root -"/users/"-> n1; n1 -{param}-> n2 (ends: 0); n2 -"/posts"-> n3 (ends: 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..ir import PathPart


@dataclass
class _Trie:
    children: dict[int, _Trie] = field(default_factory=dict)
    param: _Trie | None = None  # a str segment parameter
    typed: dict[str, _Trie] = field(default_factory=dict)  # convertor -> child
    ends: list[int] = field(default_factory=list)
    rests: list[int] = field(default_factory=list)

    def bare(self) -> bool:
        return self.param is None and not self.typed and not self.ends and not self.rests and len(self.children) == 1


@dataclass(frozen=True)
class Node:
    edges_begin: int
    edge_count: int
    param_child: int  # after a str segment parameter; -1: none
    typed_begin: int  # children after typed segment parameters: Tree.typed[typed_begin ...]
    typed_count: int
    end_begin: int
    end_count: int
    rest_begin: int
    rest_count: int
    min_route: int


@dataclass(frozen=True)
class Edge:
    label: bytes
    child: int


@dataclass(frozen=True)
class Typed:
    convertor: str  # "int", "float" or "uuid"
    child: int


TYPED_CONVERTORS = ("int", "float", "uuid")


@dataclass(frozen=True)
class Tree:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    route_lists: tuple[int, ...]
    typed: tuple[Typed, ...] = ()

    @property
    def firsts(self) -> bytes:
        """The first byte of every edge label, in edge order."""
        return bytes(e.label[0] for e in self.edges)


def build(routes: list[tuple[int, tuple[PathPart, ...]]]) -> Tree:
    """(route index, parts) of radix templates, in declaration order -> the flattened tree."""
    if not routes:
        return Tree((), (), (), ())
    root = _Trie()
    for index, parts in routes:
        node = root
        for part in parts:
            if part.kind == "literal":
                for byte in part.text.encode("utf-8"):
                    node = node.children.setdefault(byte, _Trie())
            elif part.kind == "segment" and part.convertor == "str":
                if node.param is None:
                    node.param = _Trie()
                node = node.param
            elif part.kind == "segment":
                node = node.typed.setdefault(part.convertor, _Trie())
            else:
                node.rests.append(index)
                break
        else:
            node.ends.append(index)

    nodes: list[Node | None] = []
    edges: list[Edge] = []
    route_lists: list[int] = []
    typed: list[Typed] = []

    def emit(trie: _Trie) -> tuple[int, int]:
        """Index of the emitted node and the smallest route below it."""
        me = len(nodes)
        nodes.append(None)
        labelled: list[tuple[bytes, _Trie]] = []
        for byte in sorted(trie.children):
            label = bytearray([byte])
            child = trie.children[byte]
            while child.bare():
                (next_byte, grandchild), = child.children.items()
                label.append(next_byte)
                child = grandchild
            labelled.append((bytes(label), child))
        smallest = min([*trie.ends, *trie.rests], default=1 << 32)
        emitted: list[Edge] = []
        for label, child in labelled:
            index, low = emit(child)
            emitted.append(Edge(label, index))
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
        edges_begin = len(edges)
        edges.extend(emitted)
        end_begin = len(route_lists)
        route_lists.extend(sorted(trie.ends))
        rest_begin = len(route_lists)
        route_lists.extend(sorted(trie.rests))
        nodes[me] = Node(edges_begin, len(emitted), param, typed_begin, len(typed_children), end_begin, len(trie.ends), rest_begin,
                         len(trie.rests), smallest)
        return me, smallest

    emit(root)
    return Tree(tuple(n for n in nodes if n is not None), tuple(edges), tuple(route_lists), tuple(typed))
