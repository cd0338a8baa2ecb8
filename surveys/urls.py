app_name = "surveys"
urlpatterns: list = []
