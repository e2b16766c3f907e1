from django.urls import path

from oee.web import views

urlpatterns = [
    path("oee/", views.oee_index, name="oee-index"),
    path("oee/<str:line_code>/", views.line_page, name="oee-line"),
]
