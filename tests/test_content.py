"""Patient texts: our English file is complete and calm; overrides are checked strictly.

Two kinds of tests. The first read the words we ship and hold them to the rules for
patient screens (short, plain, second person, present tense, no "!", always a way
to ask for help). The second feed the loader clinic override files, good and bad,
and check that every mistake comes back as one `FILE:LINE: key.path: ...` line.
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.breathing import BUILTIN
from kiosk.care import COMFORT_CHOICES, DISCHARGE_ITEMS, FEELINGS
from kiosk.content import (
    ABOUT_CARDS,
    ABOUT_KEYS,
    BREATHE_KEYS,
    CALL_KEYS,
    CARD_FIELDS,
    CHECKIN_KEYS,
    COMFORT_KEYS,
    CONTENT_DIR,
    DISCHARGE_KEYS,
    STAGE_FIELDS,
    UI_KEYS,
    AboutCard,
    Content,
    ContentError,
    StageText,
    available_languages,
    load_content,
    load_contents,
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
#: The same in Spanish (the future tense: a few common verbs).
AVOID_ES = (
    "catéter", "intravenosa", "intravenoso", "disociación", "disociativo", "alucinación",
    "alucinaciones", "ketamina", "sedación", "suero", "cura", "curar", "curación", "garantiza",
    "emergencia", "peligro", "peligroso", "advertencia", "alarma", "será", "estará", "podrá",
    "sentirá", "tendrá", "debe",
)
AVOID_BY_LANGUAGE = {"en": AVOID, "es": AVOID_ES}
LANGUAGES = ("en", "es")


@pytest.fixture(scope="module")
def en() -> Content:
    return load_content("en")


@pytest.fixture(scope="module", params=LANGUAGES)
def ours(request: pytest.FixtureRequest) -> Content:
    """Each of our own languages in turn."""
    return load_content(request.param)


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
    texts.update({f"about.{key}": value for key, value in content.about.items()})
    for card, about_card in zip(ABOUT_CARDS, content.about_cards, strict=True):
        for field in CARD_FIELDS:
            texts[f"about.{card}.{field}"] = getattr(about_card, field)
    for table in ("checkin", "comfort", "discharge"):
        texts.update({f"{table}.{key}": value for key, value in getattr(content, table).items()})
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
def test_every_stage_has_every_field_within_limits(ours: Content, stage: str) -> None:
    stage_text = ours.stages[stage]
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


def test_no_exclamation_marks_anywhere(ours: Content) -> None:
    file = CONTENT_DIR / f"{ours.language}.toml"
    assert "!" not in file.read_text(encoding="utf-8")
    for key, text in all_texts(ours).items():
        assert "!" not in text and "¡" not in text, key


def test_sentences_are_short(ours: Content) -> None:
    for key, text in all_texts(ours).items():
        for sentence in sentences(text):
            assert len(words(sentence)) <= MAX_SENTENCE_WORDS, f"{key}: {sentence!r}"


def test_first_sentence_of_now_is_short_enough_for_big_type(ours: Content) -> None:
    for stage, stage_text in ours.stages.items():
        first = sentences(stage_text.now)[0]
        assert len(first) <= 60, f"{stage}: {first!r}"


def test_no_jargon_no_alarm_no_promises_present_tense(ours: Content) -> None:
    avoid = AVOID_BY_LANGUAGE[ours.language]
    for key, text in all_texts(ours).items():
        found = {w for w in re.findall(r"\w+", text.lower()) if w in avoid}
        assert not found, f"{key}: {sorted(found)} in {text!r}"


def test_stage_paragraphs_speak_to_the_patient(en: Content) -> None:
    for stage, stage_text in en.stages.items():
        for field in ("now", "feel", "helps"):
            text = getattr(stage_text, field).lower()
            assert re.search(r"\byour?\b", text), f"{stage}.{field} is not in second person"


#: How each language asks the patient to press a button, as in "press Call nurse".
PRESS = {"en": "press", "es": "pulse"}


def test_every_stage_says_how_to_ask_for_help(ours: Content) -> None:
    button = ours.ui["call_nurse"]
    asks = f"{PRESS[ours.language]} {button}".lower()  # "Press Call nurse" starts a sentence
    assert button in ours.idle_message
    for stage, stage_text in ours.stages.items():
        assert asks in stage_text.helps.lower() and button in stage_text.helps, stage
    safety = ours.about_cards[ABOUT_CARDS.index("safety")].text
    assert asks in safety.lower() and button in safety


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
    no_driving = en.discharge["no_driving"].lower()
    assert "drive" in no_driving and "tomorrow" in no_driving
    assert "responsible adult" in en.discharge["adult_home"]
    assert "mood" in en.stages["going_home"].helps


#: Words that show each fact, per language: (infusion_complete field, words, one of which).
REENTRY = {
    "en": [("now", ("finished",)), ("now", ("seated", "chair")),
           ("feel", ("strange",)), ("feel", ("little while",)), ("feel", ("fades", "passes")),
           ("helps", ("press call nurse before you stand up",))],
    "es": [("now", ("terminado",)), ("now", ("sentado", "sillón")),
           ("feel", ("extraña",)), ("feel", ("un rato",)), ("feel", ("se va", "pasa")),
           ("helps", ("pulse llamar a enfermería antes de ponerse de pie",))],
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_reentry_facts_are_told_when_the_medicine_stops(language: str) -> None:
    # Finished; stay seated; the room may feel strange for a little while, and it
    # passes; press Call nurse before you stand up.
    stage = load_content(language).stages["infusion_complete"]
    for field, choices in REENTRY[language]:
        text = getattr(stage, field).lower()
        assert any(word in text for word in choices), f"{field}: none of {choices} in {text!r}"


#: Words of the checklist the going-home paragraphs must not repeat, per language.
CHECKLIST_WORDS = {"en": ("drive", "responsible adult", "drink water"),
                   "es": ("conduzca", "adulto responsable", "beba agua")}
#: The mood journal and the clinic's follow-up, per language.
KEEP_IN_HELPS = {"en": ("mood", "clinic contacts you"), "es": ("ánimo", "clínica le contacta")}


@pytest.mark.parametrize("language", LANGUAGES)
def test_going_home_does_not_repeat_the_checklist(language: str) -> None:
    home = load_content(language).stages["going_home"]
    for field in ("now", "feel", "helps"):
        for word in CHECKLIST_WORDS[language]:
            assert word not in getattr(home, field).lower(), f"{field} repeats {word!r}"
    for word in KEEP_IN_HELPS[language]:
        assert word in home.helps, word


def test_button_labels_are_short_and_match_accessible_names(en: Content) -> None:
    for key in BUTTONS:
        assert len(words(en.ui[key])) <= 2, key
    for key in ("about", "how_feeling", "comfort"):  # smaller buttons, a few words
        assert len(words(en.ui[key])) <= 3, key
    assert en.ui["call_nurse"] == "Call nurse"
    assert en.ui["music"] == "Music"
    assert en.ui["breathe"] == "Breathe"
    for key, label in en.ui.items():
        assert len(words(label)) <= 10, key


def test_ui_labels_have_no_closing_full_stop(ours: Content) -> None:
    # The stage screen joins labels into sentences and adds its own full stops.
    for key, label in ours.ui.items():
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
    for table in ("about", "checkin", "comfort", "discharge"):
        with pytest.raises(TypeError):
            getattr(en, table)["title"] = "x"
    assert isinstance(en.about_cards, tuple)
    with pytest.raises(dataclasses.FrozenInstanceError):
        en.about_cards[0].title = "x"  # type: ignore[misc]


# -- about, check-in, comfort plan and going-home checklist ----------------------------


def test_the_key_sets_follow_the_care_model() -> None:
    assert ABOUT_CARDS == ("what", "safety", "feelings", "after")
    assert CARD_FIELDS == ("title", "text")
    assert [f"feel_{value}" for value in FEELINGS] == [k for k in CHECKIN_KEYS if k.startswith(
        "feel_")]
    assert set(COMFORT_CHOICES) <= set(COMFORT_KEYS)
    assert set(DISCHARGE_ITEMS) <= set(DISCHARGE_KEYS)
    assert len(COMFORT_KEYS) == len(COMFORT_CHOICES) + 5  # no choice shadows a label
    assert len(DISCHARGE_KEYS) == len(DISCHARGE_ITEMS) + 3
    assert ABOUT_KEYS["card_of"] == {"number", "count"}
    for keys in (CHECKIN_KEYS, COMFORT_KEYS, DISCHARGE_KEYS):
        assert not any(keys.values())
    assert {"about", "how_feeling", "comfort"} <= set(UI_KEYS)


def test_every_new_key_is_in_both_languages(ours: Content) -> None:
    assert {"about", "how_feeling", "comfort"} <= set(ours.ui)
    assert set(ours.about) == set(ABOUT_KEYS)
    assert len(ours.about_cards) == len(ABOUT_CARDS)
    assert all(isinstance(card, AboutCard) for card in ours.about_cards)
    assert set(ours.checkin) == set(CHECKIN_KEYS)
    assert set(ours.comfort) == set(COMFORT_KEYS)
    assert set(ours.discharge) == set(DISCHARGE_KEYS)
    for key, text in all_texts(ours).items():
        if key.split(".")[0] in ("about", "checkin", "comfort", "discharge"):
            assert text.strip(), key


#: Texts that are whole sentences (a full stop, or a question mark); the rest are labels.
SENTENCES = {
    "checkin": ("question", "lead", "thanks"),
    "comfort": ("question", "thanks"),
    "discharge": ("lead", *DISCHARGE_ITEMS),
}


def test_labels_and_sentences_are_punctuated_as_ours_are(ours: Content) -> None:
    for table, sentence_keys in SENTENCES.items():
        for key, text in getattr(ours, table).items():
            if key in sentence_keys:
                assert text.endswith((".", "?")), f"{table}.{key}: {text!r}"
            else:
                assert not text.endswith((".", ":", ";", "?")), f"{table}.{key}: {text!r}"
                assert len(words(text)) <= 6, f"{table}.{key}: {text!r}"
    for key, text in ours.about.items():
        assert not text.endswith((".", ":", ";")), f"about.{key}"
        assert len(words(text)) <= 4, f"about.{key}"
    for value in FEELINGS:  # under a face: one or two words
        assert len(words(ours.checkin_text(f"feel_{value}"))) <= 2, value
    assert len({ours.checkin[f"feel_{value}"] for value in FEELINGS}) == len(FEELINGS)
    assert len({ours.comfort[choice] for choice in COMFORT_CHOICES}) == len(COMFORT_CHOICES)


def test_about_cards_are_a_few_short_sentences(ours: Content) -> None:
    titles = [card.title for card in ours.about_cards]
    assert len(set(titles)) == len(titles)
    for name, card in zip(ABOUT_CARDS, ours.about_cards, strict=True):
        assert not card.title.endswith("."), name
        assert len(words(card.title)) <= 5, name
        assert 2 <= len(sentences(card.text)) <= 4, f"{name}: {card.text!r}"
        assert card.text.endswith("."), name
        assert len(words(card.text)) <= PARAGRAPH_TARGET, name
        assert re.search(r"\b(you|your|usted|su|sus|le|puede)\b", card.text.lower()), name


#: Facts each about card carries, per language: words that must all be there.
ABOUT_FACTS = {
    "en": {"what": ("small tube", "40 to 60 minutes"),
           "safety": ("nurse", "heart rate", "blood pressure", "oxygen", "Call nurse"),
           "feelings": ("floating", "dream", "blurred", "dizzy", "sick", "common", "passes"),
           "after": ("responsible adult", "drive", "tomorrow", "water", "mood", "clinic")},
    "es": {"what": ("tubo pequeño", "40 a 60 minutos"),
           "safety": ("enfermera", "pulso", "presión", "oxígeno", "Llamar a enfermería"),
           "feelings": ("flota", "sueño", "borroso", "mareo", "náuseas", "común", "se va"),
           "after": ("adulto responsable", "conduzca", "mañana", "agua", "ánimo", "clínica")},
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_about_cards_tell_the_facts_of_the_visit(language: str) -> None:
    content = load_content(language)
    for name, card in zip(ABOUT_CARDS, content.about_cards, strict=True):
        for fact in ABOUT_FACTS[language][name]:
            assert fact in card.text, f"{name}: {fact!r} not in {card.text!r}"


def test_the_new_texts_in_english(en: Content) -> None:
    assert en.text("about") == en.about_text("title") == "About your treatment"
    assert en.about_text("card_of", number=2, count=4) == "2 of 4"
    assert [en.about_text(k) for k in ("next", "previous", "done")] == ["Next", "Back", "Done"]
    assert en.checkin_text("question") == "How are you feeling right now?"
    assert [en.checkin_text(f"feel_{v}") for v in FEELINGS] == [
        "Very bad", "Not good", "Okay", "Good", "Very good"]
    assert en.comfort_text("music_softer") == "Softer music"
    assert en.comfort_text("talk_me_through") == "Help with my breathing"
    assert en.discharge_text("title") == "Before you go home"
    assert "call the clinic" in en.discharge_text("who_to_call")
    assert load_content("es").about_text("card_of", number=2, count=4) == "2 de 4"


@pytest.mark.parametrize("method", ["about_text", "checkin_text", "comfort_text",
                                    "discharge_text"])
def test_an_unknown_key_is_named_with_the_known_ones(en: Content, method: str) -> None:
    table = method.removesuffix("_text")
    first = next(iter(getattr(en, table)))
    with pytest.raises(KeyError, match=f"no {table} text 'nope' \\(one of: {first}, "):
        getattr(en, method)("nope")


# -- clinic overrides ------------------------------------------------------------------


def test_override_replaces_one_text_and_keeps_the_rest(tmp_path: Path, en: Content) -> None:
    override = write(tmp_path, '[stages.going_home]\nhelps = "Call 555 0100 with any question."\n')
    content = load_content("en", override=override)
    assert content.stages["going_home"].helps == "Call 555 0100 with any question."
    assert content.stages["going_home"].now == en.stages["going_home"].now
    assert content.stages["infusion"] == en.stages["infusion"]
    assert dict(content.ui) == dict(en.ui)
    assert content.idle_message == en.idle_message


def test_override_gives_the_clinics_phone_number_and_keeps_the_rest(tmp_path: Path,
                                                                    en: Content) -> None:
    override = write(tmp_path, '[discharge]\nwho_to_call = """\n  If you feel unwell at home,\n'
                               '  call 555 0100."""\n')
    content = load_content("en", override=override)
    assert content.discharge_text("who_to_call") == "If you feel unwell at home, call 555 0100."
    assert {k: v for k, v in content.discharge.items() if k != "who_to_call"} == {
        k: v for k, v in en.discharge.items() if k != "who_to_call"}
    assert content.about_cards == en.about_cards
    assert dict(content.checkin) == dict(en.checkin)
    assert dict(content.comfort) == dict(en.comfort)


