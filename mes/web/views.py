"""Sign-in (password, or badge and PIN), sign-out and home: each role's way into its screens."""

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from mes import roles
from mes.actors import request_actor
from mes.auth import badge_locked_until
from mes.models import OperatorProfile

# The station a tablet was last used at (set by the station screen): after sign-in the operator
# lands there, and a tablet that has one offers the badge sign-in first.
STATION_COOKIE = "mes_station"


def _landing(request: HttpRequest) -> str:
    """Where a sign-in leads: the page asked for, else the tablet's station, else home."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(wanted, {request.get_host()}):
        return wanted
    station = request.COOKIES.get(STATION_COOKIE, "")
    if station:
        try:
            return reverse("station", args=[station])
        except NoReverseMatch:
            pass  # a cookie from an older build, or tampered with: ignore it
    return reverse(settings.LOGIN_REDIRECT_URL)


def _speak_their_language(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """A language set on the user's profile wins over the browser's from sign-in on."""
    profile = OperatorProfile.objects.filter(user=request_actor(request)).first()
    if profile and profile.language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            profile.language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
        )
    return response


class SignInView(auth_views.LoginView):
    template_name = "mes/signin.html"
    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        return _landing(self.request)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        return _speak_their_language(self.request, super().form_valid(form))

    def get(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        # A tablet that belongs to a station signs its operators in with badges.
        if request.COOKIES.get(STATION_COOKIE) and "password" not in request.GET:
            query = request.GET.urlencode()
            return redirect(reverse("signin-badge") + (f"?{query}" if query else ""))
        return super().get(request, *args, **kwargs)


class BadgeForm(forms.Form):
    badge_number = forms.CharField(max_length=32)
    pin = forms.CharField(max_length=12)


def signin_badge(request: HttpRequest) -> HttpResponse:
    """Sign in with a scanned badge and a PIN."""
    if request.user.is_authenticated:
        return HttpResponseRedirect(_landing(request))
    form = BadgeForm(request.POST or None)
    locked_until = None
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, **form.cleaned_data)
        if user is not None:
            login(request, user, backend="mes.auth.BadgePinBackend")
            return _speak_their_language(request, HttpResponseRedirect(_landing(request)))
        locked_until = badge_locked_until(form.cleaned_data["badge_number"])
    context = {
        "next": request.POST.get("next") or request.GET.get("next", ""),
        "refused": request.method == "POST",
        # A wrong PIN keeps the scanned badge: the operator types the PIN again, not both.
        "badge_number": request.POST.get("badge_number", "").strip()[:32],
        "locked_until": locked_until,
    }
    # A locked badge answers 429, as a locked password sign-in does (mes/web/lockout.py).
    return render(request, "mes/signin_badge.html", context, status=429 if locked_until else 200)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    held = roles.user_roles(request.user)
    return render(
        request,
        "mes/home.html",
        {
            "moves_units": bool(held & roles.MOVES_UNITS),
            "decides_quality": bool(held & roles.DECIDES_QUALITY),
            # The REST API is for those who integrate and configure, not for the shop floor.
            "reads_api": bool(held & roles.MAPS_TAGS),
        },
    )
