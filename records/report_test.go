package records_test

import (
	"bytes"
	"flag"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"beredskab/records"
	"beredskab/records/recordstest"
	"beredskab/workflows"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func seq(vs []workflows.Visit) func(func(workflows.Visit, error) bool) {
	return func(yield func(workflows.Visit, error) bool) {
		for _, v := range vs {
			if !yield(v, nil) {
				return
			}
		}
	}
}

func report2026(t *testing.T) records.Report {
	t.Helper()
	p := records.Year(2026)
	live, err := records.Tally(seq(recordstest.Fixed()), p)
	if err != nil {
		t.Fatal(err)
	}
	return records.NewReport(p, nil, live)
}

// The figures of recordstest.Fixed for 2026, counted by hand from the six
// visits (2025-0031 on 30 December 2025 is outside the year):
//
//	visits 5: 0001 (Jan, contact), 0002 (Jan, contact), 0003 (Feb, nobody),
//	          0004 (Mar, contact), 0005 (Mar, activity) → contacts 3, rate 60 %
//	method: physical 3 (0001, 0003, 0004), phone 1 (0002), sms 1 (0005)
//	reason: outreach 2 (0001, 0003), follow_up 1, police_request 1, self_referral 1
//	location: massage_clinic 3, other 2
//	persons 5: 0001 has TH woman 34 and TH woman 17, 0002 RO woman 25,
//	           0004 NG trans 45 and unknown man 60
//	nationality: TH 2, RO 1, NG 1, unknown 1; gender: woman 3, trans 1, man 1
//	age: 12-17 1 (17), 25-34 2 (34, 25), 45-54 1 (45), 55+ 1 (60)
//	met before: yes 2 (17, 45), no 2 (34, 60), unknown 1 (25)
//	trafficking 2 (34, 45); health self 2 (34, 45); observed 2 (17, 45)
//	crisis symptoms: yes 1 (45), suspected 1 (60)
//	food packages 2 + 3 = 5; referral hospital 1, dentist 1, other 1 (0001, 0004)
//	discussed: police 2 (0001, 0004), social worker 1, doctor 1 (0002), other 1 (0004)
//	months: Jan 2 visits, 2 contacts, 3 persons; Feb 1, 0, 0; Mar 2, 1, 2
func TestReportFiguresCountedByHand(t *testing.T) {
	tot := report2026(t).Total
	checks := []struct {
		name      string
		got, want int
	}{
		{"visits", tot.Visits, 5}, {"contacts", tot.Contacts, 3},
		{"physical", tot.Method["physical_visit"], 3}, {"phone", tot.Method["phone"], 1}, {"sms", tot.Method["sms"], 1},
		{"outreach", tot.Reason["outreach"], 2}, {"follow_up", tot.Reason["follow_up"], 1},
		{"police_request", tot.Reason["police_request"], 1}, {"self_referral", tot.Reason["self_referral"], 1},
		{"clinic", tot.Location["massage_clinic"], 3}, {"other location", tot.Location["other"], 2},
		{"persons", tot.Persons, 5}, {"TH", tot.Nationality["TH"], 2}, {"RO", tot.Nationality["RO"], 1},
		{"NG", tot.Nationality["NG"], 1}, {"unknown", tot.Nationality["unknown"], 1},
		{"woman", tot.Gender["woman"], 3}, {"trans", tot.Gender["trans"], 1}, {"man", tot.Gender["man"], 1},
		{"12-17", tot.AgeBand["12-17"], 1}, {"25-34", tot.AgeBand["25-34"], 2}, {"45-54", tot.AgeBand["45-54"], 1},
		{"55+", tot.AgeBand["55+"], 1}, {"18-24", tot.AgeBand["18-24"], 0},
		{"met yes", tot.MetBefore["yes"], 2}, {"met no", tot.MetBefore["no"], 2}, {"met unknown", tot.MetBefore["unknown"], 1},
		{"trafficking", tot.Trafficking, 2}, {"health self", tot.HealthSelf, 2}, {"health observed", tot.HealthObserved, 2},
		{"symptoms", tot.CrisisSymptoms["yes"], 1}, {"suspected symptoms", tot.CrisisSymptoms["suspected"], 1},
		{"food", tot.FoodPackages, 5},
		{"hospital", tot.Referral["hospital"], 1}, {"dentist", tot.Referral["dentist"], 1}, {"referral other", tot.Referral["other"], 1},
		{"police", tot.Discussed["police"], 2}, {"social worker", tot.Discussed["cmm_social_worker"], 1},
		{"doctor", tot.Discussed["doctor"], 1}, {"discussed other", tot.Discussed["other"], 1},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}
	months := report2026(t).Months
	if len(months) != 12 {
		t.Fatalf("%d months, want 12", len(months))
	}
	for i, want := range [][3]int{{2, 2, 3}, {1, 0, 0}, {2, 1, 2}} {
		m := months[i]
		if got := [3]int{m.Visits, m.Contacts, m.Persons}; got != want {
			t.Errorf("%s: visits, contacts, persons = %v, want %v", m.Month, got, want)
		}
	}
}

func TestReportGolden(t *testing.T) {
	for _, lang := range []workflows.Lang{workflows.Danish, workflows.English} {
		t.Run(string(lang), func(t *testing.T) {
			got := report2026(t).Markdown(lang)
			golden := filepath.Join("testdata", "report-2026-"+string(lang)+".md")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("report differs from %s (go test ./records -run Golden -update rewrites it):\n%s", golden, got)
			}
		})
	}
}

