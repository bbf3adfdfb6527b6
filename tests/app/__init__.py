"""AppTest on the real `streamlit_app.py`: pages, isolation, reliability, security, faults."""
