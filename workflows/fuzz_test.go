package workflows

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// fuzzSeeds are what a phone sends on a bad day: emoji, pasted novels, NUL
// bytes, broken UTF-8, right-to-left text, impossible dates.
var fuzzSeeds = []string{
	"", " ", "\n", "1", "0", "6", "-1", "+5", "1)", "1, 3", "1 og 3", "1 3", "3, 1, 1", "og", ", ,",
	"ja", "nej", "Ja", "j", "n", "ja, virker bange", "nej, blah", "ja,", "ja - ", "ja–note",
	"i dag", "idag", "i går", "today", "yesterday", "fredag", "3/12", "3.12.", "3.12.2026", "3-12-26",
	"2026-12-03", "31.02", "31.02.2026", "29.02.2028", "29/2", "5.12.2026", "2027-01-01", "0.0.0", "99-99-99",
	"ca. 30", "ca.", "~", "30?", "?", "30 år", "9999999999999999999999", "٣", "３", "Ⅻ",
	"Thailand", "thai", "TH", "tha", "Rumænien", "rumaenien", "Nigeira", "Tailand", "ukendt", "DD", "VD",
	"Henvisning / følgeskab", "Referral / escort to care", "tilbage", "afbryd", "hjælp", "spring over", "gem",
	"🙂", "👍🏽", "🇹🇭", "❤️", "ja 👍", "1, 🙂",
	"\x00", "a\x00b", "\x00\x00\x00", "\xff\xfe\xfd", "\xc3\x28", "ja\xff", "\xef\xbf\xbd",
	"שלום עולם", "مرحبا", "\u202e3.12\u202c", "\u200f1\u200f", "\u202bja\u202c",
	strings.Repeat("a", 100<<10), strings.Repeat("🙂", 25<<10), strings.Repeat("1, ", 34<<10),
	strings.Repeat("\xff", 100<<10), "ja, " + strings.Repeat("bange ", 200),
}

// checkProblem demands a problem in both languages that does not echo a
// long input whole.
func checkProblem(t *testing.T, in string, p *Problem) {
	t.Helper()
	if strings.TrimSpace(p.Msg.Da) == "" || strings.TrimSpace(p.Msg.En) == "" {
		t.Fatalf("%q: problem without text in both languages: %+v", short(in), p.Msg)
	}
	if len(p.Msg.Da) > 600 || len(p.Msg.En) > 600 {
		t.Fatalf("%q: problem of %d/%d bytes", short(in), len(p.Msg.Da), len(p.Msg.En))
	}
}

func FuzzParseDate(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(s, int16(i%3-1)*400)
	}
	q := question(f, "visit.date")
	f.Fuzz(func(t *testing.T, in string, days int16) {
		now := friday.AddDate(0, 0, int(days))
		a, comp, p := parseDate(q, in, env{now: now, lang: Danish})
		if p != nil {
			checkProblem(t, in, p)
			return
		}
		if comp != nil {
			t.Fatalf("%q: a date fills no companion", in)
		}
		day, err := time.Parse(time.DateOnly, a.Text)
		if err != nil || day.Format(time.DateOnly) != a.Text {
			t.Fatalf("%q: stored %q is not an ISO date", short(in), a.Text)
		}
		today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
		if day.After(today) {
			t.Fatalf("%q on %s: %s is in the future", short(in), today.Format(time.DateOnly), a.Text)
		}
		if day.Year() < 2000 {
			t.Fatalf("%q: %s is before 2000", short(in), a.Text)
		}
		for _, lang := range []Lang{Danish, English} {
			if showDate(q, a, lang) == a.Text {
				t.Fatalf("%s not shown in words", a.Text)
			}
		}
	})
}

func FuzzParseNumber(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(s, i%2 == 0)
	}
	age, food := question(f, "person.age"), question(f, "visit.food_packages")
	f.Fuzz(func(t *testing.T, in string, isAge bool) {
		q := food
		if isAge {
			q = age
		}
		a, comp, p := parseNumber(q, in, env{now: friday})
		if p != nil {
			checkProblem(t, in, p)
			return
		}
		if a.Number == nil || *a.Number < q.Min || *a.Number > q.Max {
			t.Fatalf("%s %q: %v outside %d–%d", q.ID, short(in), a, q.Min, q.Max)
		}
		if a.Text != "" || a.List != nil || a.Skipped {
			t.Fatalf("%s %q: more than a number: %#v", q.ID, short(in), a)
		}
		if comp != nil && (!isAge || comp.Text != "yes") {
			t.Fatalf("%s %q: companion %#v", q.ID, short(in), comp)
		}
	})
}

