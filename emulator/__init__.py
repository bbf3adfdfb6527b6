"""A local endpoint that speaks the Azure AI serverless ("Models as a Service") wire format.

Run it with `python -m emulator`; see emulator/README.md. It shares no code with `core/`:
the two are independent readings of docs/wire-format.md.
"""
