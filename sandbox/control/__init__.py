"""The control plane under /_sandbox: what a test harness needs and the real APIs lack."""
