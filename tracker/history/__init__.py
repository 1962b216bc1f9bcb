"""Change history of programme items: who changed what, when, from what to what, and why."""
