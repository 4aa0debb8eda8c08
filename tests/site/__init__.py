"""site tests."""
