from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage

from classblog.models import PostFile


@pytest.fixture(autouse=True)
def _blog_files_in_a_temporary_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Uploaded blog files go to a folder of the test's own, not to ``var/attachments``.
    (The field resolved its storage when the model was defined, so overriding
    ``settings.STORAGES`` would not reach it.)"""
    field = PostFile._meta.get_field("file")
    monkeypatch.setattr(field, "storage", FileSystemStorage(location=tmp_path / "attachments"))
