"""Models to the exact JSON shapes of the collection's examples, quirks included.

The same object is shaped differently by different endpoints (a participant
list item has ``overview_link``, the detail ``candidate_overview_link``; an
interview's detail names its message templates ``email_invite_template`` while
create and update answer ``invitation_email``), because Willo does.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from .models import (
    CHOICE_ANSWER_TYPES,
    MESSAGE_TEMPLATE_SLOTS,
    Answer,
    Category,
    Comment,
    Department,
    IdvCountry,
    IdvSession,
    Interview,
    InterviewTemplate,
    MessageTemplate,
    Organisation,
    Participant,
    Question,
    SandboxUser,
    Score,
    UserRelation,
    Webhook,
)

WILLO_WEB = "https://willotalent.com"

# Interview detail's names for the five message-template slots.
DETAIL_TEMPLATE_NAMES = {
    "invitation_email": "email_invite_template",
    "invitation_sms": "sms_invite_template",
    "reminder_email": "email_reminder_template",
    "reminder_sms": "sms_reminder_template",
    "interview_completed_email": "email_success_template",
}


def dt(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def decimal_str(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def derived_key(*parts: str) -> str:
    return hashlib.md5("/".join(parts).encode(), usedforsecurity=False).hexdigest()


# --- small nested shapes ---


def user_ref(user: SandboxUser) -> dict[str, Any]:
    return {"key": user.key, "email": user.email, "full_name": user.full_name}


def user_ref_name_first(user: SandboxUser) -> dict[str, Any]:
    return {"key": user.key, "full_name": user.full_name, "email": user.email}


def org_ref(org: Organisation) -> dict[str, Any]:
    return {"key": org.key, "name": org.name}


def department_ref(department: Department) -> dict[str, Any]:
    return {"key": department.key, "name": department.name}


def interview_ref(interview: Interview) -> dict[str, Any]:
    return {"key": interview.key, "title": interview.title}


# --- departments ---


def department_list_item(department: Department) -> dict[str, Any]:
    return {
        "key": department.key,
        "name": department.name,
        "owner": user_ref(department.owner),
    }


def department_detail(department: Department) -> dict[str, Any]:
    industry = department.industry
    return {
        "key": department.key,
        "name": department.name,
        "location": department.location,
        "primary_colour": department.primary_colour,
        "secondary_colour": department.secondary_colour,
        "logo": department.logo or None,
        "website": department.website,
        "industry": {"key": industry.key, "name": industry.name} if industry else None,
        "is_default": department.is_default,
        "is_global": department.is_global,
    }


# --- reference data ---


def idv_country(country: IdvCountry) -> dict[str, Any]:
    return {"name": country.name, "iso_3": country.iso_3}


def category(cat: Category) -> dict[str, Any]:
    return {"key": cat.key, "name": cat.name}


# --- questions and interviews ---


def _options(question: Question) -> list[dict[str, Any]]:
    return [
        {"key": o.key, "text": o.text, "order": o.order, "is_correct": o.is_correct}
        for o in question.options.all()
    ]


def question_type_specific_data(question: Question) -> dict[str, Any]:
    options = _options(question)
    if options or question.answer_type in CHOICE_ANSWER_TYPES:
        return {"answer_options": options}
    return {}


def question_full(question: Question) -> dict[str, Any]:
    return {
        "key": question.key,
        "text": question.text,
        "html_text": f"<p>{question.text}</p>",
        "order": question.order,
        "max_duration": question.max_duration,
        "max_retakes": question.max_retakes,
        "answer_type": question.answer_type,
        "thinking_time": question.thinking_time,
        "max_characters": question.max_characters,
        "max_words": question.max_words,
        "is_skip_allowed": question.is_skip_allowed,
        "idv_country_of_employment_iso_code": question.idv_country_of_employment_iso_code,
        "idv_max_checks": question.idv_max_checks,
        "type_specific_data": question_type_specific_data(question),
    }


def question_in_answer(question: Question) -> dict[str, Any]:
    return {
        "key": question.key,
        "text": question.text,
        "order": question.order,
        "max_duration": question.max_duration,
        "max_retakes": question.max_retakes,
        "answer_type": question.answer_type,
        "thinking_time": question.thinking_time,
        "max_characters": question.max_characters,
        "max_words": question.max_words,
        "type_specific_data": question_type_specific_data(question),
    }


def invite_link(code: str) -> str:
    return f"{WILLO_WEB}/invite/{code}/"


def interview_list_item(interview: Interview) -> dict[str, Any]:
    return {
        "key": interview.key,
        "title": interview.title,
        "owner": user_ref(interview.owner),
        "organisation": org_ref(interview.organisation),
        "department": department_ref(interview.department),
        "invite_link": invite_link(interview.invite_code),
    }


def _template_keys(interview: Interview, names: dict[str, str] | None) -> dict[str, Any]:
    result = {}
    for slot in MESSAGE_TEMPLATE_SLOTS:
        template = getattr(interview, slot)
        result[names[slot] if names else slot] = template.key if template else None
    return result


def interview_detail(interview: Interview, *, detail_names: bool) -> dict[str, Any]:
    """The full interview; ``detail_names`` picks GET's names for the message-template slots."""
    return {
        "key": interview.key,
        "title": interview.title,
        "default_language": interview.default_language,
        "salary": interview.salary,
        "description": interview.description,
        "invite_link": invite_link(interview.invite_code),
        "intro_video": interview.intro_video or None,
        "created_at": dt(interview.created_at),
        "owner": user_ref(interview.owner),
        "organisation": org_ref(interview.organisation),
        "department": department_ref(interview.department),
        "reviewers": [user_ref(u) for u in interview.reviewers.all()],
        "reviewers_to_notify": [user_ref(u) for u in interview.reviewers_to_notify.all()],
        "message_templates": _template_keys(
            interview, DETAIL_TEMPLATE_NAMES if detail_names else None
        ),
        "questions": [question_full(q) for q in interview.questions.all()],
        "settings": {
            "redirect_url": interview.redirect_url,
            "show_hints_and_tips": interview.show_hints_and_tips,
            "show_availability_calendar": interview.show_availability_calendar,
            "deadline": dt(interview.deadline),
        },
    }


