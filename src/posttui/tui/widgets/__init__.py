"""The app's widgets, grouped by the pane they belong to."""