def test_override_may_reword_one_about_card(tmp_path: Path, en: Content) -> None:
    override = write(tmp_path, '[about.after]\ntext = "Your nurse explains what comes next."\n')
    content = load_content("en", override=override)
    assert content.about_cards[3] == AboutCard(title=en.about_cards[3].title,
                                               text="Your nurse explains what comes next.")
    assert content.about_cards[:3] == en.about_cards[:3]


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
    pytest.param('[comfort]\nmusic_sofer = "Quiet music"\n', 2, "comfort.music_sofer",
                 "did you mean 'music_softer'", id="comfort-typo"),
    pytest.param('[discharge]\ntitle = "Home"\nwater = ""\n', 3, "discharge.water", "is empty",
                 id="discharge-empty"),
    pytest.param('[about]\ncard_of = "{number} done"\n', 2, "about.card_of",
                 "missing placeholder {count}", id="about-missing-placeholder"),
    pytest.param('[about.waht]\ntitle = "What"\n', 1, "about.waht", "did you mean 'what'",
                 id="about-card-typo"),
    pytest.param('[about.safety]\ntitel = "Safe"\n', 2, "about.safety.titel",
                 "did you mean 'title'", id="about-card-field-typo"),
    pytest.param('[about]\nwhat = "The medicine"\n', 2, "about.what", "must be a table",
                 id="about-card-not-table"),
    pytest.param('[about]\ntitle = ["About"]\n', 2, "about.title", "must be text",
                 id="about-label-not-text"),
    pytest.param('[checkin]\nfeel_3 = 3\n', 2, "checkin.feel_3", "must be text",
                 id="checkin-int"),
    pytest.param('[checkin]\nfeel_6 = "Great"\n', 2, "checkin.feel_6", "unknown checkin text",
                 id="checkin-no-sixth-face"),
    pytest.param('[checkin]\nthanks = "Thanks {name}."\n', 2, "checkin.thanks",
                 "unknown placeholder {name}", id="checkin-placeholder"),
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
                            + len(ABOUT_KEYS) + len(ABOUT_CARDS) * len(CARD_FIELDS)
                            + len(CHECKIN_KEYS) + len(COMFORT_KEYS) + len(DISCHARGE_KEYS)
                            + len(STAGES) * len(STAGE_FIELDS))
    assert any(": idle.title: missing" in p for p in missing)


