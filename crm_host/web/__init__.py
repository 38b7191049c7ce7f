"""The web layer: API base, console shell, department gate and plugin mounting."""
