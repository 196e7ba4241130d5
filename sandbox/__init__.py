"""workplace-sandbox: a local, stateful stand-in for the Robin and Kadence APIs."""

__version__ = "0.1.0"