def test_our_file_must_have_every_about_card(tmp_path: Path) -> None:
    text = EN_FILE.read_text(encoding="utf-8")
    start = text.index("[about.feelings]")
    end = text.index("[about.after]")
    text = text[:start] + text[end:]
    text = text.replace('confirmed = "Done"\n', "")
    write(tmp_path, text, "en.toml")
    with pytest.raises(ContentError) as caught:
        load_content("en", directory=tmp_path)
    assert [p.split(": ")[1] for p in caught.value.problems] == [
        "about.feelings.title", "about.feelings.text", "discharge.confirmed"]
    assert all(": missing (" in p for p in caught.value.problems)


# -- every configured language, with the clinic's folder -------------------------------


def test_load_contents_without_a_folder_is_ours() -> None:
    contents, problems = load_contents(["en", "es"], None)
    assert problems == []
    assert contents == {"en": load_content("en"), "es": load_content("es")}


def test_load_contents_applies_the_file_of_each_language(tmp_path: Path, en: Content) -> None:
    write(tmp_path, '[discharge]\nwho_to_call = "Call us on 555 0100."\n', "en.toml")
    write(tmp_path, '[discharge]\nwho_to_call = "Llame al 555 0100."\n', "es.toml")
    write(tmp_path, 'nonsense = "not a language of this kiosk"\n', "fr.toml")
    contents, problems = load_contents(("en", "es", "en"), tmp_path)
    assert problems == []
    assert list(contents) == ["en", "es"]
    assert contents["en"].discharge_text("who_to_call") == "Call us on 555 0100."
    assert contents["es"].discharge_text("who_to_call") == "Llame al 555 0100."
    assert contents["en"].stages == en.stages


