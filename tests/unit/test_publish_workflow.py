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


def _workflow() -> dict:
    from ruamel.yaml import YAML

    return YAML(typ="safe").load(WORKFLOW.read_text())


def _runs(job: dict) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def test_workflow_publishes_only_on_main_what_it_built_once_and_tested():
    workflow = _workflow()
    jobs = workflow["jobs"]
    build, test, publish = jobs["build"], jobs["test"], jobs["publish"]
    assert set(publish["needs"]) == {"build", "test"} and test["needs"] == "build"
    assert "refs/heads/main" in publish["if"] and "push" in publish["if"]
    # One production build, in the build job; the release travels as an artifact.
    assert [name for name, job in jobs.items() if "build-production" in _runs(job)] == [
        "build"
    ]
    uploaded = [
        s["with"]["name"]
        for s in build["steps"]
        if "upload-artifact" in s.get("uses", "")
    ]
    for job in (test, publish):
        downloads = [
            s for s in job["steps"] if "download-artifact" in s.get("uses", "")
        ]
        assert [s["with"]["name"] for s in downloads] == uploaded == ["release"]
    # The built-output tests read that release, not a build of their own.
    test_step = next(s for s in test["steps"] if "invoke test" in s.get("run", ""))
    assert test_step["env"]["SITE_RELEASE"] == "release/site"
    assert "invoke publish" not in _runs(build) + _runs(test)


def test_secrets_exist_only_in_the_step_that_publishes():
    workflow = _workflow()
    publish = workflow["jobs"]["publish"]
    assert "secrets." not in str(workflow.get("env", {}))
    for job in workflow["jobs"].values():
        assert "secrets." not in str(job.get("env", {}))
    with_secrets = [
        step
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if "secrets." in str(step)
    ]
    assert len(with_secrets) == 1
    [step] = with_secrets
    assert step in publish["steps"] and "sitekit.publish" in step["run"]
    assert step["env"]["AWS_ACCESS_KEY_ID"] == "${{ secrets.AWS_ACCESS_KEY_ID }}"
    # The publish job installs only what publishing needs: no build tools.
    install = _runs(publish)
    assert "-r requirements.txt" not in install
    assert "-r requirements-publish.txt" in install
    assert ".ci/install" not in install


def test_shell_entry_point_is_strict_and_runs_the_tasks_in_order():
    script = ROOT / ".ci" / "publish"
    text = script.read_text()
    assert script.stat().st_mode & 0o111
    assert "set -euo pipefail" in text
    commands = [line for line in text.splitlines() if not line.startswith("#")]
    tasks = [
        line.split("invoke ")[1].split()[0] for line in commands if "invoke " in line
    ]
    assert tasks == ["build-production", "test", "publish"]
    assert subprocess.run(["bash", "-n", str(script)], check=False).returncode == 0
