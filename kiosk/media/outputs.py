"""Which audio outputs reach a speaker in the room.

When PulseAudio finds no sound card it makes a stand-in sink, `auto_null`
("Dummy Output"), that swallows every sound. QtMultimedia lists it like any
other output, so a kiosk with its speaker unplugged or its sound card missing
would believe the chime sounds. It is not counted here.
"""

from __future__ import annotations

from PySide6.QtMultimedia import QAudioDevice, QMediaDevices

#: Device ids of outputs that play into nothing.
SILENT_OUTPUT_IDS: frozenset[bytes] = frozenset({b"auto_null"})


def is_real(device: QAudioDevice) -> bool:
    """True for an output that reaches a speaker (not PulseAudio's stand-in)."""
    return not device.isNull() and bytes(device.id().data()) not in SILENT_OUTPUT_IDS


def real_outputs() -> list[QAudioDevice]:
    """The audio outputs that reach a speaker."""
    return [device for device in QMediaDevices.audioOutputs() if is_real(device)]


def has_output() -> bool:
    """True when at least one output reaches a speaker."""
    return bool(real_outputs())


def default_output_name() -> str:
    """The description of the output sounds go to ("" when none reaches a speaker)."""
    device = QMediaDevices.defaultAudioOutput()
    return device.description() if is_real(device) else ""
