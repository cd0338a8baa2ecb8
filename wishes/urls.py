from django.urls import path

from . import views

app_name = "wishes"
urlpatterns = [
    path("", views.board, name="board"),
    path("new/", views.new, name="new"),
    path("new/done/", views.submitted, name="submitted"),
    path("track/", views.track, name="track"),
    path("track/lookup/", views.track_lookup, name="track-lookup"),
    path("mine/", views.mine, name="mine"),
    path("mine/claims/", views.mine, {"section": "claims"}, name="my-claims"),
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.manage_new, name="manage-new"),
    path("manage/dispatch/", views.dispatch_queue, name="dispatch-queue"),
    path("manage/dispatch/<str:code>/", views.dispatch, name="dispatch"),
    path("offers/", views.offers, name="offers"),
    path("offers/<int:pk>/<str:name>/", views.offer_action, name="offer-action"),
    path("cards/<int:community_id>/", views.card, name="card"),
    path("members/", views.members, name="members"),
    path("teams/", views.teams, name="teams"),
    path("teams/<int:pk>/", views.team, name="team"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/<str:name>/", views.action, name="action"),
]
