package workflows

import (
	"encoding/json"
	"reflect"
	"testing"
)

// TestAnswersJSONRoundTrip: the hand-written encoding reads back, through
// encoding/json, as exactly what was written, for every kind of answer and
// every awkward character.
func TestAnswersJSONRoundTrip(t *testing.T) {
	n := 7
	zero := 0
	for name, a := range map[string]Answers{
		"empty":   {},
		"kinds":   {"date": {Text: "2026-12-03"}, "onsite": {List: []string{"food_packages", "other"}}, "food_packages": {Number: &n}, "remarks": {Skipped: true}, "zero": {Number: &zero}},
		"awkward": {"remarks": {Text: "\"quoted\" \\ back\nline\ttab\x01\x1f <b>&amp; æøå 😀 \u2028\u2029"}, "k\"ey": {Text: "x"}},
		"invalid": {"remarks": {Text: "bad \xff utf-8"}},
		"nothing": {"x": {}},
	} {
		t.Run(name, func(t *testing.T) {
			b, err := json.Marshal(a)
			if err != nil || !json.Valid(b) {
				t.Fatalf("invalid JSON %q: %v", b, err)
			}
			var back Answers
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			want := a
			if name == "invalid" { // as encoding/json: invalid UTF-8 becomes U+FFFD
				want = Answers{"remarks": {Text: "bad \ufffd utf-8"}}
			}
			if !reflect.DeepEqual(back, want) {
				t.Errorf("round trip:\n got %#v\nwant %#v\njson %s", back, want, b)
			}
			// The same bytes as encoding/json, but for its HTML escaping.
			std, _ := json.Marshal(map[string]Answer(a))
			var x, y any
			_ = json.Unmarshal(std, &x)
			_ = json.Unmarshal(b, &y)
			if !reflect.DeepEqual(x, y) {
				t.Errorf("differs from encoding/json:\n%s\n%s", b, std)
			}
		})
	}
}

func FuzzAnswersJSON(f *testing.F) {
	f.Add("text", "x", 3)
	f.Add("\"", "\x00\xff😀", -1)
	f.Fuzz(func(t *testing.T, key, text string, n int) {
		a := Answers{key: {Text: text, List: []string{text, key}, Number: &n}}
		b, err := json.Marshal(a)
		if err != nil || !json.Valid(b) {
			t.Fatalf("invalid JSON %q: %v", b, err)
		}
		std, _ := json.Marshal(map[string]Answer(a))
		var x, y any
		_ = json.Unmarshal(std, &x)
		_ = json.Unmarshal(b, &y)
		if !reflect.DeepEqual(x, y) {
			t.Errorf("differs from encoding/json:\n%s\n%s", b, std)
		}
	})
}
