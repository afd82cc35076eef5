"""The app's screens: start, main, and the modal dialogs."""
