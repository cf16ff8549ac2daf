package reminders_test

import (
	"testing"
	"time"

	"beredskab/reminders"
)

func TestWorkingHoursNext(t *testing.T) {
	cph := copenhagen(t)
	def := reminders.DefaultWorkingHours()
	sixDays, err := reminders.ParseWorkingHours("09:00-17:00", []string{"mon", "tue", "wed", "thu", "fri", "sat"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		hours reminders.WorkingHours
		t     time.Time
		want  time.Time
	}{
		{"inside hours unchanged", def, at(cph, 2027, time.January, 13, 10, 0), at(cph, 2027, time.January, 13, 10, 0)},
		{"at opening unchanged", def, at(cph, 2027, time.January, 13, 8, 0), at(cph, 2027, time.January, 13, 8, 0)},
		{"a minute before closing unchanged", def, at(cph, 2027, time.January, 13, 17, 59), at(cph, 2027, time.January, 13, 17, 59)},
		{"early morning to opening", def, at(cph, 2027, time.January, 13, 6, 30), at(cph, 2027, time.January, 13, 8, 0)},
		{"at closing to next morning", def, at(cph, 2027, time.January, 13, 18, 0), at(cph, 2027, time.January, 14, 8, 0)},
		{"evening to next morning", def, at(cph, 2027, time.January, 13, 21, 15), at(cph, 2027, time.January, 14, 8, 0)},
		{"friday evening to monday", def, at(cph, 2027, time.January, 15, 19, 0), at(cph, 2027, time.January, 18, 8, 0)},
		{"saturday to monday", def, at(cph, 2027, time.January, 16, 12, 0), at(cph, 2027, time.January, 18, 8, 0)},
		{"sunday night to monday", def, at(cph, 2027, time.January, 17, 23, 59), at(cph, 2027, time.January, 18, 8, 0)},
		{"year end", def, at(cph, 2027, time.December, 31, 18, 30), at(cph, 2028, time.January, 3, 8, 0)},
		// The spring change, Sunday 28 March 2027: Monday opens at 08:00
		// CEST, 06:00 UTC.
		{"friday evening before summer time", def, at(cph, 2027, time.March, 26, 19, 0), utc(2027, time.March, 29, 6, 0)},
		{"saturday before summer time", def, at(cph, 2027, time.March, 27, 10, 0), utc(2027, time.March, 29, 6, 0)},
		{"in the skipped hour", def, utc(2027, time.March, 28, 1, 30), utc(2027, time.March, 29, 6, 0)},
		{"sunday in summer time", def, at(cph, 2027, time.March, 28, 10, 0), utc(2027, time.March, 29, 6, 0)},
		// The autumn change, Sunday 31 October 2027: Monday opens at 08:00
		// CET, 07:00 UTC.
		{"friday evening before winter time", def, at(cph, 2027, time.October, 29, 18, 30), utc(2027, time.November, 1, 7, 0)},
		{"saturday before winter time", def, at(cph, 2027, time.October, 30, 10, 0), utc(2027, time.November, 1, 7, 0)},
		{"the repeated hour, first time", def, utc(2027, time.October, 31, 0, 30), utc(2027, time.November, 1, 7, 0)},
		{"the repeated hour, second time", def, utc(2027, time.October, 31, 1, 30), utc(2027, time.November, 1, 7, 0)},
		// Other hours.
		{"six days: saturday inside", sixDays, at(cph, 2027, time.January, 16, 10, 0), at(cph, 2027, time.January, 16, 10, 0)},
		{"six days: saturday evening to monday", sixDays, at(cph, 2027, time.January, 16, 17, 30), at(cph, 2027, time.January, 18, 9, 0)},
		{"six days: before opening", sixDays, at(cph, 2027, time.January, 13, 8, 30), at(cph, 2027, time.January, 13, 9, 0)},
		{"no working days: as due", reminders.WorkingHours{Open: 480, Close: 1080}, at(cph, 2027, time.January, 16, 3, 0), at(cph, 2027, time.January, 16, 3, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.hours.Next(tt.t, cph)
			if !got.Equal(tt.want) {
				t.Errorf("Next(%v) = %v, want %v", tt.t.In(cph), got.In(cph), tt.want.In(cph))
			}
		})
	}
}

func TestParseWorkingHours(t *testing.T) {
	days := func(ds ...time.Weekday) (out [7]bool) {
		for _, d := range ds {
			out[d] = true
		}
		return out
	}
	weekdays := days(time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday)
	tests := []struct {
		span    string
		days    []string
		want    reminders.WorkingHours
		wantErr bool
	}{
		{"08:00-18:00", []string{"mon", "tue", "wed", "thu", "fri"}, reminders.DefaultWorkingHours(), false},
		{" 07:30 - 16:15 ", []string{"Monday", " TUE ", "wednesday", "thu", "Fri"}, reminders.WorkingHours{Open: 450, Close: 975, Days: weekdays}, false},
		{"00:00-23:59", []string{"sat", "sun"}, reminders.WorkingHours{Open: 0, Close: 1439, Days: days(time.Saturday, time.Sunday)}, false},
		{"0800-1800", []string{"mon"}, reminders.WorkingHours{}, true},
		{"08:00", []string{"mon"}, reminders.WorkingHours{}, true},
		{"18:00-08:00", []string{"mon"}, reminders.WorkingHours{}, true},
		{"08:00-08:00", []string{"mon"}, reminders.WorkingHours{}, true},
		{"25:00-26:00", []string{"mon"}, reminders.WorkingHours{}, true},
		{"08:00-18:00", []string{"man"}, reminders.WorkingHours{}, true},
		{"08:00-18:00", []string{""}, reminders.WorkingHours{}, true},
		{"08:00-18:00", nil, reminders.WorkingHours{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.span, func(t *testing.T) {
			got, err := reminders.ParseWorkingHours(tt.span, tt.days)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("ParseWorkingHours(%q, %q) = %+v, want an error", tt.span, tt.days, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseWorkingHours(%q, %q): %v", tt.span, tt.days, err)
			}
			if got != tt.want {
				t.Errorf("ParseWorkingHours(%q, %q) = %+v, want %+v", tt.span, tt.days, got, tt.want)
			}
		})
	}
}

func TestDrillReminders(t *testing.T) {
	cph := copenhagen(t)
	def := reminders.DrillDate{Month: time.September, Day: 25}
	if d, err := reminders.ParseDrillDate("09-25"); err != nil || d != def {
		t.Fatalf("ParseDrillDate(09-25) = %+v, %v", d, err)
	}
	if _, err := reminders.ParseDrillDate("25.9."); err == nil {
		t.Fatal("ParseDrillDate(25.9.) gave no error")
	}
	type due struct {
		kind reminders.Kind
		at   time.Time
		year int
	}
	tests := []struct {
		name string
		now  time.Time
		want []due
	}{
		{"early in the year", at(cph, 2027, time.March, 1, 10, 0), []due{
			{reminders.DrillHeadsUp, utc(2027, time.September, 11, 7, 0), 2027},
			{reminders.Drill, utc(2027, time.September, 25, 7, 0), 2027},
		}},
		{"after the heads-up", at(cph, 2027, time.September, 20, 10, 0), []due{
			{reminders.Drill, utc(2027, time.September, 25, 7, 0), 2027},
		}},
		{"at the drill", at(cph, 2027, time.September, 25, 9, 0), []due{
			{reminders.DrillHeadsUp, utc(2028, time.September, 11, 7, 0), 2028},
			{reminders.Drill, utc(2028, time.September, 25, 7, 0), 2028},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := reminders.DrillReminders(def, tt.now, cph, "team")
			if len(got) != len(tt.want) {
				t.Fatalf("DrillReminders = %+v, want %d", got, len(tt.want))
			}
			for i, w := range tt.want {
				g := got[i]
				if g.Kind != w.kind || !g.Due.Equal(w.at) || g.Year != w.year || g.Channel != "team" || g.User != "" || g.Dedupe == "" {
					t.Errorf("DrillReminders[%d] = %+v, want %s at %v (%d) to the channel", i, g, w.kind, w.at, w.year)
				}
			}
		})
	}
}
