"""The demo network: Perth & Kinross, Dundee, Angus and Glasgow, drawn from the field documents.

Custody meetings run in HMP Perth, Barlinnie, Low Moss and Castle Huntly; community meetings and cafés
in Perth, Dundee, Arbroath, Forfar and Glasgow. Idempotent: anything that exists (by slug) is left alone.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from recovery_network.demo_people import seed_course_and_custody_post, seed_people, seed_rota_and_pathway
from recovery_network.demo_organisations import founding, seed_members, seed_shared_pathway
from recovery_network.extensions import db
from recovery_network.meetings.models import Meeting
from recovery_network.meetings.recurrence import next_occurrences
from recovery_network.meetings.services import MeetingDetails, cancel_occurrence, create_meeting, move_occurrence
from recovery_network.venues.models import COMMUNITY, CUSTODY, Area, AreaCoverage, Venue

AREAS = {
    "perth-and-kinross": "Perth & Kinross",
    "dundee": "Dundee",
    "angus": "Angus",
    "glasgow": "Glasgow",
}

# What each area covers: its council area, and for Perth the districts of the city itself.
COVERAGE = {
    "perth-and-kinross": [("council", "Perth and Kinross"), ("postcode_district", "PH1"), ("postcode_district", "PH2")],
    "dundee": [("council", "Dundee City")],
    "angus": [("council", "Angus")],
    "glasgow": [("council", "Glasgow City"), ("council", "East Dunbartonshire")],
}
# What kind of establishment each prison is.
KINDS = {"hmp-perth": "closed", "hmp-castle-huntly": "open", "hmp-barlinnie": "closed", "hmp-low-moss": "closed"}

# slug: (name, setting, area, address, town, postcode, lat, lon, accessibility, directions)
VENUES = {
    "hmp-perth": ("HMP Perth", CUSTODY, "perth-and-kinross", "3 Edinburgh Road", "Perth", "PH2 8AT", 56.3884, -3.4335, "", ""),
    "hmp-castle-huntly": ("HMP Castle Huntly", CUSTODY, "perth-and-kinross", "Longforgan", "Longforgan", "DD2 5HL", 56.4571, -3.1190, "", ""),
    "hmp-barlinnie": ("HMP Barlinnie", CUSTODY, "glasgow", "81 Lee Avenue", "Glasgow", "G33 2QX", 55.8717, -4.1790, "", ""),
    "hmp-low-moss": ("HMP Low Moss", CUSTODY, "glasgow", "Crosshill Road", "Bishopbriggs", "G64 2QB", 55.9262, -4.2130, "", ""),
    "perth-recovery-hub": ("Perth Recovery Hub", COMMUNITY, "perth-and-kinross", "23 South Methven Street", "Perth", "PH1 5PE", 56.3962, -3.4363,
                            "Step-free entrance from the street; accessible toilet.", "Five minutes' walk from Perth bus station; buses 1, 2 and 7 stop on South Street."),
    "st-johns-halls-perth": ("St John's Kirk Halls", COMMUNITY, "perth-and-kinross", "31 St John's Place", "Perth", "PH1 5SZ", 56.3955, -3.4298,
                             "Ramp at the side door; hearing loop in the main hall.", "In the city centre, beside St John's Kirk."),
    "dundee-recovery-cafe": ("The Wellgate Recovery Café", COMMUNITY, "dundee", "Wellgate Centre, Victoria Road", "Dundee", "DD1 2FQ", 56.4640, -2.9690,
                             "Lift from the Wellgate Centre ground floor.", "Above the Wellgate Centre; most city buses stop on Victoria Road."),
    "dundee-west-church": ("West End Community Church", COMMUNITY, "dundee", "130 Perth Road", "Dundee", "DD1 4JW", 56.4580, -2.9890,
                           "Two steps at the entrance; a portable ramp is available on request.", "Bus 5 or 9 along Perth Road; stop outside the church."),
    "arbroath-community-centre": ("Arbroath Community Centre", COMMUNITY, "angus", "Marketgate", "Arbroath", "DD11 1AY", 56.5590, -2.5870,
                                  "Step-free throughout.", "Ten minutes' walk from Arbroath railway station."),
    "forfar-reid-hall": ("Reid Hall Meeting Room", COMMUNITY, "angus", "Castle Street", "Forfar", "DD8 3HX", 56.6433, -2.8888,
                         "Lift to the meeting room.", "On Castle Street, opposite the Forfar bus stance."),
    "glasgow-east-recovery": ("East End Recovery Community", COMMUNITY, "glasgow", "Duke Street", "Glasgow", "G31 1JD", 55.8585, -4.2220,
                              "Step-free entrance; accessible toilet.", "Bellgrove station is a five-minute walk; buses 2 and 41 along Duke Street."),
    "glasgow-city-centre-hall": ("Renfield Centre", COMMUNITY, "glasgow", "260 Bath Street", "Glasgow", "G2 4JP", 55.8654, -4.2626,
                                 "Lift; accessible toilet; quiet room available.", "Five minutes from Charing Cross station."),
}


def monday_of(day: date) -> date:
    """The Monday of the week a date falls in."""
    return day - timedelta(days=day.weekday())


def meetings(today: date) -> list[tuple[str, MeetingDetails]]:
    """The demo series, with dates relative to today so there is always something coming up."""
    since = date(2026, 1, 5)
    programme_start = monday_of(today) - timedelta(weeks=3)
    def at(slug: str) -> Venue:
        return db.session.scalar(select(Venue).where(Venue.slug == slug))
    return [
        ("perth-smart-tuesday", MeetingDetails("Perth SMART Recovery (Tuesday evening)", "smart", 1, time(18, 30), since, venue=at("perth-recovery-hub"),
                                               description="Tea and coffee from 18:15. New people are always welcome.")),
        ("perth-smart-saturday", MeetingDetails("Perth SMART Recovery (Saturday morning)", "smart", 5, time(10, 30), since, venue=at("st-johns-halls-perth"))),
        ("perth-family-friends", MeetingDetails("SMART Family & Friends, Perth", "family", 3, time(19, 0), since, frequency="fortnightly",
                                                venue=at("perth-recovery-hub"))),
        ("dundee-recovery-cafe", MeetingDetails("Wellgate Recovery Café", "cafe", 4, time(11, 0), since, duration_minutes=180,
                                                venue=at("dundee-recovery-cafe"), description="Drop in any time between 11:00 and 14:00. Soup and a roll for £1.")),
        ("dundee-smart-monday", MeetingDetails("Dundee SMART Recovery (Monday)", "smart", 0, time(18, 0), since, venue=at("dundee-west-church"))),
        ("dundee-smart-monthly", MeetingDetails("Dundee SMART Recovery — 2nd Tuesday", "smart", 1, time(13, 0), since, frequency="monthly",
                                                week_of_month=2, venue=at("dundee-west-church"))),
        ("arbroath-smart-wednesday", MeetingDetails("Arbroath SMART Recovery", "smart", 2, time(18, 30), since, venue=at("arbroath-community-centre"))),
        ("forfar-smart-thursday", MeetingDetails("Forfar SMART Recovery", "smart", 3, time(14, 0), since, venue=at("forfar-reid-hall"))),
        ("forfar-ten-week-programme", MeetingDetails("Forfar 10-week Recovery Group", "programme", 1, time(10, 0), programme_start, duration_minutes=120,
                                                     session_count=10, venue=at("forfar-reid-hall"), listing="closed",
                                                     referral_contact="Angus Recovery Service, 01632 960 123",
                                                     description="For people on drug treatment and testing orders and anyone in early recovery. Graduation in week 10.")),
        ("glasgow-east-cafe", MeetingDetails("East End Recovery Café", "cafe", 5, time(12, 0), since, duration_minutes=180, venue=at("glasgow-east-recovery"))),
        ("glasgow-smart-wednesday", MeetingDetails("Glasgow City Centre SMART Recovery", "smart", 2, time(19, 0), since, venue=at("glasgow-city-centre-hall"))),
        ("smart-online-sunday", MeetingDetails("SMART Recovery Online (Sunday evening)", "smart", 6, time(19, 30), since,
                                               online_url="https://meet.jit.si/SMARTRecoveryScotlandSunday",
                                               description="Camera on or off, as you like. The link opens in your browser; no app needed.")),
        # Custody: never shown to the public.
        ("hmp-perth-smart", MeetingDetails("HMP Perth SMART group", "smart", 1, time(14, 0), since, venue=at("hmp-perth"))),
        ("hmp-perth-recovery-cafe", MeetingDetails("HMP Perth Recovery Café", "cafe", 4, time(13, 30), since, duration_minutes=120, venue=at("hmp-perth"))),
        ("hmp-barlinnie-cafe", MeetingDetails("Barlinnie Recovery Café", "cafe", 3, time(13, 30), since, duration_minutes=120, venue=at("hmp-barlinnie"))),
        ("hmp-low-moss-cafe", MeetingDetails("Low Moss Recovery Café", "cafe", 2, time(14, 0), since, duration_minutes=120, venue=at("hmp-low-moss"))),
        ("hmp-castle-huntly-smart", MeetingDetails("Castle Huntly SMART group", "smart", 0, time(18, 30), since, venue=at("hmp-castle-huntly"))),
    ]


HELPERS = {
    "smart": (1, 2), "family": (1, 0), "cafe": (0, 2), "programme": (1, 1),
}


def seed(now: datetime) -> dict[str, int]:
    """Create whatever part of the demo network is missing; returns how many of each were added."""
    added = {"areas": 0, "venues": 0, "meetings": 0, "people": 0}
    areas = {}
    for slug, name in AREAS.items():
        area = db.session.scalar(select(Area).where(Area.slug == slug))
        if area is None:
            area = Area(slug=slug, name=name)
            db.session.add(area)
            added["areas"] += 1
        areas[slug] = area
        if not area.coverage:
            area.coverage = [AreaCoverage(kind=kind, value=value) for kind, value in COVERAGE.get(slug, [])]
    db.session.flush()
    for slug, (name, setting, area, address, town, postcode, lat, lon, access, directions) in VENUES.items():
        if db.session.scalar(select(Venue.id).where(Venue.slug == slug)) is None:
            db.session.add(Venue(slug=slug, name=name, setting=setting, area=areas[area], address=address, town=town,
                                 postcode=postcode, latitude=lat, longitude=lon, accessibility=access, directions=directions,
                                 step_free=access.startswith(("Step-free", "Lift")), establishment_kind=KINDS.get(slug)))
            added["venues"] += 1
    db.session.flush()
    owner = founding()
    for slug, details in meetings(now.date()):
        if demo_meeting(slug, details) is not None:
            continue
        details.slug = slug
        details.facilitators_needed, details.mentors_needed = HELPERS[details.kind]
        if details.online_url:
            details.mentors_needed = 0
        details.organisation_id = owner.id
        meeting = create_meeting(details)
        added["meetings"] += 1
        _demo_changes(slug, meeting, now)
    added["people"] = seed_people(now.date())
    seed_members()
    if added["people"]:
        seed_rota_and_pathway(now)
        seed_course_and_custody_post(now)
        seed_shared_pathway(now)
    return added


def demo_meeting(key: str, details: MeetingDetails) -> Meeting | None:
    """A demo series already seeded: by its slug, or (custody slugs end in random letters) by title and prison."""
    if details.venue is not None and details.venue.is_custody:
        return db.session.scalar(select(Meeting).where(Meeting.title == details.title,
                                                       Meeting.venue_id == details.venue.id))
    return db.session.scalar(select(Meeting).where(Meeting.slug == key))


def demo_meetings(today) -> dict[str, Meeting]:
    """The seeded demo series by their demo keys, custody ones included."""
    found = {key: demo_meeting(key, details) for key, details in meetings(today)}
    return {key: meeting for key, meeting in found.items() if meeting is not None}


def _demo_changes(key: str, meeting: Meeting, now: datetime) -> None:
    """A few realistic exceptions: a cancellation and a move on some series."""
    upcoming = next_occurrences(meeting.schedule, {}, now, count=3)
    if len(upcoming) < 3:
        return
    if key in {"perth-smart-tuesday", "arbroath-smart-wednesday", "hmp-perth-smart"}:
        cancel_occurrence(meeting, upcoming[1].start.date(), "Hall closed for a funeral; back the week after.")
    # Real moves only: each goes later than the series' own start (a "move" to the usual time is refused).
    later = {"dundee-smart-monday": time(19, 0), "glasgow-smart-wednesday": time(20, 0)}
    if key in later:
        moved = datetime.combine(upcoming[2].start.date(), later[key])
        move_occurrence(meeting, upcoming[2].start.date(), moved, "Starting later this week because of a training day.")
