package storage_test

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"beredskab/bot"
	"beredskab/records"
	"beredskab/records/recordstest"
	"beredskab/storage"
	"beredskab/workflows"
)

// figuresModel is what the month figures must be: records.Count of every
// visit as it is now, except that the persons of a visit whose person data
// retention deleted stay counted as they were when it ran (persons) and
// persons an edit gives it again are not counted (records.Counted).
type figuresModel struct {
	visits  map[string]workflows.Visit
	persons map[string]records.MonthFigures
	kept    map[string]bool
}

func (m *figuresModel) want() map[string]records.MonthFigures {
	out := map[string]records.MonthFigures{}
	add := func(month string, f records.MonthFigures) {
		g := out[month]
		g.Merge(f)
		g.Month = month
		out[month] = g
	}
	for _, v := range m.visits {
		if slices.Contains(v.Flags, records.FlagPersonDataDeleted) {
			add(records.MonthOf(v), records.Count([]workflows.Visit{v}).VisitFigures())
		} else {
			add(records.MonthOf(v), records.Count([]workflows.Visit{v}))
		}
	}
	for month, f := range m.persons {
		add(month, f)
	}
	return out
}

// TestMonthFiguresFollowEverySaveEditDeleteAndRetention runs seeded random
// sequences of saves, edits (moving visits between months, adding and
// removing persons, changing answers), deletions and retention runs, and
// after each step compares the stored figures of every month with the
// model. While no retention has run, the model is records.Count of the
// month's visits, and the test checks that too.
func TestMonthFiguresFollowEverySaveEditDeleteAndRetention(t *testing.T) {
	months := []string{"2020-01", "2020-02", "2020-03", "2020-04", "2020-05", "2020-06"}
	for _, seed := range []uint64{1, 2, 3, 4, 5, 6, 7, 8} {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			ctx := t.Context()
			s := mustOpen(t, storage.Options{InMemory: true})
			r := rand.New(rand.NewPCG(seed, 42))
			var pool []workflows.Visit
			for v, err := range recordstest.Generate(200, 2020, seed) {
				if err != nil {
					t.Fatal(err)
				}
				pool = append(pool, v)
			}
			day := func() string {
				return fmt.Sprintf("%s-%02d", months[r.IntN(len(months))], 1+r.IntN(28))
			}
			m := &figuresModel{visits: map[string]workflows.Visit{}, persons: map[string]records.MonthFigures{}, kept: map[string]bool{}}
			retained := false
			ids := func() []string { return slices.Sorted(maps.Keys(m.visits)) }
			for step := range 160 {
				var what string
				switch op := r.IntN(20); {
				case op < 9 || len(m.visits) == 0:
					what = "save"
					v := pool[r.IntN(len(pool))]
					v.ID, v.Date = "", day()
					saved, err := s.FinishVisit(ctx, "mw", v)
					if err != nil {
						t.Fatal(err)
					}
					m.visits[saved.ID] = saved
				case op < 15:
					what = "edit"
					all := ids()
					v, err := s.Visit(ctx, all[r.IntN(len(all))])
					if err != nil {
						t.Fatal(err)
					}
					v = editVisit(r, v, pool, day)
					if _, err := s.UpdateVisit(ctx, "co", v); err != nil {
						t.Fatal(err)
					}
					m.visits[v.ID] = v
				case op < 18:
					what = "delete"
					all := ids()
					v := m.visits[all[r.IntN(len(all))]]
					if err := s.DeleteVisit(ctx, bot.DeletedVisit{ID: v.ID, Date: v.Date, By: "co", At: time.Now(), Reason: "dobbelt"}); err != nil {
						t.Fatal(err)
					}
					delete(m.visits, v.ID)
				default:
					before := months[r.IntN(len(months))]
					what = "retention before " + before
					for _, v := range m.visits {
						if records.MonthOf(v) >= before {
							continue
						}
						month := records.MonthOf(v)
						if !slices.Contains(v.Flags, records.FlagPersonDataDeleted) {
							f := m.persons[month]
							f.Merge(records.Count([]workflows.Visit{v}).PersonFigures())
							m.persons[month] = f
						}
					}
					if _, err := s.DeletePersonData(ctx, before); err != nil {
						t.Fatal(err)
					}
					for id := range m.visits {
						v, err := s.Visit(ctx, id)
						if err != nil {
							t.Fatal(err)
						}
						if !reflect.DeepEqual(v, m.visits[id]) { // retention stripped it
							m.kept[records.MonthOf(v)] = true
						}
						m.visits[id] = v
					}
					retained = true
				}
				checkFigures(t, s, m, fmt.Sprintf("step %d (%s)", step, what))
				if !retained {
					byMonth := map[string][]workflows.Visit{}
					for _, v := range m.visits {
						byMonth[records.MonthOf(v)] = append(byMonth[records.MonthOf(v)], v)
					}
					got, _, _ := s.MonthFigures(ctx, "", "")
					for _, f := range got {
						if want := records.Count(byMonth[f.Month]); !reflect.DeepEqual(f, want) {
							t.Fatalf("step %d (%s): %s is not the count of its visits:\n got %+v\nwant %+v", step, what, f.Month, f, want)
						}
					}
				}
			}
		})
	}
}

