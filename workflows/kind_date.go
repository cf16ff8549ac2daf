package workflows

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// relativeDays are the words for days relative to today.
var relativeDays = map[string]int{
	"i dag": 0, "idag": 0, "today": 0,
	"i gaar": -1, "igaar": -1, "yesterday": -1, "i gar": -1, "igar": -1,
	"i forgaars": -2, "iforgaars": -2, "day before yesterday": -2,
}

// weekdays name days of the week; "mandag" is the most recent Monday
// (today if it is Monday).
var weekdays = map[string]time.Weekday{
	"mandag": time.Monday, "tirsdag": time.Tuesday, "onsdag": time.Wednesday, "torsdag": time.Thursday,
	"fredag": time.Friday, "loerdag": time.Saturday, "soendag": time.Sunday,
	"monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday, "thursday": time.Thursday,
	"friday": time.Friday, "saturday": time.Saturday, "sunday": time.Sunday,
}

var (
	isoDate = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})$`)
	dmyDate = regexp.MustCompile(`^(\d{1,2})\s*[./-]\s*(\d{1,2})\s*(?:[./-]\s*(\d{2}|\d{4})?)?$`)
)

// parseDate reads a date strictly: today/yesterday in both languages, a
// weekday, 3/12, 3.12., 3.12.2026, 3-12-26 or 2026-12-03. Without a year the
// most recent such day is meant. Impossible dates (31.02) and the future
// are refused. The answer is stored as ISO 8601.
func parseDate(_ *Question, in string, e env) (Answer, *Answer, *Problem) {
	today := time.Date(e.now.Year(), e.now.Month(), e.now.Day(), 0, 0, 0, 0, time.UTC)
	f := fold(in)
	if d, ok := relativeDays[f]; ok {
		return dateAnswer(today.AddDate(0, 0, d)), nil, nil
	}
	if wd, ok := weekdays[f]; ok {
		back := (int(today.Weekday()) - int(wd) + 7) % 7
		return dateAnswer(today.AddDate(0, 0, -back)), nil, nil
	}
	s := strings.TrimSpace(in)
	var y, m, d int
	yearGiven := true
	if g := isoDate.FindStringSubmatch(s); g != nil {
		y, m, d = atoi(g[1]), atoi(g[2]), atoi(g[3])
	} else if g := dmyDate.FindStringSubmatch(s); g != nil {
		d, m = atoi(g[1]), atoi(g[2])
		switch len(g[3]) {
		case 0:
			yearGiven = false
			y = today.Year()
		case 2:
			y = 2000 + atoi(g[3])
		default:
			y = atoi(g[3])
		}
	} else {
		return Answer{}, nil, problem(
			"Jeg kan ikke læse %s som en dato. Skriv fx «i dag», «i går», «3/12» eller «3.12.2026».",
			"I cannot read %s as a date. Type e.g. «today», «yesterday», «3/12» or «3.12.2026».", quote(in))
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if m < 1 || m > 12 || d < 1 || t.Day() != d {
		return Answer{}, nil, problem("%s findes ikke i kalenderen. Tjek dag og måned.",
			"%s is not a date in the calendar. Check the day and the month.", quote(in))
	}
	if !yearGiven && t.After(today) {
		t = t.AddDate(-1, 0, 0)
		if t.Day() != d { // 29 February into a year without it
			return Answer{}, nil, problem("%s findes ikke i kalenderen. Tjek dag og måned.",
				"%s is not a date in the calendar. Check the day and the month.", quote(in))
		}
	}
	if t.After(today) {
		return Answer{}, nil, problem("%s ligger i fremtiden. Skriv datoen for besøget, der har fundet sted.",
			"%s is in the future. Type the date of the visit that took place.", quote(LongDate(t, e.lang)))
	}
	if t.Year() < 2000 {
		return Answer{}, nil, problem("%s er for langt tilbage. Tjek året.",
			"%s is too long ago. Check the year.", quote(in))
	}
	return dateAnswer(t), nil, nil
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func dateAnswer(t time.Time) Answer { return Answer{Text: t.Format(time.DateOnly)} }

// showDate shows an ISO date in words: "torsdag 3. december 2026".
func showDate(_ *Question, a Answer, lang Lang) string {
	t, err := time.Parse(time.DateOnly, a.Text)
	if err != nil {
		return a.Text
	}
	return LongDate(t, lang)
}

var (
	daWeekdays = [...]string{"søndag", "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag"}
	daMonths   = [...]string{"januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
		"september", "oktober", "november", "december"}
)

// LongDate writes a date in words the way a Dane or an English reader
// expects it: "torsdag 3. december 2026", "Thursday 3 December 2026".
func LongDate(t time.Time, lang Lang) string {
	if lang == English {
		return t.Format("Monday 2 January 2006")
	}
	return fmt.Sprintf("%s %d. %s %d", daWeekdays[t.Weekday()], t.Day(), daMonths[t.Month()-1], t.Year())
}
