"""Back-office views of events data (read-mostly: writes go through the staff workspace and its services)."""

from django.contrib import admin

from grappe.events.models import Event, MatchmakingSession, Meeting, MeetingRequest, Participant, Registration


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "start", "status", "audience", "capacity")
    list_filter = ("kind", "status", "audience")
    search_fields = ("title", "slug")
    date_hierarchy = "start"


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ("event", "person", "organisation", "status", "waitlist_position", "attendance")
    list_filter = ("status", "attendance")
    raw_id_fields = ("event", "person", "organisation")
    exclude = ("token",)


@admin.register(MatchmakingSession)
class MatchmakingSessionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "event", "tables", "meeting_minutes", "status")


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ("person", "organisation", "session", "type", "no_show")
    raw_id_fields = ("person", "organisation", "registration", "session")
    filter_horizontal = ("available_slots",)


@admin.register(MeetingRequest)
class MeetingRequestAdmin(admin.ModelAdmin):
    list_display = ("requester", "target", "status", "imposed", "weight")
    raw_id_fields = ("requester", "target", "session")


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("participant_a", "participant_b", "slot", "table", "status", "locked", "follow_up_wanted")
    list_filter = ("status", "locked", "follow_up_wanted")
    raw_id_fields = ("participant_a", "participant_b", "request", "session", "slot")
