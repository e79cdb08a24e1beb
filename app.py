"""waifuc_ui web app: `python app.py` (also the Hugging Face Space entry point).

Settings come from the environment (see waifuc_ui.ui.settings.settings_from_env): WAIFUC_UI_PUBLIC=1 or a
Space (SPACE_ID) turns on public mode (uploads only, upload size limit); WAIFUC_UI_WORKSPACE_ROOT moves the
per-session workspaces; GRADIO_SERVER_NAME / GRADIO_SERVER_PORT are read by gradio itself.
"""

from waifuc_ui.ui import SessionBinder, build_app, launch_options, settings_from_env

settings = settings_from_env()
binder = SessionBinder(settings)
demo = build_app(settings, binder)

if __name__ == "__main__":
    demo.launch(**launch_options(settings, binder))
