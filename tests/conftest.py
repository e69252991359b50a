"""Shared test set-up: quiet TensorFlow, no network, deterministic hypothesis."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CNNLAB_OFFLINE", "1")

from hypothesis import settings

settings.register_profile("cnnlab", max_examples=40, deadline=None, derandomize=True)
settings.load_profile("cnnlab")
