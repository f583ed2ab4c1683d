"""The annual report's sections, one per module."""
