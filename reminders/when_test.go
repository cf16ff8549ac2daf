package reminders_test

import (
	"errors"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Copenhagen without relying on the host's zoneinfo

	"beredskab/reminders"
)

func copenhagen(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		t.Fatalf("load Europe/Copenhagen: %v", err)
	}
	return loc
}

// at is a wall-clock time in loc.
func at(loc *time.Location, y int, mo time.Month, d, h, mi int) time.Time {
	return time.Date(y, mo, d, h, mi, 0, 0, loc)
}

func utc(y int, mo time.Month, d, h, mi int) time.Time {
	return time.Date(y, mo, d, h, mi, 0, 0, time.UTC)
}

func TestParseWhen(t *testing.T) {
	cph := copenhagen(t)
	// Wednesday 13 January 2027, 10:00 in Copenhagen (CET, UTC+1).
	wed := at(cph, 2027, time.January, 13, 10, 0)
	// Saturday 27 March 2027, 10:00 CET: the clocks go forward the next night.
	beforeSpring := at(cph, 2027, time.March, 27, 10, 0)
	// Sunday 24 October 2027, 10:00 CEST: the clocks go back a week later.
	beforeAutumn := at(cph, 2027, time.October, 24, 10, 0)

	tests := []struct {
		name string
		text string
		now  time.Time
		want time.Time // compared as instants
		rest string
	}{
		// The examples.
		{"in days", "in 3 days call the lab", wed, at(cph, 2027, time.January, 16, 10, 0), "call the lab"},
		{"tomorrow with clock", "tomorrow 9:00 test results", wed, at(cph, 2027, time.January, 14, 9, 0), "test results"},
		{"date without year", "15.1. check referral", wed, at(cph, 2027, time.January, 15, 9, 0), "check referral"},
		{"om uger", "om 2 uger se igen", wed, at(cph, 2027, time.January, 27, 10, 0), "se igen"},
		{"i morgen kl", "i morgen kl 9 ring til Lise", wed, at(cph, 2027, time.January, 14, 9, 0), "ring til Lise"},
		// More phrases.
		{"kl only, later today", "kl 15 møde", wed, at(cph, 2027, time.January, 13, 15, 0), "møde"},
		{"kl only, passed today", "kl 9", wed, at(cph, 2027, time.January, 14, 9, 0), ""},
		{"klokken", "klokken 14.30 opkald", wed, at(cph, 2027, time.January, 13, 14, 30), "opkald"},
		{"at", "at 16:45 call", wed, at(cph, 2027, time.January, 13, 16, 45), "call"},
		{"bare clock with minutes", "11:15 standup", wed, at(cph, 2027, time.January, 13, 11, 15), "standup"},
		{"danish weekday", "fredag kl 10 besøg", wed, at(cph, 2027, time.January, 15, 10, 0), "besøg"},
		{"på weekday with kl.", "på fredag kl. 14.30", wed, at(cph, 2027, time.January, 15, 14, 30), ""},
		{"english weekday", "monday check", wed, at(cph, 2027, time.January, 18, 9, 0), "check"},
		{"on weekday", "on friday 8:15", wed, at(cph, 2027, time.January, 15, 8, 15), ""},
		{"same weekday is next week", "onsdag", wed, at(cph, 2027, time.January, 20, 9, 0), ""},
		{"lørdag", "lørdag kl 11", wed, at(cph, 2027, time.January, 16, 11, 0), ""},
		{"slash date with clock", "24/12 kl 18:30 julefrokost", wed, at(cph, 2027, time.December, 24, 18, 30), "julefrokost"},
		{"date with year", "1.3.2027 opfølgning", wed, at(cph, 2027, time.March, 1, 9, 0), "opfølgning"},
		{"date with short year", "1/3/28", wed, at(cph, 2028, time.March, 1, 9, 0), ""},
		{"passed date without year is next year", "10.1.", wed, at(cph, 2028, time.January, 10, 9, 0), ""},
		{"iso date", "2027-02-01 prøvesvar", wed, at(cph, 2027, time.February, 1, 9, 0), "prøvesvar"},
		{"iso date and time", "2027-02-01 10:30 prøvesvar", wed, at(cph, 2027, time.February, 1, 10, 30), "prøvesvar"},
		{"om en uge", "om en uge: ring", wed, at(cph, 2027, time.January, 20, 10, 0), "ring"},
		{"in a week", "in a week", wed, at(cph, 2027, time.January, 20, 10, 0), ""},
		{"om et minut", "om 1 minut", wed, wed.Add(time.Minute), ""},
		{"in minutes", "in 30 minutes tea", wed, wed.Add(30 * time.Minute), "tea"},
		{"om timer", "om 2 timer", wed, wed.Add(2 * time.Hour), ""},
		{"in an hour", "in an hour", wed, wed.Add(time.Hour), ""},
		{"i overmorgen", "i overmorgen", wed, at(cph, 2027, time.January, 15, 9, 0), ""},
		{"i dag later", "i dag kl 17", wed, at(cph, 2027, time.January, 13, 17, 0), ""},
		{"case kept in the rest", "I MORGEN KL 9 Ring til Åse", wed, at(cph, 2027, time.January, 14, 9, 0), "Ring til Åse"},
		{"surrounding space", "  tomorrow  ", wed, at(cph, 2027, time.January, 14, 9, 0), ""},
		// Across the daylight-saving changes: days keep the wall clock,
		// hours are elapsed time.
		{"om 1 dag into summer time", "om 1 dag", beforeSpring, utc(2027, time.March, 28, 8, 0), ""},
		{"i morgen into summer time", "i morgen kl 10", beforeSpring, utc(2027, time.March, 28, 8, 0), ""},
		{"om 24 timer into summer time", "om 24 timer", beforeSpring, utc(2027, time.March, 28, 9, 0), ""},
		{"om 1 uge into winter time", "om 1 uge", beforeAutumn, utc(2027, time.October, 31, 9, 0), ""},
		{"in 7 days into winter time", "in 7 days", beforeAutumn, utc(2027, time.October, 31, 9, 0), ""},
		{"weekday into winter time", "monday 9:00", beforeAutumn, utc(2027, time.October, 25, 7, 0), ""},
		{"weekday after the change", "søndag kl 9", beforeAutumn, utc(2027, time.October, 31, 8, 0), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, rest, err := reminders.ParseWhen(tt.text, tt.now, cph)
			if err != nil {
				t.Fatalf("ParseWhen(%q): %v", tt.text, err)
			}
			if !got.Equal(tt.want) {
				t.Errorf("ParseWhen(%q) = %v, want %v", tt.text, got.In(cph), tt.want.In(cph))
			}
			if got.Location() != cph {
				t.Errorf("ParseWhen(%q) location = %v, want %v", tt.text, got.Location(), cph)
			}
			if rest != tt.rest {
				t.Errorf("ParseWhen(%q) rest = %q, want %q", tt.text, rest, tt.rest)
			}
		})
	}
}