def interview_from_template(interview: Interview) -> dict[str, Any]:
    """POST /interview-templates/{key}/interviews/ answers in Willo's internal shape."""
    department = interview.department
    participants = interview.participants
    slots = {}
    for slot in MESSAGE_TEMPLATE_SLOTS:
        template = getattr(interview, slot)
        slots[slot] = {
            "title": template.title if template else "",
            "content": template.content if template else "",
        }
    return {
        "key": interview.key,
        "title": interview.title,
        "salary": interview.salary,
        "default_language": interview.default_language,
        "company": {
            "key": department.key,
            "name": department.name,
            "location": department.location,
            "site": department.website or None,
            "layout_color": department.primary_colour,
            "button_color": department.secondary_colour,
            "logo": department.logo or None,
            "industry": department.industry.name if department.industry else None,
            "is_default": department.is_default,
        },
        "video_link": interview.intro_video or None,
        "video_playlist_link": None,
        "is_own_video": False,
        "description": interview.description,
        "deadline": dt(interview.deadline),
        "deadline_timezone": None,
        "questions": [question_full(q) for q in interview.questions.all()],
        "reviewers": [user_ref(u) for u in interview.reviewers.all()],
        "reviewers_to_notify": [user_ref(u) for u in interview.reviewers_to_notify.all()],
        "candidates_cnt": participants.count(),
        "new_candidates_cnt": participants.filter(status="Completed").count(),
        "created_at": dt(interview.created_at),
        "status": interview.status,
        "rejected_cnt": participants.filter(status="Rejected").count(),
        "accepted_cnt": participants.filter(status="Accepted").count(),
        "invite_link": invite_link(interview.invite_code),
        "created_by_email": interview.owner.email,
        "created_by_name": interview.owner.full_name,
        "show_availability_calendar": interview.show_availability_calendar,
        "show_hints": interview.show_hints_and_tips,
        "redirect_url": interview.redirect_url,
        "message_templates": slots,
        "draft_data": {},
        "scorecard": None,
    }


# --- interview templates ---


def interview_template_list_item(template: InterviewTemplate) -> dict[str, Any]:
    return {
        "key": template.key,
        "title": template.title,
        "category": category(template.category),
        "is_featured": template.is_featured,
        "questions_count": template.questions.count(),
    }


def interview_template_detail(template: InterviewTemplate) -> dict[str, Any]:
    return {
        "key": template.key,
        "title": template.title,
        "is_featured": template.is_featured,
        "description": template.description,
        "template_description": template.template_description,
        "category": category(template.category),
        "author": {"name": template.author_name, "image": None},
        "questions": [question_full(q) for q in template.questions.all()],
    }


