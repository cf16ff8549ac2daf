package reminders

import (
	"fmt"
	"strings"
	"time"
)

// WorkingHours are when direct messages may reach a person: reminders due
// outside them wait for the next opening.
type WorkingHours struct {
	// Open and Close are minutes after midnight, local time.
	Open, Close int
	// Days are the working weekdays.
	Days [7]bool
}

// DefaultWorkingHours are 08:00–18:00, Monday to Friday.
func DefaultWorkingHours() WorkingHours {
	h := WorkingHours{Open: 8 * 60, Close: 18 * 60}
	for d := time.Monday; d <= time.Friday; d++ {
		h.Days[d] = true
	}
	return h
}

// ParseWorkingHours reads "08:00-18:00" and days such as "mon".."fri".
func ParseWorkingHours(span string, days []string) (WorkingHours, error) {
	var h WorkingHours
	from, to, ok := strings.Cut(span, "-")
	if !ok {
		return h, fmt.Errorf("working hours %q: want HH:MM-HH:MM", span)
	}
	var err error
	if h.Open, err = clock(from); err != nil {
		return h, fmt.Errorf("working hours %q: %w", span, err)
	}
	if h.Close, err = clock(to); err != nil {
		return h, fmt.Errorf("working hours %q: %w", span, err)
	}
	if h.Close <= h.Open {
		return h, fmt.Errorf("working hours %q: they must close after they open", span)
	}
	names := map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
		"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}
	for _, d := range days {
		wd, ok := names[strings.ToLower(strings.TrimSpace(d))[:min(3, len(strings.TrimSpace(d)))]]
		if !ok {
			return h, fmt.Errorf("working day %q: want mon, tue, wed, thu, fri, sat or sun", d)
		}
		h.Days[wd] = true
	}
	if h.Days == [7]bool{} {
		return h, fmt.Errorf("working hours: no working days")
	}
	return h, nil
}

func clock(s string) (int, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("%q is not HH:MM", s)
	}
	return t.Hour()*60 + t.Minute(), nil
}

// Next is the first moment at or after t within working hours, in loc. It
// builds each opening from the calendar date, so it is right across the
// daylight-saving changes.
func (h WorkingHours) Next(t time.Time, loc *time.Location) time.Time {
	lt := t.In(loc)
	for i := 0; i < 8; i++ {
		day := time.Date(lt.Year(), lt.Month(), lt.Day()+i, 0, 0, 0, 0, loc)
		if !h.Days[day.Weekday()] {
			continue
		}
		open := time.Date(day.Year(), day.Month(), day.Day(), h.Open/60, h.Open%60, 0, 0, loc)
		closing := time.Date(day.Year(), day.Month(), day.Day(), h.Close/60, h.Close%60, 0, 0, loc)
		if i == 0 {
			if !lt.Before(open) && lt.Before(closing) {
				return t
			}
			if lt.Before(open) {
				return open
			}
			continue
		}
		return open
	}
	return t // no working day at all: deliver when due
}
