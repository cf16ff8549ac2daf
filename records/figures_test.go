package records_test

import (
	"reflect"
	"testing"

	"beredskab/records"
	"beredskab/records/recordstest"
	"beredskab/workflows"
)

// Every figure belongs to the visits' own answers or to the persons met,
// never both, so retention can keep the one and the store recount the
// other; and Sub undoes Merge exactly, so edits and deletions leave the
// figures a fresh count would give.
func TestFiguresSplitIntoVisitsAndPersonsAndSubUndoesMerge(t *testing.T) {
	var visits []workflows.Visit
	for v, err := range recordstest.Generate(400, 2026, 3) {
		if err != nil {
			t.Fatal(err)
		}
		visits = append(visits, v)
	}
	visits = append(visits, recordstest.Fixed()...)
	all := records.Count(visits)

	parts := []records.MonthFigures{all.VisitFigures(), all.PersonFigures()}
	fields := reflect.TypeFor[records.MonthFigures]()
	for i := range fields.NumField() {
		name := fields.Field(i).Name
		if name == "Month" {
			continue
		}
		set := 0
		for _, p := range parts {
			if !reflect.ValueOf(p).Field(i).IsZero() {
				set++
			}
		}
		if reflect.ValueOf(all).Field(i).IsZero() || set != 1 {
			t.Errorf("field %s is in %d of the visit and person figures (or never counted here), want exactly 1", name, set)
		}
	}
	var sum records.MonthFigures
	sum.Merge(parts[0])
	sum.Merge(parts[1])
	if !reflect.DeepEqual(sum, all) {
		t.Errorf("visit + person figures = %+v, want %+v", sum, all)
	}

	half := records.Count(visits[:200])
	rest := records.Count(visits[200:])
	got := records.Count(visits)
	got.Sub(rest)
	if !reflect.DeepEqual(got, half) {
		t.Errorf("count of all minus the second half = %+v, want the first half %+v", got, half)
	}
	got.Sub(half)
	if !reflect.DeepEqual(got, records.MonthFigures{Month: all.Month}) {
		t.Errorf("everything taken away leaves %+v, want zero", got)
	}
}

// Counted leaves out the persons of a visit whose person data retention
// deleted: they are in its month's kept figures.
func TestCountedLeavesOutThePersonsOfRetainedVisits(t *testing.T) {
	v := recordstest.Fixed()[1]
	if got, want := records.Counted(v), records.Count([]workflows.Visit{v}); !reflect.DeepEqual(got, want) {
		t.Errorf("live visit counted %+v, want %+v", got, want)
	}
	v.Flags = append(v.Flags, records.FlagPersonDataDeleted)
	if got := records.Counted(v); got.Persons != 0 || got.Visits != 1 || got.Nationality != nil || got.FoodPackages != 2 {
		t.Errorf("retained visit counted %+v, want its visit figures only", got)
	}
}
