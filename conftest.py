"""Test-wide settings: single-user mode unless a test turns sign-in on; never the real database."""
import os
import tempfile

# Subprocesses (the CLI, streamlit run for browser tests) inherit these too.
os.environ.setdefault("FAZHI_AUTH", "off")
os.environ.setdefault("FAZHI_DB", os.path.join(tempfile.mkdtemp(prefix="fazhi-tests-"), "default.duckdb"))
