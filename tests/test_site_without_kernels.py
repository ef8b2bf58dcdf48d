"""The site does not depend on the compiled tally kernels: without them (an install where the
C extension could not be built) every page module still loads, and the tally takes the NumPy
path (tests/methods/pb/test_pb_kernel_paths.py shows its outcomes are the same)."""

import subprocess
import sys

SCRIPT = """
import importlib, os, sys
sys.modules["coproduce.methods.pb._kernels"] = None  # as if the extension was never built
os.environ["DJANGO_SETTINGS_MODULE"] = "coproduce.settings"
import django
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns
from django.conf import settings
for app in settings.INSTALLED_APPS:
    if app.startswith("coproduce."):
        for module in ("views", "services", "admin"):
            try:
                importlib.import_module(f"{app}.{module}")
            except ModuleNotFoundError as error:
                if error.name != f"{app}.{module}":
                    raise
assert "numpy" not in sys.modules, "a page module loads the tally at import"
from coproduce.methods.pb import mes
print(mes.kernel_path())
"""


def test_every_page_module_loads_without_the_compiled_kernels():
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "numpy"
