"""Media that calls carry (activity.media): kept through the call_media storage, shown on the history entry,
served to their owner only, removed with their rows whatever deletes them, expired after the retention."""

import io
import os
import re
import subprocess
import sys
import uuid
import wave
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.storage import storages
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from activity.media import MediaItem, keep_media, media_for_history, purge_deleted_media
from activity.models import CallMedia, CallMediaDeletion
from activity.tests.factories import UserHistoryFactory
from tests.conftest import scalar, sql
from tests.test_site_guards import audit

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parents[2]


def png(width: int = 40, height: int = 30, colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


def wav(frames: int = 800) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(8000)
        sound.writeframes(b"\x00\x10" * frames)
    return out.getvalue()


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    """The call_media storage as configured by default (files on disk), in a folder of the test's own."""
    root = tmp_path / "call-media"
    settings.STORAGES = {
        **settings.STORAGES,
        "call_media": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root


@pytest.fixture
def entry(alice, model):
    return UserHistoryFactory(
        user=alice, model=model, prompt="Describe this picture", response="A red square."
    )


@pytest.fixture
def kept(media_root, entry):
    """An uploaded image sent with the call, an image and an audio file in its answer."""
    return keep_media(
        history_id=entry.pk,
        user_id=entry.user_id,
        items=[
            MediaItem(direction="output", kind="image", mime="image/png", data=png(64, 48)),
            MediaItem(direction="input", kind="image", mime="image/png", data=png(20, 10, (0, 0, 255))),
            MediaItem(direction="output", kind="audio", mime="audio/wav", data=wav()),
        ],
    )


def media_url(media: CallMedia) -> str:
    return reverse("history:media", args=[media.history_id, media.pk])


def stored(media_root: Path) -> list[str]:
    return sorted(str(path.relative_to(media_root)) for path in media_root.rglob("*") if path.is_file())


# --- keep_media -----------------------------------------------------------------------------------------
def test_keep_media_stores_each_file_and_inserts_its_rows_in_one_statement(media_root, entry):
    items = [
        MediaItem(direction="input", kind="image", mime="image/png", data=png(64, 48)),
        MediaItem(direction="output", kind="audio", mime="audio/wav", data=wav()),
    ]
    with CaptureQueriesContext(connection) as queries:
        rows = keep_media(history_id=entry.pk, user_id=entry.user_id, items=items)

    assert [q["sql"].split()[0] for q in queries.captured_queries if "call_media" in q["sql"]] == ["INSERT"]
    assert CallMedia.objects.filter(history=entry).count() == 2
    now = timezone.now()
    for row, item in zip(rows, items, strict=True):
        row.refresh_from_db()
        assert re.fullmatch(rf"calls/{now:%Y}/{now:%m}/{row.pk}\.(png|wav)", row.path)
        assert (media_root / row.path).read_bytes() == item.data
        assert row.size_bytes == len(item.data)
        assert (row.direction, row.kind, row.mime, row.user_id) == (
            item.direction,
            item.kind,
            item.mime,
            entry.user_id,
        )
        assert (
            timedelta(days=30) - timedelta(minutes=1)
            < row.expires_at - row.created_at
            < timedelta(days=30, minutes=1)
        )
    assert (rows[0].width, rows[0].height) == (64, 48)
    assert (rows[1].width, rows[1].height) == (None, None)
    assert stored(media_root) == sorted(row.path for row in rows)


def test_with_a_retention_of_zero_days_media_never_expire(media_root, entry, settings):
    settings.CALL_MEDIA_RETENTION_DAYS = 0
    [row] = keep_media(
        history_id=entry.pk, user_id=entry.user_id, items=[MediaItem("output", "audio", "audio/wav", wav())]
    )
    row.refresh_from_db()
    assert row.expires_at is None


@pytest.mark.parametrize(
    "item",
    [
        MediaItem("sideways", "image", "image/png", b"x"),  # type: ignore[arg-type]
        MediaItem("input", "video", "video/mp4", b"x"),  # type: ignore[arg-type]
        MediaItem("input", "image", "audio/wav", b"x"),
        MediaItem("output", "audio", "audio/wav", b""),
    ],
)
def test_keep_media_refuses_what_the_table_would_refuse_before_writing_any_file(media_root, entry, item):
    good = MediaItem("output", "image", "image/png", png())
    with pytest.raises(ValueError):
        keep_media(history_id=entry.pk, user_id=entry.user_id, items=[good, item])
    assert stored(media_root) == []
    assert not CallMedia.objects.exists()


def test_the_table_refuses_a_type_of_another_kind_and_an_empty_file(entry):
    for kind, mime, size in [
        ("audio", "image/png", 10),
        ("image", "image/png", 0),
        ("video", "video/mp4", 5),
    ]:
        with pytest.raises(IntegrityError), transaction.atomic():
            CallMedia.objects.create(
                history=entry,
                user=entry.user,
                direction="output",
                kind=kind,
                mime=mime,
                path=f"p-{kind}",
                size_bytes=size,
            )


def test_keep_media_deletes_its_files_again_when_the_insert_fails(media_root, entry):
    sql("SET CONSTRAINTS ALL IMMEDIATE")  # the foreign keys are deferred: make the missing entry fail now
    with pytest.raises(IntegrityError):
        keep_media(
            history_id=uuid.uuid4(),
            user_id=entry.user_id,
            items=[MediaItem("output", "image", "image/png", png())],
        )
    assert stored(media_root) == []


def test_media_for_history_gives_each_entrys_live_media_in_one_query(kept, entry, alice, model):
    other = UserHistoryFactory(user=alice, model=model)
    [old] = keep_media(
        history_id=other.pk, user_id=alice.pk, items=[MediaItem("output", "audio", "audio/wav", wav())]
    )
    bare = UserHistoryFactory(user=alice, model=model)
    CallMedia.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    with CaptureQueriesContext(connection) as queries:
        found = media_for_history([entry.pk, other.pk, bare.pk])

    assert len(queries.captured_queries) == 1
    assert list(found) == [entry.pk]
    assert [(m.direction, m.kind) for m in found[entry.pk]] == [
        ("input", "image"),
        ("output", "image"),
        ("output", "audio"),
    ]


# --- the history pages ------------------------------------------------------------------------------------
def test_the_detail_page_shows_what_was_sent_and_what_came_back(client, alice, entry, kept):
    answer_image, sent_image, answer_audio = kept
    client.force_login(alice)
    response = client.get(reverse("history:detail", args=[entry.pk]))
    html = response.content.decode()

    assert response.status_code == 200
    assert audit(html).page_problems() == []
    prompt_part, answer_part = html.split('id="response-title"')
    assert f'<img src="{media_url(sent_image)}" width="20" height="10" alt="Image you sent"' in prompt_part
    assert (
        f'<img src="{media_url(answer_image)}" width="64" height="48" alt="Image in the answer, 1 of 2"'
        in answer_part
    )
    assert f'<audio controls preload="none" src="{media_url(answer_audio)}">' in answer_part
    assert f'<a href="{media_url(answer_audio)}" download="answer-audio.wav">Download</a>' in answer_part
    assert ">Sent</span>" in prompt_part and ">Answer</span>" not in prompt_part
    assert answer_part.count(">Answer</span>") == 2
    assert "<script" not in prompt_part.split("<main", 1)[1]


def test_the_detail_page_of_an_entry_without_media_shows_none(client, alice, entry, media_root):
    client.force_login(alice)
    html = client.get(reverse("history:detail", args=[entry.pk])).content.decode()
    assert "call-media" not in html
    assert "/media/" not in html


def test_the_list_marks_entries_with_media_without_another_query(client, alice, model, entry, media_root):
    plain = UserHistoryFactory(user=alice, model=model, prompt="no pictures here")
    client.force_login(alice)
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("history:list"))
    keep_media(
        history_id=entry.pk,
        user_id=alice.pk,
        items=[
            MediaItem("output", "image", "image/png", png()),
            MediaItem("output", "audio", "audio/wav", wav()),
        ],
    )

    with CaptureQueriesContext(connection) as after:
        html = client.get(reverse("history:list")).content.decode()

    assert len(after.captured_queries) == len(before.captured_queries)
    rows = {row.split('href="')[1].split("/")[3]: row for row in html.split("<tr>")[2:]}
    assert '<span class="badge history-media"' in rows[str(entry.pk)]
    assert ">Audio · Image</span>" in rows[str(entry.pk)]
    assert "history-media" not in rows[str(plain.pk)]


# --- serving --------------------------------------------------------------------------------------------
def test_the_owner_gets_the_bytes_with_headers_that_let_nothing_run(client, alice, kept, media_root):
    client.force_login(alice)
    for media in kept:
        response = client.get(media_url(media))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == (media_root / media.path).read_bytes()
        assert response["Content-Type"] == media.mime
        assert response["Content-Disposition"] == f'inline; filename="{media.filename}"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == (
            "default-src 'none'; img-src 'self'; media-src 'self'; sandbox"
        )
        assert response["Cache-Control"] == "private, max-age=3600"


