"""The install the README promises: the Python versions it names are the ones pyproject.toml
admits, and the OCR stack comes with OpenCV's headless build only."""

from __future__ import annotations

import importlib.metadata
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parent.parent


def requires_python() -> str:
    with (ROOT / "pyproject.toml").open("rb") as pyproject:
        return str(tomllib.load(pyproject)["project"]["requires-python"])


def test_the_readme_names_the_python_versions_pyproject_admits() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    top = " ".join(readme.split("\n\n")[1].split())
    admitted = SpecifierSet(requires_python())

    assert "Runs on Python 3.11, 3.12 and 3.13" in top
    for minor in (11, 12, 13):
        assert f"3.{minor}.0" in admitted
    for refused in ("3.10.13", "3.14.0"):
        assert refused not in admitted
    # What pip prints for a refused version, with pip's own spelling of the specifiers.
    assert f"requires a different Python: 3.14.0 not in '{admitted}'" in top
    assert f'`requires-python = "{requires_python()}"`' in readme


def test_this_python_is_one_the_readme_names() -> None:
    running = ".".join(str(part) for part in sys.version_info[:3])

    assert running in SpecifierSet(requires_python())


@pytest.mark.parametrize("distribution", ["opencv-python", "rapidocr-onnxruntime"])
def test_the_gui_build_of_opencv_is_not_installed(distribution: str) -> None:
    # The GUI build (and the old OCR wheel that required it) would share the cv2 folder with
    # the headless build; an environment that has it was made before the switch.
    with pytest.raises(importlib.metadata.PackageNotFoundError):
        importlib.metadata.distribution(distribution)
    assert importlib.metadata.distribution("opencv-python-headless")
