from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("dashboard/", views.dashboard_view, name="dashboard"),
    path("bulletins/", views.bulletin_list, name="bulletins"),
    path("bulletins/<int:pk>/", views.bulletin_detail, name="bulletin"),
    path("bulletins/<int:pk>/export.xlsx", views.bulletin_xlsx, name="bulletin-xlsx"),
    path("reports/", views.report_list, name="reports"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/export.xlsx", views.report_xlsx, name="report-xlsx"),
    path("reports/<int:pk>/mine/", views.report_mine, name="report-mine"),
    path("reports/<int:pk>/<str:name>/", views.report_action, name="report-action"),
    path("orders/", views.order_list, name="orders"),
    path("orders/new/", views.order_new, name="order-new"),
    path("orders/targets/", views.order_targets, name="order-targets"),
    path("orders/<int:pk>/", views.order_detail, name="order"),
    path("orders/<int:pk>/<str:name>/", views.order_action, name="order-action"),
    path("inspections/", views.inspection_list, name="inspections"),
    path("inspections/new/", views.inspection_new, name="inspection-new"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection"),
    path("contact-points/", views.contact_points, name="contact-points"),
    path("contact-points/<int:pk>/remove/", views.contact_point_remove, name="contact-point-remove"),
    path("leaders/", views.leader_list, name="leaders"),
]
