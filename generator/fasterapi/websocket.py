"""WebSockets from a plain ``def`` handler.

FastAPI's own ``async def`` WebSocket endpoints are served as they are. A
handler that would rather block takes a parameter typed
``fasterapi.WebSocket`` and runs on a worker thread::

    from fasterapi import WebSocket

    @app.websocket("/chat")
    def chat(ws: WebSocket):
        ws.accept()
        while ws.is_connected():
            text = ws.receive()          # str or bytes; WebSocketDisconnect when the client leaves
            ws.send(text.upper())

Each call hands the operation to the runtime's loop and waits for it, so the
handler's dependencies, path and query parameters are FastAPI's as usual.
A running handler holds one worker thread; ``fasterapi.Broadcast`` and
``async def`` endpoints hold none. Under plain FastAPI such a handler is not
awaitable, so these routes need the FasterAPI runtime.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
from typing import Any

from starlette.websockets import WebSocket as StarletteWebSocket
from starlette.websockets import WebSocketDisconnect, WebSocketState

# Handlers holding a thread for their connection's lifetime get threads of
# their own, so they never starve the pool asyncio uses for other work.
_workers = concurrent.futures.ThreadPoolExecutor(max_workers=256, thread_name_prefix="fasterapi-ws")


class WebSocket(StarletteWebSocket):
    """The blocking face of a WebSocket (see the module docstring).

    Typed as Starlette's WebSocket so FastAPI accepts the annotation; the
    runtime passes one of these, bound to the connection, instead.
    """

    def __init__(self, websocket: StarletteWebSocket, loop: asyncio.AbstractEventLoop) -> None:  # noqa: D107
        self._websocket = websocket
        self._loop = loop

    def _run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    @property
    def scope(self) -> Any:  # type: ignore[override]
        return self._websocket.scope

    def accept(self, subprotocol: str | None = None, headers: Any = None) -> None:  # type: ignore[override]
        self._run(self._websocket.accept(subprotocol=subprotocol, headers=headers))

    def receive(self) -> str | bytes:  # type: ignore[override]
        """The next message, text or bytes; raises WebSocketDisconnect once the client has gone."""
        message = self._run(self._websocket.receive())
        if message["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(message.get("code", 1000), message.get("reason"))
        text = message.get("text")
        return text if text is not None else message.get("bytes", b"")

    def receive_text(self) -> str:  # type: ignore[override]
        return self._run(self._websocket.receive_text())

    def receive_bytes(self) -> bytes:  # type: ignore[override]
        return self._run(self._websocket.receive_bytes())

    def receive_json(self, mode: str = "text") -> Any:  # type: ignore[override]
        return self._run(self._websocket.receive_json(mode))

    def send(self, data: str | bytes) -> None:  # type: ignore[override]
        """Sends text (str) or binary (bytes-like) data."""
        if isinstance(data, str):
            self._run(self._websocket.send_text(data))
        else:
            self._run(self._websocket.send_bytes(bytes(data)))

    def send_text(self, data: str) -> None:  # type: ignore[override]
        self._run(self._websocket.send_text(data))

    def send_bytes(self, data: bytes) -> None:  # type: ignore[override]
        self._run(self._websocket.send_bytes(data))

    def send_json(self, data: Any, mode: str = "text") -> None:  # type: ignore[override]
        self._run(self._websocket.send_json(data, mode))

    def close(self, code: int = 1000, reason: str | None = None) -> None:  # type: ignore[override]
        self._run(self._websocket.close(code, reason))

    def is_connected(self) -> bool:
        """True until either side has closed the connection."""
        ws = self._websocket
        return ws.client_state != WebSocketState.DISCONNECTED and ws.application_state != WebSocketState.DISCONNECTED


def sync_param(endpoint: Any) -> str:
    """The name of a plain ``def`` endpoint's parameter typed fasterapi.WebSocket, or ""."""
    import inspect

    from fastapi.dependencies.utils import get_typed_signature

    if inspect.iscoroutinefunction(inspect.unwrap(endpoint)):
        return ""
    for name, parameter in get_typed_signature(endpoint).parameters.items():
        annotation = parameter.annotation
        if isinstance(annotation, type) and issubclass(annotation, WebSocket):
            return name
    return ""


def make_awaitable(route: Any) -> None:
    """Rebinds a websocket route whose endpoint is a blocking handler: FastAPI
    awaits the endpoint, so it gets a coroutine that runs the handler on a
    worker thread with the blocking WebSocket in place of Starlette's."""
    dependant = getattr(route, "dependant", None)
    if dependant is None or dependant.call is None:
        return
    name = sync_param(dependant.call)
    if not name:
        return
    handler = dependant.call

    @functools.wraps(handler)
    async def run(**kwargs: Any) -> None:
        loop = asyncio.get_running_loop()
        kwargs[name] = WebSocket(kwargs[name], loop)
        await loop.run_in_executor(_workers, functools.partial(handler, **kwargs))

    dependant.call = run