# --- message templates ---


def message_template_list_item(template: MessageTemplate) -> dict[str, Any]:
    return {
        "key": template.key,
        "title": template.title,
        "type": template.type,
        "trigger": template.trigger,
        "system_default": template.system_default,
    }


def message_template_detail(template: MessageTemplate) -> dict[str, Any]:
    return {
        "key": template.key,
        "title": template.title,
        "type": template.type,
        "trigger": template.trigger,
        "content": template.content,
        "system_default": template.system_default,
    }


# --- participants and answers ---


def _location(participant: Participant) -> dict[str, Any]:
    return {
        "city": participant.city or None,
        "country_name": participant.country_name or None,
        "country_code": participant.country_code or None,
    }


def _links(participant: Participant, base: str) -> dict[str, str]:
    return {
        "showcase_link": f"{WILLO_WEB}/showcase/{participant.invite_code}/",
        "overview_link": f"{WILLO_WEB}/interviewer/{participant.invite_code}/",
        "avatar_remote_link": f"{base}/media/avatars/{participant.key}.png",
    }


def participant_list_item(participant: Participant, base: str) -> dict[str, Any]:
    links = _links(participant, base)
    return {
        "key": participant.key,
        "name": participant.name,
        "email": participant.email,
        "phone": participant.phone,
        "interview": interview_ref(participant.interview),
        "department": department_ref(participant.interview.department),
        "created_at": dt(participant.created_at),
        "location": _location(participant),
        "showcase_link": links["showcase_link"],
        "overview_link": links["overview_link"],
        "avatar_remote_link": links["avatar_remote_link"],
        "custom_id": participant.custom_id,
        "availability": participant.availability,
    }


def participant_invited(participant: Participant) -> dict[str, Any]:
    return {
        "key": participant.key,
        "email": participant.email,
        "name": participant.name,
        "phone": participant.phone,
        "status": participant.status,
        "send_notifications": participant.send_notifications,
        "custom_id": participant.custom_id,
        "invite_link": invite_link(participant.invite_code),
        "interview": interview_ref(participant.interview),
        "department": department_ref(participant.interview.department),
        "created_at": dt(participant.created_at),
    }


def participant_updated(participant: Participant) -> dict[str, Any]:
    return {
        "key": participant.key,
        "name": participant.name,
        "phone": participant.phone,
        "status": participant.status,
        "custom_id": participant.custom_id,
    }


def answer(
    item: Answer, base: str, *, with_transcript: bool = True, share_code: str | None = None
) -> dict[str, Any]:
    """One answer; ``share_code`` is the candidate's right-to-work code, shown on every answer."""
    question = item.question
    has_media = item.media_extension is not None
    transcript = getattr(item, "transcript", None) if with_transcript else None
    type_specific: dict[str, Any] = {}
    if question.answer_type in CHOICE_ANSWER_TYPES:
        type_specific = {
            "selected_answer_options": [
                {
                    "key": derived_key(item.key, option.key),
                    "option": option.key,
                    "is_correct": option.is_correct,
                }
                for option in item.selected_options.all()
            ]
        }
    return {
        "key": item.key,
        "created_at": dt(item.created_at),
        "updated_at": dt(item.updated_at),
        "is_finished": item.is_finished,
        "media_extension": item.media_extension,
        "remote_link": (
            f"{base}/media/answers/{item.key}.{item.media_extension}"
            if has_media and not item.is_media_deleted
            else None
        ),
        "is_media_deleted": item.is_media_deleted,
        "text": item.text,
        "spent_time": item.spent_time,
        "additional_info": {
            **({"share_code": share_code} if share_code else {}),
            **item.additional_info,
        },
        "type_specific_data": type_specific,
        "transcript": (
            {
                "text": transcript.text,
                "language": transcript.language,
                "confidence": transcript.confidence,
            }
            if transcript
            else None
        ),
        "status": item.status,
        "reason": item.reason,
        "question": question_in_answer(question),
    }


def score_summary(participant: Participant) -> dict[str, Any]:
    scores = list(participant.scores.all())
    if not scores:
        return {
            "average_score_snapshot": None,
            "average_score_count": 0,
            "average_score_updated_at": None,
        }
    average = sum(s.general_score for s in scores) / len(scores)
    return {
        "average_score_snapshot": round(float(average), 2),
        "average_score_count": len(scores),
        "average_score_updated_at": dt(max(s.scored_at for s in scores)),
    }


