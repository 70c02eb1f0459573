from django.http import HttpRequest

from wenku.notifications.domain import unread_count


def notifications(request: HttpRequest) -> dict[str, object]:
    """The header's unread count, for signed-in users only (one indexed count)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": unread_count(user)}
