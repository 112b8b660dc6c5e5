"""The consent form for sharing a pathway with, or handing it to, another organisation."""

from __future__ import annotations

from wtforms import BooleanField, RadioField, SelectChoice
from wtforms.validators import DataRequired, InputRequired

from recovery_network.forms import BaseForm, IntSelectField
from recovery_network.pathways.share_models import HANDOVER, SHARE

SHARE_KINDS = {SHARE: "Share: they read the plan, we keep the pathway",
               HANDOVER: "Hand over: they take the pathway on from now"}


class ShareForm(BaseForm):
    """Who it goes to, how, what besides the plan, and the person's consent (the choices are set by the view)."""

    share_with = IntSelectField("Organisation", validators=[InputRequired("Choose an organisation.")])
    share_kind = RadioField("Share or hand over", choices=[SelectChoice(k, v) for k, v in SHARE_KINDS.items()],
                            default=SHARE, validators=[DataRequired("Choose share or hand over.")])
    include_contacts = BooleanField("Include earlier contact notes (dates and how contact happened)")
    keep_read = BooleanField("After a handover, we keep reading the plan")
    consent_given = BooleanField("The person agreed to this today, with this organisation, for what is ticked")