@pytest.mark.parametrize("persona", ["bob", "pat", "staff"])
def test_anyone_else_gets_a_404(client, kept, persona, request):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(media_url(kept[0]))
    assert response.status_code == 404
    assert "no longer kept" not in response.content.decode()


def test_the_media_of_one_entry_is_not_found_under_another(client, alice, model, kept):
    other = UserHistoryFactory(user=alice, model=model)
    client.force_login(alice)
    assert client.get(reverse("history:media", args=[other.pk, kept[0].pk])).status_code == 404


def test_visitors_are_sent_to_sign_in(client, kept):
    url = media_url(kept[0])
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={url}"


def test_an_expired_media_is_a_clear_404_for_its_owner(client, alice, kept, media_root):
    CallMedia.objects.filter(pk=kept[0].pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    client.force_login(alice)
    response = client.get(media_url(kept[0]))

    assert response.status_code == 404
    html = response.content.decode()
    assert "This image or audio is no longer kept" in html
    assert "kept for 30 days after the call" in html
    assert audit(html).page_problems() == []
    detail = client.get(reverse("history:detail", args=[kept[0].history_id])).content.decode()
    assert media_url(kept[0]) not in detail


def test_a_file_missing_from_storage_is_a_clear_404_not_a_500(client, alice, kept, media_root):
    (media_root / kept[0].path).unlink()
    client.force_login(alice)
    response = client.get(media_url(kept[0]))
    assert response.status_code == 404
    assert "no longer kept" in response.content.decode()


def test_a_purged_media_of_the_owners_entry_is_a_clear_404(client, alice, kept):
    CallMedia.objects.filter(pk=kept[0].pk).delete()
    purge_deleted_media()
    client.force_login(alice)
    response = client.get(media_url(kept[0]))
    assert response.status_code == 404
    assert "no longer kept" in response.content.decode()


# --- removal ---------------------------------------------------------------------------------------------
def test_deleting_the_entry_through_its_view_removes_its_rows_and_files(
    client, alice, entry, kept, media_root, django_capture_on_commit_callbacks
):
    keep_media(
        history_id=UserHistoryFactory(user=alice).pk,
        user_id=alice.pk,
        items=[MediaItem("output", "audio", "audio/wav", wav())],
    )
    [other_file] = [path for path in stored(media_root) if path not in {m.path for m in kept}]
    client.force_login(alice)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("history:delete", args=[entry.pk]))

    assert response.status_code == 302
    assert not CallMedia.objects.filter(history_id=entry.pk).exists()
    assert stored(media_root) == [other_file]
    assert not CallMediaDeletion.objects.exists()


