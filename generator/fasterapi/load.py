"""Loading the user's app: ``path/to/app.py``, ``path/to/app.py:name`` or ``pkg.mod:app``.

``load("examples/hello/app.py")`` imports ``examples/hello/app.py`` as module
``app`` (with ``examples/hello`` first on ``sys.path``, so the app's own
imports work) and returns the FastAPI instance it defines.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI


class LoadError(Exception):
    """The app could not be found or imported; the message says why."""


@dataclass(frozen=True)
class Loaded:
    app: FastAPI
    module_name: str  # the app module as imported: "app", "pkg.mod"
    attr: str  # the attribute holding the app: "app"
    file: Path  # the module's source file
    from_file: bool  # named by path (True) or by module (False)

    @property
    def ref(self) -> str:
        return f"{self.module_name}:{self.attr}"


def split_spec(spec: str) -> tuple[str, str | None]:
    """``"app.py:api"`` -> ``("app.py", "api")``; ``"app.py"`` -> ``("app.py", None)``."""
    target, sep, attr = spec.rpartition(":")
    if not sep or "/" in attr or attr.endswith(".py"):
        return spec, None
    return target, attr


def load(spec: str) -> Loaded:
    target, attr = split_spec(spec)
    if target.endswith(".py") or "/" in target or Path(target).is_file():
        path = Path(target)
        if not path.is_file():
            raise LoadError(f"no such file: {target}")
        module = _import_file(path.resolve())
        from_file = True
    else:
        try:
            module = importlib.import_module(target)
        except ImportError as e:
            raise LoadError(f"cannot import module {target!r}: {e}") from e
        from_file = False
    attr = attr or _find_app_attr(module, spec)
    app = getattr(module, attr, None)
    if app is None:
        raise LoadError(f"{spec}: module {module.__name__!r} has no attribute {attr!r}")
    if not isinstance(app, FastAPI):
        raise LoadError(f"{spec}: {attr!r} is a {type(app).__name__}, not a FastAPI app")
    return Loaded(app=app, module_name=module.__name__, attr=attr, file=Path(module.__file__ or target),
                  from_file=from_file)


def _import_file(path: Path):
    name = path.stem
    directory = str(path.parent)
    if directory not in sys.path:
        sys.path.insert(0, directory)
    existing = sys.modules.get(name)
    if existing is not None and Path(getattr(existing, "__file__", "") or "").resolve() == path:
        return existing
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise LoadError(f"cannot import {path.name}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception:
        del sys.modules[name]
        raise
    return module


def _find_app_attr(module, spec: str) -> str:
    if isinstance(getattr(module, "app", None), FastAPI):
        return "app"
    found = sorted(k for k, v in vars(module).items() if isinstance(v, FastAPI))
    if len(found) == 1:
        return found[0]
    if not found:
        raise LoadError(f"{spec}: no FastAPI instance found; name it with {spec}:<attribute>")
    raise LoadError(f"{spec}: several FastAPI instances ({', '.join(found)}); name one with {spec}:<attribute>")
