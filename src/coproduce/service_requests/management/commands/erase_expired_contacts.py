"""``coproduce erase_expired_contacts``: erase the contact details sent with service requests
once they have been closed for ``SERVICE_REQUEST_CONTACT_RETENTION_DAYS`` (180 by default).

Made for cron or a systemd timer, daily: it only erases what has expired, so running it more
often, or twice at once, does no harm. Each run writes one audit entry with the count.
"""

from django.core.management.base import BaseCommand

from coproduce.service_requests.services import (
    contact_retention_days,
    service_request_contacts_erase_expired,
)


class Command(BaseCommand):
    help = (
        "Erase the contact details (name, email, phone, device and account ids) of service "
        "requests closed longer ago than the retention period. Run it daily."
    )

    def handle(self, *args, **options) -> None:
        erased = service_request_contacts_erase_expired()
        self.stdout.write(
            f"Contact details erased from {erased} request(s) closed more than "
            f"{contact_retention_days()} days ago."
        )
