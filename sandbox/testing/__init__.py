"""Testing against the sandbox from pytest: the `sandbox` and `sandbox_server` fixtures.

The plugin (`sandbox.testing.plugin`) is registered through the `pytest11` entry point, so
installing workplace-sandbox is enough. `Sandbox` is the type of both fixtures, for annotations,
and `RequestJournal` that of their `journal`.
`sandbox.testing.soak` drives a served sandbox with several clients at once and checks every answer.
"""

from sandbox.testing.control import RequestJournal, Sandbox, SandboxError

__all__ = ["RequestJournal", "Sandbox", "SandboxError"]