def test_deleting_the_user_by_sql_queues_their_files_and_the_purge_removes_them(
    alice, bob, model, kept, media_root
):
    bobs = keep_media(
        history_id=UserHistoryFactory(user=bob, model=model).pk,
        user_id=bob.pk,
        items=[MediaItem("input", "image", "image/png", png())],
    )

    sql("DELETE FROM users WHERE user_id = %s", [alice.pk])

    assert scalar("SELECT count(*) FROM call_media WHERE user_id = %s", [alice.pk]) == 0
    assert sorted(CallMediaDeletion.objects.values_list("path", flat=True)) == sorted(m.path for m in kept)
    assert len(stored(media_root)) == 4, "nothing is removed from storage before the purge"

    assert purge_deleted_media() == 3

    assert stored(media_root) == [bobs[0].path]
    assert not CallMediaDeletion.objects.exists()


def test_the_purge_is_safe_to_repeat_and_a_missing_file_is_fine(kept, media_root):
    (media_root / kept[0].path).unlink()
    CallMedia.objects.all().delete()

    assert purge_deleted_media() == 3
    assert purge_deleted_media() == 0
    assert stored(media_root) == []


def test_the_purge_never_deletes_a_file_a_row_still_names(kept, media_root):
    CallMediaDeletion.objects.create(path=kept[0].path)
    assert purge_deleted_media() == 1
    assert (media_root / kept[0].path).exists()


def test_a_purge_limit_bounds_the_work(kept, media_root):
    CallMedia.objects.all().delete()
    assert purge_deleted_media(limit=2) == 2
    assert CallMediaDeletion.objects.count() == 1
    assert len(stored(media_root)) == 1