def participant_detail(
    participant: Participant,
    base: str,
    *,
    with_transcripts: bool = True,
    with_summary: bool = True,
    with_score: bool = True,
) -> dict[str, Any]:
    links = _links(participant, base)
    answers = (
        participant.answers.select_related("question", "transcript")
        .prefetch_related("question__options", "selected_options")
        .order_by("question__order", "id")
    )
    data: dict[str, Any] = {
        "key": participant.key,
        "email": participant.email,
        "name": participant.name,
        "phone": participant.phone,
        "status": participant.status,
        "status_changed_by": participant.status_changed_by,
        "status_changed_at": dt(participant.status_changed_at),
        "send_notifications": participant.send_notifications,
        "custom_id": participant.custom_id,
        "summary": participant.summary if with_summary else None,
        "interview": interview_ref(participant.interview),
        "department": department_ref(participant.interview.department),
        "created_at": dt(participant.created_at),
        "updated_at": dt(participant.updated_at),
        "location": _location(participant),
        "showcase_link": links["showcase_link"],
        "candidate_overview_link": links["overview_link"],
        "avatar_remote_link": links["avatar_remote_link"],
        "availability": participant.availability,
    }
    if with_score:
        data["score"] = score_summary(participant)
    session = IdvSession.objects.filter(participant=participant).first()
    share_code = session.share_code if session else None
    data["answers"] = [
        answer(a, base, with_transcript=with_transcripts, share_code=share_code) for a in answers
    ]
    return data


# --- users, children ---


def user_list_item(user: SandboxUser) -> dict[str, Any]:
    return user_ref(user)


def user_detail(user: SandboxUser) -> dict[str, Any]:
    return {
        "key": user.key,
        "email": user.email,
        "full_name": user.full_name,
        "phone": user.phone,
        "role": user.role,
        "status": user.status,
    }


def child_organisation(org: Organisation) -> dict[str, Any]:
    owner = org.users.filter(role="owner").order_by("id").first()
    relations = UserRelation.objects.filter(organisation=org).select_related("user").order_by("id")
    return {
        "key": org.key,
        "name": org.name,
        "verification_status": org.verification_status,
        "owner": user_ref_name_first(owner) if owner else None,
        "user_relations": [
            {
                "key": r.key,
                "user": user_ref_name_first(r.user),
                "role": r.role,
                "status": r.status,
            }
            for r in relations
        ],
    }


# --- webhooks and their events ---


def webhook(hook: Webhook, *, with_token: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {
        "key": hook.key,
        "interviews": [interview_ref(i) for i in hook.interviews.all()],
        "departments": [department_ref(d) for d in hook.departments.all()],
        "users": [user_ref_name_first(u) for u in hook.users.all()],
        "follow_all_interviews": hook.follow_all_interviews,
        "url": hook.url,
        "event": hook.event,
    }
    if with_token:
        data["token"] = hook.token
    data["payload_configuration"] = {
        "return_transcripts": hook.return_transcripts,
        "return_summary": hook.return_summary,
    }
    return data


def comment_event_data(comment: Comment) -> dict[str, Any]:
    participant = comment.participant
    return {
        "participant": {
            "key": participant.key,
            "name": participant.name,
            "email": participant.email,
        },
        "comment": {
            "key": comment.key,
            "text": comment.text,
            "created_at": comment.created_at.astimezone(UTC).isoformat(),
            "author": user_ref_name_first(comment.author),
        },
    }


def score_event_data(score: Score) -> dict[str, Any]:
    participant = score.participant
    summary = score_summary(participant)
    average = summary["average_score_snapshot"]
    return {
        "participant": {
            "key": participant.key,
            "name": participant.name,
            "email": participant.email,
            "avg_score": None if average is None else f"{average:.2f}",
        },
        "score": {
            "key": score.key,
            "general_score": decimal_str(score.general_score),
            "scored_at": score.scored_at.astimezone(UTC).isoformat(),
            "scored_by": user_ref_name_first(score.scored_by),
            "scores_by_criteria": [
                {
                    "key": item.key,
                    "scorecard_criteria": {
                        "key": item.criterion.key,
                        "text": item.criterion.text,
                        "description": item.criterion.description,
                        "order": item.criterion.order,
                        "is_optional": item.criterion.is_optional,
                    },
                    "score": decimal_str(item.value),
                }
                for item in score.by_criteria.select_related("criterion").order_by(
                    "criterion__order"
                )
            ],
        },
    }
