"""What the pages show, built from what the services return: shared by the views (which
never import one another) and the template tags. No request, no rendering here."""