func FuzzParseCountry(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	q := question(f, "person.nationality")
	f.Fuzz(func(t *testing.T, in string) {
		a, comp, p := parseCountry(q, in, env{now: friday})
		if p != nil {
			checkProblem(t, in, p)
			if len(p.Suggest) > 3 {
				t.Fatalf("%q: %d suggestions", short(in), len(p.Suggest))
			}
			for _, s := range p.Suggest {
				if _, ok := countryByCode(s.ID); !ok || s.Label.Da == "" || s.Label.En == "" {
					t.Fatalf("%q: suggestion %+v", short(in), s)
				}
			}
			return
		}
		if comp != nil {
			t.Fatalf("%q: a country fills no companion", in)
		}
		checkAnswer(t, in, q, a, friday)
	})
}

func FuzzParseMulti(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(s, uint8(i))
	}
	qs := []*Question{question(f, "visit.onsite"), question(f, "visit.referral"), question(f, "visit.discussed_with")}
	f.Fuzz(func(t *testing.T, in string, which uint8) {
		q := qs[int(which)%len(qs)]
		a, comp, p := parseMulti(q, in, env{now: friday})
		if p != nil {
			checkProblem(t, in, p)
			return
		}
		if comp != nil {
			t.Fatalf("%q: a multiple choice fills no companion", in)
		}
		checkAnswer(t, in, q, a, friday)
	})
}

func FuzzParseYesNo(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(s, i%2 == 0)
	}
	withNote, plain := question(f, "person.trafficking_suspected"), question(f, "person.age_estimated")
	f.Fuzz(func(t *testing.T, in string, note bool) {
		q := plain
		if note {
			q = withNote
		}
		a, comp, p := parseYesNo(q, in, env{now: friday})
		if p != nil {
			checkProblem(t, in, p)
			return
		}
		checkAnswer(t, in, q, a, friday)
		if comp == nil {
			return
		}
		if q.Companion == "" || a.Text != "yes" {
			t.Fatalf("%s %q: a note with %q", q.ID, short(in), a.Text)
		}
		cq := question(t, "person."+q.Companion)
		checkAnswer(t, in, cq, *comp, friday)
	})
}

func FuzzParseText(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(s, i%2 == 0)
	}
	initials, remarks := question(f, "visit.filled_by"), question(f, "visit.remarks")
	f.Fuzz(func(t *testing.T, in string, isInitials bool) {
		q := remarks
		if isInitials {
			q = initials
		}
		a, _, p := parseText(q, in, env{now: friday})
		if p != nil {
			checkProblem(t, in, p)
			return
		}
		checkAnswer(t, in, q, a, friday)
		if isInitials && (a.Text != strings.ToUpper(a.Text) || utf8.RuneCountInString(a.Text) < 2) {
			t.Fatalf("initials %q from %q", a.Text, short(in))
		}
	})
}

// FuzzStep throws any message at a draft at any stage of a registration:
// Step must not panic, must say something (or finish), and every answer it
// accepts must be one that can be stored, shown and exported.
func FuzzStep(f *testing.F) {
	stages := stageDrafts(f)
	names := keysOf(stages)
	for i, s := range fuzzSeeds {
		f.Add(uint8(i), s)
	}
	for i := range names {
		for _, s := range []string{"ja", "1", "tilbage", "gem", "ca. 16", "🙂", "\x00\xff"} {
			f.Add(uint8(i), s)
		}
	}
	r := NewRegistration()
	f.Fuzz(func(t *testing.T, stage uint8, text string) {
		name := names[int(stage)%len(names)]
		d := stages[name]
		before := copyDraft(d)
		next, out := r.Step(d, Input{Text: text, Now: friday})
		if !equalDrafts(before, d) {
			t.Fatalf("%s: Step(%q) changed its input draft", name, short(text))
		}
		if len(out.Say) == 0 && out.Done == nil {
			t.Fatalf("%s: Step(%q) said nothing", name, short(text))
		}
		checkDraft(t, r, next, friday)
		if out.Done != nil {
			checkVisit(t, r, *out.Done, friday)
		}
		// The draft as stored and read back is the same draft.
		b, err := json.Marshal(next)
		if err != nil {
			t.Fatalf("%s: draft after %q does not marshal: %v", name, short(text), err)
		}
		var back Draft
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if !sameStored(t, back, next) {
			t.Fatalf("%s: draft after %q changes when stored", name, short(text))
		}
	})
}

