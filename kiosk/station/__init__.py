"""The nurse station: every room on one screen, calls acknowledged from the desk.

`protocol` (plain) is what kiosks and the station say to each other through the
clinic's MQTT broker; `model` (plain) is the station's picture of the rooms; the
Qt window and the desk alert sit on top of them.
"""
