"""The fault table: every fault and bad input on every page, written to test-artifacts."""