func TestParseWhenErrors(t *testing.T) {
	cph := copenhagen(t)
	wed := at(cph, 2027, time.January, 13, 10, 0)
	tests := []struct {
		text string
		want error
	}{
		{"", reminders.ErrWhen},
		{"   ", reminders.ErrWhen},
		{"ring til Lise", reminders.ErrWhen},
		{"next year", reminders.ErrWhen},
		{"15", reminders.ErrWhen}, // a bare number is not a time
		{"32.1.", reminders.ErrWhen},
		{"15.13.", reminders.ErrWhen},
		{"30.2.", reminders.ErrWhen},
		{"2027-02-30", reminders.ErrWhen},
		{"2027-13-01", reminders.ErrWhen},
		{"kl 25", reminders.ErrWhen},
		{"12:75", reminders.ErrWhen},
		{"i morgen kl 24", reminders.ErrWhen},
		{"om 0 dage", reminders.ErrWhen},
		{"in 99999 days", reminders.ErrWhen},
		{"om mange dage", reminders.ErrWhen},
		{"15.1.2026", reminders.ErrPast},
		{"2026-12-01", reminders.ErrPast},
		{"2027-01-13 09:59", reminders.ErrPast},
		{"2027-01-13 10:00", reminders.ErrPast}, // now is not in the future
		{"i dag kl 8", reminders.ErrPast},
		{"i dag", reminders.ErrPast}, // today means 09:00, passed at 10:00
		{"13.1.", reminders.ErrPast}, // today's date, 09:00 has passed
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got, rest, err := reminders.ParseWhen(tt.text, wed, cph)
			if !errors.Is(err, tt.want) {
				t.Fatalf("ParseWhen(%q) = %v, %q, %v; want error %v", tt.text, got, rest, err, tt.want)
			}
			if rest != "" {
				t.Errorf("ParseWhen(%q) rest = %q on error, want empty", tt.text, rest)
			}
		})
	}
}
