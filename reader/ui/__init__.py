"""The Qt shell: models and widgets adapting the core, composed in :mod:`reader.ui.app`."""
