"""Uploaded images: what is accepted, how it is stored, how it is served back.

Kept outside the apps so that the migrations of any app, including the history of an app a model
has left, can name the same function, and so that every component that takes a picture (a
reported problem, a budget milestone, later a proposal) treats it the same way:

- :func:`clean_image` decodes the upload with Pillow and writes a new file from its pixels alone.
  A file that is not a JPEG, PNG or WebP image is refused, whatever its name says; so is one too
  large in bytes or in pixels (a "decompression bomb": a small file that unpacks into gigabytes).
  The picture is turned upright from its EXIF orientation, then every piece of metadata (the
  camera, the time, the GPS position of the person's home) is left behind. The stored name is
  random and its extension is the detected format's.
- :func:`image_response` serves a stored picture with the content type of its extension, never
  guessed from the content, with ``nosniff`` and a policy that runs nothing, so a file can never
  become a page of the site.
"""

import datetime as dt
import io
import secrets
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

IMAGE_MAX_BYTES = 5 * 1024 * 1024
# 40 megapixels: the largest phone cameras' photos, about 160 MB once decoded. Anything larger is
# refused before its pixels are read.
IMAGE_MAX_PIXELS = 40_000_000
# Stored pictures are shrunk to this many pixels on their longer side: enough for any screen.
IMAGE_MAX_SIDE = 4096


@dataclass(frozen=True)
class ImageFormat:
    extension: str
    content_type: str
    modes: tuple[str, ...]  # the pixel modes this format stores as they are
    options: tuple[tuple[str, object], ...] = ()


# Pillow's format name -> how a picture of that format is written again.
FORMATS = {
    "JPEG": ImageFormat("jpg", "image/jpeg", ("RGB", "L"), (("quality", 88),)),
    "PNG": ImageFormat("png", "image/png", ("1", "L", "LA", "P", "RGB", "RGBA")),
    "WEBP": ImageFormat("webp", "image/webp", ("RGB", "RGBA"), (("quality", 88),)),
}
CONTENT_TYPES = {
    image_format.extension: image_format.content_type for image_format in FORMATS.values()
}
# What a form's file input offers to pick.
IMAGE_ACCEPT = ",".join(kind.content_type for kind in FORMATS.values())
# Files stored before pictures were re-encoded: served as images only under an image's extension.
CONTENT_TYPES |= {"jpeg": "image/jpeg", "gif": "image/gif"}


def _refuse(field: str, message: str) -> ValidationError:
    return ValidationError({field: message})


def _decode(upload: File, field: str) -> tuple[Image.Image, str]:
    """Open and fully decode the picture, refusing anything else or anything too large."""
    not_an_image = _("Send a JPEG, PNG or WebP image: this file is not one.")
    upload.seek(0)
    try:
        image = Image.open(upload, formats=list(FORMATS))
    except Image.DecompressionBombError as error:
        raise _refuse(field, _too_many_pixels()) from error
    except Exception as error:  # a hostile file may make any decoder raise anything
        raise _refuse(field, not_an_image) from error
    width, height = image.size
    if width * height > IMAGE_MAX_PIXELS:
        raise _refuse(field, _too_many_pixels())
    try:
        image.load()
    except Exception as error:
        raise _refuse(field, not_an_image) from error
    return image, image.format


def _too_many_pixels() -> str:
    return _("The image has too many pixels (%(megapixels)d megapixels at most).") % {
        "megapixels": IMAGE_MAX_PIXELS // 1_000_000
    }


def _upright_and_bounded(image: Image.Image) -> Image.Image:
    """Apply the EXIF orientation (a phone's portrait photo is stored sideways) and shrink."""
    upright = ImageOps.exif_transpose(image) or image
    if max(upright.size) > IMAGE_MAX_SIDE:
        upright = upright.copy()
        upright.thumbnail((IMAGE_MAX_SIDE, IMAGE_MAX_SIDE), Image.Resampling.LANCZOS)
    return upright


def _encode(image: Image.Image, image_format: ImageFormat, pillow_format: str) -> bytes:
    """Write the pixels alone: no EXIF, XMP or text chunks are passed on. The colour profile is
    kept, since without it a phone's wide-gamut photo shows wrong colours."""
    if image.mode not in image_format.modes:
        has_alpha = "A" in image.getbands() or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha and "RGBA" in image_format.modes else "RGB")
    options = dict(image_format.options)
    if image.info.get("icc_profile"):
        options["icc_profile"] = image.info["icc_profile"]
    buffer = io.BytesIO()
    image.save(buffer, format=pillow_format, **options)
    return buffer.getvalue()


def clean_image(upload: File, *, field: str) -> ContentFile:
    """The upload re-encoded from its pixels, named ``<random>.<extension of its format>``.

    Refusals are a ``ValidationError`` on ``field``, so a form shows them beside that field.
    """
    if upload.size is None or upload.size > IMAGE_MAX_BYTES:
        raise _refuse(
            field,
            _("The image is too large (%(megabytes)d MB at most).")
            % {"megabytes": IMAGE_MAX_BYTES // (1024 * 1024)},
        )
    image, pillow_format = _decode(upload, field)
    image_format = FORMATS[pillow_format]
    try:
        data = _encode(_upright_and_bounded(image), image_format, pillow_format)
    except Exception as error:  # decoded but not writable again: still not a usable picture
        raise _refuse(field, _("Send a JPEG, PNG or WebP image: this file is not one.")) from error
    finally:
        image.close()
    return ContentFile(data, name=f"{secrets.token_hex(8)}.{image_format.extension}")


def image_response(file: FieldFile, *, download_name: str) -> FileResponse:
    """Serve a stored picture under the content type of its extension, never guessed.

    ``download_name`` is the file name a person saving the picture gets (without extension). A
    stored file under any other extension (one from before re-encoding) is offered as a
    download, never shown.
    """
    if not file:
        raise Http404
    extension = PurePosixPath(file.name).suffix.lower().lstrip(".")
    content_type = CONTENT_TYPES.get(extension)
    try:
        handle = file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(
        handle,
        content_type=content_type or "application/octet-stream",
        as_attachment=content_type is None,
        filename=f"{download_name}.{extension if content_type else 'bin'}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def service_request_photo_path(instance, filename: str) -> str:
    """A dated folder and a random name: the uploader's file name never reaches the disk."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"service-requests/{dt.date.today():%Y/%m}/{secrets.token_hex(8)}.{extension}"
