"""Tests of `core`: the client, errors, retries, SSE decoding, snippets, memory, soak."""
