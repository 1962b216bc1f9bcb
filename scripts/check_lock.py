"""Check that the lock files are in step with pyproject.toml; run by scripts/test.sh and scripts/lock.sh.

requirements/app.txt must pin the app's dependencies and the build backend; requirements/test.txt the
same plus the "test" extra. Fails when one that pyproject.toml names is missing from a lock, when its
pin there does not satisfy pyproject's specifier, when an entry is not pinned with `==` and hashes, or
when the two locks pin a package at different versions. `make lock` rewrites both.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
LOCKS = {"app": ROOT / "requirements" / "app.txt", "test": ROOT / "requirements" / "test.txt"}

# The target the locks are compiled for (scripts/lock.sh): CPython 3.11 on Linux x86_64.
TARGET = default_environment() | {
    "implementation_name": "cpython",
    "os_name": "posix",
    "platform_machine": "x86_64",
    "platform_python_implementation": "CPython",
    "platform_system": "Linux",
    "python_version": "3.11",
    "sys_platform": "linux",
}


def read_lock(path: Path, problems: list[str]) -> dict[str, Version]:
    """The lock's pins by normalised name; what is wrong with its entries goes into problems."""
    pins: dict[str, Version] = {}
    text = path.read_text(encoding="utf-8").replace("\\\n", " ")
    where = path.relative_to(ROOT)
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("-"):
            problems.append(f"{where}: unexpected option line {line!r}")
            continue
        spec, _, options = line.partition(" --hash=")
        try:
            requirement = Requirement(spec)
        except InvalidRequirement as error:
            problems.append(f"{where}: cannot read {spec!r} ({error})")
            continue
        exact = [s for s in requirement.specifier if s.operator == "=="]
        if len(exact) != 1 or len(requirement.specifier) != 1:
            problems.append(f"{where}: {requirement.name} is not pinned with ==")
            continue
        if not options:
            problems.append(f"{where}: {requirement.name} has no --hash")
        pins[canonicalize_name(requirement.name)] = Version(exact[0].version)
    return pins


def wanted(pyproject: dict, extra: str | None) -> list[Requirement]:
    """What pyproject.toml asks for: the build backend, the app's dependencies, and the extra if any."""
    names = list(pyproject["build-system"]["requires"]) + list(pyproject["project"]["dependencies"])
    if extra:
        names += pyproject["project"]["optional-dependencies"][extra]
    environment = TARGET | {"extra": extra or ""}
    return [r for r in map(Requirement, names) if r.marker is None or r.marker.evaluate(environment)]


def main() -> int:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    problems: list[str] = []
    locks: dict[str, dict[str, Version]] = {}
    for kind, path in LOCKS.items():
        if not path.is_file():
            problems.append(f"{path.relative_to(ROOT)} is missing")
            continue
        pins = locks[kind] = read_lock(path, problems)
        for requirement in wanted(pyproject, None if kind == "app" else kind):
            pinned = pins.get(canonicalize_name(requirement.name))
            if pinned is None:
                problems.append(f"{path.relative_to(ROOT)}: {requirement} (pyproject.toml) is not in the lock")
            elif not requirement.specifier.contains(pinned, prereleases=True):
                problems.append(
                    f"{path.relative_to(ROOT)}: pins {requirement.name}=={pinned}, "
                    f"but pyproject.toml asks for {requirement}"
                )
    if len(locks) == 2:
        for name in sorted(locks["app"].keys() & locks["test"].keys()):
            if locks["app"][name] != locks["test"][name]:
                problems.append(
                    f"{name} is {locks['app'][name]} in requirements/app.txt "
                    f"but {locks['test'][name]} in requirements/test.txt"
                )
    if problems:
        print("The lock is out of step with pyproject.toml:", *problems, sep="\n  ", file=sys.stderr)
        print("Run `make lock` to recompile requirements/*.txt, and commit them with pyproject.toml.", file=sys.stderr)
        return 1
    counts = ", ".join(f"{LOCKS[kind].relative_to(ROOT)} ({len(pins)} pins)" for kind, pins in locks.items())
    print(f"Lock in step with pyproject.toml: {counts}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
