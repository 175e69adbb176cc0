from django.urls import path

from mashang.org import views

app_name = "org"
urlpatterns = [
    path("password/", views.password_change, name="password_change"),
    path("second-factor/", views.second_factor_enrol, name="second_factor_enrol"),
    path("second-factor/verify/", views.second_factor_verify_page, name="second_factor_verify"),
]
