"""Bytes in and out: reading inputs with limits, writing outputs atomically under the write policy, the run cache."""
