"""Tests of the emulator over real HTTP, one file per subject; and third-party clients."""
