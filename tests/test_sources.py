"""source_kind and normalise_name on varied source phrases (LABELS.md 1 and 2b rules 2, 3, 9)."""

from __future__ import annotations

import pytest

from attrib.sources import ATTRIBUTION_OF_KIND, normalise_name, source_kind, word_list


@pytest.mark.parametrize(
    ("phrase", "kind"),
    [
        # Pronouns: their referent is named in the article, so they are on the record.
        ("he", "pronoun"),
        ("They", "pronoun"),
        # Named people and identifiable roles.
        ("Defense Minister Kim Yong Hyun", "person"),
        ("Sen. Elizabeth Warren", "person"),
        ("the president", "person"),
        ("his spokesman", "person"),
        ("Moscow", "organisation"),  # a capital speaking for its government
        # Named bodies.
        ("the White House", "organisation"),
        ("The presidential office", "organisation"),
        ("the Defense Ministry", "organisation"),
        ("the Democratic Party of Korea", "organisation"),
        ("the National Assembly", "organisation"),
        ("Police", "organisation"),
        # A spokesperson of a named body speaks for it on the record (rule 9).
        ("an ICE spokeswoman", "organisation"),
        ("a spokesman for the ministry", "organisation"),
        # Outlets and documents relay facts (rule 3).
        ("Reuters", "publication"),
        ("broadcaster SBS", "publication"),
        ("The Korea Herald", "publication"),
        ("A report by Yonhap News Agency", "publication"),
        ("The report", "publication"),
        ("a new survey", "publication"),
        ("campaign finance records", "publication"),
        ("recent polls", "publication"),
        ("early results of exit polls", "publication"),
        # Outlets by their masthead, named or not in the lexicon.
        ("the Sun-Sentinel", "publication"),
        ("The Chicago Tribune", "publication"),
        ("KING-TV", "publication"),
        ("GB News", "publication"),
        # A named person in a role speaks as a person, whatever body the role names.
        ("Acme spokeswoman Jane Doe", "person"),
        ("State Department spokesman John Kirby", "person"),
        ("Post White House bureau chief Juliet Eilperin", "person"),
        ("the head of NATO, Hoop Scheffer", "person"),
        # Unnamed sources and plural groups (rule 2).
        ("a government source", "unnamed"),
        ("the source", "unnamed"),
        ("officials", "unnamed"),
        ("Officials", "unnamed"),
        ("senior officials", "unnamed"),
        ("people familiar with the matter", "unnamed"),
        ("a senior official who spoke on condition of anonymity", "unnamed"),
        ("some experts", "unnamed"),
        ("Two diplomats", "unnamed"),
        ("many Democrats", "unnamed"),
        ("Lawmakers", "unnamed"),
        ("a spokesman", "unnamed"),
        ("insiders", "unnamed"),
        ("", "unnamed"),
    ],
)
def test_source_kind(phrase: str, kind: str) -> None:
    assert source_kind(phrase) == kind


def test_every_kind_maps_to_an_attribution_label() -> None:
    assert ATTRIBUTION_OF_KIND["pronoun"] == "on_record"
    assert ATTRIBUTION_OF_KIND["publication"] == "according_to"
    assert ATTRIBUTION_OF_KIND["unnamed"] == "anonymous"


def test_ner_breaks_ties_only() -> None:
    assert source_kind("Acme", ner=["ORGANIZATION"]) == "organisation"
    assert source_kind("officials", ner=["PERSON"]) == "unnamed"


@pytest.mark.parametrize(
    ("name", "normal"),
    [
        ("Defense Minister Kim", "kim"),
        ("Mr. Trump's", "trump"),
        ("Kim’s", "kim"),
        ("the White House", "white house"),
        ("President Yoon Suk Yeol", "yoon suk yeol"),
        ("National Security Adviser Shin Won-sik", "shin won-sik"),
        ("Sen. Elizabeth Warren", "elizabeth warren"),
        ("The Korea Herald", "korea herald"),
        ("broadcaster SBS", "sbs"),
        # Nothing but titles: keep the words rather than return an empty name.
        ("the President", "the president"),
    ],
)
def test_normalise_name(name: str, normal: str) -> None:
    assert normalise_name(name) == normal


def test_word_list_reads_lowercased_entries_without_comments() -> None:
    outlets = word_list("outlets")
    assert "reuters" in outlets and "yonhap" in outlets
    assert not any(item.startswith("#") or item != item.lower() for item in outlets)


@pytest.mark.parametrize("text", ["Moscow", "Seoul", "the Kremlin", "New Delhi", "Washington"])
def test_capitals_speaking_for_governments_are_organisations(text: str) -> None:
    assert source_kind(text) == "organisation"
    assert source_kind("George Washington") == "person"
