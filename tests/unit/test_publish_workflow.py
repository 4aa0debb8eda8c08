"""The CI workflow and the shell entry point: valid, and publishing only after tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


WORKFLOW = ROOT / ".github" / "workflows" / "site.yml"


def test_workflow_matches_the_github_workflow_schema():
    # check-jsonschema ships the schema (vendor.github-workflows): no network needed.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            str(WORKFLOW),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflow_publishes_only_on_main_after_the_tests():
    from ruamel.yaml import YAML

    workflow = YAML(typ="safe").load(WORKFLOW.read_text())
    publish = workflow["jobs"]["publish"]
    assert publish["needs"] == "test"
    assert "refs/heads/main" in publish["if"] and "push" in publish["if"]
    steps = [step.get("run", "") for step in workflow["jobs"]["test"]["steps"]]
    assert "invoke build-production" in steps and "invoke test" in steps
    assert "invoke publish" not in " ".join(steps)
    # Credentials come from secrets into the standard AWS chain, never from the repo.
    assert publish["env"]["AWS_ACCESS_KEY_ID"] == "${{ secrets.AWS_ACCESS_KEY_ID }}"


def test_shell_entry_point_is_strict_and_runs_the_tasks_in_order():
    script = ROOT / ".ci" / "publish"
    text = script.read_text()
    assert script.stat().st_mode & 0o111
    assert "set -euo pipefail" in text
    commands = [line for line in text.splitlines() if not line.startswith("#")]
    tasks = [line.split()[1] for line in commands if line.startswith("invoke ")]
    assert tasks == ["build-production", "test", "publish"]
    assert subprocess.run(["bash", "-n", str(script)], check=False).returncode == 0
