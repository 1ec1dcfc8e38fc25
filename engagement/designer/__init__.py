"""The survey designer: create, edit, translate, import, export, publish and close surveys."""
