/* Read an .ics feed with libical (the C library behind Evolution, GNOME Calendar and many servers).
 *
 * Usage: libical_check START END < feed.ics   (START/END: seconds since the epoch, UTC)
 * Prints tab-separated lines, parsed by tests/feeds/libical.py:
 *   ERROR     <type> <message>           every X-LIC-ERROR after parsing and the RFC 5546 restriction check
 *   SLOT      <uid>  <start> <all-day>   each instance of a series libical expands (EXDATEs removed)
 *   OVERRIDE  <uid>  <recurrence-id> <start> <all-day>   each RECURRENCE-ID VEVENT
 * Times are seconds since the epoch, through the feed's own VTIMEZONE. A TZID that has no VTIMEZONE is an
 * ERROR (libical would use its own zone database, other clients would float it), so nothing passes by luck.
 * Slots are printed for a window widened by REACH on both sides: a move can bring one into [START, END).
 */
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REACH (400L * 24 * 3600)

static int failed = 0;

static void error(const char *type, const char *message)
{
    printf("ERROR\t%s\t%s\n", type, message);
    failed = 1;
}

static char *read_all(FILE *in)
{
    size_t size = 1 << 16, used = 0, got;
    char *text = malloc(size);
    while (text && (got = fread(text + used, 1, size - used - 1, in)) > 0) {
        used += got;
        if (size - used < 2) {
            size *= 2;
            text = realloc(text, size);
        }
    }
    if (text)
        text[used] = '\0';
    return text;
}

/* Every X-LIC-ERROR libical attached anywhere in the tree (parse errors, restriction failures). */
static void report_errors(icalcomponent *comp)
{
    for (icalproperty *p = icalcomponent_get_first_property(comp, ICAL_XLICERROR_PROPERTY); p;
         p = icalcomponent_get_next_property(comp, ICAL_XLICERROR_PROPERTY)) {
        icalparameter *kind = icalproperty_get_first_parameter(p, ICAL_XLICERRORTYPE_PARAMETER);
        error(kind ? icalparameter_get_xlicerrortype(kind) == ICAL_XLICERRORTYPE_INVALIDITIP
                         ? "INVALID-ITIP" : icalparameter_as_ical_string(kind)
                   : "UNKNOWN",
              icalproperty_get_xlicerror(p));
    }
    for (icalcomponent *c = icalcomponent_get_first_component(comp, ICAL_ANY_COMPONENT); c;
         c = icalcomponent_get_next_component(comp, ICAL_ANY_COMPONENT))
        report_errors(c);
}

/* A DATE-TIME property resolved through the calendar's VTIMEZONE; refused if its TZID floats. */
static struct icaltimetype zoned(icalcomponent *event, icalproperty_kind kind, const char *uid)
{
    icalproperty *prop = icalcomponent_get_first_property(event, kind);
    struct icaltimetype value = icalproperty_get_datetime_with_component(prop, event);
    icalparameter *tzid = icalproperty_get_first_parameter(prop, ICAL_TZID_PARAMETER);
    /* libical falls back to its own zone database for an unknown TZID; a client without one floats it. */
    if (tzid && (value.zone == NULL ||
                 icalcomponent_get_timezone(icalcomponent_get_parent(event), icalparameter_get_tzid(tzid)) == NULL)) {
        char message[512];
        snprintf(message, sizeof message, "%s: TZID=%s has no VTIMEZONE (it would float)", uid,
                 icalparameter_get_tzid(tzid));
        error("FLOATING", message);
    }
    return value;
}

static long seconds(struct icaltimetype t)
{
    return (long)icaltime_as_timet_with_zone(t, t.zone ? t.zone : icaltimezone_get_utc_timezone());
}

struct slot_context {
    const char *uid;
    int all_day;
};

static void print_slot(icalcomponent *comp, struct icaltime_span *span, void *data)
{
    struct slot_context *context = data;
    (void)comp;
    printf("SLOT\t%s\t%ld\t%d\n", context->uid, (long)span->start, context->all_day);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: libical_check START END < feed.ics\n");
        return 2;
    }
    icaltimezone *utc = icaltimezone_get_utc_timezone();
    struct icaltimetype from = icaltime_from_timet_with_zone(atol(argv[1]) - REACH, 0, utc);
    struct icaltimetype to = icaltime_from_timet_with_zone(atol(argv[2]) + REACH, 0, utc);
    char *text = read_all(stdin);
    icalcomponent *root = text ? icalparser_parse_string(text) : NULL;
    if (root == NULL || icalcomponent_isa(root) != ICAL_VCALENDAR_COMPONENT) {
        error("PARSE", "no VCALENDAR");
        return 1;
    }
    /* RFC 5546 restrictions for the calendar's METHOD (RFC 5545 ones when it has none). */
    int valid = icalrestriction_check(root);
    report_errors(root);
    if (!valid && !failed)
        error("INVALID-ITIP", "icalrestriction_check failed without saying why");
    for (icalcomponent *event = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT); event;
         event = icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT)) {
        const char *uid = icalcomponent_get_uid(event);
        if (uid == NULL) {
            error("NO-UID", "a VEVENT has no UID");
            continue;
        }
        struct icaltimetype start = zoned(event, ICAL_DTSTART_PROPERTY, uid);
        if (icalcomponent_get_first_property(event, ICAL_RECURRENCEID_PROPERTY)) {
            struct icaltimetype original = zoned(event, ICAL_RECURRENCEID_PROPERTY, uid);
            printf("OVERRIDE\t%s\t%ld\t%ld\t%d\n", uid, seconds(original), seconds(start), start.is_date);
        } else {
            struct slot_context context = {uid, start.is_date};
            icalcomponent_foreach_recurrence(event, from, to, print_slot, &context);
        }
    }
    icalcomponent_free(root);
    free(text);
    return failed;
}
