"""Where uploaded files are stored. Kept outside the apps so that the migrations of any app,
including the history of an app a model has left, can name the same function."""

import datetime as dt
import secrets


def service_request_photo_path(instance, filename: str) -> str:
    """A dated folder and a random name: the uploader's file name never reaches the disk."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"service-requests/{dt.date.today():%Y/%m}/{secrets.token_hex(8)}.{extension}"
