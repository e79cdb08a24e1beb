"""waifuc_ui: waifuc's sources, actions and exporters, with review, caching and a web app."""

__version__ = "0.1.0"
