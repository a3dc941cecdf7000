from django.urls import path

from families.views import lists, members, records

app_name = "families"

urlpatterns = [
    path("", lists.family_list, name="list"),
    path("new/", records.family_create, name="create"),
    path("<uuid:public_id>/", records.family_detail, name="detail"),
    path("<uuid:public_id>/edit/", records.family_edit, name="edit"),
    path("<uuid:public_id>/history/", records.family_history, name="history"),
    path("<uuid:public_id>/members/new/", members.member_add, name="member_add"),
    path(
        "<uuid:public_id>/members/<uuid:member_id>/edit/", members.member_edit, name="member_edit"
    ),
    path(
        "<uuid:public_id>/members/<uuid:member_id>/remove/",
        members.member_remove,
        name="member_remove",
    ),
    path(
        "<uuid:public_id>/members/<uuid:member_id>/move/", members.member_move, name="member_move"
    ),
]
