"""The optional dependencies: each feature that needs one names the extra that installs it."""
from __future__ import annotations

import importlib
from types import ModuleType


def require(module: str, extra: str, feature: str) -> ModuleType:
    """``module``, imported; or an ImportError saying which extra of factorsense installs it."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        package = module.split(".")[0]
        raise ImportError(f"{feature} needs {package}, which is not installed: "
                          f"pip install 'factorsense[{extra}]' (or pip install {package})") from error
