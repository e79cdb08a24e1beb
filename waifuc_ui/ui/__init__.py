"""The Gradio app (the only package besides app.py that imports gradio): one module per tab."""

from .blocks import build_app, launch_options
from .settings import AppSettings, settings_from_env
from .state import SessionBinder, UISession

__all__ = ["AppSettings", "SessionBinder", "UISession", "build_app", "launch_options", "settings_from_env"]
