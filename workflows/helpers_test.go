package workflows

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the tests run where no zoneinfo is installed, too
)

// copenhagen is the team's time zone.
var copenhagen = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		panic(err)
	}
	return loc
}()

// friday is "now" in the tests: Friday 4 December 2026, 10:00 in
// Copenhagen. Yesterday was Thursday 3 December.
var friday = time.Date(2026, 12, 4, 10, 0, 0, 0, copenhagen)

// known are the answers the bot fills in from the staff profile and the
// config before the first question.
func known() Answers {
	return Answers{"filled_by": {Text: "MK"}, "organisation": {Text: "CMM"}}
}

var covid = &CrisisRef{ID: "crisis-1", Disease: "COVID-19"}

// question finds a question by "visit.id" or "person.id".
func question(t testing.TB, ref string) *Question {
	t.Helper()
	form, id, ok := strings.Cut(ref, ".")
	if !ok {
		t.Fatalf("question ref %q: want visit.id or person.id", ref)
	}
	f := VisitForm()
	if form == "person" {
		f = PersonForm()
	}
	q, ok := f.Question(id)
	if !ok {
		t.Fatalf("no question %s", ref)
	}
	return q
}

func num(n int) *int { return &n }

// copyDraft copies a draft to the last pointer and slice, keeping nil nil,
// so a before/after comparison sees any change Step makes to its input.
func copyDraft(d Draft) Draft {
	c := d
	c.Visit = copyAnswers(d.Visit)
	if d.Persons != nil {
		c.Persons = make([]Answers, len(d.Persons))
		for i, p := range d.Persons {
			c.Persons[i] = copyAnswers(p)
		}
	}
	c.History = slices.Clone(d.History)
	c.Offered = slices.Clone(d.Offered)
	c.Flags = slices.Clone(d.Flags)
	if d.Crisis != nil {
		cr := *d.Crisis
		c.Crisis = &cr
	}
	if d.Editing != nil {
		e := *d.Editing
		c.Editing = &e
	}
	if d.Pending != nil {
		p := *d.Pending
		p.Answer = copyAnswer(p.Answer)
		if p.Companion != nil {
			cp := copyAnswer(*p.Companion)
			p.Companion = &cp
		}
		c.Pending = &p
	}
	return c
}

func copyAnswers(a Answers) Answers {
	if a == nil {
		return nil
	}
	c := make(Answers, len(a))
	for k, v := range a {
		c[k] = copyAnswer(v)
	}
	return c
}

func copyAnswer(a Answer) Answer {
	a.List = slices.Clone(a.List)
	if a.Number != nil {
		a.Number = num(*a.Number)
	}
	return a
}

// sameStored reports whether two drafts would be stored alike (JSON is how
// drafts are kept), so a nil and an empty list count as the same.
func sameStored(t testing.TB, a, b Draft) bool {
	t.Helper()
	ja, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	jb, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(ja) == string(jb)
}

// conv is one midwife's conversation with the engine. Every step checks
// that Step left its input draft alone.
type conv struct {
	t   testing.TB
	r   *Registration
	d   Draft
	out Output
	now time.Time
	// prompts keeps what the bot said when it asked each question, by key.
	prompts map[string]string
}

// startConv begins a registration as the bot does: initials and
// organisation known, now Friday 4 December 2026.
func startConv(t testing.TB, lang Lang, crisis *CrisisRef) *conv {
	t.Helper()
	c := &conv{t: t, r: NewRegistration(), now: friday, prompts: map[string]string{}}
	c.d, c.out = c.r.Start("u1", lang, c.now, known(), crisis)
	if !c.out.Save {
		t.Fatalf("Start did not ask to save the new draft")
	}
	return c
}

// say sends one message.
func (c *conv) say(text string) Output {
	c.t.Helper()
	before := copyDraft(c.d)
	input := c.d
	d, out := c.r.Step(input, Input{Text: text, Now: c.now})
	if !reflect.DeepEqual(before, input) {
		c.t.Fatalf("Step(%q) changed its input draft:\nbefore %+v\nafter  %+v", short(text), before, input)
	}
	if len(out.Say) == 0 && out.Done == nil {
		c.t.Fatalf("Step(%q) said nothing", short(text))
	}
	c.d, c.out = d, out
	return out
}

// says sends several messages in turn.
func (c *conv) says(texts ...string) {
	c.t.Helper()
	for _, s := range texts {
		c.say(s)
	}
}

// said is everything the last step said, prompts and options.
func (c *conv) said() string {
	var b strings.Builder
	for _, p := range c.out.Say {
		b.WriteString(p.Text + "\n")
		for i, o := range p.Options {
			fmt.Fprintf(&b, "  %d) %s\n", i+1, o.Label)
		}
	}
	return b.String()
}

// at names what the draft waits for: a Skema 1 id, "p2.age" for a person's
// question, "p1.another" for "another person?", or "summary", "pending",
// "cancel".
func (c *conv) at() string {
	return waitingFor(c.r, c.d)
}

func waitingFor(r *Registration, d Draft) string {
	switch {
	case d.Mode == ConfirmCancel:
		return "cancel"
	case d.Pending != nil:
		return "pending"
	case d.Mode == Summary:
		return "summary"
	}
	s := r.current(&d)
	if s == nil {
		return "summary"
	}
	return slotKey(*s)
}

func slotKey(s Slot) string {
	field := s.Field
	if field == anotherKey {
		field = "another"
	}
	if s.Person < 0 {
		return field
	}
	return fmt.Sprintf("p%d.%s", s.Person+1, field)
}