// editVisit changes a visit as the edit flow can: another date (perhaps
// another month), other answers, persons added or removed.
func editVisit(r *rand.Rand, v workflows.Visit, pool []workflows.Visit, day func() string) workflows.Visit {
	other := pool[r.IntN(len(pool))]
	fields := maps.Clone(v.Fields)
	switch r.IntN(5) {
	case 0:
		v.Date = day()
		fields["date"] = workflows.Answer{Text: v.Date}
	case 1:
		fields["method"], fields["contact"] = other.Fields["method"], other.Fields["contact"]
		fields["onsite"], fields["food_packages"] = other.Fields["onsite"], other.Fields["food_packages"]
	case 2:
		v.Persons = append(slices.Clone(v.Persons), other.Persons...)
	case 3:
		if len(v.Persons) > 0 {
			v.Persons = slices.Clone(v.Persons[1:])
		}
	default:
		fields = maps.Clone(other.Fields)
		fields["date"] = workflows.Answer{Text: v.Date}
		v.Persons = slices.Clone(other.Persons)
	}
	if len(v.Persons) == 0 {
		v.Persons = nil
	}
	v.Fields = fields
	v.Changes = append(slices.Clone(v.Changes), workflows.Change{At: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), By: "co", Field: "method"})
	return v
}

func checkFigures(t *testing.T, s *storage.Store, m *figuresModel, when string) {
	t.Helper()
	got, kept, err := s.MonthFigures(t.Context(), "", "")
	if err != nil {
		t.Fatal(err)
	}
	byMonth := map[string]records.MonthFigures{}
	for _, f := range got {
		byMonth[f.Month] = f
	}
	want := m.want()
	for _, month := range slices.Sorted(maps.Keys(maps.Collect(func(yield func(string, bool) bool) {
		for k := range want {
			yield(k, true)
		}
		for k := range byMonth {
			yield(k, true)
		}
	}))) {
		g, ok := byMonth[month]
		if !ok {
			g = records.MonthFigures{Month: month}
		}
		w, ok := want[month]
		if !ok {
			w = records.MonthFigures{Month: month}
		}
		if !reflect.DeepEqual(g, w) {
			t.Fatalf("%s: figures of %s\n got %+v\nwant %+v", when, month, g, w)
		}
	}
	if wantKept := slices.Sorted(maps.Keys(m.kept)); !slices.Equal(kept, wantKept) {
		t.Fatalf("%s: months with person data deleted %v, want %v", when, kept, wantKept)
	}
}
