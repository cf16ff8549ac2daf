package storage

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"beredskab/records/recordstest"
	"beredskab/workflows"
)

// odd are stored records the fast decoder must either read exactly as
// encoding/json does or hand over to it: escapes, non-ASCII and invalid
// UTF-8, nulls, unknown and repeated fields, keys in other case, numbers
// that are not plain integers, white space, empty lists and maps, and
// malformed input.
var odd = []string{
	`{"schema":1,"id":"2026-0001","date":"2026-01-02","fields":{"remarks":{"text":"Hun sagde \"nej\"\nog gik \u00e6\u00f8\u00e5 \ud83d\ude00"}}}`,
	`{"schema":1,"id":"2026-0001","fields":{"address":{"text":"Nørregade 1, Århus"}}}`,
	"{\"id\":\"\xff\xfe\",\"fields\":{}}",
	`{"id":"x","crisis":null,"flags":null,"fields":null,"persons":null}`,
	`{"id":"x","unknown":1,"fields":{}}`,
	`{"ID":"x","Fields":{"method":{"Text":"sms"}}}`,
	`{"id":"x","id":"y"}`,
	`{"fields":{"method":{"text":"sms"},"method":{"list":["a"]}}}`,
	`{"fields":{"food_packages":{"number":2.0}}}`,
	`{"fields":{"food_packages":{"number":1e2}}}`,
	`{"fields":{"food_packages":{"number":-0}}}`,
	`{"fields":{"food_packages":{"number":01}}}`,
	`{"fields":{"food_packages":{"number":99999999999999999999}}}`,
	`{"fields":{"food_packages":{"number":null}}}`,
	`{"fields":{"x":{"skipped":true,"list":[]}},"persons":[],"changes":[],"flags":[]}`,
	" \n{ \"schema\" : 1 , \"fields\" : { \"a\" : { \"text\" : \"b\" } } } \t",
	`{"created_at":"2026-03-16T12:00:00+01:00","changes":[{"at":"2026-03-16T12:00:00.123456789Z","by":"co","field":"method","old":{"text":"a"},"new":{}}]}`,
	`{"created_at":"not a time"}`,
	`{"created_at":null}`,
	`{"schema":"1"}`,
	`{"fields":{"a":{"skipped":tru}}}`,
	`{"fields":{"a":{"text":"b"}}`,
	`{"fields":{"a":{"text":"b"}}} x`,
	`{"fields":{"a":{"text":"tab	inside"}}}`,
	`{"persons":[{"age":{"number":30}},null]}`,
	`{"crisis":{"id":"2026-K01","disease":"COVID-19","extra":true}}`,
	`[]`,
	``,
	`null`,
}

// TestDecodeVisitAgreesWithEncodingJSON: the stored visits decode as
// encoding/json decodes them, and what json.Marshal writes for a visit is
// read on the fast path (else the export would not be faster).
func TestDecodeVisitAgreesWithEncodingJSON(t *testing.T) {
	var inputs [][]byte
	visits := recordstest.Fixed()
	for v, err := range recordstest.Generate(2000, 2020, 9) {
		if err != nil {
			t.Fatal(err)
		}
		visits = append(visits, v)
	}
	edited := visits[3]
	edited.Crisis = &workflows.CrisisRef{ID: "2026-K01", Disease: "COVID-19 <ny> & \"gammel\""}
	edited.Flags = []string{"person_data_deleted"}
	edited.Changes = []workflows.Change{{At: time.Date(2026, 3, 16, 12, 0, 0, 5, time.FixedZone("", 3600)), By: "co", Field: "persons[1].age",
		Old: workflows.Answer{Number: testNum(31)}, New: workflows.Answer{Number: testNum(-3), Skipped: true, List: []string{"a", "b"}}}}
	visits = append(visits, edited)
	for _, v := range visits {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var fast workflows.Visit
		d := visitDecoder{buf: b}
		if err := d.visit(&fast); err != nil {
			t.Errorf("visit %s left the fast path: %s", v.ID, b)
		}
		inputs = append(inputs, b)
	}
	for _, s := range odd {
		inputs = append(inputs, []byte(s))
	}
	for _, b := range inputs {
		agree(t, b)
	}
}

// agree checks decodeVisit against json.Unmarshal on one input: the same
// visit, and an error exactly when encoding/json gives one.
func agree(t *testing.T, b []byte) {
	t.Helper()
	var want, got workflows.Visit
	wantErr := json.Unmarshal(b, &want)
	gotErr := decodeVisit(b, &got)
	if (gotErr != nil) != (wantErr != nil) {
		t.Fatalf("%q: error %v, encoding/json says %v", b, gotErr, wantErr)
	}
	if wantErr == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("%q:\n got %#v\nwant %#v", b, got, want)
	}
}

func FuzzDecodeVisit(f *testing.F) {
	for _, s := range odd {
		f.Add([]byte(s))
	}
	for _, v := range recordstest.Fixed() {
		b, _ := json.Marshal(v)
		f.Add(b)
	}
	f.Fuzz(agree)
}
