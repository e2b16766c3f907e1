"""Sign-in, sign-out and home: each role's way into its screens."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mes import roles


class SignInView(auth_views.LoginView):
    template_name = "mes/signin.html"
    redirect_authenticated_user = True


@login_required
def home(request: HttpRequest) -> HttpResponse:
    held = roles.user_roles(request.user)
    return render(
        request,
        "mes/home.html",
        {
            "moves_units": bool(held & roles.MOVES_UNITS),
            "decides_quality": bool(held & roles.DECIDES_QUALITY),
        },
    )
