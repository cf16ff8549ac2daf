package upkeep_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"beredskab/bot"
	"beredskab/records"
	"beredskab/storage"
	"beredskab/upkeep"
	"beredskab/workflows"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) Now() time.Time { return c.t }

var cph, _ = time.LoadLocation("Europe/Copenhagen")

func num(n int) *int { return &n }

// visitOn is a visit with person data of every kind retention deletes.
func visitOn(date string, persons int) workflows.Visit {
	v := workflows.Visit{Date: date, CreatedBy: "mw", Fields: workflows.Answers{
		"filled_by": {Text: "MK"}, "organisation": {Text: "CMM"}, "address": {Text: "Istedgade 1"},
		"method": {Text: "physical_visit"}, "reason": {Text: "other"}, "reason_detail": {Text: "SECRET-reason"},
		"location": {Text: "massage_clinic"}, "contact": {Text: "contact"},
		"onsite": {List: []string{"food_packages", "referral"}}, "food_packages": {Number: num(2)},
		"referral": {List: []string{"hospital", "other"}}, "referral_other": {Text: "SECRET-referral"},
		"discussed_with": {List: []string{"police"}}, "discussed_with_reason_police": {Text: "SECRET-police"},
		"remarks": {Text: "SECRET-remarks"},
	}}
	for i := range persons {
		v.Persons = append(v.Persons, workflows.Answers{
			"nationality": {Text: []string{"TH", "RO", "NG"}[i%3]}, "gender": {Text: "woman"}, "age": {Number: num(20 + 10*i)},
			"met_before": {Text: "yes"}, "trafficking_suspected": {Text: "yes"}, "trafficking_note": {Text: "SECRET-trafficking"},
			"health_issue_self": {Text: "no"}, "health_issue_observed": {Text: "yes"}, "health_issue_observed_note": {Text: "SECRET-health"},
		})
	}
	v.Changes = []workflows.Change{
		{By: "co", Field: "remarks", Old: workflows.Answer{Text: "SECRET-old"}, New: workflows.Answer{Text: "SECRET-remarks"}},
		{By: "co", Field: "method", Old: workflows.Answer{Text: "phone"}, New: workflows.Answer{Text: "physical_visit"}},
	}
	return v
}

