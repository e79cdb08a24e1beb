"""``waifuc-ui serve``: the app, started the way ``python app.py`` starts it (settings from the environment)."""

from __future__ import annotations

import argparse
import os

from ..core.errors import InvalidOptionError


def serve_command(args: argparse.Namespace) -> int:
    if args.host:
        os.environ["GRADIO_SERVER_NAME"] = args.host  # gradio reads these itself, as app.py's docstring says
    if args.port:
        os.environ["GRADIO_SERVER_PORT"] = str(args.port)
    try:
        from ..ui import SessionBinder, build_app, launch_options, settings_from_env
    except ImportError as err:
        raise InvalidOptionError("serve", "without gradio", fix=f"install the app's extra: pip install "
                                 f"'waifuc_ui[app]' ({err})") from None
    settings = settings_from_env()
    binder = SessionBinder(settings)
    demo = build_app(settings, binder)
    demo.launch(**launch_options(settings, binder))
    return 0
