"""actionctl."""
