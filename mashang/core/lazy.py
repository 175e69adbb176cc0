"""A module imported when first used: the numerical libraries (numpy, scipy, scikit-learn,
rjieba) weigh about 60 MB in every process that imports them, and most processes (the worker
delivering messages, a page that suggests nothing) never need them."""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class LazyModule:
    """Stands for the module ``name`` and imports it at the first attribute read."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attribute: str) -> Any:
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return getattr(self._module, attribute)
