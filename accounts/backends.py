from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q


class UsernameOrPhoneBackend(ModelBackend):
    """Residents sign in with their phone number, staff with their username; both work everywhere."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        User = get_user_model()
        user = User.objects.filter(Q(username=username) | Q(phone=username)).order_by("id").first()
        if user is None:
            User().set_password(password)  # same work as a real check: no timing hint of unknown names
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
