from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    path("register/", views.register, name="register"),
    path("me/", views.me, name="me"),
    path("me/data.json", views.me_data, name="me-data"),
    path("me/erase/", views.me_erase, name="me-erase"),
]
