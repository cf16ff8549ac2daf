package reminders

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ErrWhen is returned when a time cannot be read; ErrPast when it has
// passed. The bot answers both with examples.
var (
	ErrWhen = errors.New("cannot read the time")
	ErrPast = errors.New("the time has passed")
)

// DefaultHour is the time of day a reminder for a date without a time gets.
const DefaultHour = 9

var (
	reIn       = regexp.MustCompile(`^(?:in|om)\s+(\d+|en|et|one|a|an)\s+(minutter|minutes|minut|minute|min|timer|time|hours|hour|dage|dag|days|day|uger|uge|weeks|week)\b`)
	reClock    = regexp.MustCompile(`^(?:kl\.?|at|klokken)?\s*(\d{1,2})(?:[:.](\d{2}))?\b`)
	reDate     = regexp.MustCompile(`^(\d{1,2})[./](\d{1,2})(?:[./](\d{2,4}))?\.?`)
	reISO      = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})`)
	reRelative = regexp.MustCompile(`^(i dag|idag|today|i morgen|imorgen|tomorrow|i overmorgen|overmorgen)\b`)
	reWeekday  = regexp.MustCompile(`^(?:på |on |next |næste )?(mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b`)
)

var weekdayNames = map[string]time.Weekday{
	"mandag": time.Monday, "tirsdag": time.Tuesday, "onsdag": time.Wednesday, "torsdag": time.Thursday,
	"fredag": time.Friday, "lørdag": time.Saturday, "søndag": time.Sunday,
	"monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday, "thursday": time.Thursday,
	"friday": time.Friday, "saturday": time.Saturday, "sunday": time.Sunday,
}

// ParseWhen reads the time at the start of text, in Danish or English, and
// returns it with the rest of the text: "in 3 days", "om 2 uger",
// "tomorrow 9:00", "i morgen kl 9", "15.1.", "15/1 kl 14", "fredag kl 10",
// "kl 15", "2027-01-15 10:00". A date without a time means 09:00; a date
// without a year the next such day. Times are in loc.
func ParseWhen(text string, now time.Time, loc *time.Location) (time.Time, string, error) {
	s := strings.ToLower(strings.TrimSpace(text))
	now = now.In(loc)
	var day time.Time // the date, when one was given
	hour, minute := DefaultHour, 0

	rest := func(n int) string { return strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(text)[n:], ",:;- ")) }

	if m := reIn.FindStringSubmatch(s); m != nil {
		n := 1
		if v, err := strconv.Atoi(m[1]); err == nil {
			n = v
		}
		if n < 1 || n > 3660 {
			return time.Time{}, "", ErrWhen
		}
		var t time.Time
		switch unit := m[2]; {
		case strings.HasPrefix(unit, "min"):
			t = now.Add(time.Duration(n) * time.Minute)
		case strings.HasPrefix(unit, "time"), strings.HasPrefix(unit, "hour"):
			t = now.Add(time.Duration(n) * time.Hour)
		case strings.HasPrefix(unit, "dag"), strings.HasPrefix(unit, "day"):
			t = time.Date(now.Year(), now.Month(), now.Day()+n, now.Hour(), now.Minute(), 0, 0, loc)
		default: // weeks
			t = time.Date(now.Year(), now.Month(), now.Day()+7*n, now.Hour(), now.Minute(), 0, 0, loc)
		}
		return t, rest(len(m[0])), nil
	}

	consumed := 0
	switch {
	case reRelative.MatchString(s):
		m := reRelative.FindStringSubmatch(s)
		offset := map[string]int{"i dag": 0, "idag": 0, "today": 0, "i morgen": 1, "imorgen": 1, "tomorrow": 1, "i overmorgen": 2, "overmorgen": 2}[m[1]]
		day = time.Date(now.Year(), now.Month(), now.Day()+offset, 0, 0, 0, 0, loc)
		consumed = len(m[0])
	case reWeekday.MatchString(s):
		m := reWeekday.FindStringSubmatch(s)
		ahead := (int(weekdayNames[m[1]]) - int(now.Weekday()) + 7) % 7
		if ahead == 0 {
			ahead = 7
		}
		day = time.Date(now.Year(), now.Month(), now.Day()+ahead, 0, 0, 0, 0, loc)
		consumed = len(m[0])
	case reISO.MatchString(s):
		m := reISO.FindStringSubmatch(s)
		y, mo, d := atoi(m[1]), atoi(m[2]), atoi(m[3])
		day = time.Date(y, time.Month(mo), d, 0, 0, 0, 0, loc)
		if day.Day() != d || mo < 1 || mo > 12 {
			return time.Time{}, "", ErrWhen
		}
		consumed = len(m[0])
	case reDate.MatchString(s):
		m := reDate.FindStringSubmatch(s)
		d, mo := atoi(m[1]), atoi(m[2])
		y := now.Year()
		if m[3] != "" {
			y = atoi(m[3])
			if y < 100 {
				y += 2000
			}
		}
		day = time.Date(y, time.Month(mo), d, 0, 0, 0, 0, loc)
		if day.Day() != d || mo < 1 || mo > 12 {
			return time.Time{}, "", ErrWhen
		}
		if m[3] == "" && day.Before(time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)) {
			day = day.AddDate(1, 0, 0)
		}
		consumed = len(m[0])
	}
	after := strings.TrimSpace(s[consumed:])
	skipped := len(s[consumed:]) - len(strings.TrimLeft(s[consumed:], " "))
	if m := reClock.FindStringSubmatch(after); m != nil && (consumed > 0 || strings.HasPrefix(after, "kl") || strings.HasPrefix(after, "at") || m[2] != "") {
		h, mi := atoi(m[1]), 0
		if m[2] != "" {
			mi = atoi(m[2])
		}
		if h > 23 || mi > 59 {
			return time.Time{}, "", ErrWhen
		}
		hour, minute = h, mi
		consumed += skipped + len(m[0])
	}
	if consumed == 0 {
		return time.Time{}, "", ErrWhen
	}
	if day.IsZero() { // only a time: today, or tomorrow once it has passed
		day = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
		if !time.Date(day.Year(), day.Month(), day.Day(), hour, minute, 0, 0, loc).After(now) {
			day = day.AddDate(0, 0, 1)
		}
	}
	t := time.Date(day.Year(), day.Month(), day.Day(), hour, minute, 0, 0, loc)
	if !t.After(now) {
		return t, "", ErrPast
	}
	return t, rest(consumed), nil
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
