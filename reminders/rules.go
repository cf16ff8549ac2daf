package reminders

import (
	"fmt"
	"slices"
	"time"
)

// DrillDate is the yearly date of the drill (month and day), 25 September
// by default after the plan's date.
type DrillDate struct {
	Month time.Month
	Day   int
}

// ParseDrillDate reads "09-25".
func ParseDrillDate(s string) (DrillDate, error) {
	t, err := time.Parse("01-02", s)
	if err != nil {
		return DrillDate{}, fmt.Errorf("drill date %q: want MM-DD", s)
	}
	return DrillDate{Month: t.Month(), Day: t.Day()}, nil
}

// HeadsUp is how long before the drill the team is told it is coming.
const HeadsUp = 14 * 24 * time.Hour

// At is the drill of a year, at 09:00 local time.
func (d DrillDate) At(year int, loc *time.Location) time.Time {
	return time.Date(year, d.Month, d.Day, DefaultHour, 0, 0, 0, loc)
}

// DrillReminders are the drill of the first year whose drill is after now,
// and its heads-up (when that is still ahead too), for the team channel.
func DrillReminders(d DrillDate, now time.Time, loc *time.Location, channel string) []Reminder {
	year := now.In(loc).Year()
	if !d.At(year, loc).After(now) {
		year++
	}
	return drillYear(d, year, now, loc, channel)
}

func drillYear(d DrillDate, year int, now time.Time, loc *time.Location, channel string) []Reminder {
	at := d.At(year, loc)
	var out []Reminder
	heads := time.Date(year, d.Month, d.Day-14, DefaultHour, 0, 0, 0, loc)
	if heads.After(now) {
		out = append(out, Reminder{Kind: DrillHeadsUp, Due: heads, Channel: channel, Year: year,
			Dedupe: fmt.Sprintf("drill-heads-up/%d", year)})
	}
	return append(out, Reminder{Kind: Drill, Due: at, Channel: channel, Year: year, Dedupe: fmt.Sprintf("drill/%d", year)})
}

// EvaluationEvery is how often the coordinators are reminded of an
// evaluation that is not done.
const EvaluationEvery = 7 * 24 * time.Hour

// EvaluationReminder is the reminder to a coordinator to hold the
// evaluation of a crisis, the n-th of the weekly series.
func EvaluationReminder(crisisID, user string, due time.Time, n int) Reminder {
	return Reminder{Kind: Evaluation, Due: due, User: user, CrisisID: crisisID, Round: n,
		Dedupe: fmt.Sprintf("evaluation/%s/%s/%d", crisisID, user, n)}
}

// following are the reminders a delivered one leads to: next year's drill,
// next week's evaluation reminder. The next evaluation reminder is the
// first weekly one after now, so that one delivered late (the bot was down
// for weeks) is not followed by one message for every week missed.
func following(r Reminder, loc *time.Location, drill DrillDate, now time.Time) []Reminder {
	switch r.Kind {
	case Drill:
		return drillYear(drill, r.Year+1, r.Due, loc, r.Channel)
	case Evaluation:
		next := addDays(r.Due, 7, loc)
		for weeks := 14; !next.After(now); weeks += 7 {
			next = addDays(r.Due, weeks, loc)
		}
		return []Reminder{EvaluationReminder(r.CrisisID, r.User, next, r.Round+1)}
	}
	return nil
}

// addDays moves a time by whole calendar days, keeping the local clock time
// across daylight-saving changes.
func addDays(t time.Time, days int, loc *time.Location) time.Time {
	lt := t.In(loc)
	return time.Date(lt.Year(), lt.Month(), lt.Day()+days, lt.Hour(), lt.Minute(), lt.Second(), 0, loc)
}

func sortByDue(rs []Reminder) {
	slices.SortStableFunc(rs, func(a, b Reminder) int { return a.Due.Compare(b.Due) })
}
