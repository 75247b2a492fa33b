"""The GitHub workflows stay clean under zizmor, the Actions auditor: every action pinned by
commit, no credentials left in the checkout, nothing else it flags. Strangers' pull requests
run these workflows, so an edit that regresses fails `make test`, not a later audit."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO

WORKFLOWS = REPO / ".github" / "workflows"


@pytest.fixture(scope="module")
def zizmor() -> Path:
    # the pinned one, from requirements-test.lock, beside this Python
    found = Path(sys.executable).with_name("zizmor")
    assert found.is_file(), f"{found}: missing; `make test` installs it (requirements-test.lock)"
    return found


def audit(zizmor: Path, root: Path) -> subprocess.CompletedProcess[str]:
    """`zizmor --offline .github/workflows/` in `root`: no GitHub API (our sandboxes have none);
    the offline audits are the ones that read the workflow files themselves."""
    command = [zizmor, "--offline", "--format", "plain", "--no-progress", "--color", "never", ".github/workflows/"]
    return subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=120, check=False)


def test_the_workflows_have_no_findings(zizmor: Path) -> None:
    result = audit(zizmor, REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout, result.stdout
    for workflow in sorted(WORKFLOWS.glob("*.yml")):
        assert f"completed .github/workflows/{workflow.name}" in result.stderr, "every workflow was audited"


def test_an_action_by_tag_and_a_checkout_keeping_its_token_are_findings(zizmor: Path, tmp_path: Path) -> None:
    """The audit above can fail: the checkout as it was before it was pinned, keeping its token."""
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    source = (WORKFLOWS / "pull-request.yml").read_text(encoding="utf-8")
    regressed = re.sub(r"actions/checkout@[0-9a-f]{40} # \S+", "actions/checkout@v4", source)
    regressed = re.sub(r"\n +with:\n +persist-credentials: false[^\n]*", "", regressed)
    assert regressed != source
    (folder / "pull-request.yml").write_text(regressed, encoding="utf-8")
    result = audit(zizmor, tmp_path)
    assert result.returncode != 0
    assert "unpinned-uses" in result.stdout and "artipacked" in result.stdout, result.stdout


def test_pins_say_their_version() -> None:
    """A hash alone tells a reviewer nothing: each pin names the release it is (`# vX.Y.Z`)."""
    for workflow in sorted(WORKFLOWS.glob("*.yml")):
        for number, line in enumerate(workflow.read_text(encoding="utf-8").splitlines(), 1):
            if "uses:" in line:
                pin = line.split("uses:", 1)[1].split("@", 1)[1]
                commit, _, comment = pin.partition(" # ")
                assert len(commit) == 40 and all(c in "0123456789abcdef" for c in commit), (workflow.name, number)
                assert comment.startswith("v") and comment[1:2].isdigit(), (workflow.name, number, line)

