"""The control plane under /_sandbox: what a test harness needs and the real APIs lack.

It asks for no credentials, so that no web page can drive it: a write (POST, PUT, PATCH, DELETE)
needs a JSON body or the X-Sandbox-Control header (any value) and is refused with 403 otherwise,
or when its Origin is not the sandbox's own; and only the host names the sandbox was told about
(SANDBOX_ALLOWED_HOSTS: loopback by default) are answered."""
