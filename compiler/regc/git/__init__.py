"""The git protocol: the registry and its outputs change in the same commit (the hook, verify-commits, snapshots)."""
