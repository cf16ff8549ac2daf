package storage

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"beredskab/records"
	"beredskab/workflows"
)

func testNum(n int) *int { return &n }

// oldVisits are the visits of a store written before the month figures
// existed, as that version's retention left them before March 2021: the
// January visits stripped and flagged, their figures in aggregate/2021-01.
// One of them was edited after retention (method phone -> sms), which the
// old aggregate never saw.
func oldVisits() (visits []workflows.Visit, aggregate records.MonthFigures) {
	v := func(id, date, method string, persons ...string) workflows.Visit {
		out := workflows.Visit{Schema: 1, ID: id, Date: date, CreatedBy: "mw", Fields: workflows.Answers{
			"method": {Text: method}, "contact": {Text: "contact"}, "reason": {Text: "outreach"},
			"onsite": {List: []string{"food_packages"}}, "food_packages": {Number: testNum(2)},
			"remarks": {Text: "SECRET"},
		}}
		for _, nat := range persons {
			out.Persons = append(out.Persons, workflows.Answers{"nationality": {Text: nat}, "gender": {Text: "woman"}, "age": {Number: testNum(30)}})
		}
		return out
	}
	jan := []workflows.Visit{v("2021-0001", "2021-01-05", "physical_visit", "TH", "RO"), v("2021-0002", "2021-01-20", "phone", "NG")}
	aggregate = records.Count(jan)
	for i := range jan {
		jan[i] = withoutPersonData(jan[i])
	}
	jan[1].Fields["method"] = workflows.Answer{Text: "sms"}
	live := []workflows.Visit{v("2021-0003", "2021-03-01", "phone", "TH"), v("2021-0004", "2021-03-02", "online")}
	return append(jan, live...), aggregate
}

// writeOldStore writes the records of a store from before the month
// figures into s, as that version did: visits, their index and the
// aggregate of the retained month, and no figures or mark.
func writeOldStore(t *testing.T, s *Store) {
	t.Helper()
	visits, agg := oldVisits()
	err := s.db.Update(func(txn *badger.Txn) error {
		for _, v := range visits {
			val, err := json.Marshal(v)
			if err != nil {
				return err
			}
			if err := txn.Set(visitKey(v.Date, v.ID), val); err != nil {
				return err
			}
			if err := txn.Set(visitIDKey(v.ID), visitKey(v.Date, v.ID)); err != nil {
				return err
			}
		}
		val, err := json.Marshal(agg)
		if err != nil {
			return err
		}
		return txn.Set([]byte(aggregatePrefix+agg.Month), val)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// wantBuilt are the month figures the old store must get: January's
// persons from the old aggregate, its Skema 1 figures from the visits as
// they are now (2 visits, one physical, one by SMS since the edit), March
// counted from its visits.
func wantBuilt() []records.MonthFigures {
	visits, agg := oldVisits()
	jan := records.Count(visits[:2])
	jan.Merge(agg.PersonFigures())
	return []records.MonthFigures{jan, records.Count(visits[2:])}
}

func checkBuilt(t *testing.T, s *Store) {
	t.Helper()
	got, kept, err := s.MonthFigures(t.Context(), "", "")
	if err != nil {
		t.Fatal(err)
	}
	if want := wantBuilt(); !reflect.DeepEqual(got, want) {
		t.Errorf("built figures\n got %+v\nwant %+v", got, want)
	}
	if got[0].Persons != 3 || got[0].Method["sms"] != 1 || got[0].Method["phone"] != 0 || got[0].Nationality["RO"] != 1 {
		t.Errorf("January by hand: 3 persons (TH, RO, NG), methods physical and sms: %+v", got[0])
	}
	if !slices.Equal(kept, []string{"2021-01"}) {
		t.Errorf("months with person data deleted %v, want 2021-01", kept)
	}
	err = s.db.View(func(txn *badger.Txn) error {
		if _, err := txn.Get([]byte(aggregatePrefix + "2021-01")); !errors.Is(err, badger.ErrKeyNotFound) {
			t.Errorf("the old aggregate is still there: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if v, err := s.Setting(t.Context(), figuresSetting); err != nil || v != figuresVersion {
		t.Errorf("mark %q, %v", v, err)
	}
}

// A store written before the month figures existed gets them built once
// when it is opened, and keeps them when it is opened again.
func TestOpenBuildsTheFiguresOfAnOldStore(t *testing.T) {
	dir, key := t.TempDir(), bytes.Repeat([]byte{7}, KeySize)
	old, err := Open(t.Context(), Options{Dir: dir, Key: key, skipFigures: true})
	if err != nil {
		t.Fatal(err)
	}
	writeOldStore(t, old)
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		s, err := Open(t.Context(), Options{Dir: dir, Key: key})
		if err != nil {
			t.Fatal(err)
		}
		checkBuilt(t, s)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// A backup taken before the month figures existed gets them built when it
// is restored.
func TestRestoreOfAnOldBackupBuildsTheFigures(t *testing.T) {
	key := bytes.Repeat([]byte{9}, KeySize)
	old, err := Open(t.Context(), Options{InMemory: true, Key: key, skipFigures: true})
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	writeOldStore(t, old)
	var backup bytes.Buffer
	if _, err := old.Backup(t.Context(), &backup); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir() + "/data"
	if err := Restore(t.Context(), &backup, Options{Dir: dir, Key: key}); err != nil {
		t.Fatal(err)
	}
	s, err := Open(t.Context(), Options{Dir: dir, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	checkBuilt(t, s)
}
