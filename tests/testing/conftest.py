"""The plugin is tested as a project uses it: pytest run in a subprocess on files written for
the occasion, the plugin loaded through its entry point."""

pytest_plugins = ["pytester"]