def test_load_contents_with_a_folder_missing_a_language(tmp_path: Path) -> None:
    write(tmp_path, '[discharge]\nwho_to_call = "Llame al 555 0100."\n', "es.toml")
    contents, problems = load_contents(["en", "es"], tmp_path)
    assert problems == []
    assert contents["en"] == load_content("en")


def test_a_bad_override_falls_back_to_our_texts_and_says_why(tmp_path: Path) -> None:
    good = write(tmp_path, '[discharge]\nwho_to_call = "Call us on 555 0100."\n', "en.toml")
    bad = write(tmp_path, '[comfort]\nmusic_sofer = "x"\n[discharge]\nwater = ""\n', "es.toml")
    contents, problems = load_contents(["en", "es"], tmp_path)
    assert contents["es"] == load_content("es")  # ours alone, nothing of the bad file
    assert contents["en"] == load_content("en", override=good)
    assert [p.split(": ")[:2] for p in problems] == [[f"{bad}:2", "comfort.music_sofer"],
                                                      [f"{bad}:4", "discharge.water"]]


def test_a_dangling_link_in_the_folder_is_reported(tmp_path: Path) -> None:
    (tmp_path / "en.toml").symlink_to(tmp_path / "gone.toml")
    contents, problems = load_contents(["en"], tmp_path)
    assert contents["en"] == load_content("en")
    assert problems == [f"{tmp_path / 'en.toml'}:1: (file): file not found (an existing TOML file)"]


def test_our_own_broken_file_is_raised_not_returned(tmp_path: Path) -> None:
    ours_dir = tmp_path / "ours"
    ours_dir.mkdir()
    write(ours_dir, 'language = "en"\n', "en.toml")
    with pytest.raises(ContentError, match="missing"):
        load_contents(["en"], None, directory=ours_dir)


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
