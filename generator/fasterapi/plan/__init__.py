"""Route table planning (reads only the IR).

Today the route table is emitted as Starlette-ordered patterns matched by the
runtime's router; a perfect hash for static paths and a radix tree for
parameterised ones will be planned here.
"""
