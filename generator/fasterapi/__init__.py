"""FasterAPI: compile a FastAPI application ahead of time into one C++ extension."""

__version__ = "0.1.0"


def __getattr__(name: str):  # noqa: ANN202 - lazy: the CLI does not need Starlette
    if name in ("SSE", "Broadcast"):
        from . import sse

        return getattr(sse, name)
    if name in ("sleep", "relay"):
        from . import runtime

        return getattr(runtime, name)
    if name == "WebSocket":
        from . import websocket

        return websocket.WebSocket
    raise AttributeError(f"module 'fasterapi' has no attribute {name!r}")
