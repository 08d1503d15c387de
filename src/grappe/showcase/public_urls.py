"""Public, language-prefixed pages (included inside i18n_patterns: /fr/, /en/, /nl/, /de/)."""

from django.urls import path

from grappe.showcase import pages, views

app_name = "showcase"
urlpatterns = [
    path("", views.home, name="home"),
    path("directory/", views.directory, name="directory"),
    path("directory/<slug:slug>/", views.profile, name="profile"),
    path("value-chains/<slug:slug>/", views.value_chain, name="value_chain"),
    path("competences/", pages.competences, name="competences"),
    path("events/", pages.events, name="events"),
    path("opportunities/", pages.opportunities, name="opportunities"),
    path("opportunities/rss.xml", pages.OpportunityFeed(), name="opportunities_rss"),
    path("news/", pages.post_list, {"section": "news"}, name="news"),
    path("news/rss.xml", pages.PostFeed(), {"section": "news"}, name="news_rss"),
    path("news/atom.xml", pages.AtomPostFeed(), {"section": "news"}, name="news_atom"),
    path("news/<slug:slug>/", pages.post_detail, {"section": "news"}, name="news_detail"),
    path("stories/", pages.post_list, {"section": "stories"}, name="stories"),
    path("stories/rss.xml", pages.PostFeed(), {"section": "stories"}, name="stories_rss"),
    path("stories/atom.xml", pages.AtomPostFeed(), {"section": "stories"}, name="stories_atom"),
    path("stories/<slug:slug>/", pages.post_detail, {"section": "stories"}, name="stories_detail"),
    path("widget/members/", pages.widget, name="widget"),
    path("embed/", pages.widget_help, name="widget_help"),
]
