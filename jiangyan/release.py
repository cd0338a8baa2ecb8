"""The release this process runs: what cached pages and fragments are keyed by besides their data, so a
new release (new templates, new code) never serves an answer the old one rendered. ``RELEASE`` in the
environment names it (a build's tag); otherwise it is read off the source tree once per process — the
names, sizes and modification times of the templates and the Python files — which every process of one
checkout shares."""

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

SKIP = {".git", ".venv", "var", "node_modules", "__pycache__", "static", "tests", "bench", "docs"}
SUFFIXES = (".py", ".html", ".mo")


def source_release(root: Path, suffixes: Iterable[str] = SUFFIXES) -> str:
    """A digest of the files under ``root`` that shape a rendered page (their paths, sizes and times)."""
    digest = hashlib.blake2b(digest_size=8)
    suffixes = tuple(suffixes)
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP)
        for name in sorted(files):
            if name.endswith(suffixes):
                stat = os.stat(os.path.join(folder, name))
                digest.update(
                    f"{os.path.relpath(folder, root)}/{name}:{stat.st_size}:{stat.st_mtime_ns};".encode()
                )
    return digest.hexdigest()


def release(root: Path) -> str:
    return os.environ.get("RELEASE") or source_release(root)
