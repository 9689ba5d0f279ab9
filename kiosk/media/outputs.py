"""Which audio outputs reach a speaker in the room.

When PulseAudio finds no sound card it makes a stand-in sink, `auto_null`
("Dummy Output"), that swallows every sound. QtMultimedia lists it like any
other output, so a kiosk with its speaker unplugged or its sound card missing
would believe the chime sounds. It is not counted here.

QtMultimedia (6.11, PulseAudio) does not always notice an output that goes
away: it may go on listing a sink that no longer exists. `takes_sound` asks the
sound server itself, by opening a silent stream for a moment.
"""

from __future__ import annotations

from PySide6.QtMultimedia import QAudioDevice, QAudioSink, QMediaDevices, QtAudio

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


def best_output() -> QAudioDevice:
    """The output sounds should go to: the default if it reaches a speaker, else the first that does.

    A null QAudioDevice when none does.
    """
    device = QMediaDevices.defaultAudioOutput()
    if is_real(device):
        return device
    real = real_outputs()
    return real[0] if real else QAudioDevice()


def takes_sound() -> bool:
    """True when the best output accepts a stream now.

    A silent test of about a millisecond: a stream is opened in push mode, with
    nothing written to it, and closed again. A sink that has gone from the sound
    server refuses it even while QtMultimedia still lists it.
    """
    device = best_output()
    if device.isNull():
        return False
    sink = QAudioSink(device, device.preferredFormat())
    sink.setVolume(0.0)
    sink.start()
    ok = sink.error() == QtAudio.Error.NoError and sink.state() != QtAudio.State.StoppedState
    sink.stop()
    return ok
