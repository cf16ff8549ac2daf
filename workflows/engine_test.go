package workflows

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

// TestSkipLogic walks whole registrations and checks, for every skip rule of
// domain.md, which questions were asked and which were not, and that the
// saved visit holds exactly the answers that apply.
func TestSkipLogic(t *testing.T) {
	tests := []struct {
		story  string
		given  map[string]string
		crisis *CrisisRef
		asks   []string
		skips  []string
	}{
		{story: "a physical visit needs no method_other",
			skips: []string{"method_other"}},
		{story: "method other asks what it was", given: map[string]string{"method": "andet"},
			asks: []string{"method_other"}},
		{story: "a phone call asks no method_other", given: map[string]string{"method": "telefon"},
			skips: []string{"method_other"}},
		{story: "a massage clinic asks the address and not location_other",
			asks: []string{"address"}, skips: []string{"location_other"}},
		{story: "another location asks what it was and no address", given: map[string]string{"location": "andet"},
			asks: []string{"location_other"}, skips: []string{"address"}},
		{story: "outreach asks no reason_detail", given: map[string]string{"reason": "opsøgende indsats"},
			skips: []string{"reason_detail"}},
		{story: "a follow-up asks no reason_detail", given: map[string]string{"reason": "opfølgning"},
			skips: []string{"reason_detail"}},
		{story: "a self-referral asks no reason_detail", given: map[string]string{"reason": "selvhenvender"},
			skips: []string{"reason_detail"}},
		{story: "a request from the police asks who", given: map[string]string{"reason": "politi"},
			asks: []string{"reason_detail"}},
		{story: "a request from the public asks who", given: map[string]string{"reason": "offentlighed"},
			asks: []string{"reason_detail"}},
		{story: "another reason asks what", given: map[string]string{"reason": "6"},
			asks: []string{"reason_detail"}},
		{story: "contact asks Form 2 and item 7",
			asks: []string{"onsite", "p1.nationality", "p1.escort_per_ads", "p1.another"}, skips: []string{"contact_other"}},
		{story: "nobody at the clinic asks neither item 7 nor Form 2", given: map[string]string{"contact": "2"},
			skips: []string{"onsite", "food_packages", "p1.nationality", "p1.another", "contact_other"}},
		{story: "activity at the clinic asks item 7 but not Form 2", given: map[string]string{"contact": "3"},
			asks: []string{"onsite"}, skips: []string{"p1.nationality", "contact_other"}},
		{story: "another contact asks what, item 7, and not Form 2", given: map[string]string{"contact": "andet"},
			asks: []string{"contact_other", "onsite"}, skips: []string{"p1.nationality"}},
		{story: "nothing done on site asks no details",
			asks:  []string{"onsite"},
			skips: []string{"food_packages", "referral", "referral_other", "onsite_other"}},
		{story: "food delivered asks how many packages", given: map[string]string{"onsite": "1"},
			asks: []string{"food_packages"}, skips: []string{"referral", "referral_other", "onsite_other"}},
		{story: "a referral asks where to", given: map[string]string{"onsite": "2", "referral": "tandlæge"},
			asks: []string{"referral"}, skips: []string{"food_packages", "referral_other", "onsite_other"}},
		{story: "a referral elsewhere asks where", given: map[string]string{"onsite": "henvisning", "referral": "1, 3"},
			asks: []string{"referral", "referral_other"}, skips: []string{"onsite_other"}},
		{story: "something else on site asks what", given: map[string]string{"onsite": "6"},
			asks: []string{"onsite_other"}, skips: []string{"referral", "referral_other", "food_packages"}},
		{story: "everything on site asks every detail", given: map[string]string{"onsite": "1, 2, 3, 4, 5, 6", "referral": "3"},
			asks: []string{"food_packages", "referral", "referral_other", "onsite_other"}},
		{story: "no one to discuss with asks no who or reasons",
			asks:  []string{"discussed_with"},
			skips: []string{"discussed_with_who", "discussed_with_reason_police", "discussed_with_reason_other"}},
		{story: "discussed with the police asks the reason for the police only", given: map[string]string{"discussed_with": "politi"},
			asks:  []string{"discussed_with_reason_police"},
			skips: []string{"discussed_with_who", "discussed_with_reason_other", "discussed_with_reason_doctor", "discussed_with_reason_cmm_social_worker"}},
		{story: "discussed with another asks who and why", given: map[string]string{"discussed_with": "4"},
			asks:  []string{"discussed_with_who", "discussed_with_reason_other"},
			skips: []string{"discussed_with_reason_police"}},
		{story: "discussed with a social worker and a doctor asks both reasons", given: map[string]string{"discussed_with": "1, 3", "discussed_with_reason_doctor": "Tandpine"},
			asks:  []string{"discussed_with_reason_cmm_social_worker", "discussed_with_reason_doctor"},
			skips: []string{"discussed_with_who"}},
		{story: "no suspicion asks no note",
			skips: []string{"p1.trafficking_note", "p1.health_issue_self_note", "p1.health_issue_observed_note"}},
		{story: "a plain yes asks for the note",
			given: map[string]string{"trafficking_suspected": "ja", "health_issue_self": "ja", "health_issue_observed": "ja", "trafficking_note": "Ejeren svarede for hende"},
			asks:  []string{"p1.trafficking_note", "p1.health_issue_self_note", "p1.health_issue_observed_note"}},
		{story: "a yes with its note asks no note",
			given: map[string]string{"trafficking_suspected": "ja, virker bange", "health_issue_self": "ja, tandpine"},
			asks:  []string{"p1.trafficking_suspected", "p1.health_issue_self"},
			skips: []string{"p1.trafficking_note", "p1.health_issue_self_note"}},
		{story: "an estimated age asks no age_estimated", given: map[string]string{"age": "ca. 30"},
			skips: []string{"p1.age_estimated"}},
		{story: "an exact age asks whether it was estimated",
			asks: []string{"p1.age", "p1.age_estimated"}},
		{story: "outside a crisis no crisis questions",
			skips: []string{"p1.crisis_symptoms", "p1.crisis_advice_given"}},
		{story: "in a crisis every person is asked about its disease", crisis: covid,
			given: map[string]string{"another": "nej", "p1.another": "ja", "crisis_symptoms": "mistanke"},
			asks:  []string{"p1.crisis_symptoms", "p1.crisis_advice_given", "p2.crisis_symptoms", "p2.crisis_advice_given"}},
	}
	for _, tt := range tests {
		t.Run(tt.story, func(t *testing.T) {
			c := startConv(t, Danish, tt.crisis)
			asked := c.fill(tt.given)
			for _, k := range tt.asks {
				if !slices.Contains(asked, k) {
					t.Errorf("%s was not asked; asked %v", k, asked)
				}
			}
			for _, k := range tt.skips {
				if slices.Contains(asked, k) {
					t.Errorf("%s was asked; asked %v", k, asked)
				}
			}
			for _, k := range asked {
				if strings.HasSuffix(k, "crisis_symptoms") || strings.HasSuffix(k, "crisis_advice_given") {
					if !strings.Contains(c.prompts[k], "COVID-19") || strings.Contains(c.prompts[k], "{sygdom}") {
						t.Errorf("%s asked without the disease's name:\n%s", k, c.prompts[k])
					}
				}
			}
			checkRecord(t, c, asked, c.save())
		})
	}
}

