"""The LangChain layer (`core.langchain`) against the emulator, and LangChain's own suites."""
