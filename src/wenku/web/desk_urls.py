"""The trust-and-safety desk (/staff/…) and the uploader's counter-notice."""

from django.urls import path

from wenku.web import desk

app_name = "desk"
urlpatterns = [
    path("staff/", desk.overview, name="overview"),
    path("staff/review/", desk.review_queue, name="review_queue"),
    path("staff/review/<int:document_id>/", desk.review_detail, name="review_detail"),
    path("staff/reports/", desk.reports, name="reports"),
    path("staff/notices/", desk.notices, name="notices"),
    path("staff/notices/<int:notice_id>/", desk.notice_detail, name="notice_detail"),
    path("staff/notices/<int:notice_id>/proof", desk.notice_proof, name="notice_proof"),
    path("staff/penalties/", desk.penalties, name="penalties"),
    path("staff/users/<int:user_id>/penalise/", desk.penalise, name="penalise"),
    path("staff/audit/", desk.audit_log, name="audit"),
    path("me/notices/<int:notice_id>/counter/", desk.counter_notice, name="counter_notice"),
]
