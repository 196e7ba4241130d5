"""Testing against the sandbox from pytest: the `sandbox` and `sandbox_server` fixtures.

The plugin (`sandbox.testing.plugin`) is registered through the `pytest11` entry point, so
installing workplace-sandbox is enough. `Sandbox` is the type of both fixtures, for annotations.
"""

from sandbox.testing.control import Sandbox, SandboxError

__all__ = ["Sandbox", "SandboxError"]
