"""Workstreams, projects and actions: the shape of an improvement programme."""
