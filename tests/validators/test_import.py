"""``import truewatch_contract`` stays light, and a valid payload never loads jsonschema with rs."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("schemathesis", "hypothesis", "starlette", "uvicorn", "pytest")


def _modules_after(code: str) -> set[str]:
    script = f"import sys, json\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, timeout=60, check=True
    )
    return set(json.loads(done.stdout.decode().strip().splitlines()[-1]))


def test_import_leaves_heavy_packages_out() -> None:
    loaded = _modules_after("import truewatch_contract")
    assert not {name for name in loaded if name.split(".")[0] in HEAVY}


def test_validating_leaves_heavy_packages_out() -> None:
    loaded = _modules_after(
        "import truewatch_contract as t\n"
        "t.validate_response({'code': 404, 'content': None, 'errorCode': 'ft.NotFound',"
        " 'message': 'x', 'success': False, 'traceId': 't'}, status_code=404)\n"
        "t.validate_request([], issue_id='')"
    )
    assert not {name for name in loaded if name.split(".")[0] in HEAVY}


def test_a_valid_payload_with_the_rust_engine_does_not_import_jsonschema() -> None:
    loaded = _modules_after(
        "import os\n"
        "os.environ['TRUEWATCH_ENGINE'] = 'jsonschema-rs'\n"
        "import truewatch_contract as t\n"
        "assert t.validate_request({'issueStatus': 'Resolved'}) == []\n"
        "assert t.validate_request({'issueStatus': 'level'})\n"
    )
    assert "jsonschema_rs" in loaded
    assert "jsonschema" not in loaded
