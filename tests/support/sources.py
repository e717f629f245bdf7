"""Python sources and ruff configurations several test modules upload (one copy each)."""

# 8 issues under ruff's defaults: F401 ×3, UP035 (gone with its import) and F541 fixed safely;
# F841 ×2 (unsafe fixes only) and F821 (no fix) remain. Badly formatted on top of that.
CALC = b"""import os
import sys
from typing import List

greeting = f"hello"
def add( a,b ):
    total = a+b
    return a + b
def ratio(a, b):
    unused = 1
    return a / b
print(undefined_name, greeting)
"""

# A person's own ruff configuration as a pyproject.toml: E and F, E501 ignored, 79 columns.
OWN_PYPROJECT = b"""\
[project]
name = "team-app"

[tool.ruff]
line-length = 79

[tool.ruff.lint]
select = ["E", "F"]
ignore = ["E501"]
"""
