"""Shared drivers for the tests; imported as `tests.helpers.<module>`, never via conftest."""
