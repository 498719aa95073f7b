"""The optional C core of redaction (python_assets/privacy/_core.c), built against the PCRE2 library that the pcre2
wheel ships (a build requirement in pyproject.toml). Where it cannot be built (no compiler, no such library) the
package installs without it and redaction runs in Python, with the same results; everything else is in
pyproject.toml."""

import importlib.util
from pathlib import Path

from setuptools import Extension, setup


def _pcre2() -> tuple[str, str] | None:
    """(header folder, static library) of the PCRE2 inside the pcre2 wheel, or None."""
    spec = importlib.util.find_spec("pcre2")
    if spec is None or spec.origin is None:
        return None
    package = Path(spec.origin).parent
    if not (package / "pcre2.h").exists():
        return None
    for prefix in list(package.parents)[:5]:  # site-packages/pcre2 -> the prefix that holds lib64/ or lib/
        for lib in ("lib64", "lib"):
            archive = prefix / lib / "libpcre2-8.a"
            if archive.exists():
                return str(package), str(archive)
    return None


found = _pcre2()
extensions = [] if found is None else [
    Extension("python_assets.privacy._core", ["python_assets/privacy/_core.c"], include_dirs=[found[0]],
              extra_objects=[found[1]], optional=True),
]
setup(ext_modules=extensions)
