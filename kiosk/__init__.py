"""infusion-kiosk: the bedside touch kiosk for ketamine infusion treatment rooms."""

__version__ = "0.1.0"