func TestRetentionKeepsTheFiguresAndDeletesThePersonData(t *testing.T) {
	ctx := t.Context()
	s, err := storage.Open(ctx, storage.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	in := []workflows.Visit{
		visitOn("2020-12-31", 1), visitOn("2021-01-05", 2), visitOn("2021-01-20", 3),
		visitOn("2021-02-28", 0), visitOn("2021-03-01", 2), visitOn("2026-06-01", 1),
	}
	byMonth := map[string][]workflows.Visit{}
	for _, v := range in {
		saved, err := s.FinishVisit(ctx, "mw", v)
		if err != nil {
			t.Fatal(err)
		}
		byMonth[records.MonthOf(saved)] = append(byMonth[records.MonthOf(saved)], saved)
	}
	clock := &fakeClock{t: time.Date(2026, 3, 4, 2, 0, 0, 0, cph)}
	var log bytes.Buffer
	r := upkeep.Retention{Store: s, Audit: s, Clock: clock, Location: cph, Years: 5, Platform: "scheduler",
		Logger: slog.New(slog.NewTextHandler(&log, nil))}

	// 4 March 2026 minus five years is March 2021: the months before it go.
	before, plan, err := r.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []storage.RetentionMonth{{Month: "2020-12", Visits: []string{"2020-0001"}},
		{Month: "2021-01", Visits: []string{"2021-0001", "2021-0002"}}, {Month: "2021-02", Visits: []string{"2021-0003"}}}
	if before != "2021-03" || !reflect.DeepEqual(plan, want) {
		t.Fatalf("plan: before %s, %v; want 2021-03, %v", before, plan, want)
	}
	if err := r.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if err := r.Run(ctx); err != nil { // again: nothing left to do, nothing audited
		t.Fatal(err)
	}

	// The aggregates are the figures of the visits as they were, counted by
	// hand for January 2021: 2 visits, 2 contacts, 4 food packages, 5
	// persons (TH, RO, TH, RO, NG), all trafficking suspected and observed
	// health issues, ages 20, 30 / 20, 30, 40 → 18-24 ×2, 25-34 ×2, 35-44 ×1.
	aggs, err := s.Aggregates(ctx, "2021-01", "2021-12")
	if err != nil {
		t.Fatal(err)
	}
	if len(aggs) != 2 || aggs[0].Month != "2021-01" || aggs[1].Month != "2021-02" {
		t.Fatalf("aggregates 2021: %+v", aggs)
	}
	jan := aggs[0]
	if jan.Visits != 2 || jan.Contacts != 2 || jan.FoodPackages != 4 || jan.Persons != 5 || jan.Trafficking != 5 ||
		jan.HealthObserved != 5 || jan.HealthSelf != 0 || jan.Nationality["TH"] != 2 || jan.Nationality["NG"] != 1 ||
		jan.AgeBand["18-24"] != 2 || jan.AgeBand["25-34"] != 2 || jan.AgeBand["35-44"] != 1 ||
		jan.Referral["hospital"] != 2 || jan.Discussed["police"] != 2 {
		t.Errorf("January 2021 by hand: %+v", jan)
	}
	for _, f := range aggs {
		if got, want := f, records.Count(byMonth[f.Month]); !reflect.DeepEqual(got, want) {
			t.Errorf("aggregate %s = %+v, want the live count %+v", f.Month, got, want)
		}
	}
	if all, _ := s.Aggregates(ctx, "", ""); len(all) != 3 {
		t.Errorf("all aggregates: %d months, want 3", len(all))
	}

	// The person data is gone from the expired visits, the rest is not.
	for v, err := range s.Visits(ctx, "", "") {
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(v)
		expired := v.Date < "2021-03-01"
		if got := strings.Contains(string(raw), "SECRET"); got == expired {
			t.Errorf("visit %s (%s): person data present = %v", v.ID, v.Date, got)
		}
		if expired {
			if len(v.Persons) != 0 || !slices.Contains(v.Flags, records.FlagPersonDataDeleted) ||
				v.Fields["method"].Text != "physical_visit" || v.Fields["address"].Text != "Istedgade 1" ||
				v.Changes[1].Old.Text != "phone" || v.Changes[0].Field != "remarks" {
				t.Errorf("visit %s after retention: %+v", v.ID, v)
			}
		}
	}

	// One audit entry, with counts only.
	var entries []string
	for e, err := range s.Entries(ctx, time.Time{}) {
		if err != nil {
			t.Fatal(err)
		}
		entries = append(entries, fmt.Sprintf("%s %s %s %s", e.Who, e.Action, e.Object, e.Detail))
	}
	if len(entries) != 1 || entries[0] != "system retention 2020-12..2021-02 person data of 4 visits in 3 months before 2021-03 deleted; monthly figures kept" {
		t.Errorf("audit: %q", entries)
	}
	if strings.Contains(log.String(), "SECRET") {
		t.Errorf("person data in the log:\n%s", log.String())
	}

	// A month later March 2021 goes too, and January's figures stay.
	clock.t = clock.t.AddDate(0, 1, 0)
	if err := r.Run(ctx); err != nil {
		t.Fatal(err)
	}
	aggs, _ = s.Aggregates(ctx, "2021-01", "2021-03")
	if len(aggs) != 3 || !reflect.DeepEqual(aggs[0], jan) || !reflect.DeepEqual(aggs[2], records.Count(byMonth["2021-03"])) {
		t.Errorf("after another month: %+v", aggs)
	}
}

func TestRetentionRefusesNonsense(t *testing.T) {
	s, err := storage.Open(t.Context(), storage.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, r := range []upkeep.Retention{
		{Store: s, Clock: &fakeClock{}, Location: cph, Years: 0},
		{Store: s, Location: cph, Years: 5},
	} {
		if err := r.Run(t.Context()); err == nil {
			t.Errorf("%+v ran", r)
		}
	}
	if _, err := s.PersonDataBefore(t.Context(), "2021"); err == nil {
		t.Error("a year was taken for a month")
	}
}

// TestRetentionOfABusyMonthAndOfAnEditedVisit: a month larger than one
// transaction is counted exactly once, and person data that an edit puts
// back into an old visit is deleted again without counting it twice.
func TestRetentionOfABusyMonthAndOfAnEditedVisit(t *testing.T) {
	ctx := t.Context()
	s, err := storage.Open(ctx, storage.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	var all []workflows.Visit
	for i := range 450 {
		v, err := s.FinishVisit(ctx, "mw", visitOn(fmt.Sprintf("2020-05-%02d", 1+i%31), i%3))
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, v)
	}
	r := upkeep.Retention{Store: s, Audit: s, Clock: &fakeClock{t: time.Date(2026, 3, 4, 2, 0, 0, 0, cph)}, Location: cph, Years: 5}
	if err := r.Run(ctx); err != nil {
		t.Fatal(err)
	}
	want := records.Count(all)
	got, err := s.Aggregates(ctx, "2020-05", "2020-05")
	if err != nil || len(got) != 1 || !reflect.DeepEqual(got[0], want) {
		t.Fatalf("busy month: %+v, %v; want %+v", got, err, want)
	}
	if got[0].Visits != 450 || got[0].Persons != 450 { // 150 each of 0, 1 and 2 persons
		t.Errorf("busy month by hand: %d visits, %d persons", got[0].Visits, got[0].Persons)
	}

	// An edit after retention puts a person and a remark back.
	v, err := s.Visit(ctx, all[7].ID)
	if err != nil {
		t.Fatal(err)
	}
	v.Persons = []workflows.Answers{{"nationality": {Text: "TH"}, "trafficking_note": {Text: "SECRET-again"}}}
	v.Fields["remarks"] = workflows.Answer{Text: "SECRET-again"}
	if _, err := s.UpdateVisit(ctx, "co", v); err != nil {
		t.Fatal(err)
	}
	_, plan, err := r.Plan(ctx)
	if err != nil || len(plan) != 1 || !reflect.DeepEqual(plan[0].Visits, []string{v.ID}) {
		t.Fatalf("plan after the edit: %+v, %v", plan, err)
	}
	if err := r.Run(ctx); err != nil {
		t.Fatal(err)
	}
	again, err := s.Visit(ctx, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	if raw, _ := json.Marshal(again); strings.Contains(string(raw), "SECRET") || strings.Count(string(raw), records.FlagPersonDataDeleted) != 1 {
		t.Errorf("edited visit after retention: %s", raw)
	}
	if got, _ := s.Aggregates(ctx, "2020-05", "2020-05"); !reflect.DeepEqual(got[0], want) {
		t.Errorf("the edited visit was counted again: %+v", got[0])
	}

	// A stale edit: a draft opened before retention (persons, no flag, as
	// the edit flow saves it) is saved after it. The visit stays flagged,
	// its persons are not counted twice, and the next run deletes them.
	stale := all[8]
	stale.Flags = nil
	if len(stale.Persons) == 0 {
		t.Fatal("want a visit with persons")
	}
	if _, err := s.UpdateVisit(ctx, "mw", stale); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Aggregates(ctx, "2020-05", "2020-05"); !reflect.DeepEqual(got[0], want) {
		t.Errorf("a stale edit changed the figures: %+v, want %+v", got[0], want)
	}
	if err := r.Run(ctx); err != nil {
		t.Fatal(err)
	}
	after, err := s.Visit(ctx, stale.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Persons) != 0 || !slices.Contains(after.Flags, records.FlagPersonDataDeleted) {
		t.Errorf("after the stale edit and a run: persons %v, flags %v", after.Persons, after.Flags)
	}
	if got, _ := s.Aggregates(ctx, "2020-05", "2020-05"); !reflect.DeepEqual(got[0], want) {
		t.Errorf("after the stale edit and a run: %+v, want %+v", got[0], want)
	}
}

// TestRetentionEmptiesOldDeletionReasons: the free-text reason a visit was
// deleted for may name a person, so it goes with the month's person data.
func TestRetentionEmptiesOldDeletionReasons(t *testing.T) {
	ctx := t.Context()
	s, err := storage.Open(ctx, storage.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	for _, date := range []string{"2020-05-01", "2020-06-01", "2024-01-01"} {
		v, err := s.FinishVisit(ctx, "mw", visitOn(date, 1))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteVisit(ctx, bot.DeletedVisit{ID: v.ID, Date: v.Date, By: "co", Reason: "SECRET Ahmed twice"}); err != nil {
			t.Fatal(err)
		}
	}
	kept, err := s.FinishVisit(ctx, "mw", visitOn("2020-06-02", 1))
	if err != nil {
		t.Fatal(err)
	}
	r := upkeep.Retention{Store: s, Audit: s, Clock: &fakeClock{t: time.Date(2026, 3, 4, 2, 0, 0, 0, cph)}, Location: cph, Years: 5}
	_, plan, err := r.Plan(ctx)
	want := []storage.RetentionMonth{{Month: "2020-05", Deleted: []string{"2020-0001"}},
		{Month: "2020-06", Visits: []string{kept.ID}, Deleted: []string{"2020-0002"}}}
	if err != nil || !reflect.DeepEqual(plan, want) {
		t.Fatalf("plan: %+v, %v; want %+v", plan, err, want)
	}
	if err := r.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if _, plan, _ := r.Plan(ctx); len(plan) != 0 {
		t.Errorf("left after the run: %+v", plan)
	}
	for e := range s.Entries(ctx, time.Time{}) {
		if !strings.HasSuffix(e.Detail, "; reasons of 2 deleted visits emptied") {
			t.Errorf("audit: %+v", e)
		}
	}
	// The 2024 deletion keeps its reason until its own five years are up.
	r.Clock = &fakeClock{t: time.Date(2030, 3, 4, 2, 0, 0, 0, cph)}
	if _, plan, _ := r.Plan(ctx); len(plan) != 1 || !reflect.DeepEqual(plan[0].Deleted, []string{"2024-0001"}) {
		t.Errorf("2024's reason: %+v", plan)
	}
}
