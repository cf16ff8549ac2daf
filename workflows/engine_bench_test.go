package workflows

import (
	"testing"
)

// BenchmarkEngineTurn is one message at a mid-form question: the method,
// answered with its number.
func BenchmarkEngineTurn(b *testing.B) {
	c := startConv(b, Danish, nil)
	c.fillUntil(nil, "method")
	r, d := c.r, c.d
	in := Input{Text: "2", Now: friday}
	b.ReportAllocs()
	for b.Loop() {
		next, out := r.Step(d, in)
		if !out.Save || next.Visit["method"].Text != "phone" {
			b.Fatalf("2 at the method: %+v", out)
		}
	}
}

// registrationScript is a whole visit with two persons, as typed.
var registrationScript = []string{
	"i går", "fysisk", "1", "Vestergade 12, 8000 Aarhus C", "1", "kontakt", "1, 4", "2", "spring over", "spring over",
	"thai", "kvinde", "ca. 34", "nej", "ja, virker bange", "nej", "nej", "nej", "nej", "ja",
	"Rumænien", "k", "25", "nej", "nej", "nej", "ja, tandpine", "nej", "ved ikke", "nej", "nej",
	"gem",
}

// BenchmarkEngineRegistration is a whole two-person registration from Start
// to the saved visit, through Step.
func BenchmarkEngineRegistration(b *testing.B) {
	r := NewRegistration()
	b.ReportAllocs()
	for b.Loop() {
		d, _ := r.Start("u1", Danish, friday, known(), nil)
		var out Output
		for _, text := range registrationScript {
			d, out = r.Step(d, Input{Text: text, Now: friday})
		}
		if out.Done == nil || len(out.Done.Persons) != 2 {
			b.Fatalf("the script did not save two persons: %+v", out)
		}
	}
}

// The benchmark's script is itself a registration a test can follow.
func TestRegistrationScriptSavesTwoPersons(t *testing.T) {
	c := startConv(t, Danish, nil)
	c.says(registrationScript...)
	if c.out.Done == nil || len(c.out.Done.Persons) != 2 {
		t.Fatalf("no visit with two persons; the bot said:\n%s", c.said())
	}
	v := c.out.Done
	if v.Persons[0]["trafficking_note"].Text != "virker bange" || v.Persons[1]["nationality"].Text != "RO" {
		t.Errorf("persons %v", v.Persons)
	}
}
