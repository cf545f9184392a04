"""Renders an IdvSession as the Yoti-shaped report of GET /participants/{key}/idv-info/."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from .models import IdvSession
from .serializers import dt

AUTHENTICITY_SUB_CHECKS = (
    "age_estimation_dob_comparison",
    "document_in_date",
    "fraud_list_check",
    "hologram",
    "hologram_movement",
    "mrz_validation",
    "no_sign_of_forgery",
    "no_sign_of_tampering",
    "ocr_mrz_comparison",
    "other_security_features",
    "physical_document_captured",
)
BLANK_DOCUMENT_FIELDS = (
    "height", "weight", "eye_color", "name_prefix", "name_suffix", "parent_name",
    "organisation", "place_of_issue", "country_of_birth", "first_name_alias",
    "family_name_alias", "middle_name_alias", "driving_licence_class",
    "driving_licence_endorsed", "personal_identification_number",
    "driving_licence_restriction_code",
)  # fmt: skip
SCHEMES = {"idv": [], "rtw": ["RTW"], "dbs": ["DBS"], "dbs_rtw": ["DBS", "RTW"]}


class _Ids:
    """Deterministic UUIDs per session so the report is stable between calls."""

    def __init__(self, seed: str) -> None:
        self.seed = seed
        self.n = 0

    def __call__(self) -> str:
        self.n += 1
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.seed}/{self.n}"))


def _media(ids: _Ids, kind: str, when: str) -> dict[str, Any]:
    return {"media": {"id": ids(), "type": kind, "created": when, "last_updated": when}}


def _check(
    ids: _Ids, session: IdvSession, kind: str, sub_checks: list[tuple[str, list]], resources: list
) -> dict[str, Any]:
    breakdown = [
        {
            "sub_check": name,
            "result": "FAIL" if name in session.failed_checks else "PASS",
            "details": details,
        }
        for name, details in sub_checks
    ]
    failed = any(item["result"] == "FAIL" for item in breakdown)
    when = dt(session.created_at + timedelta(minutes=2))
    return {
        "type": kind,
        "id": ids(),
        "state": "DONE",
        "resources_used": resources,
        "generated_media": [],
        "report": {
            "recommendation": {"value": "REJECT" if failed and not session.passed else "APPROVE"},
            "breakdown": breakdown,
        },
        "created": when,
        "last_updated": when,
    }


def idv_info(session: IdvSession, full_name: str) -> dict[str, Any]:
    ids = _Ids(f"{session.participant_id}/{session.document_number}")
    started = dt(session.created_at)
    done = dt(session.created_at + timedelta(minutes=4))
    document_id, liveness_id = ids(), ids()
    given, _, family = full_name.rpartition(" ")
    given = given or family
    dob = session.date_of_birth.isoformat()
    confidence = "0.57" if "ai_face_match" in session.failed_checks else "0.93"
    fraud_check = _check(
        ids, session, "THIRD_PARTY_IDENTITY_FRAUD_1",
        [("check_performed", [{"name": "provider_org", "value": "redacted/IDFP_1"}])],
        [document_id],
    )  # fmt: skip
    profile_media_id = ids()
    fraud_check["generated_media"] = [{"id": profile_media_id, "type": "JSON"}]
    fraud_check["generated_profile"] = {
        "media": {"id": profile_media_id, "type": "JSON", "created": done, "last_updated": done}
    }
    schemes = SCHEMES.get(session.check_type, [])
    session_data: dict[str, Any] = {
        "client_session_token_ttl": 8698,
        "session_id": ids(),
        "state": "COMPLETED" if session.status == "completed" else "ONGOING",
        "resources": {
            "id_documents": [
                {
                    "id": document_id,
                    "tasks": [
                        {
                            "type": "ID_DOCUMENT_TEXT_DATA_EXTRACTION",
                            "id": ids(),
                            "state": "DONE",
                            "created": started,
                            "last_updated": started,
                            "generated_checks": [],
                            "generated_media": [{"id": ids(), "type": "JSON"}],
                        }
                    ],
                    "source": {"type": "END_USER"},
                    "document_type": session.document_type,
                    "issuing_country": session.issuing_country,
                    "pages": [
                        {
                            "capture_method": "UPLOAD",
                            **_media(ids, "IMAGE", started),
                            "frames": [{}, {}, {}],
                        }
                    ],
                    "document_fields": _media(ids, "JSON", started),
                    "document_id_photo": _media(ids, "IMAGE", started),
                }
            ],
            "supplementary_documents": [],
            "liveness_capture": [
                {
                    "id": liveness_id,
                    "tasks": [],
                    "source": {"type": "END_USER"},
                    "frames": [_media(ids, "IMAGE", started) for _ in range(3)] + [{}] * 4,
                    "liveness_type": "ZOOM",
                    "facemap": _media(ids, "BINARY", started),
                }
            ],
            "face_capture": [],
            "applicant_profiles": [],
        },
        "checks": [
            _check(
                ids,
                session,
                "ID_DOCUMENT_AUTHENTICITY",
                [(name, []) for name in AUTHENTICITY_SUB_CHECKS],
                [liveness_id, document_id],
            ),
            _check(ids, session, "LIVENESS", [("liveness_auth", [])], [liveness_id]),
            _check(
                ids,
                session,
                "ID_DOCUMENT_FACE_MATCH",
                [
                    ("ai_face_match", [{"name": "confidence_score", "value": confidence}]),
                    ("manual_face_match", []),
                ],
                [liveness_id, document_id],
            ),
            fraud_check,
        ],
        "biometric_consent": started,
    }
    document_fields = {
        "full_name": full_name.upper(),
        "given_names": given.upper(),
        "family_name": family.upper(),
        "date_of_birth": dob,
        "document_type": session.document_type,
        "document_number": session.document_number,
        "issuing_country": session.issuing_country,
        "nationality": session.issuing_country,
        "expiration_date": "2032-01-07",
        "date_of_issue": "2022-01-07",
    }
    identity_profile_media_data: dict[str, Any] = {}
    if schemes:
        compliance = [
            {"scheme": {"type": s, "objective": ""}, "requirements_met": session.passed}
            for s in schemes
        ]
        session_data["identity_profile"] = {
            "result": "DONE",
            "identity_profile_report": {
                "trust_framework": "UK_TFIDA",
                **_media(ids, "JSON", done),
                "schemes_compliance": compliance,
            },
        }
        identity_profile_media_data = _identity_profile(
            ids, session, full_name, document_fields, compliance, done
        )
    return {
        "check_type": session.check_type,
        "status": session.status,
        "share_code": session.share_code,
        "session_data": session_data,
        "document_text_extraction": {
            "full_name": full_name,
            "date_of_birth": dob,
            "given_names": given,
            "family_name": family,
            "place_of_birth": "London",
            "document_type": session.document_type,
            "issuing_country": session.issuing_country,
            "document_number": session.document_number,
            "expiration_date": document_fields["expiration_date"],
            "date_of_issue": document_fields["date_of_issue"],
            "issuing_authority": "HMPO",
        },
        "identity_profile_media_data": identity_profile_media_data,
    }


def _identity_profile(
    ids: _Ids,
    session: IdvSession,
    full_name: str,
    document_fields: dict[str, Any],
    compliance: list[dict[str, Any]],
    when: str | None,
) -> dict[str, Any]:
    name = {
        "full_name": document_fields["full_name"],
        "first_name": document_fields["given_names"].split(" ")[0],
        "family_name": document_fields["family_name"],
        "given_names": document_fields["given_names"],
        "middle_name": "",
    }
    passed_checks = ["DOCUMENT_IN_DATE", "MANUAL_VISUAL_DOCUMENT_AUTHENTICITY",
                     "FRAUD_DOCUMENTS_LIST", "AUTOMATED_FACE_MATCH"]  # fmt: skip
    if session.failed_checks:
        passed_checks = passed_checks[:2]
    return {
        "proof": {
            "jws": f"eyJhbGciOiJFZERTQSJ9..sandbox-{ids()}",
            "public_key_url": "https://vc.core.yoti.com/v1/id-profile/v1/key",
        },
        "identity_assertion": {
            "current_name": name,
            "date_of_birth": document_fields["date_of_birth"],
            "current_address": "None",
        },
        "verification_report": {
            "evidence": {
                "face": {
                    "check_ids": [ids()],
                    "evidence_id": ids(),
                    "resource_ids": [ids()],
                    "verifying_org": "Yoti Ltd",
                    "initial_liveness": {"type": "ZOOM", "timestamp": when},
                    "user_activity_ids": [],
                    "selfie_attribute_id": "",
                    "last_matched_liveness": {"type": "ZOOM", "timestamp": when},
                },
                "documents": [
                    {
                        "check_ids": [ids()],
                        "timestamp": when,
                        "evidence_id": ids(),
                        "resource_ids": [ids()],
                        "passed_checks": [{"check": c} for c in passed_checks],
                        "verifying_org": "Yoti Ltd",
                        "document_fields": {
                            "mrz": {"type": 2, "line1": "", "line2": "", "line3": ""},
                            **dict.fromkeys(BLANK_DOCUMENT_FIELDS, ""),
                            **document_fields,
                            "first_name": name["first_name"],
                            "middle_name": "",
                            "gender": "",
                            "provisional": False,
                            "place_of_birth": "LONDON",
                            "issuing_authority": "HMPO",
                            "structured_postal_address": "None",
                        },
                        "user_activity_ids": [],
                        "document_images_attribute_id": "",
                    }
                ],
                "electronic_records": [
                    {
                        "check_ids": [ids()],
                        "timestamp": when,
                        "evidence_id": ids(),
                        "provider_org": "redacted/IDFP_1",
                        "resource_ids": [ids()],
                        "verifying_org": "Yoti Ltd",
                        "identity_details": {
                            **name,
                            "date_of_birth": document_fields["date_of_birth"],
                            "current_address": "None",
                        },
                        "user_activity_ids": [],
                    }
                ],
            },
            "report_id": ids(),
            "timestamp": when,
            "subject_id": "",
            "trust_framework": "UK_TFIDA",
            "assurance_process": {
                "policy": "GPG45",
                "assurance": [
                    {"type": kind, "classification": level, "evidence_links": [ids()]}
                    for kind, level in (
                        ("EVIDENCE_STRENGTH", "4"),
                        ("EVIDENCE_VALIDITY", "2"),
                        ("IDENTITY_FRAUD", "1"),
                        ("VERIFICATION", "3"),
                    )
                ],
                "procedure": "M1A",
                "level_of_assurance": "MEDIUM" if session.passed else "LOW",
            },
            "schemes_compliance": [
                {**item, "requirements_not_met_info": "" if session.passed else "Checks failed"}
                for item in compliance
            ],
            "address_verification": "None",
        },
        "authentication_report": "None",
    }
