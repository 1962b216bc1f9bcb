"""Sign-in, roles and permissions."""
