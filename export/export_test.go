package export_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"iter"
	"strings"
	"testing"

	"beredskab/export"
	"beredskab/workflows"
)

func visits(vs ...workflows.Visit) iter.Seq2[workflows.Visit, error] {
	return func(yield func(workflows.Visit, error) bool) {
		for _, v := range vs {
			if !yield(v, nil) {
				return
			}
		}
	}
}

func num(n int) *int { return &n }

var sample = workflows.Visit{Schema: 1, ID: "2026-0007", Date: "2026-12-03",
	Crisis: &workflows.CrisisRef{ID: "2026-c1", Disease: "COVID-19"}, Flags: []string{"minor"},
	Fields: workflows.Answers{
		"date": {Text: "2026-12-03"}, "method": {Text: "physical_visit"}, "contact": {Text: "contact"},
		"onsite": {List: []string{"food_packages", "other"}}, "food_packages": {Number: num(2)},
		"onsite_other": {Text: "=HYPERLINK(\"x\")"}, "discussed_with": {List: []string{"police", "other"}},
		"discussed_with_who": {Text: "Reden"}, "discussed_with_reason_police": {Text: "pres"},
	},
	Persons: []workflows.Answers{{"nationality": {Text: "TH"}, "age": {Number: num(17)}, "crisis_symptoms": {Text: "suspected"}}},
}

func TestJSONUsesCanonicalIDsAndTypes(t *testing.T) {
	var b bytes.Buffer
	if err := export.JSON(&b, workflows.NewRegistration(), visits(sample, sample)); err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b.String())
	}
	if len(got) != 2 || strings.Count(b.String(), "\n") != 4 {
		t.Fatalf("want two visits, one per line:\n%s", b.String())
	}
	v := got[0]
	checks := map[string]any{"id": "2026-0007", "date": "2026-12-03", "method": "physical_visit", "food_packages": 2.0, "remarks": nil}
	for k, want := range checks {
		if v[k] != want {
			t.Errorf("%s = %#v, want %#v", k, v[k], want)
		}
	}
	d := v["discussed_with"].([]any)
	if len(d) != 2 || d[0].(map[string]any)["reason"] != "pres" || d[1].(map[string]any)["who"] != "Reden" {
		t.Errorf("discussed_with = %#v", d)
	}
	if _, internal := v["discussed_with_who"]; internal {
		t.Error("internal id discussed_with_who exported")
	}
	p := v["persons"].([]any)[0].(map[string]any)
	if p["nationality"] != "TH" || p["age"] != 17.0 || p["crisis_symptoms"] != "suspected" {
		t.Errorf("person = %#v", p)
	}
	if v["crisis"].(map[string]any)["name"] != "COVID-19" {
		t.Errorf("crisis = %#v", v["crisis"])
	}
}

func TestCSVTablesAreLinkedByVisitIDAndNeutraliseFormulas(t *testing.T) {
	reg := workflows.NewRegistration()
	for _, tc := range []struct {
		table string
		want  map[string]string
	}{
		{export.TableVisits, map[string]string{"id": "2026-0007", "onsite": "food_packages;other", "food_packages": "2",
			"onsite_other": "'=HYPERLINK(\"x\")", "discussed_with": "police::pres;other:Reden:", "crisis_name": "COVID-19"}},
		{export.TablePersons, map[string]string{"visit_id": "2026-0007", "person": "1", "nationality": "TH", "age": "17"}},
	} {
		t.Run(tc.table, func(t *testing.T) {
			var b bytes.Buffer
			if err := export.CSV(&b, reg, tc.table, visits(sample)); err != nil {
				t.Fatal(err)
			}
			rows, err := csv.NewReader(&b).ReadAll()
			if err != nil || len(rows) != 2 {
				t.Fatalf("want header and one row: %v %q", err, rows)
			}
			for col, want := range tc.want {
				i := indexOf(rows[0], col)
				if i < 0 || rows[1][i] != want {
					t.Errorf("%s: column %q = %q, want %q", tc.table, col, at(rows[1], i), want)
				}
			}
		})
	}
	if err := export.CSV(&bytes.Buffer{}, reg, "people", visits()); err == nil {
		t.Error("an unknown table must be an error")
	}
}

func TestExportStopsOnAReadError(t *testing.T) {
	broken := func(yield func(workflows.Visit, error) bool) { yield(workflows.Visit{}, errors.New("bad block")) }
	if err := export.JSON(&bytes.Buffer{}, workflows.NewRegistration(), broken); err == nil {
		t.Error("JSON export hid a read error")
	}
}

func indexOf(s []string, x string) int {
	for i, v := range s {
		if v == x {
			return i
		}
	}
	return -1
}

func at(s []string, i int) string {
	if i < 0 || i >= len(s) {
		return "<missing>"
	}
	return s[i]
}
