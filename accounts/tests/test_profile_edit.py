import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

pytestmark = pytest.mark.django_db

URL = reverse("me:profile_edit")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def image_bytes(fmt: str, size=(40, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(buffer, format=fmt)
    return buffer.getvalue()


def profile_data(**overrides):
    data = {
        "first_name": "Alice",
        "last_name": "Liddell",
        "phone_number": "+44 20 7946 0000",
        "country": "United Kingdom",
        "city": "Oxford",
        "bio": "Curious.\nVery curious.",
    }
    data.update(overrides)
    return data


def test_visitors_are_sent_to_sign_in(client):
    assert client.get(URL).url.startswith(reverse("accounts:login"))


def test_the_form_has_a_label_for_every_field(client, alice):
    client.force_login(alice)
    html = client.get(URL).content.decode()
    assert html.count("<h1") == 1
    assert 'enctype="multipart/form-data"' in html
    for field in ("first_name", "last_name", "phone_number", "country", "city", "bio", "profile_picture"):
        assert f'for="id_{field}"' in html


def test_it_saves_the_profile(client, alice):
    client.force_login(alice)
    response = client.post(URL, profile_data())
    assert response.url == reverse("me:profile")
    alice.refresh_from_db()
    assert (alice.city, alice.country, alice.phone_number) == ("Oxford", "United Kingdom", "+44 20 7946 0000")
    assert alice.bio == "Curious.\nVery curious."


def test_a_pending_user_can_edit_their_profile(client, pat):
    client.force_login(pat)
    client.post(URL, profile_data(city="Bergen"))
    pat.refresh_from_db()
    assert pat.city == "Bergen"


@pytest.mark.parametrize(("fmt", "ext"), [("JPEG", "jpg"), ("PNG", "png"), ("WEBP", "webp"), ("GIF", "gif")])
def test_it_stores_a_picture_under_a_fresh_name_with_its_real_extension(client, alice, media_root, fmt, ext):
    client.force_login(alice)
    upload = SimpleUploadedFile("../../evil name.png", image_bytes(fmt), content_type="image/png")
    client.post(URL, profile_data(profile_picture=upload))
    alice.refresh_from_db()
    name = alice.profile_picture.name
    assert name.startswith("profile_pictures/")
    assert name.endswith(f".{ext}")
    assert "evil" not in name
    assert (media_root / name).exists()
    html = client.get(reverse("me:profile")).content.decode()
    assert f'src="/media/{name}"' in html
    assert 'alt="Profile picture of Alice' in html


def test_a_file_that_is_not_an_image_is_refused_beside_the_field(client, alice):
    client.force_login(alice)
    upload = SimpleUploadedFile("me.png", b"<script>alert(1)</script>", content_type="image/png")
    response = client.post(URL, profile_data(city="Kept", profile_picture=upload))
    assert response.status_code == 200
    assert "Upload a valid image" in response.context["form"].errors["profile_picture"][0]
    assert 'value="Kept"' in response.content.decode()
    alice.refresh_from_db()
    assert not alice.profile_picture


def test_an_image_in_another_format_is_refused(client, alice):
    client.force_login(alice)
    upload = SimpleUploadedFile("me.bmp", image_bytes("BMP"), content_type="image/bmp")
    response = client.post(URL, profile_data(profile_picture=upload))
    assert response.context["form"].errors["profile_picture"] == ["Upload a JPEG, PNG, WebP or GIF picture."]


def test_a_picture_over_two_megabytes_is_refused(client, alice):
    client.force_login(alice)
    padding = b"\0" * (2 * 1024 * 1024)
    upload = SimpleUploadedFile("big.png", image_bytes("PNG") + padding, content_type="image/png")
    response = client.post(URL, profile_data(profile_picture=upload))
    assert response.status_code == 200
    assert "the limit is 2 MB" in response.context["form"].errors["profile_picture"][0]
    alice.refresh_from_db()
    assert not alice.profile_picture


def test_replacing_the_picture_removes_the_old_file(
    client, alice, media_root, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    client.post(URL, profile_data(profile_picture=SimpleUploadedFile("a.png", image_bytes("PNG"))))
    alice.refresh_from_db()
    old = media_root / alice.profile_picture.name
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, profile_data(profile_picture=SimpleUploadedFile("b.jpg", image_bytes("JPEG"))))
    alice.refresh_from_db()
    assert not old.exists()
    assert (media_root / alice.profile_picture.name).exists()


def test_clearing_the_picture_removes_it(client, alice, media_root, django_capture_on_commit_callbacks):
    client.force_login(alice)
    client.post(URL, profile_data(profile_picture=SimpleUploadedFile("a.png", image_bytes("PNG"))))
    alice.refresh_from_db()
    old = media_root / alice.profile_picture.name
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, profile_data(remove_picture="on"))
    alice.refresh_from_db()
    assert not alice.profile_picture
    assert not old.exists()


def test_the_remove_option_appears_only_when_there_is_a_picture(client, alice):
    client.force_login(alice)
    assert 'name="remove_picture"' not in client.get(URL).content.decode()
    client.post(URL, profile_data(profile_picture=SimpleUploadedFile("a.png", image_bytes("PNG"))))
    html = client.get(URL).content.decode()
    assert 'name="remove_picture"' in html
    assert 'alt="Your current profile picture"' in html


def test_a_new_upload_wins_over_remove(client, alice):
    client.force_login(alice)
    client.post(URL, profile_data(profile_picture=SimpleUploadedFile("a.png", image_bytes("PNG"))))
    client.post(
        URL,
        profile_data(remove_picture="on", profile_picture=SimpleUploadedFile("b.gif", image_bytes("GIF"))),
    )
    alice.refresh_from_db()
    assert alice.profile_picture.name.endswith(".gif")


def test_saving_without_a_file_keeps_the_picture(client, alice):
    client.force_login(alice)
    client.post(URL, profile_data(profile_picture=SimpleUploadedFile("a.png", image_bytes("PNG"))))
    alice.refresh_from_db()
    before = alice.profile_picture.name
    client.post(URL, profile_data(city="Bath"))
    alice.refresh_from_db()
    assert alice.profile_picture.name == before
    assert alice.city == "Bath"


def test_a_malformed_phone_number_is_refused_and_input_kept(client, alice):
    client.force_login(alice)
    response = client.post(URL, profile_data(phone_number="call me maybe"))
    assert "Enter a phone number" in response.context["form"].errors["phone_number"][0]
    assert 'value="call me maybe"' in response.content.decode()


def test_overlong_fields_get_errors_not_a_500(client, alice):
    client.force_login(alice)
    response = client.post(URL, profile_data(city="x" * 500, bio="y" * 5000))
    assert response.status_code == 200
    assert {"city", "bio"} <= set(response.context["form"].errors)
