"""Back-office views of the watch (admins only; staff work in the watch pages)."""

from django.contrib import admin

from grappe.watch import models


@admin.register(models.Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "category", "status", "auto_paused", "consecutive_failures", "last_success_at"]
    list_filter = ["kind", "category", "status", "auto_paused"]
    search_fields = ["title", "url"]


@admin.register(models.Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ["title", "source", "published_at", "language", "status"]
    list_filter = ["status", "kind", "language"]
    search_fields = ["title", "canonical_url"]
    raw_id_fields = ["source", "triaged_by"]
    filter_horizontal = ["nace_codes", "segments", "affected_segments"]


@admin.register(models.TopicRule)
class TopicRuleAdmin(admin.ModelAdmin):
    list_display = ["topic", "language", "expression", "weight", "is_active"]
    list_filter = ["topic", "language", "is_active"]


@admin.register(models.TopicProfile)
class TopicProfileAdmin(admin.ModelAdmin):
    list_display = ["topic", "public_feed", "classifier_trained_at", "classifier_examples"]


@admin.register(models.Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["person", "topic", "language", "frequency"]
    raw_id_fields = ["person"]


@admin.register(models.Digest)
class DigestAdmin(admin.ModelAdmin):
    list_display = ["subject", "person", "status", "sent_at"]
    raw_id_fields = ["person"]
    filter_horizontal = ["items"]


@admin.register(models.FetchLog)
class FetchLogAdmin(admin.ModelAdmin):
    list_display = ["source", "started_at", "outcome", "http_status", "items_new", "duration_ms"]
    list_filter = ["outcome"]
