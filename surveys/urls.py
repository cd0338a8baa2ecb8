from django.urls import path

from . import views

app_name = "surveys"
urlpatterns = [
    path("", views.survey_list, name="list"),
    path("suggest/", views.suggest, name="suggest"),
    path("suggestions/<int:pk>/", views.suggestion_detail, name="suggestion"),
    path("suggestions/export.xlsx", views.export_suggestions, name="export_suggestions"),
    path("coding/", views.coding, name="coding"),
    path("problems/", views.problem_list, name="problems"),
    path("problems/<int:pk>/", views.problem_detail, name="problem"),
    path("duties/", views.duty_list, name="duties"),
    path("duties/<int:pk>/", views.duty_detail, name="duty"),
    path("duties/<int:pk>/status/", views.duty_status, name="duty_status"),
    path("analytics/", views.analytics_index, name="analytics_index"),
    path("<int:pk>/", views.survey_answer, name="answer"),
    path("<int:pk>/thanks/", views.survey_thanks, name="thanks"),
    path("<int:pk>/enter/", views.survey_enter, name="enter"),
    path("<int:pk>/import/", views.survey_import, name="import"),
    path("<int:pk>/import/template.xlsx", views.survey_import_template, name="import_template"),
    path("<int:pk>/analytics/", views.survey_analytics, name="analytics"),
    path("<int:pk>/analytics.json", views.survey_analytics_json, name="analytics_json"),
    path("<int:pk>/export/responses.xlsx", views.export_responses, name="export_responses"),
]
