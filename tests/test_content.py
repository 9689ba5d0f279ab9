"""Patient texts: our English file is complete and calm; overrides are checked strictly.

Two kinds of tests. The first read the words we ship and hold them to the rules for
patient screens (short, plain, second person, present tense, no "!", always a way
to ask for help). The second feed the loader clinic override files, good and bad,
and check that every mistake comes back as one `FILE:LINE: key.path: ...` line.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.breathing import BUILTIN
from kiosk.content import (
    BREATHE_KEYS,
    CALL_KEYS,
    CONTENT_DIR,
    STAGE_FIELDS,
    UI_KEYS,
    Content,
    ContentError,
    StageText,
    available_languages,
    load_content,
)
from kiosk.session import STAGES

ROOT = Path(__file__).resolve().parents[1]
EN_FILE = CONTENT_DIR / "en.toml"

#: Word limits for a stage's texts: titles and the strip must fit big type at 1280×800.
STAGE_LIMITS = {"title": 4, "short": 2, "now": 60, "feel": 60, "helps": 60}
#: Our own target for the three paragraphs (the hard limit above is for clinics too).
PARAGRAPH_TARGET = 45
#: A patient who is dizzy or forgetful needs short sentences.
MAX_SENTENCE_WORDS = 16
#: Labels on buttons: a word or two.
BUTTONS = ("call_nurse", "music", "breathe", "back")
#: Words that are medical jargon, alarming, promise too much, or not present tense.
AVOID = (
    "iv", "catheter", "vitals", "vital", "dissociation", "dissociative", "hallucination",
    "hallucinations", "ketamine", "sedation", "saline", "cure", "cured", "heal", "healed",
    "guarantee", "emergency", "danger", "dangerous", "warning", "alarm", "will", "must",
)


@pytest.fixture(scope="module")
def en() -> Content:
    return load_content("en")


def words(text: str) -> list[str]:
    return text.split()


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.?])\s+", text) if s]


def all_texts(content: Content) -> dict[str, str]:
    texts = {"name": content.name, "idle.title": content.idle_title,
             "idle.message": content.idle_message}
    texts.update({f"ui.{key}": value for key, value in content.ui.items()})
    texts.update({f"breathe.{key}": value for key, value in content.breathe.items()})
    texts.update({f"patterns.{key}": value for key, value in content.patterns.items()})
    for stage, stage_text in content.stages.items():
        for field in STAGE_FIELDS:
            texts[f"stages.{stage}.{field}"] = getattr(stage_text, field)
    return texts


def write(tmp_path: Path, text: str, name: str = "clinic.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- the words we ship ---------------------------------------------------------------


def test_english_is_available() -> None:
    assert "en" in available_languages()


def test_english_loads_with_every_stage_in_visit_order(en: Content) -> None:
    assert en.language == "en"
    assert en.name == "English"
    assert tuple(en.stages) == STAGES
    assert set(en.ui) == set(UI_KEYS)
    assert all(isinstance(text, StageText) for text in en.stages.values())


@pytest.mark.parametrize("stage", STAGES)
def test_every_stage_has_every_field_within_limits(en: Content, stage: str) -> None:
    stage_text = en.stages[stage]
    for field in STAGE_FIELDS:
        value = getattr(stage_text, field)
        assert value.strip(), f"{stage}.{field} is empty"
        assert len(words(value)) <= STAGE_LIMITS[field], f"{stage}.{field}: {value!r}"
    for field in ("now", "feel", "helps"):
        assert len(words(getattr(stage_text, field))) <= PARAGRAPH_TARGET, f"{stage}.{field}"
    assert not stage_text.title.endswith("."), "a title is a heading, not a sentence"


def test_stage_strip_names_are_distinct(en: Content) -> None:
    shorts = [text.short for text in en.stages.values()]
    assert len(set(shorts)) == len(shorts)
    titles = [text.title for text in en.stages.values()]
    assert len(set(titles)) == len(titles)


def test_no_exclamation_marks_anywhere(en: Content) -> None:
    assert "!" not in EN_FILE.read_text(encoding="utf-8")
    for key, text in all_texts(en).items():
        assert "!" not in text, key


def test_sentences_are_short(en: Content) -> None:
    for key, text in all_texts(en).items():
        for sentence in sentences(text):
            assert len(words(sentence)) <= MAX_SENTENCE_WORDS, f"{key}: {sentence!r}"


def test_first_sentence_of_now_is_short_enough_for_big_type(en: Content) -> None:
    for stage, stage_text in en.stages.items():
        first = sentences(stage_text.now)[0]
        assert len(first) <= 60, f"{stage}: {first!r}"


def test_no_jargon_no_alarm_no_promises_present_tense(en: Content) -> None:
    for key, text in all_texts(en).items():
        found = {w for w in re.findall(r"[a-z]+", text.lower()) if w in AVOID}
        assert not found, f"{key}: {sorted(found)} in {text!r}"


def test_stage_paragraphs_speak_to_the_patient(en: Content) -> None:
    for stage, stage_text in en.stages.items():
        for field in ("now", "feel", "helps"):
            text = getattr(stage_text, field).lower()
            assert re.search(r"\byour?\b", text), f"{stage}.{field} is not in second person"


def test_every_stage_says_how_to_ask_for_help(en: Content) -> None:
    button = en.ui["call_nurse"]
    assert button in en.idle_message
    for stage, stage_text in en.stages.items():
        assert f"press {button}" in stage_text.helps or f"Press {button}" in stage_text.helps, (
            stage
        )


def test_unusual_feelings_are_called_expected_and_passing(en: Content) -> None:
    for stage in ("infusion", "infusion_complete", "recovery", "going_home"):
        feel = en.stages[stage].feel.lower()
        assert "expected" in feel, stage
        assert any(w in feel for w in ("fades", "fading", "passes")), stage


def test_facts_of_the_visit_are_present(en: Content) -> None:
    infusion = en.stages["infusion"]
    assert "40 to 60 minutes" in infusion.now
    for watched in ("heart rate", "blood pressure", "oxygen"):
        assert watched in infusion.now
    home = en.stages["going_home"].now.lower()
    assert "drive" in home and "tomorrow" in home
    assert "responsible adult" in home
    assert "mood" in en.stages["going_home"].helps


def test_button_labels_are_short_and_match_accessible_names(en: Content) -> None:
    for key in BUTTONS:
        assert len(words(en.ui[key])) <= 2, key
    assert en.ui["call_nurse"] == "Call nurse"
    assert en.ui["music"] == "Music"
    assert en.ui["breathe"] == "Breathe"
    for key, label in en.ui.items():
        assert len(words(label)) <= 10, key


def test_ui_labels_have_no_closing_full_stop(en: Content) -> None:
    # The stage screen joins labels into sentences and adds its own full stops.
    for key, label in en.ui.items():
        assert not label.endswith((".", ":", ";")), key


def test_ui_placeholders_format(en: Content) -> None:
    assert "12" in en.text("minutes_so_far", minutes=12)
    assert "25" in en.text("minutes_to_go", minutes=25)
    assert en.text("stage_of", number=3, count=6) == "Step 3 of 6"
    for key, wanted in UI_KEYS.items():
        if not wanted:
            assert en.text(key) == en.ui[key]
        assert "{" not in en.text(key, minutes=1, number=1, count=6, title="Rain")
    assert en.text("now_playing", title="Rain") == "Now playing: Rain"


def test_time_left_never_claims_the_end(en: Content) -> None:
    assert en.text("minutes_to_go", minutes=1)
    assert "nurse" in en.ui["nearly_done"].lower()
    assert "0" not in en.ui["nearly_done"]


def test_text_names_an_unknown_label(en: Content) -> None:
    with pytest.raises(KeyError, match="call_nurce"):
        en.text("call_nurce")


def test_content_cannot_be_changed(en: Content) -> None:
    with pytest.raises(TypeError):
        en.ui["call_nurse"] = "x"  # type: ignore[index]
    with pytest.raises(TypeError):
        en.stages["infusion"] = en.stages["settling"]  # type: ignore[index]


# -- clinic overrides ------------------------------------------------------------------


def test_override_replaces_one_text_and_keeps_the_rest(tmp_path: Path, en: Content) -> None:
    override = write(tmp_path, '[stages.going_home]\nhelps = "Call 555 0100 with any question."\n')
    content = load_content("en", override=override)
    assert content.stages["going_home"].helps == "Call 555 0100 with any question."
    assert content.stages["going_home"].now == en.stages["going_home"].now
    assert content.stages["infusion"] == en.stages["infusion"]
    assert dict(content.ui) == dict(en.ui)
    assert content.idle_message == en.idle_message


def test_override_may_reword_a_label_keeping_its_placeholder(tmp_path: Path) -> None:
    override = write(tmp_path, '[ui]\nminutes_to_go = "Roughly {minutes} min left"\n')
    content = load_content("en", override=override)
    assert content.text("minutes_to_go", minutes=7) == "Roughly 7 min left"


def test_override_collapses_line_breaks(tmp_path: Path) -> None:
    override = write(tmp_path, '[idle]\ntitle = """\n  Good\n  morning\n"""\n')
    assert load_content("en", override=override).idle_title == "Good morning"


def test_empty_override_changes_nothing(tmp_path: Path, en: Content) -> None:
    assert load_content("en", override=write(tmp_path, "")) == en


BAD_OVERRIDES = [
    pytest.param('[ui]\ncall_nurce = "Call nurse"\n', 2, "ui.call_nurce",
                 "did you mean 'call_nurse'", id="unknown-key"),
    pytest.param('[ui]\nmusic = 3\n', 2, "ui.music", "must be text", id="int-value"),
    pytest.param('[stages.infusoin]\ntitle = "Medicine"\n', 1, "stages.infusoin",
                 "did you mean 'infusion'", id="stage-typo"),
    pytest.param('[stages.infusion]\nfel = "Calm"\n', 2, "stages.infusion.fel",
                 "did you mean 'feel'", id="field-typo"),
    pytest.param('[ui]\nminutes_to_go = "Nearly there"\n', 2, "ui.minutes_to_go",
                 "missing placeholder {minutes}", id="missing-placeholder"),
    pytest.param('[ui]\nminutes_so_far = "{minuts} so far"\n', 2, "ui.minutes_so_far",
                 "unknown placeholder {minuts}", id="placeholder-typo"),
    pytest.param('[ui]\nback = "{"\n', 2, "ui.back", "braces do not match", id="stray-brace"),
    pytest.param('\n[idle]\ntitle = "   "\n', 3, "idle.title", "is empty", id="empty"),
    pytest.param('language = "es"\n', 1, "language", "does not match", id="language"),
    pytest.param('[stages]\nrecovery = "Rest"\n', 2, "stages.recovery", "must be a table",
                 id="stage-not-table"),
    pytest.param('colour = "blue"\n', 1, "colour", "unknown key", id="unknown-top-level"),
]


@pytest.mark.parametrize(("text", "line", "key", "message"), BAD_OVERRIDES)
def test_bad_override_names_file_line_and_key(tmp_path: Path, text: str, line: int, key: str,
                                              message: str) -> None:
    override = write(tmp_path, text)
    with pytest.raises(ContentError) as caught:
        load_content("en", override=override)
    problems = caught.value.problems
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{override}:{line}: {key}: "), problems[0]
    assert message in problems[0]
    assert re.fullmatch(r".+:\d+: \S+: .+ \(.+\)", problems[0]), problems[0]
    assert str(caught.value) == problems[0]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    override = write(tmp_path, '[ui]\nmusic = 3\nback = true\n\n[stages.recovry]\nnow = "x"\n')
    with pytest.raises(ContentError) as caught:
        load_content("en", override=override)
    keys = [p.split(": ")[1] for p in caught.value.problems]
    assert keys == ["ui.music", "ui.back", "stages.recovry"]


def test_problems_come_in_the_order_of_the_file(tmp_path: Path) -> None:
    override = write(tmp_path, '[ui]\nminutes_to_go = "soon"\ncall_nurce = "x"\n')
    with pytest.raises(ContentError) as caught:
        load_content("en", override=override)
    assert [p.split(": ")[1] for p in caught.value.problems] == ["ui.minutes_to_go",
                                                                 "ui.call_nurce"]


def test_override_that_is_not_toml(tmp_path: Path) -> None:
    override = write(tmp_path, '[ui]\nmusic = "Music\n')
    with pytest.raises(ContentError) as caught:
        load_content("en", override=override)
    (problem,) = caught.value.problems
    assert problem.startswith(f"{override}:2: (toml): invalid TOML")


def test_override_that_does_not_exist(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(ContentError) as caught:
        load_content("en", override=missing)
    assert caught.value.problems == (f"{missing}:1: (file): file not found (an existing TOML file)",)


# -- languages and our own files -------------------------------------------------------


def test_unknown_language_is_a_clear_error() -> None:
    with pytest.raises(ContentError) as caught:
        load_content("xx")
    (problem,) = caught.value.problems
    assert "no content file for language 'xx'" in problem
    assert "one of: en" in problem


@pytest.mark.parametrize("language", ["", "../en", "EN", "en/../en", "english language"])
def test_language_must_be_a_code(language: str) -> None:
    with pytest.raises(ContentError, match="not a language code"):
        load_content(language)


def test_our_own_file_must_be_complete(tmp_path: Path) -> None:
    text = EN_FILE.read_text(encoding="utf-8")
    start = text.index("[stages.recovery]")
    end = text.index("[stages.going_home]")
    recovery = text[start:end]
    without_helps = recovery[:recovery.index("helps =")]
    text = text[:start] + without_helps + text[end:]
    text = text.replace('stage_of = "Step {number} of {count}"\n', "")
    write(tmp_path, text, "en.toml")
    with pytest.raises(ContentError) as caught:
        load_content("en", directory=tmp_path)
    problems = caught.value.problems
    assert [p.split(": ")[1] for p in problems] == ["ui.stage_of", "stages.recovery.helps"]
    assert all(": missing (" in p for p in problems)
    recovery_line = text[:text.index("[stages.recovery]")].count("\n") + 1
    assert problems[1].startswith(f"{tmp_path / 'en.toml'}:{recovery_line}: ")


def test_a_partial_override_cannot_fill_a_gap_in_our_file(tmp_path: Path) -> None:
    write(tmp_path, 'language = "en"\nname = "English"\n', "en.toml")
    override = write(tmp_path, '[idle]\ntitle = "Hello"\n')
    with pytest.raises(ContentError) as caught:
        load_content("en", override=override, directory=tmp_path)
    missing = [p for p in caught.value.problems if ": missing (" in p]
    assert len(missing) == len(caught.value.problems)
    assert len(missing) == (2 + len(UI_KEYS) + len(CALL_KEYS) + len(BREATHE_KEYS) + len(BUILTIN)
                            + len(STAGES) * len(STAGE_FIELDS))
    assert any(": idle.title: missing" in p for p in missing)


def test_content_module_does_not_import_qt() -> None:
    code = ("import sys, kiosk.content\n"
            "print(','.join(sorted(m for m in sys.modules if m.startswith(('PySide6', "
            "'shiboken6')))))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ""


def test_content_module_is_strictly_typed() -> None:
    pytest.importorskip("mypy")
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "kiosk/content.py"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_spanish_is_complete_and_calm() -> None:
    spanish = load_content("es")
    english = load_content("en")
    assert spanish.name == "Español"
    assert set(spanish.stages) == set(english.stages)
    for stage in spanish.stages.values():
        for text in (stage.title, stage.short, stage.now, stage.feel, stage.helps):
            assert text.strip()
            assert "!" not in text and "¡" not in text
    assert spanish.text("minutes_to_go", minutes=20) == "Minutos que faltan: unos 20"


def test_call_sentences_are_calm_and_honest(en: Content) -> None:
    for key in CALL_KEYS:
        sentence = en.call_text(key, reason="I feel sick")
        assert "!" not in sentence and "{" not in sentence, key
        assert len(words(sentence)) <= 24, key
    # "recorded" is only said by the texts shown once the log has the call
    for key in ("sending", "recorded_chime", "recorded_message", "waiting"):
        assert "recorded" in en.call[key], key
    assert "recorded" not in en.call["fallback"]
    assert "call button" in en.call["fallback"]
    assert "chime" in en.call["recorded_chime"]
    assert "chime" not in en.call["recorded_message"] + en.call["sending"] + en.call["waiting"]
    assert en.call["acknowledged"] == "A nurse has seen your call and is coming."
    assert en.text("cancel_call") == "Cancel call"


def test_reasons_are_shown_as_configured_unless_translated() -> None:
    english, spanish = load_content("en"), load_content("es")
    assert english.reason("I feel sick") == "I feel sick"
    assert spanish.reason("I feel sick") == "Tengo náuseas"
    assert spanish.reason("My own reason") == "My own reason"
    assert spanish.call_text("reason_recorded", reason="x") == "Nos ha dicho: x."
    assert set(spanish.call) == set(CALL_KEYS)


def test_a_clinic_may_translate_its_own_reasons(tmp_path: Path) -> None:
    override = write(tmp_path, '[reasons]\n"I am cold" = "Tengo frío"\n"Empty" = ""\n')
    with pytest.raises(ContentError) as caught:
        load_content("es", override=override)
    assert caught.value.problems == (f"{override}:3: reasons.Empty: is empty (some text)",)
    override.write_text('[reasons]\n"I am cold" = "Tengo frío"\n', encoding="utf-8")
    assert load_content("es", override=override).reason("I am cold") == "Tengo frío"


def test_call_placeholders_are_checked(tmp_path: Path) -> None:
    override = write(tmp_path, '[call]\nreason_recorded = "You said it."\n')
    with pytest.raises(ContentError) as caught:
        load_content("en", override=override)
    assert "missing placeholder {reason}" in caught.value.problems[0]


#: The [breathe] texts that are whole sentences; the others are labels.
BREATHE_SENTENCES = ("lead", "lead_still", "safe", "safe_more", "finished", "finished_more")


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_breathing_texts_are_complete_short_and_punctuated(language: str) -> None:
    content = load_content(language)
    assert set(content.breathe) == set(BREATHE_KEYS)
    assert set(BUILTIN) <= set(content.patterns)
    for key, text in content.breathe.items():
        if key in BREATHE_SENTENCES:
            assert text.endswith("."), key
            assert all(len(words(s)) <= MAX_SENTENCE_WORDS for s in sentences(text)), key
        else:
            assert not text.endswith("."), key
            assert len(words(text)) <= 5, key
        assert "!" not in text and "¡" not in text, key
    for name in BUILTIN:
        assert len(content.pattern(name)) <= 16, name  # fits a tile of four in a row
    assert content.breathe_text("minutes", minutes=5) == "5 min"


def test_i_feel_dizzy_is_answered_with_calm_words(en: Content) -> None:
    assert en.breathe["dizzy"] == "I feel dizzy"
    assert en.breathe["safe"] == "Breathe normally. You are safe."
    assert "nurse" in en.breathe["safe_more"]
    assert [en.breathe[k] for k in ("inhale", "hold", "exhale")] == ["Breathe in", "Hold", "Breathe out"]


def test_a_clinic_may_name_its_own_breathing_pattern(tmp_path: Path) -> None:
    override = write(tmp_path, '[patterns]\n"Slow four" = "Cuatro lentos"\nbox = "Caja"\n')
    spanish = load_content("es", override=override)
    assert spanish.pattern("Slow four") == "Cuatro lentos"
    assert spanish.pattern("box") == "Caja"
    assert spanish.pattern("resonant") == "Lento y parejo"
    assert load_content("es").pattern("Slow four") == "Slow four"


def test_a_breathing_text_needs_its_placeholder(tmp_path: Path) -> None:
    override = write(tmp_path, '[breathe]\nminutes = "three minutes"\nstrat = "Go"\n')
    with pytest.raises(ContentError) as caught:
        load_content("en", override=override)
    assert [p.split(": ", 2)[1] for p in caught.value.problems] == ["breathe.minutes", "breathe.strat"]
    assert "missing placeholder {minutes}" in caught.value.problems[0]
    assert "did you mean 'start'?" in caught.value.problems[1]
