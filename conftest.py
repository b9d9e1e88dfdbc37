"""Test-wide settings: pages are tested as in single-user mode unless a test turns sign-in on."""
import os

# Subprocesses (the CLI, streamlit run for browser tests) inherit this too.
os.environ.setdefault("FAZHI_AUTH", "off")