// Months whose person data was deleted answer from their kept figures plus
// the visits registered since; visits already counted into kept figures are
// not counted again.
func TestReportCombinesKeptAndLiveMonths(t *testing.T) {
	p := records.Period{From: "2026-01", To: "2026-03"}
	live, err := records.Tally(seq(recordstest.Fixed()), p)
	if err != nil {
		t.Fatal(err)
	}
	// Retention counted 2026-0001 (2 persons) into January's kept figures,
	// deleted its persons and flagged it; 2026-0002 (1 person) is live.
	jan := records.Count(recordstest.Fixed()[1:2])
	after := recordstest.Fixed()
	after[1].Persons = nil
	after[1].Flags = append(after[1].Flags, records.FlagPersonDataDeleted)
	liveStripped, err := records.Tally(seq(after), p)
	if err != nil {
		t.Fatal(err)
	}
	want := records.NewReport(p, nil, live)
	got := records.NewReport(p, []records.MonthFigures{jan}, liveStripped)
	// Ignoring the kept figures would give 3 persons; counting 0001 twice, 6 visits.
	if got.Total.Visits != 5 || got.Total.Persons != 5 || got.Total.Nationality["TH"] != 2 {
		t.Errorf("total visits %d persons %d TH %d, want 5, 5, 2", got.Total.Visits, got.Total.Persons, got.Total.Nationality["TH"])
	}
	if !slices.Equal(got.Kept, []string{"2026-01"}) {
		t.Errorf("kept months %v, want [2026-01]", got.Kept)
	}
	got.Kept = nil // the only difference: the note on kept months
	if got.Markdown(workflows.English) != want.Markdown(workflows.English) {
		t.Errorf("with January kept the report differs from the one counted live:\n%s", got.Markdown(workflows.English))
	}
	// Kept figures travel as JSON-able values: merging is what a store of
	// several partial ones would need.
	var twice records.MonthFigures
	twice.Merge(jan)
	twice.Merge(jan)
	if twice.Visits != 2 || twice.Nationality["TH"] != 4 || twice.Month != "2026-01" {
		t.Errorf("merge: %+v", twice)
	}
}

func TestParsePeriod(t *testing.T) {
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		args    []string
		want    records.Period
		wantErr bool
	}{
		{nil, records.Period{From: "2026-01", To: "2026-12"}, false},
		{[]string{"2025"}, records.Period{From: "2025-01", To: "2025-12"}, false},
		{[]string{"2026-01", "2026-06"}, records.Period{From: "2026-01", To: "2026-06"}, false},
		{[]string{"2024", "2026"}, records.Period{From: "2024-01", To: "2026-12"}, false},
		{[]string{"2026-06", "2026-01"}, records.Period{}, true},
		{[]string{"26"}, records.Period{}, true},
		{[]string{"2026-13", "2026-14"}, records.Period{}, true},
		{[]string{"2026-01-01", "2026-02-01"}, records.Period{}, true},
		{[]string{"i", "år", "tak"}, records.Period{}, true},
	}
	for _, tt := range tests {
		got, err := records.ParsePeriod(tt.args, now)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParsePeriod(%q) = %v, %v; want %v, error %v", tt.args, got, err, tt.want, tt.wantErr)
		}
	}
	from, to := records.Period{From: "2024-01", To: "2024-02"}.Dates()
	if from != "2024-01-01" || to != "2024-02-29" {
		t.Errorf("dates %s %s, want 2024-01-01 2024-02-29", from, to)
	}
}

func TestChartIsAPNGOfTheStatedSize(t *testing.T) {
	for _, p := range []records.Period{records.Year(2026), {From: "2025-06", To: "2026-12"}, {From: "1900-01", To: "2026-12"}} {
		live, err := records.Tally(seq(recordstest.Fixed()), p)
		if err != nil {
			t.Fatal(err)
		}
		data, err := records.NewReport(p, nil, live).Chart(workflows.English)
		if err != nil {
			t.Fatalf("%v: %v", p, err)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%v: decode: %v", p, err)
		}
		if b := img.Bounds(); b.Dx() != records.ChartWidth || b.Dy() != records.ChartHeight {
			t.Errorf("%v: chart is %d×%d, want %d×%d", p, b.Dx(), b.Dy(), records.ChartWidth, records.ChartHeight)
		}
	}
}
