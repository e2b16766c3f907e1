from django.urls import path

from mes.ops import views

urlpatterns = [
    path("health/live", views.live, name="health-live"),
    path("health/<str:name>", views.component, name="health"),
    path("metrics", views.metrics, name="metrics"),
]
