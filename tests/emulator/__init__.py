"""The emulator over real HTTP on 127.0.0.1, one file per subject; and third-party clients.

Most tests share the session's scripted emulator (tests/conftest.py); the few that need
another configuration start their own with `start_emulator` and stop it afterwards.
"""
