"""The plugin is tested as a project uses it: pytest run in a subprocess on files written for
the occasion, the plugin loaded through its entry point."""

pytest_plugins = ["pytester"]

# httpx2 imports httpcore2 at its first request. Made within a pytester test, that import is
# undone as the test ends (pytester restores sys.modules), and a later test's httpx2 would map
# the errors of a second httpcore2 by the first one's classes, failing to catch them.
import httpcore2  # noqa: E402, F401
