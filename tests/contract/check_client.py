"""Imports the Python client that openapi-python-client generated (default settings) from the
committed document and checks what an app developer relies on (run by .ci/contract)."""

import importlib
import inspect
import pkgutil
import sys

import back_track_api_client as client
from back_track_api_client import AuthenticatedClient
from back_track_api_client.api.programs import get_my_program
from back_track_api_client.api.progress import get_patient_progress_png
from back_track_api_client.models import RedFlagAnswers
from back_track_api_client.types import File

for module in pkgutil.walk_packages(client.__path__, client.__name__ + "."):
    importlib.import_module(module.name)

# A time zone is a plain string, not an enum of names.
models = importlib.import_module(client.__name__ + ".models")
assert not hasattr(models, "TimeZone"), "TimeZone became a class"

# One class for the red-flag answers, used by sign-up, booking and check-in.
for name in ("RegisterRequest", "CheckInRequest", "BookRequest"):
    source = inspect.getsource(getattr(models, name))
    assert "RedFlagAnswers" in source, f"{name} does not use RedFlagAnswers"
classes = [n for n in dir(models) if "RedFlag" in n and n.endswith("RedFlags")]
assert not classes, f"red-flag answers written out again: {classes}"

# The chart's body is kept (bytes), not dropped.
parse = inspect.getsource(get_patient_progress_png._parse_response)
assert "File(" in parse, "the PNG body is dropped"

assert AuthenticatedClient and get_my_program and RedFlagAnswers and File
print("imported", client.__name__, "on Python", sys.version.split()[0])
