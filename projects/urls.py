from django.urls import path

from . import views

app_name = "projects"
urlpatterns = [
    path("", views.showcase, name="showcase"),
    path("export.xlsx", views.export, name="export"),
    path("workspace/", views.workspace, name="workspace"),
    path("import/", views.import_projects, name="import"),
    path("import/confirm/", views.import_confirm, name="import-confirm"),
    path("import/template.xlsx", views.import_template, name="import-template"),
    path("evaluation-method/", views.evaluation_method, name="method"),
    path("years/", views.years, name="years"),
    path("years/open/", views.year_open, name="year-open"),
    path("years/<int:year>/current/", views.year_current, name="year-current"),
    path("years/<int:year>/carry-over/", views.carry_over, name="carry-over"),
    path("years/<int:year>/carry-over/confirm/", views.carry_over_confirm, name="carry-over-confirm"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/ledger/", views.ledger, name="ledger"),
    path("<str:code>/ledger.xlsx", views.ledger_xlsx, name="ledger-xlsx"),
    path("<str:code>/evaluate/", views.evaluate, name="evaluate"),
    path("<str:code>/manage/", views.manage, name="manage"),
    path("<str:code>/status/", views.status_change, name="status"),
    path("<str:code>/campaign/", views.campaign_tag, name="campaign"),
    path("<str:code>/statements/new/", views.statement_new, name="statement-new"),
    path("<str:code>/milestones/<int:pk>/done/", views.milestone_done, name="milestone-done"),
    path("<str:code>/indicators/", views.indicators_update, name="indicators"),
    path("<str:code>/photos/", views.photos_add, name="photos"),
]
