"""population."""
