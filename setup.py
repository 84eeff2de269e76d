"""Build hook: ship the top-level templates/ and macros/ inside the package.

The repository keeps the Word templates and the Excel macro sources at its top level (the
design layout); an installed wheel has no repository, so ``build_py`` copies them into
``generator/templates`` and ``generator/macros`` of the build. The code finds them through
``generator.config.resources.shipped_dir`` (the package copy when installed, the top-level
folder in a clone or an editable install). Everything else is in pyproject.toml.
"""
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED = {   # top-level folder -> the files of it that go into generator/<folder>/
    "templates": ("*.docx",),
    "macros": ("*.bas", "*.cls", "*.py", "*.conf", "README.md"),
}


class BuildPyWithShipped(build_py):
    def run(self):
        super().run()
        for folder, patterns in SHIPPED.items():
            target = Path(self.build_lib) / "generator" / folder
            target.mkdir(parents=True, exist_ok=True)
            for pattern in patterns:
                for src in sorted((ROOT / folder).glob(pattern)):
                    self.copy_file(str(src), str(target / src.name))


setup(cmdclass={"build_py": BuildPyWithShipped})
