"""What the system does: the only layer that decides what to read and write."""
