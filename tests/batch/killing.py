"""Actions that kill the worker process running them, once (a marker file says it happened). In a module of their
own so Ray's workers import them by name."""

import os

from waifuc_ui.action import ProcessAction


class DieOnce(ProcessAction):
    """A model-free per-item step: it runs in a Ray task."""

    per_item = True

    def __init__(self, marker):
        self.marker = marker

    def process(self, item):
        if not os.path.exists(self.marker):
            with open(self.marker, "w") as fh:
                fh.write(str(os.getpid()))
            os._exit(1)
        return item


class DieOnceInAnActor(DieOnce):
    """The same as a model step (it has ``required_files``): it runs in an actor."""

    per_item = True

    def required_files(self):
        return []