// checkRecord demands that the saved visit holds an answer for each question
// asked and not skipped, for the known ones and for companions filled in
// passing, and for nothing else.
func checkRecord(t *testing.T, c *conv, asked []string, v *Visit) {
	t.Helper()
	want := map[string]bool{"filled_by": true, "organisation": true}
	for _, k := range asked {
		person, field := splitKey(k)
		if field == "another" {
			continue
		}
		if c.d.block(person)[field].Skipped {
			continue
		}
		want[k] = true
		q := c.r.question(Slot{Person: person, Field: field})
		if q.Companion != "" {
			if ca, ok := c.d.block(person)[q.Companion]; ok && !ca.Skipped {
				want[strings.TrimSuffix(k, field)+q.Companion] = true
			}
		}
	}
	got := map[string]bool{}
	for id := range v.Fields {
		got[id] = true
	}
	for i, p := range v.Persons {
		for id := range p {
			got[fmt.Sprintf("p%d.%s", i+1, id)] = true
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("saved visit holds %v\nwant %v", keysOf(got), keysOf(want))
	}
	if v.Date != v.Fields["date"].Text || v.CreatedBy != "u1" || v.Schema != SchemaVersion {
		t.Errorf("visit head: date %q, created by %q, schema %d", v.Date, v.CreatedBy, v.Schema)
	}
	if !reflect.DeepEqual(v.Crisis, c.d.Crisis) {
		t.Errorf("visit crisis %v, draft crisis %v", v.Crisis, c.d.Crisis)
	}
}

// The user always sees how far she is: "3/10" of the relevant questions of
// the form or person she is at.
func TestQuestionsAreNumbered(t *testing.T) {
	tests := []struct {
		story  string
		crisis *CrisisRef
		given  []string
		want   string
	}{
		{story: "the first question asked is the date, the third of ten", want: "3/10 Dato for opsøgende indsats"},
		{story: "then the method", given: []string{"i går"}, want: "4/10 Metode"},
		{story: "method other adds a question", given: []string{"i går", "andet"}, want: "5/11 Metode – hvad?"},
		{story: "a clinic's address counts", given: []string{"i går", "1", "1"}, want: "6/11 Klinikkens adresse"},
		{story: "the first person's first question", given: []string{"i går", "1", "2", "Hotel", "1", "1", "spring over", "spring over", "spring over"},
			want: "Person 1 · 1/10 Nationalitet"},
		{story: "a crisis adds two questions per person", crisis: covid, given: []string{"i går", "1", "2", "Hotel", "1", "1", "spring over", "spring over", "spring over"},
			want: "Person 1 · 1/12 Nationalitet"},
	}
	for _, tt := range tests {
		t.Run(tt.story, func(t *testing.T) {
			c := startConv(t, Danish, tt.crisis)
			c.says(tt.given...)
			if !strings.Contains(c.said(), tt.want) {
				t.Errorf("want %q in:\n%s", tt.want, c.said())
			}
			if !regexp.MustCompile(`\b\d+/\d+ `).MatchString(c.said()) {
				t.Errorf("no n/m position in:\n%s", c.said())
			}
		})
	}
}

func TestBackReasksThePreviousQuestion(t *testing.T) {
	tests := []struct {
		story    string
		lang     Lang
		given    []string
		back     string
		wantAt   string
		wantSaid []string
	}{
		{story: "back at the method re-asks the date and shows what was typed", given: []string{"i går"}, back: "tilbage",
			wantAt: "date", wantSaid: []string{"Tidligere svar: torsdag 3. december 2026", "3/10 Dato for opsøgende indsats"}},
		{story: "in English too", lang: English, given: []string{"yesterday"}, back: "back",
			wantAt: "date", wantSaid: []string{"Previous answer: Thursday 3 December 2026", "3/10 Date of the outreach"}},
		{story: "fortryd is back as well", given: []string{"i går", "telefon"}, back: "fortryd",
			wantAt: "method", wantSaid: []string{"Tidligere svar: Telefon"}},
		{story: "back at the first question says so", back: "tilbage",
			wantAt: "date", wantSaid: []string{"Du er ved det første spørgsmål.", "Dato for opsøgende indsats"}},
		{story: "back steps over questions that were not asked", given: []string{"i går", "telefon", "1"}, back: "tilbage",
			wantAt: "location", wantSaid: []string{"Tidligere svar: Massageklinik"}},
		{story: "back over a skipped question shows no previous answer", given: []string{"i går", "1", "1", "Vestergade 1", "1", "1", "spring over"}, back: "tilbage",
			wantAt: "onsite"},
		{story: "back at the summary re-asks the last question", given: []string{"i går", "1", "1", "Vestergade 1", "1", "2", "spring over", "nej, intet"}, back: "tilbage",
			wantAt: "remarks", wantSaid: []string{"Tidligere svar: nej, intet"}},
	}
	for _, tt := range tests {
		t.Run(tt.story, func(t *testing.T) {
			c := startConv(t, tt.lang, nil)
			c.says(tt.given...)
			c.say(tt.back)
			if c.at() != tt.wantAt {
				t.Fatalf("at %s, want %s; the bot said:\n%s", c.at(), tt.wantAt, c.said())
			}
			for _, w := range tt.wantSaid {
				if !strings.Contains(c.said(), w) {
					t.Errorf("want %q in:\n%s", w, c.said())
				}
			}
			if strings.Contains(tt.story, "skipped") && strings.Contains(c.said(), "Tidligere svar") {
				t.Errorf("a skipped answer shown as previous:\n%s", c.said())
			}
			if _, ok := c.d.Visit[tt.wantAt]; ok {
				t.Errorf("%s still answered after back", tt.wantAt)
			}
		})
	}
}

// Back from the next person's first question returns to "another person?",
// and the empty person is dropped.
func TestBackOverAnotherPerson(t *testing.T) {
	c := startConv(t, Danish, nil)
	c.fillUntil(map[string]string{"p1.another": "ja"}, "p2.nationality")
	if len(c.d.Persons) != 2 {
		t.Fatalf("%d persons at person 2's first question", len(c.d.Persons))
	}
	c.say("tilbage")
	if c.at() != "p1.another" || len(c.d.Persons) != 1 {
		t.Fatalf("at %s with %d persons; the bot said:\n%s", c.at(), len(c.d.Persons), c.said())
	}
	if !strings.Contains(c.said(), "Mødte du en person mere?") {
		t.Errorf("want the another-person question in:\n%s", c.said())
	}
	c.say("nej")
	if v := c.save(); len(v.Persons) != 1 {
		t.Errorf("saved %d persons, want 1", len(v.Persons))
	}
}

// An answer given in passing ("ca. 30" for age_estimated, "ja, virker bange"
// for the note) goes with its question when the user steps back over it;
// otherwise an age retyped as exact stays marked estimated and is never
// asked about.
func TestBackForgetsWhatWasFilledInPassing(t *testing.T) {
	tests := []struct {
		story     string
		field     string
		first     string
		companion string
		wasShown  string
		again     string
		wantAt    string
	}{
		{story: "ca. 30, back, 31 asks whether the age is estimated", field: "age", first: "ca. 30", companion: "age_estimated",
			wasShown: "Tidligere svar: 30 · Er alderen skønnet?: Ja", again: "31", wantAt: "p1.age_estimated"},
		{story: "ja with a note, back, ja asks for the note", field: "trafficking_suspected", first: "ja, virker bange", companion: "trafficking_note",
			wasShown: "Tidligere svar: Ja · Mistanke om menneskehandel – note: virker bange", again: "ja", wantAt: "p1.trafficking_note"},
	}
	for _, tt := range tests {
		t.Run(tt.story, func(t *testing.T) {
			c := startConv(t, Danish, nil)
			c.fillUntil(nil, "p1."+tt.field)
			c.say(tt.first)
			if _, ok := c.d.Persons[0][tt.companion]; !ok {
				t.Fatalf("%q did not fill %s", tt.first, tt.companion)
			}
			c.say("tilbage")
			if c.at() != "p1."+tt.field {
				t.Fatalf("back went to %s", c.at())
			}
			if _, ok := c.d.Persons[0][tt.companion]; ok {
				t.Errorf("%s kept after stepping back over %s", tt.companion, tt.field)
			}
			if !strings.Contains(c.said(), tt.wasShown) {
				t.Errorf("want %q in:\n%s", tt.wasShown, c.said())
			}
			c.say(tt.again)
			if c.at() != tt.wantAt {
				t.Errorf("after %q at %s, want %s", tt.again, c.at(), tt.wantAt)
			}
		})
	}
}

func TestSkipOnlyOptionalQuestions(t *testing.T) {
	tests := []struct {
		story   string
		lang    Lang
		at      string
		word    string
		skipped bool
		said    string
	}{
		{story: "nothing done on site is skipped", at: "onsite", word: "spring over", skipped: true},
		{story: "skip in English", lang: English, at: "discussed_with", word: "skip", skipped: true},
		{story: "Spring over with a capital", at: "remarks", word: "Spring over", skipped: true},
		{story: "videre skips too", at: "p1.trafficking_note", word: "videre", skipped: true},
		{story: "the date cannot be skipped", at: "date", word: "spring over", said: "Dette spørgsmål kan ikke springes over."},
		{story: "the method cannot be skipped", at: "method", word: "skip", said: "Dette spørgsmål kan ikke springes over."},
		{story: "the age cannot be skipped, in English", lang: English, at: "p1.age", word: "skip", said: "This question cannot be skipped."},
		{story: "the food packages cannot be skipped", at: "food_packages", word: "spring over", said: "kan ikke springes over"},
		{story: "another person? cannot be skipped", at: "p1.another", word: "spring over", said: "Svar «ja» eller «nej»."},
	}
	for _, tt := range tests {
		t.Run(tt.story, func(t *testing.T) {
			c := startConv(t, tt.lang, nil)
			c.fillUntil(map[string]string{"onsite": "1", "trafficking_suspected": "ja"}, tt.at)
			before := copyDraft(c.d)
			c.say(tt.word)
			if !tt.skipped {
				if c.at() != tt.at {
					t.Fatalf("moved on to %s", c.at())
				}
				if !strings.Contains(c.said(), tt.said) {
					t.Errorf("want %q in:\n%s", tt.said, c.said())
				}
				if !sameAnswers(before, c.d) || c.out.Save {
					t.Errorf("a refused skip changed the answers or asked to save")
				}
				return
			}
			if c.at() == tt.at {
				t.Fatalf("still at %s:\n%s", tt.at, c.said())
			}
			person, field := splitKey(tt.at)
			if a := c.d.block(person)[field]; !a.Skipped {
				t.Errorf("%s = %#v, want it skipped", tt.at, a)
			}
		})
	}
}

func splitKey(k string) (int, string) {
	p, f, ok := strings.Cut(k, ".")
	if !ok {
		return -1, k
	}
	var n int
	fmt.Sscanf(p, "p%d", &n)
	return n - 1, f
}

// sameAnswers compares what the user has answered and where she is.
func sameAnswers(a, b Draft) bool {
	return reflect.DeepEqual(a.Visit, b.Visit) && len(a.Persons) == len(b.Persons) &&
		(len(a.Persons) == 0 || reflect.DeepEqual(a.Persons, b.Persons)) &&
		slices.Equal(a.History, b.History) && a.Mode == b.Mode &&
		reflect.DeepEqual(a.Pending, b.Pending) && reflect.DeepEqual(a.Editing, b.Editing) &&
		slices.Equal(a.Flags, b.Flags)
}

func TestCancelAsksFirst(t *testing.T) {
	tests := []struct {
		story string
		at    string
		given map[string]string
		edit  string // a summary line to edit before cancelling
		word  string
	}{
		{story: "at the date", at: "date", word: "afbryd"},
		{story: "at a person's age, in English words", at: "p1.age", word: "cancel"},
		{story: "annuller at another person?", at: "p1.another", word: "annuller"},
		{story: "while confirming an age under 18", at: "pending", given: map[string]string{"age": "16"}, word: "AFBRYD"},
		{story: "at the summary", at: "summary", word: "afbryd"},
		{story: "while changing an answer from the summary", at: "summary", edit: "4", word: "stop"},
	}
	for _, tt := range tests {
		for _, answer := range []string{"nej", "ja"} {
			t.Run(tt.story+" then "+answer, func(t *testing.T) {
				c := startConv(t, Danish, nil)
				c.fillUntil(tt.given, tt.at)
				if tt.edit != "" {
					c.say(tt.edit)
				}
				was, before := c.at(), copyDraft(c.d)
				c.say(tt.word)
				if c.at() != "cancel" || !strings.Contains(c.said(), "Vil du afbryde og slette denne registrering?") {
					t.Fatalf("%q did not ask to confirm:\n%s", tt.word, c.said())
				}
				if c.out.Discard {
					t.Fatal("discarded before the user confirmed")
				}
				c.say("måske")
				if c.at() != "cancel" || !strings.Contains(c.said(), "Svar «ja» eller «nej».") {
					t.Fatalf("an unclear answer left the confirmation:\n%s", c.said())
				}
				c.say(answer)
				if answer == "ja" {
					if !c.out.Discard || !strings.Contains(c.said(), "Registreringen er slettet.") {
						t.Errorf("ja did not discard: %+v", c.out)
					}
					return
				}
				if c.out.Discard || c.at() != was || !strings.Contains(c.said(), "Godt, vi fortsætter.") {
					t.Errorf("nej: at %s (want %s), discard %v:\n%s", c.at(), was, c.out.Discard, c.said())
				}
				if !sameAnswers(before, c.d) {
					t.Errorf("nej changed the answers")
				}
			})
		}
	}
}

func TestHelpExplainsAndReasks(t *testing.T) {
	tests := []struct {
		story string
		lang  Lang
		at    string
		word  string
		want  []string
	}{
		{story: "hjælp at the date", at: "date", word: "hjælp",
			want: []string{"Skriv «i dag», «i går», en ugedag", "«tilbage», «spring over»", "3/10 Dato for opsøgende indsats"}},
		{story: "HJÆLP shouted", at: "date", word: "HJÆLP", want: []string{"3/10 Dato for opsøgende indsats"}},
		{story: "hjaelp without æ", at: "date", word: "hjaelp", want: []string{"3/10 Dato for opsøgende indsats"}},
		{story: "a question mark", at: "date", word: "?", want: []string{"Skriv «i dag»"}},
		{story: "help in English", lang: English, at: "p1.age", word: "help",
			want: []string{"A whole number from 12 to 99", "«back», «skip»", "Age (years)"}},
		{story: "a question without its own help gets the words", at: "method", word: "hjælp",
			want: []string{"Du kan altid skrive", "4/10 Metode"}},
		{story: "at the summary", at: "summary", word: "hjælp",
			want: []string{"Skriv et nummer for at rette et svar", "Opsummering"}},
		{story: "at another person?", at: "p1.another", word: "hjælp",
			want: []string{"Du kan altid skrive", "Mødte du en person mere?"}},
	}
	for _, tt := range tests {
		t.Run(tt.story, func(t *testing.T) {
			c := startConv(t, tt.lang, nil)
			c.fillUntil(nil, tt.at)
			before := copyDraft(c.d)
			c.say(tt.word)
			for _, w := range tt.want {
				if !strings.Contains(c.said(), w) {
					t.Errorf("want %q in:\n%s", w, c.said())
				}
			}
			if c.at() != tt.at || !sameAnswers(before, c.d) || c.out.Save {
				t.Errorf("help changed the draft: at %s, save %v", c.at(), c.out.Save)
			}
		})
	}
}

// An empty message, mere spaces or a pasted 100 KB text get a friendly word
// and the same question, and nothing is stored.
func TestUnusableMessagesChangeNothing(t *testing.T) {
	inputs := []struct {
		name, text, said string
	}{
		{"empty", "", "Jeg fik ikke noget svar."},
		{"spaces", "   ", "Jeg fik ikke noget svar."},
		{"newlines and tabs", "\n\t \r\n", "Jeg fik ikke noget svar."},
		{"100 KB of text", strings.Repeat("Vestergade 12 ", 100<<10/14), "Beskeden er for lang."},
		{"100 KB of emoji", strings.Repeat("🙂", 100<<10/4), "Beskeden er for lang."},
	}
	for _, at := range []string{"date", "onsite", "remarks", "p1.nationality", "p1.age", "p1.another", "summary", "pending"} {
		for _, in := range inputs {
			t.Run(at+" "+in.name, func(t *testing.T) {
				c := startConv(t, Danish, nil)
				c.fillUntil(map[string]string{"age": "16"}, at)
				before, prompt := copyDraft(c.d), c.said()
				c.say(in.text)
				if !strings.Contains(c.said(), in.said) {
					t.Errorf("want %q in:\n%s", in.said, c.said())
				}
				if c.out.Save || c.out.Done != nil || c.out.Discard {
					t.Errorf("output %+v for an unusable message", c.out)
				}
				if !sameStored(t, before, c.d) {
					t.Errorf("the draft changed:\nbefore %+v\nafter  %+v", before, c.d)
				}
				if len(c.said()) > 4000 && at != "summary" {
					t.Errorf("the message was echoed: %d bytes said", len(c.said()))
				}
				if question := lastLine(prompt); !strings.Contains(c.said(), question) {
					t.Errorf("the question %q was not asked again:\n%s", question, c.said())
				}
			})
		}
	}
}

// lastLine is the question of a prompt: its last line before the options.
func lastLine(said string) string {
	var last string
	for _, l := range strings.Split(said, "\n") {
		if l != "" && !strings.HasPrefix(l, "  ") {
			last = l
		}
	}
	return last
}

func TestAgeUnder18IsConfirmed(t *testing.T) {
	c := startConv(t, Danish, nil)
	c.fillUntil(nil, "p1.age")
	c.say("16")
	if c.at() != "pending" || !strings.Contains(c.said(), "Alder 16 er under 18. Er det rigtigt?") {
		t.Fatalf("16 not questioned:\n%s", c.said())
	}
	c.say("nej")
	if c.at() != "p1.age" || !strings.Contains(c.said(), "Alder (år)") {
		t.Fatalf("nej did not ask the age again:\n%s", c.said())
	}
	if _, ok := c.d.Persons[0]["age"]; ok {
		t.Fatal("the refused age was stored")
	}
	c.say("16")
	c.say("ja")
	if c.at() != "p1.age_estimated" {
		t.Fatalf("ja went to %s", c.at())
	}
	c.fill(nil)
	v := c.save()
	if got := v.Persons[0]["age"].Number; got == nil || *got != 16 {
		t.Errorf("age %v, want 16", got)
	}
	if !slices.Contains(v.Flags, "minor") {
		t.Errorf("flags %v, want minor", v.Flags)
	}
}

func TestAgeUnder18Stories(t *testing.T) {
	tests := []struct {
		story     string
		given     map[string]string
		edit      string // a new age typed from the summary
		wantMinor bool
		wantEst   string
	}{
		{story: "18 is not asked about", given: map[string]string{"age": "18"}, wantEst: "no"},
		{story: "ca. 16 confirmed keeps the estimate", given: map[string]string{"age": "ca. 16"}, wantMinor: true, wantEst: "yes"},
		{story: "12 confirmed", given: map[string]string{"age": "12"}, wantMinor: true, wantEst: "no"},
		{story: "16 corrected to 30 from the summary is no minor", given: map[string]string{"age": "16"}, edit: "30", wantEst: "no"},
		{story: "30 corrected to 17 from the summary is a minor", edit: "17", wantMinor: true, wantEst: "no"},
		{story: "a minor dropped with the persons is no minor", given: map[string]string{"age": "16"}, edit: "contact:2"},
	}
	for _, tt := range tests {
		t.Run(tt.story, func(t *testing.T) {
			c := startConv(t, Danish, nil)
			c.fill(tt.given)
			if field, value, ok := strings.Cut(tt.edit, ":"); ok {
				c.say(lineNo(t, c.said(), question(t, "visit."+field).Label.Da))
				c.say(value)
			} else if tt.edit != "" {
				c.say(lineNo(t, c.said(), "Alder (år)"))
				c.say(tt.edit)
				if c.at() == "pending" {
					c.say("ja")
				}
			}
			if c.at() != "summary" {
				t.Fatalf("at %s:\n%s", c.at(), c.said())
			}
			v := c.save()
			if got := slices.Contains(v.Flags, "minor"); got != tt.wantMinor {
				t.Errorf("minor flag %v, want %v (flags %v)", got, tt.wantMinor, v.Flags)
			}
			if tt.wantEst != "" && v.Persons[0]["age_estimated"].Text != tt.wantEst {
				t.Errorf("age_estimated %q, want %q", v.Persons[0]["age_estimated"].Text, tt.wantEst)
			}
		})
	}
}

// lineNo finds the number of the summary line of a question's label.
func lineNo(t testing.TB, summary, label string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^(\d+)\. ` + regexp.QuoteMeta(label) + `: `).FindStringSubmatch(summary)
	if m == nil {
		t.Fatalf("no line %q in the summary:\n%s", label, summary)
	}
	return m[1]
}

func TestTwoPersons(t *testing.T) {
	c := startConv(t, Danish, nil)
	asked := c.fill(map[string]string{"p1.another": "ja", "p2.nationality": "Rumænien", "p2.gender": "mand", "p2.age": "ca. 40"})
	if !strings.Contains(c.prompts["p2.nationality"], "Person 2 · 1/10 Nationalitet") {
		t.Errorf("person 2 not numbered:\n%s", c.prompts["p2.nationality"])
	}
	for _, s := range []string{"Person 1\n", "Person 2\n", "Nationalitet: Rumænien", "Køn: Mand"} {
		if !strings.Contains(c.said(), s) {
			t.Errorf("want %q in the summary:\n%s", s, c.said())
		}
	}
	v := c.save()
	checkRecord(t, c, asked, v)
	if len(v.Persons) != 2 {
		t.Fatalf("%d persons", len(v.Persons))
	}
	for i, want := range []Answers{
		{"nationality": {Text: "TH"}, "gender": {Text: "woman"}, "age": {Number: num(30)}, "age_estimated": {Text: "no"}},
		{"nationality": {Text: "RO"}, "gender": {Text: "man"}, "age": {Number: num(40)}, "age_estimated": {Text: "yes"}},
	} {
		for id, a := range want {
			if !reflect.DeepEqual(v.Persons[i][id], a) {
				t.Errorf("person %d %s = %v, want %v", i+1, id, v.Persons[i][id], a)
			}
		}
	}
}

// The yes/no options shown under a question are numbered by the console
// ("1) Ja"), so typing the number picks them.
func TestYesNoOptionsByNumber(t *testing.T) {
	tests := []struct {
		story  string
		at     string
		given  map[string]string
		typed  string
		wantAt string
	}{
		{story: "1 at another person? is yes", at: "p1.another", typed: "1", wantAt: "p2.nationality"},
		{story: "2 at another person? is no", at: "p1.another", typed: "2", wantAt: "summary"},
		{story: "1 confirms an age under 18", at: "pending", given: map[string]string{"age": "16"}, typed: "1", wantAt: "p1.age_estimated"},
		{story: "2 refuses an age under 18", at: "pending", given: map[string]string{"age": "16"}, typed: "2", wantAt: "p1.age"},
		{story: "2 does not cancel", at: "cancel", typed: "2", wantAt: "date"},
		{story: "1 at a yes/no question is yes", at: "p1.escort_per_ads", typed: "1", wantAt: "p1.another"},
	}
	for _, tt := range tests {
		t.Run(tt.story, func(t *testing.T) {
			c := startConv(t, Danish, nil)
			if tt.at == "cancel" {
				c.say("afbryd")
			} else {
				c.fillUntil(tt.given, tt.at)
			}
			if !strings.Contains(c.said(), "1) Ja") {
				t.Fatalf("no numbered yes option:\n%s", c.said())
			}
			c.say(tt.typed)
			if c.at() != tt.wantAt {
				t.Errorf("%q went to %s, want %s:\n%s", tt.typed, c.at(), tt.wantAt, c.said())
			}
		})
	}
}

func TestMoreThanTenPersonsIsConfirmed(t *testing.T) {
	c := startConv(t, Danish, nil)
	c.fillUntil(map[string]string{"another": "ja"}, "pending")
	if len(c.d.Persons) != 10 || !strings.Contains(c.said(), "Du har allerede registreret 10 personer. Er der virkelig en mere?") {
		t.Fatalf("%d persons:\n%s", len(c.d.Persons), c.said())
	}
	c.say("ja")
	if c.at() != "p11.nationality" {
		t.Fatalf("ja went to %s", c.at())
	}
	c.say("tilbage")
	if c.at() != "p10.another" || len(c.d.Persons) != 10 {
		t.Fatalf("back from person 11 went to %s with %d persons", c.at(), len(c.d.Persons))
	}
	c.say("ja")
	c.say("nej")
	if c.at() != "summary" {
		t.Fatalf("nej to an 11th person went to %s", c.at())
	}
	if v := c.save(); len(v.Persons) != 10 {
		t.Errorf("saved %d persons", len(v.Persons))
	}
}

func TestSummary(t *testing.T) {
	c := startConv(t, Danish, nil)
	c.fill(nil)
	said := c.said()
	for _, s := range []string{
		"Opsummering – tjek svarene:",
		"\n1. Udfyldt af (initialer): MK\n",
		"\n2. Organisation: CMM\n",
		"\n3. Dato for opsøgende indsats: torsdag 3. december 2026\n",
		"\n4. Metode: Fysisk besøg\n",
		"Indsats på stedet (vælg alle, der passer): –",
		"\nPerson 1\n",
		"Nationalitet: Thailand",
		"Skriv et nummer for at rette et svar, eller «gem» for at gemme.",
	} {
		if !strings.Contains(said, s) {
			t.Errorf("want %q in:\n%s", s, said)
		}
	}
	lines := regexp.MustCompile(`(?m)^(\d+)\. `).FindAllStringSubmatch(said, -1)
	if want := len(c.r.summarySlots(&c.d)); len(lines) != want {
		t.Errorf("%d numbered lines, want %d", len(lines), want)
	}
	for i, l := range lines {
		if l[1] != fmt.Sprint(i+1) {
			t.Errorf("line %d numbered %s", i+1, l[1])
		}
	}
	for _, bad := range []string{"0", "999", "hvad", "-1"} {
		c.say(bad)
		if c.at() != "summary" || !strings.Contains(c.said(), fmt.Sprintf("Skriv et nummer fra 1 til %d", len(lines))) {
			t.Errorf("%q at the summary:\n%s", bad, c.said())
		}
	}
}

func TestChangingAnAnswerFromTheSummary(t *testing.T) {
	tests := []struct {
		story  string
		given  map[string]string
		label  string
		typed  []string
		asks   []string // keys asked after the change, before the summary again
		line   string   // then in the summary
		absent string   // and not
	}{
		{story: "a new method returns to the summary", label: "Metode", typed: []string{"telefon"}, line: "Metode: Telefon"},
		{story: "method other asks what, then the summary", label: "Metode", typed: []string{"andet", "Via Facebook"},
			asks: []string{"method_other"}, line: "Metode – hvad?: Via Facebook"},
		{story: "the date by its line number with a dot", label: "Dato for opsøgende indsats", typed: []string{"mandag"},
			line: "Dato for opsøgende indsats: mandag 30. november 2026"},
		{story: "nobody there after all drops the persons", label: "Kontakt", typed: []string{"2"},
			line: "(ingen personer – kun når der var kontakt)", absent: "Person 1"},
		{story: "contact after all asks item 7 and the persons", given: map[string]string{"contact": "2"}, label: "Kontakt",
			typed: []string{"kontakt", "1", "3", "spring over", "Nigeria", "k", "25", "nej", "nej", "nej", "nej", "nej", "nej", "nej", "nej"},
			asks:  []string{"onsite", "food_packages", "p1.nationality"}, line: "Nationalitet: Nigeria"},
		{story: "a yes without its note becomes no", given: map[string]string{"trafficking_suspected": "ja, virker bange"},
			label: "Har du mistanke om menneskehandel?", typed: []string{"nej"}, line: "Har du mistanke om menneskehandel?: Nej", absent: "virker bange"},
	}
	for _, tt := range tests {
		t.Run(tt.story, func(t *testing.T) {
			c := startConv(t, Danish, nil)
			c.fill(tt.given)
			n := lineNo(t, c.said(), tt.label)
			if strings.Contains(tt.story, "dot") {
				n += "."
			}
			c.say(n)
			if c.d.Editing == nil || !strings.Contains(c.said(), "Tidligere svar:") {
				t.Fatalf("line %s did not start a change:\n%s", n, c.said())
			}
			var asked []string
			for _, s := range tt.typed {
				asked = append(asked, c.at())
				c.say(s)
			}
			if c.at() != "summary" {
				t.Fatalf("at %s after %v:\n%s", c.at(), tt.typed, c.said())
			}
			for _, k := range tt.asks {
				if !slices.Contains(asked, k) {
					t.Errorf("%s not asked; asked %v", k, asked)
				}
			}
			if !strings.Contains(c.said(), tt.line) {
				t.Errorf("want %q in:\n%s", tt.line, c.said())
			}
			if tt.absent != "" && strings.Contains(c.said(), tt.absent) {
				t.Errorf("%q still in:\n%s", tt.absent, c.said())
			}
			v := c.save()
			if tt.absent == "Person 1" && (len(v.Persons) != 0 || v.Fields["onsite"].List != nil) {
				t.Errorf("saved persons %v and onsite %v after nobody was there", v.Persons, v.Fields["onsite"])
			}
			if strings.Contains(tt.absent, "bange") {
				if _, ok := v.Persons[0]["trafficking_note"]; ok || slices.Contains(v.Flags, "trafficking_suspected") {
					t.Errorf("note or flag kept after nej: %v %v", v.Persons[0], v.Flags)
				}
			}
		})
	}
}

func TestBackWhileChangingReturnsToTheSummary(t *testing.T) {
	c := startConv(t, Danish, nil)
	c.fill(nil)
	before := copyDraft(c.d)
	c.say(lineNo(t, c.said(), "Metode"))
	c.say("tilbage")
	if c.at() != "summary" || !sameAnswers(before, c.d) {
		t.Errorf("at %s, answers changed %v", c.at(), !sameAnswers(before, c.d))
	}
}

func TestSaveWords(t *testing.T) {
	for _, w := range []string{"gem", "GEM", "save", "ja", "ok", "færdig", "done"} {
		t.Run(w, func(t *testing.T) {
			c := startConv(t, Danish, nil)
			c.fill(nil)
			c.say(w)
			if c.out.Done == nil {
				t.Errorf("%q did not save:\n%s", w, c.said())
			}
		})
	}
}

// The saved visit holds only answers that still apply, under canonical ids,
// never the internal "another person?" answer, and the follow-up flags.
func TestSavedVisitHoldsOnlyWhatApplies(t *testing.T) {
	c := startConv(t, Danish, covid)
	c.fill(map[string]string{
		"method": "andet", "reason": "opfølgning", "onsite": "1, 2, 6", "referral": "3", "discussed_with": "2, 4",
		"discussed_with_reason_police": "Pres fra ejeren", "remarks": "Travlt",
		"p1.another": "ja", "p1.trafficking_suspected": "ja, virker bange", "p2.age": "17",
	})
	c.say(lineNo(t, c.said(), "Metode"))
	c.say("sms")
	if c.at() != "summary" {
		t.Fatalf("at %s", c.at())
	}
	v := c.save()
	vf, pf := VisitForm(), PersonForm()
	for id := range v.Fields {
		if _, ok := vf.Question(id); !ok {
			t.Errorf("visit field %q is not a question of Skema 1", id)
		}
	}
	if _, ok := v.Fields["method_other"]; ok {
		t.Error("method_other kept after the method became sms")
	}
	for i, p := range v.Persons {
		for id := range p {
			if _, ok := pf.Question(id); !ok {
				t.Errorf("person %d field %q is not a question of Skema 2", i+1, id)
			}
		}
		if _, ok := p[anotherKey]; ok {
			t.Errorf("person %d carries %s", i+1, anotherKey)
		}
	}
	for _, f := range []string{"minor", "trafficking_suspected", "follow_up_reason", "referral"} {
		if !slices.Contains(v.Flags, f) {
			t.Errorf("flags %v lack %s", v.Flags, f)
		}
	}
	if !reflect.DeepEqual(v.Crisis, covid) {
		t.Errorf("crisis %v", v.Crisis)
	}
	fields := c.r.VisitFields(*v)
	var discussed any
	for _, f := range fields {
		if f.ID == "discussed_with" {
			discussed = f.Value
		}
	}
	want := []Discussion{{Party: "police", Reason: "Pres fra ejeren"}, {Party: "other", Who: "Reden International"}}
	if !reflect.DeepEqual(discussed, want) {
		t.Errorf("discussed_with = %#v, want %#v", discussed, want)
	}
}

// Step never changes the draft it is given: every conversation in these
// tests checks it at each step (conv.say); this one throws every kind of
// message at every stage.
func TestStepNeverChangesItsInput(t *testing.T) {
	r := NewRegistration()
	for name, d := range stageDrafts(t) {
		for _, in := range stepInputs {
			before := copyDraft(d)
			r.Step(d, Input{Text: in, Now: friday})
			if !reflect.DeepEqual(before, d) {
				t.Errorf("%s: Step(%q) changed its input", name, short(in))
			}
		}
	}
}

var stepInputs = []string{"ja", "nej", "1", "2", "3", "tilbage", "afbryd", "hjælp", "spring over", "gem", "tilføj person",
	"ca. 16", "16", "Nigeira", "i går", "1, 3", "ja, virker bange", "", "🙂", "\x00\xff", strings.Repeat("x", 9000)}

func TestEnglishSession(t *testing.T) {
	c := startConv(t, English, covid)
	for _, s := range []string{"New registration. Answer one question at a time.", "3/10 Date of the outreach", "1) Today", "2) Yesterday"} {
		if !strings.Contains(c.said(), s) {
			t.Errorf("want %q in:\n%s", s, c.said())
		}
	}
	c.say("yesterday")
	for _, s := range []string{"✓ Date of the outreach: Thursday 3 December 2026", "4/10 Method", "1) Physical visit"} {
		if !strings.Contains(c.said(), s) {
			t.Errorf("want %q in:\n%s", s, c.said())
		}
	}
	asked := c.fill(map[string]string{"p1.another": "yes", "p2.trafficking_suspected": "yes, seems scared"})
	for _, k := range asked {
		person, field := splitKey(k)
		if field == "another" {
			if !strings.Contains(c.prompts[k], "Did you meet another person?") {
				t.Errorf("%s asked as:\n%s", k, c.prompts[k])
			}
			continue
		}
		q := c.r.question(Slot{Person: person, Field: field})
		if want := q.label(English, covid); !strings.Contains(c.prompts[k], want) {
			t.Errorf("%s not asked in English (%q):\n%s", k, want, c.prompts[k])
		}
		if q.Label.Da != q.Label.En && strings.Contains(c.prompts[k], q.label(Danish, covid)) {
			t.Errorf("%s asked in Danish:\n%s", k, c.prompts[k])
		}
	}
	for _, s := range []string{"Summary – check the answers:", "Nationality: Thailand", "Symptoms of COVID-19?: No", "Type a number to change an answer"} {
		if !strings.Contains(c.said(), s) {
			t.Errorf("want %q in the summary:\n%s", s, c.said())
		}
	}
}

// domainIDs are the ids domain.md names in backticks.
func domainIDs(t *testing.T) map[string]bool {
	t.Helper()
	// The package is at main/workflows; shared/ is beside main/.
	b, err := os.ReadFile(filepath.Join("..", "..", "shared", "domain.md"))
	if os.IsNotExist(err) {
		t.Skip("../../shared/domain.md is not here")
	}
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, m := range regexp.MustCompile("`([a-z0-9_]+)`").FindAllStringSubmatch(string(b), -1) {
		ids[m[1]] = true
	}
	return ids
}

// internalID reports the ids of questions that are folded into
// discussed_with and never stored or exported under their own name.
func internalID(id string) bool {
	return id == DiscussedWho || strings.HasPrefix(id, "discussed_with_reason_") || id == anotherKey
}

func TestEveryQuestionIsInTheDomain(t *testing.T) {
	ids := domainIDs(t)
	for _, f := range []*Form{VisitForm(), PersonForm()} {
		for _, q := range f.Questions {
			if !internalID(q.ID) && !ids[q.ID] {
				t.Errorf("%s question %q is not in domain.md", f.ID, q.ID)
			}
			for _, c := range q.Choices {
				if !ids[c.ID] {
					t.Errorf("%s.%s choice %q is not in domain.md", f.ID, q.ID, c.ID)
				}
			}
			for _, r := range q.When {
				if r.Field != "" && !internalID(r.Field) && !ids[r.Field] {
					t.Errorf("%s.%s depends on %q, which is not in domain.md", f.ID, q.ID, r.Field)
				}
			}
		}
	}
}

func TestColumnsAreCanonical(t *testing.T) {
	r := NewRegistration()
	v := &Visit{Fields: Answers{"date": {Text: "2026-12-03"}, "discussed_with": {List: []string{"other"}}, DiscussedWho: {Text: "Reden"}}}
	var fieldIDs []string
	for _, f := range r.VisitFields(*v) {
		fieldIDs = append(fieldIDs, f.ID)
	}
	var personIDs []string
	for _, f := range r.PersonFields(Answers{"age": {Number: num(30)}}) {
		personIDs = append(personIDs, f.ID)
	}
	if !slices.Equal(fieldIDs, r.VisitColumns()) {
		t.Errorf("VisitFields ids %v differ from VisitColumns %v", fieldIDs, r.VisitColumns())
	}
	if !slices.Equal(personIDs, r.PersonColumns()) {
		t.Errorf("PersonFields ids %v differ from PersonColumns %v", personIDs, r.PersonColumns())
	}
	all := append(slices.Clone(r.VisitColumns()), r.PersonColumns()...)
	for _, id := range all {
		if internalID(id) || strings.HasPrefix(id, "_") {
			t.Errorf("column %q is internal", id)
		}
	}
	if ids := domainIDsIfPresent(t); ids != nil {
		for _, id := range all {
			if !ids[id] {
				t.Errorf("column %q is not a canonical id of domain.md", id)
			}
		}
	}
	// The paper form's order.
	if got := r.VisitColumns()[:4]; !slices.Equal(got, []string{"filled_by", "organisation", "date", "method"}) {
		t.Errorf("visit columns begin %v", got)
	}
	if got := r.PersonColumns()[0]; got != "nationality" {
		t.Errorf("person columns begin %v", got)
	}
}

func domainIDsIfPresent(t *testing.T) map[string]bool {
	var ids map[string]bool
	t.Run("domain.md", func(t *testing.T) { ids = domainIDs(t) })
	return ids
}

// Forms are built wherever they are needed (the bot, the export, tests in
// parallel): building them at the same time must not race (go test -race).
func TestFormsAreBuiltConcurrently(t *testing.T) {
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			r := NewRegistration()
			q, _ := r.Visit.Question("discussed_with")
			if a, _, p := parseMulti(q, "politi, læge", env{}); p != nil || len(a.List) != 2 {
				t.Errorf("politi, læge = %v, %v", a, p)
			}
		})
	}
	wg.Wait()
}

// A number typed picks what the last message showed under that number, as
// the bot keeps it: only a step that asks to save changes the stored draft.
func TestNumberPicksWhatWasLastShown(t *testing.T) {
	tests := []struct {
		story string
		then  []string // typed after "Nigeira", whose suggestions are 1) Nigeria …
		want  string   // the nationality "1" then gives
	}{
		{story: "1 right after the suggestions is the first suggestion", want: "NG"},
		{story: "1 after help is the Unknown shown again", then: []string{"hjælp"}, want: UnknownCountry},
		{story: "1 after a name with no suggestions is Unknown", then: []string{"xyzzyq"}, want: UnknownCountry},
		{story: "1 after an empty message is Unknown", then: []string{" "}, want: UnknownCountry},
		{story: "1 after new suggestions is the first of them", then: []string{"Tailand"}, want: "TH"},
	}
	for _, tt := range tests {
		t.Run(tt.story, func(t *testing.T) {
			c := startConv(t, Danish, nil)
			c.fillUntil(nil, "p1.nationality")
			stored := c.d
			step := func(text string) {
				c.say(text)
				if c.out.Save {
					stored = c.d
				}
				c.d = stored // the bot goes on from the draft it stored
			}
			step("Nigeira")
			for _, s := range tt.then {
				step(s)
			}
			shown := c.said()
			step("1")
			if got := c.d.Persons[0]["nationality"].Text; got != tt.want {
				t.Errorf("1 gave %q, want %q; the bot had shown:\n%s", got, tt.want, shown)
			}
		})
	}
}
