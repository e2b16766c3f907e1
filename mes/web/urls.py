from django.contrib.auth.views import LogoutView
from django.urls import include, path

from mes.web.views import SignInView, home, signin_badge

urlpatterns = [
    path("", home, name="home"),
    path("signin/", SignInView.as_view(), name="signin"),
    path("signin/badge/", signin_badge, name="signin-badge"),
    path("signout/", LogoutView.as_view(next_page="signin"), name="signout"),
    path("i18n/", include("django.conf.urls.i18n")),
]
