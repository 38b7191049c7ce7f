"""The host branch of the migrations."""
