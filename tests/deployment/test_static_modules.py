"""The browser's scripts are ES modules that import each other by relative paths. In
production every static file gets a hashed name; collectstatic must rewrite the imports to
those names too, or a page would load the modules of two releases after a deployment."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.deployment.test_production_settings import PRODUCTION_ENV, manage

IMPORT = re.compile(r"""^import(?:\s[^;]*?\sfrom)?\s*["']([^"']+)["'];""", re.MULTILINE)


def test_collectstatic_points_module_imports_at_the_hashed_files(tmp_path: Path) -> None:
    result = manage("collectstatic", "--noinput", env={**PRODUCTION_ENV, "ELEVDIALOG_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stdout + result.stderr
    root = tmp_path / "static"
    paths = json.loads((root / "staticfiles.json").read_text())["paths"]
    entry = root / paths["frontend/dialogue/main.js"]
    imports = IMPORT.findall(entry.read_text())
    assert len(imports) >= 10, imports
    for name in imports:
        target = (entry.parent / name).resolve()
        assert target.is_file(), name
        assert target.relative_to(root).as_posix() in paths.values(), f"{name} is not a hashed name"
