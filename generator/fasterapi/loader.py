"""What a generated package's ``__init__.py`` calls when it is imported.

It imports the user's app, re-inspects it, and checks the signature hash
against the one compiled into the extension: handler bodies may change freely
(handlers are looked up on the live app), but a changed route signature makes
the import fail with a clear "rebuild needed".
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

from .inspect import inspect_app
from .ir import App
from .load import Loaded, load


class StaleBuildError(ImportError):
    """The compiled extension was built from different route signatures."""


def load_app(app_ref: str, app_file: Path | None) -> Loaded:
    if app_file is None:
        return load(app_ref)
    attr = app_ref.rpartition(":")[2]
    return load(f"{app_file}:{attr}")


class Compiled:
    """A compiled app bound to its live FastAPI object."""

    def __init__(self, native: ModuleType, loaded: Loaded, ir: App) -> None:
        self.native = native
        self.loaded = loaded
        self.ir = ir

    @property
    def app(self) -> Any:
        return self.loaded.app

    def serve(self, **options: Any) -> None:
        from .serve import serve

        serve(self, **options)


def bind(package_dir: Path, loaded: Loaded, native: ModuleType) -> Compiled:
    manifest = App.from_json((package_dir / "manifest.json").read_text(encoding="utf-8"))
    live = inspect_app(loaded, source=manifest.source, module_name=manifest.module_name, app_ref=manifest.app_ref)
    if live.signature_hash() != native.signature_hash:
        changed = _describe_change(manifest, live)
        raise StaleBuildError(
            f"{manifest.module_name} was compiled from different route signatures of {manifest.source}"
            f" ({changed}). Rebuild needed: fasterapi build {manifest.source}"
        )
    return Compiled(native, loaded, live)


def _describe_change(old: App, new: App) -> str:
    before = {r.label: r for r in old.routes}
    after = {r.label: r for r in new.routes}
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    changed = sorted(k for k in set(before) & set(after) if before[k].params != after[k].params
                     or before[k].status_code != after[k].status_code
                     or before[k].response_model != after[k].response_model
                     or before[k].is_async != after[k].is_async)
    parts = [f"added {', '.join(added)}" if added else "", f"removed {', '.join(removed)}" if removed else "",
             f"changed {', '.join(changed)}" if changed else ""]
    return "; ".join(p for p in parts if p) or "route order or options changed"
