"""Staff actions on a profile: tags, notes and marketing consent, with their errors and timeline."""

import pytest
from django.contrib.auth import get_user_model

from saleor_crm_plugin.profiles.actions import (
    MAX_TAG_LENGTH,
    ProfileActionError,
    add_note,
    delete_note,
    set_marketing_consent,
    update_tags,
)
from saleor_crm_plugin.profiles.models import CustomerNote

pytestmark = pytest.mark.django_db


def timeline(profile):
    return list(profile.timeline.values_list("kind", "summary"))


def test_tags_are_trimmed_lowercased_and_kept_once(ada):
    assert update_tags(ada, add=[" VIP ", "vip", "Wholesale", "  "]) == ["vip", "wholesale"]
    assert update_tags(ada, add=["vip"]) == ["vip", "wholesale"]
    assert update_tags(ada, add=["b2b"], remove=["VIP", "unknown"]) == ["b2b", "wholesale"]
    assert sorted(ada.tags.values_list("name", flat=True)) == ["b2b", "wholesale"]


def test_a_too_long_tag_is_refused_and_changes_nothing(ada):
    update_tags(ada, add=["vip"])

    with pytest.raises(ProfileActionError) as error:
        update_tags(ada, add=["ok", "x" * (MAX_TAG_LENGTH + 1)], remove=["vip"])

    assert (error.value.field, error.value.code) == ("tags", "INVALID")
    assert list(ada.tags.values_list("name", flat=True)) == ["vip"]
    assert update_tags(ada, add=["y" * MAX_TAG_LENGTH]) == ["vip", "y" * MAX_TAG_LENGTH]


def test_add_note_records_it_on_the_timeline(ada):
    staff = get_user_model().objects.create_user("staff@example.com")

    note = add_note(ada, "  Prefers phone calls.\n", author=staff)

    assert (note.body, note.author, note.profile) == ("Prefers phone calls.", staff, ada)
    assert timeline(ada)[0] == ("note.added", "Note: Prefers phone calls.")
    assert ada.timeline.get(kind="note.added").data == {"note_id": note.pk}


def test_a_long_note_is_kept_whole_and_shortened_on_the_timeline(ada):
    body = "word " * 100
    note = add_note(ada, body)

    assert note.body == body.strip()
    assert ada.timeline.get(kind="note.added").summary == "Note: " + body.strip()[:200]


def test_an_empty_note_is_refused(ada):
    with pytest.raises(ProfileActionError) as error:
        add_note(ada, " \n\t ")

    assert (error.value.field, error.value.code) == ("body", "REQUIRED")
    assert not CustomerNote.objects.exists()
    assert not ada.timeline.filter(kind="note.added").exists()


def test_delete_note_removes_it_and_only_its_timeline_entry(ada):
    keep = add_note(ada, "keep me")
    gone = add_note(ada, "delete me")

    delete_note(gone)

    assert list(ada.notes.all()) == [keep]
    assert [summary for kind, summary in timeline(ada) if kind == "note.added"] == ["Note: keep me"]


def test_marketing_consent_changes_are_recorded(ada):
    set_marketing_consent(ada, False, source="shopper")
    ada.refresh_from_db()
    assert ada.marketing_consent is False

    set_marketing_consent(ada, True, source="staff")
    ada.refresh_from_db()
    assert (ada.marketing_consent, ada.consent_source) == (True, "staff")
    consent = [summary for kind, summary in timeline(ada) if kind == "consent.changed"]
    assert consent == ["Subscribed to marketing (staff)", "Unsubscribed from marketing (shopper)"]  # newest first
