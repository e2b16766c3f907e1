"""Who acts: the user a service records as the one who did something.

Every service that takes the acting user annotates it with `Actor`; views hand it over with
`request_actor(request)`, which is the one place an anonymous visitor is told apart from a user.
"""

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

# The person behind a write, or None when the system acts (the bridge, a task, the demo).
Actor = User | None


def request_actor(request: HttpRequest) -> User:
    """The signed-in user of a request to a view that requires one.

    The view's permissions already turned anonymous visitors away; should one get through, the
    answer is 403 rather than a write recorded against nobody."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user