// defaultAnswers answer every question of a plain visit: yesterday, a
// physical visit to a clinic, contact, nothing done on site, one woman met.
var defaultAnswers = map[string]string{
	// Skema 1
	"date":           "i går",
	"method":         "fysisk",
	"method_other":   "Gadeindsats",
	"location":       "massageklinik",
	"address":        "Vestergade 12, Aarhus",
	"location_other": "Hotelværelse",
	"reason":         "opsøgende",
	"reason_detail":  "Naboen ringede",
	"contact":        "kontakt",
	"contact_other":  "Talte med ejeren i telefon",
	"onsite":         "spring over",
	"food_packages":  "2",
	"referral":       "sygehus",
	"referral_other": "Jordemoder",
	"onsite_other":   "Kondomer",
	"discussed_with": "spring over",
	DiscussedWho:     "Reden International",
	"remarks":        "spring over",
	// Skema 2
	"nationality":                "Thailand",
	"gender":                     "kvinde",
	"age":                        "30",
	"age_estimated":              "nej",
	"met_before":                 "nej",
	"trafficking_suspected":      "nej",
	"trafficking_note":           "spring over",
	"health_issue_self":          "nej",
	"health_issue_self_note":     "spring over",
	"health_issue_observed":      "nej",
	"health_issue_observed_note": "spring over",
	"crisis_symptoms":            "nej",
	"crisis_advice_given":        "ja",
	"escort":                     "nej",
	"escort_per_ads":             "nej",
	"another":                    "nej",
	// an age under 18 is confirmed
	"pending": "ja",
}

// answerFor is the answer to type at key: given[key], else given for that
// field of any person ("age" for "p2.age"), else the default.
func answerFor(given map[string]string, key string) (string, bool) {
	if a, ok := given[key]; ok {
		return a, true
	}
	_, field, isPerson := strings.Cut(key, ".")
	if isPerson {
		if a, ok := given[field]; ok {
			return a, true
		}
	} else {
		field = key
	}
	if a, ok := defaultAnswers[field]; ok {
		return a, true
	}
	if strings.HasPrefix(field, "discussed_with_reason_") {
		return "spring over", true
	}
	return "", false
}

// fill answers every question up to the summary and returns the keys asked,
// in order. Each answer must move the conversation on.
func (c *conv) fill(given map[string]string) []string {
	c.t.Helper()
	return c.fillUntil(given, "summary")
}

// fillUntil answers as fill does until the draft waits for stop.
func (c *conv) fillUntil(given map[string]string, stop string) []string {
	c.t.Helper()
	var asked []string
	for range 1000 {
		key := c.at()
		if key == stop {
			return asked
		}
		if key == "summary" {
			c.t.Fatalf("reached the summary before %s; asked %v", stop, asked)
		}
		text, ok := answerFor(given, key)
		if !ok {
			c.t.Fatalf("no answer for %s; the bot said:\n%s", key, c.said())
		}
		c.prompts[key] = c.said()
		asked = append(asked, key)
		c.say(text)
		if c.at() == key {
			c.t.Fatalf("%s: %q was not taken; the bot said:\n%s", key, short(text), c.said())
		}
	}
	c.t.Fatalf("no %s after 1000 answers; asked %v", stop, asked)
	return nil
}

// save types "gem" at the summary and returns the finished visit.
func (c *conv) save() *Visit {
	c.t.Helper()
	if c.at() != "summary" {
		c.t.Fatalf("save: at %s, not the summary", c.at())
	}
	c.say("gem")
	if c.out.Done == nil {
		c.t.Fatalf("gem did not finish the visit; the bot said:\n%s", c.said())
	}
	return c.out.Done
}

// short shortens a long test input for a message.
func short(s string) string {
	if len(s) > 40 {
		return fmt.Sprintf("%.40s…(%d bytes)", s, len(s))
	}
	return s
}

func keysOf[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// stageDrafts are drafts at the stages of a registration, for the tests
// and fuzzers that throw messages at each.
func stageDrafts(t testing.TB) map[string]Draft {
	t.Helper()
	stages := map[string]Draft{}
	for _, s := range []struct {
		name   string
		crisis *CrisisRef
		given  map[string]string
		at     string
		then   []string
	}{
		{name: "date", at: "date"},
		{name: "method", at: "method"},
		{name: "address", at: "address"},
		{name: "onsite", at: "onsite"},
		{name: "food packages", given: map[string]string{"onsite": "1"}, at: "food_packages"},
		{name: "remarks", at: "remarks"},
		{name: "nationality", at: "p1.nationality"},
		{name: "nationality suggestions", at: "p1.nationality", then: []string{"Nigeira"}},
		{name: "age", at: "p1.age"},
		{name: "trafficking", at: "p1.trafficking_suspected"},
		{name: "crisis symptoms", crisis: covid, at: "p1.crisis_symptoms"},
		{name: "another", at: "p1.another"},
		{name: "second person", given: map[string]string{"p1.another": "ja"}, at: "p2.age"},
		{name: "minor pending", given: map[string]string{"age": "16"}, at: "pending"},
		{name: "summary", at: "summary"},
		{name: "editing", at: "summary", then: []string{"5"}},
		{name: "confirm cancel", at: "p1.gender", then: []string{"afbryd"}},
		{name: "English", at: "p1.nationality", then: []string{"help"}},
	} {
		lang := Danish
		if s.name == "English" {
			lang = English
		}
		c := startConv(t, lang, s.crisis)
		if s.at == "summary" {
			c.fill(s.given)
		} else {
			c.fillUntil(s.given, s.at)
		}
		c.says(s.then...)
		stages[s.name] = c.d
	}
	return stages
}
