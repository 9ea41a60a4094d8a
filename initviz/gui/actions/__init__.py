"""What the window does for the user beyond the views: menus and shortcuts, files (open,
save, recent) and autosave with crash recovery."""
