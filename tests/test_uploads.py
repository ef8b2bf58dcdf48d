"""Uploaded pictures are decoded and written again: only pixels reach the disk, and they come
back as pictures, never as a page of the site."""

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from coproduce.service_requests.models import ServiceRequest
from coproduce.uploads import IMAGE_MAX_BYTES, IMAGE_MAX_SIDE, clean_image
from factories import RequestCategoryFactory

REPORT = {"description": "Mattresses behind number 12", "address": "12 Rue Pierre Legrand"}
HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"
GPS_IFD = 0x8825
ORIENTATION = 0x0112


def picture(kind: str = "JPEG", size=(20, 10), mode: str = "RGB", **options) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, "red").save(buffer, format=kind, **options)
    return buffer.getvalue()


def phone_photo() -> bytes:
    """A landscape-stored JPEG that says "turn me 90°" and where it was taken."""
    image = Image.new("RGB", (40, 20), "red")
    exif = image.getexif()
    exif[ORIENTATION] = 6
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (50.0, 37.0, 41.0), 3: "E", 4: (3.0, 5.0, 4.0)})
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG that announces a huge picture: a decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = zlib.compress(b"\x00" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )


def upload(data: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def refusal(data: bytes, name: str = "photo.jpg") -> str:
    with pytest.raises(ValidationError) as caught:
        clean_image(upload(data, name), field="photo")
    return " ".join(caught.value.message_dict["photo"])


@pytest.mark.parametrize(
    ("kind", "mode", "extension"),
    [("JPEG", "RGB", "jpg"), ("PNG", "RGBA", "png"), ("WEBP", "RGB", "webp")],
)
def test_each_accepted_format_is_stored_under_its_own_extension(kind, mode, extension):
    # The uploader's name says something else: the content decides.
    stored = clean_image(upload(picture(kind, mode=mode), "holiday.html"), field="photo")
    assert stored.name.endswith(f".{extension}") and "holiday" not in stored.name
    with Image.open(io.BytesIO(stored.read())) as again:
        assert again.format == kind and again.size == (20, 10)


def test_a_phone_photo_is_turned_upright_and_loses_its_gps_position_and_camera():
    stored = clean_image(upload(phone_photo()), field="photo")
    with Image.open(io.BytesIO(stored.read())) as again:
        assert again.size == (20, 40)
        exif = again.getexif()
        assert not exif.get_ifd(GPS_IFD) and ORIENTATION not in exif and 0x010F not in exif
        assert "exif" not in again.info


def test_a_picture_larger_than_any_screen_is_shrunk():
    stored = clean_image(upload(picture("PNG", size=(IMAGE_MAX_SIDE * 2, 10))), field="photo")
    with Image.open(io.BytesIO(stored.read())) as again:
        assert max(again.size) == IMAGE_MAX_SIDE


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\xff\xd8\xff\xe0" + HTML, "JPEG, PNG or WebP"),  # JPEG's first bytes, then a page
        (HTML, "JPEG, PNG or WebP"),
        (b"", "JPEG, PNG or WebP"),
        (picture("GIF", mode="P"), "JPEG, PNG or WebP"),
        (picture("BMP"), "JPEG, PNG or WebP"),
        (picture()[:60], "JPEG, PNG or WebP"),  # cut short
        (png_header_only(8000, 6000), "too many pixels (40 megapixels"),
        (png_header_only(100_000, 100_000), "too many pixels (40 megapixels"),
        (b"\xff" * (IMAGE_MAX_BYTES + 1), "too large (5 MB"),
    ],
    ids=["jpeg-then-html", "html", "empty", "gif", "bmp", "truncated", "bomb", "huge-bomb", "5MB"],
)
def test_anything_else_is_refused_with_a_message_on_the_field(data, expected):
    assert expected in refusal(data)


@pytest.fixture
def category(initiative):
    return RequestCategoryFactory(initiative=initiative)


def jpeg_then_html() -> bytes:
    """A real JPEG with a page appended: browsers that sniff would run it."""
    return picture() + HTML


@pytest.mark.django_db
def test_a_jpeg_named_html_is_served_back_as_a_jpeg_image_never_as_a_page(
    client, initiative, category, citizen
):
    client.force_login(citizen)
    url = reverse("service_requests:request_create", args=[initiative.slug, category.code])
    response = client.post(
        url,
        {**REPORT, "photo": upload(jpeg_then_html(), "x.html")},
    )
    assert response.status_code == 302
    report = ServiceRequest.objects.get()
    assert report.photo.name.endswith(".jpg")
    photo = client.get(reverse("service_requests:request_photo", args=[initiative.slug, report.pk]))
    body = b"".join(photo.streaming_content)
    assert photo["Content-Type"] == "image/jpeg"
    assert photo["X-Content-Type-Options"] == "nosniff"
    assert photo["Content-Disposition"] == f'inline; filename="request-{report.pk}.jpg"'
    assert "default-src 'none'" in photo["Content-Security-Policy"]
    assert b"<script>" not in body and Image.open(io.BytesIO(body)).format == "JPEG"


@pytest.mark.django_db
def test_the_report_form_names_the_photo_field_when_it_refuses_a_file(
    client, initiative, category, citizen
):
    client.force_login(citizen)
    url = reverse("service_requests:request_create", args=[initiative.slug, category.code])
    response = client.post(url, {**REPORT, "photo": upload(b"\xff\xd8\xff" + HTML)})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Send a JPEG, PNG or WebP image: this file is not one." in page
    assert 'id="id_photo_errors"' in page
    assert not ServiceRequest.objects.exists()


@pytest.mark.django_db
def test_a_file_stored_before_re_encoding_is_offered_as_a_download_not_shown(
    client, initiative, category, citizen
):
    report = ServiceRequest.objects.create(
        category=category,
        address="Here",
        created_at="2026-01-01T00:00Z",
        updated_at="2026-01-01T00:00Z",
    )
    report.photo.save("old.html", ContentFile(b"\xff\xd8\xff" + HTML))
    photo = client.get(reverse("service_requests:request_photo", args=[initiative.slug, report.pk]))
    assert photo["Content-Type"] == "application/octet-stream"
    assert photo["Content-Disposition"].startswith("attachment;")
    assert photo["X-Content-Type-Options"] == "nosniff"
