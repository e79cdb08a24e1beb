"""``python -m waifuc_ui``: the command line (see :mod:`waifuc_ui.cli`)."""

from waifuc_ui.cli import main

raise SystemExit(main())
