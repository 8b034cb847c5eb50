"""Every annexbot model, importable from one place."""

from db.models.agency import Agency, AgencyAlias
from db.models.audit import AuditEvent
from db.models.calendar import CalendarDay, CalendarYear
from db.models.chat import ChatMessage, ChatQuestion
from db.models.delivery import Delivery, SendSlot
from db.models.feed import FeedDataVersion, FeedToken, Installation
from db.models.member import Invite, Member, PlanGrant
from db.models.plan import Assignment, Milestone, Plan, Task
from db.models.report import ExtensionRequest, StatusReport
from db.models.setting import SettingOverride
from db.models.sweep import SweepMark
from db.models.web import WebSession, WebSignIn

__all__ = [
    "Agency",
    "AgencyAlias",
    "Assignment",
    "AuditEvent",
    "CalendarDay",
    "CalendarYear",
    "ChatMessage",
    "ChatQuestion",
    "Delivery",
    "ExtensionRequest",
    "FeedDataVersion",
    "FeedToken",
    "Installation",
    "Invite",
    "Member",
    "Milestone",
    "Plan",
    "PlanGrant",
    "SendSlot",
    "SettingOverride",
    "StatusReport",
    "SweepMark",
    "Task",
    "WebSession",
    "WebSignIn",
]