def test_call_medias_keys_cascade_in_the_database():
    rows = sql(
        "SELECT confrelid::regclass::text, confdeltype FROM pg_constraint "
        "WHERE contype = 'f' AND conrelid = 'call_media'::regclass ORDER BY 1"
    )
    assert rows == [("user_history", "c"), ("users", "c")]


# --- expiry ----------------------------------------------------------------------------------------------
def test_the_expire_command_removes_expired_media_only(alice, model, kept, media_root):
    forever = keep_media(
        history_id=UserHistoryFactory(user=alice, model=model).pk,
        user_id=alice.pk,
        items=[MediaItem("output", "audio", "audio/wav", wav())],
    )
    CallMedia.objects.filter(pk=forever[0].pk).update(expires_at=None)
    expired = kept[:2]
    CallMedia.objects.filter(pk__in=[m.pk for m in expired]).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    out = io.StringIO()

    call_command("expire_call_media", stdout=out)

    assert out.getvalue().strip() == "Expired 2 media rows; removed 2 queued files."
    assert sorted(CallMedia.objects.values_list("pk", flat=True)) == sorted([kept[2].pk, forever[0].pk])
    assert stored(media_root) == sorted([kept[2].path, forever[0].path])
    out = io.StringIO()
    call_command("expire_call_media", stdout=out)
    assert out.getvalue().strip() == "Expired 0 media rows; removed 0 queued files."


def test_expiry_works_in_batches(alice, kept, media_root):
    from activity.media import expire_media

    CallMedia.objects.update(expires_at=timezone.now() - timedelta(seconds=5))
    assert expire_media(batch=2) == 3
    assert CallMediaDeletion.objects.count() == 3


# --- the storage, a setting away --------------------------------------------------------------------------
def test_another_storage_class_takes_the_media_through_the_alias(client, alice, entry, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "call_media": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    [media] = keep_media(
        history_id=entry.pk, user_id=alice.pk, items=[MediaItem("output", "image", "image/png", png())]
    )
    storage = storages["call_media"]
    assert storage.exists(media.path)

    client.force_login(alice)
    response = client.get(media_url(media))
    assert b"".join(response.streaming_content) == png()

    CallMedia.objects.all().delete()
    assert purge_deleted_media() == 1
    assert not storage.exists(media.path)


def settings_in_a_fresh_process(**environment: str) -> str:
    code = (
        "from django.conf import settings; s = settings.STORAGES['call_media']; "
        "print(s['BACKEND'], sorted(s['OPTIONS'].items()), settings.CALL_MEDIA_RETENTION_DAYS)"
    )
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DEBUG": "1",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/unused",
    } | environment
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_the_environment_picks_the_storage_and_the_retention():
    default = settings_in_a_fresh_process()
    assert default == (
        "django.core.files.storage.FileSystemStorage "
        f"[('location', '{BASE_DIR / '.data' / 'call-media'}')] 30"
    )
    switched = settings_in_a_fresh_process(
        CALL_MEDIA_STORAGE_BACKEND="django.core.files.storage.InMemoryStorage",
        CALL_MEDIA_STORAGE_OPTIONS='{"location": "calls"}',
        CALL_MEDIA_RETENTION_DAYS="7",
    )
    assert switched == "django.core.files.storage.InMemoryStorage [('location', 'calls')] 7"


def test_the_default_storage_is_outside_what_media_url_serves():
    from django.conf import settings as live

    location = Path(live.STORAGES["call_media"]["OPTIONS"]["location"]).resolve()
    assert not location.is_relative_to(Path(live.MEDIA_ROOT).resolve())


@pytest.mark.django_db(transaction=True)
def test_purges_running_at_once_remove_each_queued_file_once(alice, model, media_root):
    import threading

    from activity.media import PURGE_BATCH

    entry = UserHistoryFactory(user=alice, model=model)
    count = PURGE_BATCH * 3
    keep_media(
        history_id=entry.pk,
        user_id=alice.pk,
        items=[MediaItem("output", "audio", "audio/wav", n.to_bytes(2, "big")) for n in range(1, count + 1)],
    )
    CallMedia.objects.all().delete()
    barrier = threading.Barrier(3)
    settled: list[int] = []

    def purge() -> None:
        try:
            barrier.wait()
            settled.append(purge_deleted_media())
        finally:
            connection.close()

    threads = [threading.Thread(target=purge) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(settled) == count, settled
    assert stored(media_root) == []
    assert not CallMediaDeletion.objects.exists()
