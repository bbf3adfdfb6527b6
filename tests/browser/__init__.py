"""The app in Debian's Chromium through Playwright (marked `browser`)."""
