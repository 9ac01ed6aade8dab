"""Sphinx extension: warns (an error under -W) when a name of ``factorsense.__all__`` is not
documented by an autodoc directive, so the Python reference cannot fall behind the package."""
from sphinx.util import logging

logger = logging.getLogger(__name__)


def _collect(app, what, name, obj, options, lines):
    app.env.factorsense_documented = getattr(app.env, "factorsense_documented", set()) | {name}


def _check(app, env):
    import factorsense

    documented = getattr(env, "factorsense_documented", set())
    for name in factorsense.__all__:
        if f"factorsense.{name}" not in documented:
            logger.warning("factorsense.%s is in factorsense.__all__ but not documented: add it to "
                           "docs/site/python.rst", name)


def setup(app):
    app.connect("autodoc-process-docstring", _collect)
    app.connect("env-check-consistency", _check)
    return {"parallel_read_safe": False, "env_version": 1}