func equalDrafts(a, b Draft) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb) && (a.Persons == nil) == (b.Persons == nil)
}

// checkDraft demands that every answer in a draft is valid for its question.
func checkDraft(t *testing.T, r *Registration, d Draft, now time.Time) {
	t.Helper()
	checkBlock(t, "visit", r.Visit, d.Visit, now, true)
	for i, p := range d.Persons {
		checkBlock(t, fmt.Sprintf("person %d", i+1), r.Person, p, now, true)
	}
	if d.Editing != nil {
		r.question(*d.Editing) // panics on a slot that is no question
	}
	if d.Pending != nil && d.Pending.Slot.Field != anotherKey && d.Pending.Answer.Number == nil {
		t.Fatalf("pending %+v without a number", d.Pending)
	}
}

// checkVisit demands that a saved visit holds valid answers under canonical
// ids only, and that it exports.
func checkVisit(t *testing.T, r *Registration, v Visit, now time.Time) {
	t.Helper()
	checkBlock(t, "saved visit", r.Visit, v.Fields, now, false)
	for i, p := range v.Persons {
		checkBlock(t, fmt.Sprintf("saved person %d", i+1), r.Person, p, now, false)
	}
	r.VisitFields(v)
	for _, p := range v.Persons {
		r.PersonFields(p)
	}
	if _, err := json.Marshal(v); err != nil {
		t.Fatalf("saved visit does not marshal: %v", err)
	}
}

func checkBlock(t *testing.T, where string, f *Form, block Answers, now time.Time, internal bool) {
	t.Helper()
	for id, a := range block {
		if id == anotherKey {
			if !internal || (a.Text != "yes" && a.Text != "no") {
				t.Fatalf("%s: %s = %#v", where, id, a)
			}
			continue
		}
		q, ok := f.Question(id)
		if !ok {
			t.Fatalf("%s: %q is no question of %s", where, id, f.ID)
		}
		if a.Skipped {
			if q.Required {
				t.Fatalf("%s: required %s skipped", where, id)
			}
			continue
		}
		checkAnswer(t, where, q, a, now)
	}
}

// checkAnswer demands an answer that its question could have accepted: a
// choice id, a number in range, a past ISO date, a country code, clean text.
func checkAnswer(t *testing.T, where string, q *Question, a Answer, now time.Time) {
	t.Helper()
	bad := func(why string) {
		t.Helper()
		t.Fatalf("%s: %s = %#v: %s", short(where), q.ID, a, why)
	}
	switch q.Kind {
	case SingleChoice, YesNo:
		if _, ok := q.choice(a.Text); !ok {
			bad("not a choice")
		}
	case MultiChoice:
		if len(a.List) == 0 {
			bad("no choice")
		}
		last := -1
		for _, id := range a.List {
			i := slices.IndexFunc(q.Choices, func(c Choice) bool { return c.ID == id })
			if i < 0 || i <= last {
				bad("not the form's choices, once each, in order")
			}
			last = i
		}
	case Number:
		if a.Number == nil || *a.Number < q.Min || *a.Number > q.Max {
			bad("out of range")
		}
	case Date:
		day, err := time.Parse(time.DateOnly, a.Text)
		if err != nil || day.After(time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)) {
			bad("not a past ISO date")
		}
	case Country:
		if _, ok := countryByCode(a.Text); !ok && a.Text != UnknownCountry {
			bad("not a country code")
		}
	case FreeText:
		maxLen := q.MaxLen
		if maxLen == 0 {
			maxLen = defaultMaxLen
		}
		switch {
		case !utf8.ValidString(a.Text):
			bad("invalid UTF-8")
		case strings.TrimSpace(a.Text) != a.Text || a.Text == "":
			bad("empty or untrimmed")
		case strings.ContainsFunc(a.Text, unicode.IsControl) || strings.ContainsRune(a.Text, utf8.RuneError):
			bad("control characters")
		case utf8.RuneCountInString(a.Text) > maxLen:
			bad("too long")
		case q.Pattern != nil && !q.Pattern.MatchString(a.Text):
			bad("does not match the pattern")
		}
	}
	for _, lang := range []Lang{Danish, English} {
		if kinds[q.Kind].show(q, a, lang) == "" {
			bad("shown as nothing")
		}
	}
}
