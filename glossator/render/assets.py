"""The site's static files (CSS, JS, fonts), named by a hash of their bytes so that they can be
cached for ever: the pages link the hashed names."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..project import is_noise


def hashed_name(name: str, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()[:10]
    stem, dot, ext = name.rpartition(".")
    return f"{stem}.{digest}.{ext}" if dot else f"{name}.{digest}"


def collect_assets(static_dirs: list[Path]) -> dict[str, tuple[str, bytes]]:
    """name → (hashed name, bytes); an archive's own static files override built-in ones."""
    assets: dict[str, tuple[str, bytes]] = {}
    for directory in reversed(static_dirs):
        if not directory.is_dir():
            continue
        for path in sorted(directory.rglob("*")):
            name = path.relative_to(directory).as_posix()
            # (an editor's leftover such as glossator.css~ is never published, as elsewhere in the archive)
            if path.is_file() and not any(is_noise(part) for part in name.split("/")):
                data = path.read_bytes()
                assets[name] = (hashed_name(name, data), data)
    return assets
