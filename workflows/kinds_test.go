package workflows

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// example is one answer typed to one question: either accepted, with the
// stored Answer (and the companion it fills in passing), or rejected, with
// a problem in Danish and English.
type example struct {
	q    string // "visit.method", "person.age"
	in   string
	now  time.Time // zero: Friday 4 December 2026, 10:00
	lang Lang

	want      *Answer
	companion *Answer // the Companion answer filled in passing
	show      *Text   // how the stored answer is shown back, per language

	rejected bool
	says     string // a part of the Danish problem
	suggest  string // the first suggestion offered instead
}

func (e example) name() string {
	field := e.q[strings.Index(e.q, ".")+1:]
	switch {
	case e.rejected:
		return fmt.Sprintf("%s %q is refused", field, short(e.in))
	case e.companion != nil:
		return fmt.Sprintf("%s %q is %s with a companion", field, short(e.in), answerString(*e.want))
	}
	return fmt.Sprintf("%s %q is %s", field, short(e.in), answerString(*e.want))
}

// answerString shows an answer in a test's name.
func answerString(a Answer) string {
	switch {
	case a.Skipped:
		return "skipped"
	case a.Number != nil:
		return fmt.Sprint(*a.Number)
	case a.List != nil:
		return fmt.Sprint(a.List)
	}
	return a.Text
}

func is(q, in, text string) example { return example{q: q, in: in, want: &Answer{Text: text}} }
func isList(q, in string, ids ...string) example {
	return example{q: q, in: in, want: &Answer{List: ids}}
}
func isNum(q, in string, n int) example    { return example{q: q, in: in, want: &Answer{Number: num(n)}} }
func refused(q, in string) example         { return example{q: q, in: in, rejected: true} }
func (e example) at(now time.Time) example { e.now = now; return e }
func (e example) with(companion Answer) example {
	e.companion = &companion
	return e
}
func (e example) shown(da, en string) example { e.show = &Text{Da: da, En: en}; return e }
func (e example) saying(s string) example     { e.says = s; return e }
func (e example) suggesting(id string) example {
	e.suggest = id
	return e
}

var (
	saturday2027 = time.Date(2027, 1, 2, 9, 30, 0, 0, copenhagen)
	yes          = Answer{Text: "yes"}
)

// kindExamples holds, for every entry of the kinds table, what a midwife
// types and what becomes of it.
var kindExamples = map[Kind][]example{
	SingleChoice: {
		is("visit.method", "1", "physical_visit"),
		is("visit.method", "2", "phone"),
		is("visit.method", " 3 ", "sms"),
		is("visit.method", "5)", "other"),
		is("visit.method", "phone", "phone"),
		is("visit.method", "physical_visit", "physical_visit"),
		is("visit.method", "Telefon", "phone").shown("Telefon", "Phone"),
		is("visit.method", "Phone", "phone"),
		is("visit.method", "TELEFON", "phone"),
		is("visit.method", "tElEfOn", "phone"),
		is("visit.method", "tlf", "phone"),
		is("visit.method", "Fysisk besøg", "physical_visit"),
		is("visit.method", "fysisk besog", "physical_visit"),
		is("visit.method", "fys", "physical_visit"),
		is("visit.method", "onl", "online"),
		is("visit.method", "internet", "online"),
		is("visit.location", "Massageklinik", "massage_clinic"),
		is("visit.location", "klinik", "massage_clinic"),
		is("visit.reason", "opfølgning", "follow_up").shown("Opfølgning / formidling af prøvesvar", "Follow-up / test results"),
		is("visit.reason", "Opfølgning / formidling af prøvesvar", "follow_up"),
		is("visit.reason", "Henvendelse fra politiet", "police_request"),
		is("visit.reason", "politi", "police_request"),
		is("visit.reason", "selv", "self_referral"),
		is("visit.contact", "Ingen kontakt: ingen på klinikken", "no_contact_nobody"),
		is("visit.contact", "No contact: activity at the clinic", "no_contact_activity"),
		is("visit.contact", "kontakt", "contact"),
		is("person.gender", "k", "woman"),
		is("person.gender", "Kvinde", "woman"),
		is("person.gender", "male", "man"),
		is("person.met_before", "ved ikke", "unknown"),
		is("person.met_before", "Don't know", "unknown"),
		is("person.crisis_symptoms", "mistanke", "suspected"),
		refused("visit.method", "0"),
		refused("visit.method", "6").saying("fra 1 til 5"),
		refused("visit.method", "-1"),
		refused("visit.method", "te"),  // too short to be a beginning
		refused("visit.method", "bil"), // nothing like it
		refused("visit.method", ""),
		refused("visit.reason", "henv"), // police or public?
		refused("visit.method", "1 2"),
		refused("visit.method", strings.Repeat("x", 100<<10)),
	},
	MultiChoice: {
		isList("visit.onsite", "1, 3", "food_packages", "medicine"),
		isList("visit.onsite", "1 og 3", "food_packages", "medicine"),
		isList("visit.onsite", "1 and 3", "food_packages", "medicine"),
		isList("visit.onsite", "1 3", "food_packages", "medicine"),
		isList("visit.onsite", "1,3", "food_packages", "medicine"),
		isList("visit.onsite", "1;3", "food_packages", "medicine"),
		isList("visit.onsite", "1+3", "food_packages", "medicine"),
		isList("visit.onsite", "4", "health_advice").shown("Sundhedsfaglig rådgivning", "Health advice"),
		isList("visit.onsite", "3, 1", "food_packages", "medicine").shown("Aflevering af mad, Afleveret medicin", "Food delivered, Medicine delivered"),
		isList("visit.onsite", "6, 5, 4, 3, 2, 1", "food_packages", "referral", "medicine", "health_advice", "social_worker_referral", "other"),
		isList("visit.onsite", "1, 1, 3, 3", "food_packages", "medicine"),
		isList("visit.onsite", "mad, 1", "food_packages"),
		isList("visit.onsite", "medicin og mad", "food_packages", "medicine"),
		isList("visit.onsite", "Aflevering af mad og Sundhedsfaglig rådgivning", "food_packages", "health_advice"),
		isList("visit.onsite", "Food delivered, Health advice", "food_packages", "health_advice"),
		isList("visit.onsite", "Henvisning / følgeskab", "referral"),
		isList("visit.onsite", "Referral / escort to care, medicine", "referral", "medicine"),
		isList("visit.onsite", "Henvisning til socialfaglig medarbejder", "social_worker_referral"),
		isList("visit.onsite", "MEDICIN", "medicine"),
		isList("visit.referral", "sygehus og tandlæge", "hospital", "dentist"),
		isList("visit.referral", "tandlage", "dentist"), // no Danish letters on the keyboard
		isList("visit.discussed_with", "politi, læge", "police", "doctor"),
		refused("visit.onsite", "7"),
		refused("visit.onsite", "1, 9"),
		refused("visit.onsite", "0"),
		refused("visit.onsite", "1, blomster").saying("«blomster»"),
		refused("visit.onsite", ", ,"),
		refused("visit.onsite", "og"),
		refused("visit.onsite", ""),
		refused("visit.onsite", strings.Repeat("1, ", 30<<10)+"x"),
	},
	Number: {
		isNum("visit.food_packages", "0", 0),
		isNum("visit.food_packages", "5", 5),
		isNum("visit.food_packages", " 3 ", 3),
		isNum("visit.food_packages", "3 stk", 3),
		isNum("visit.food_packages", "+2", 2),
		isNum("person.age", "30", 30).shown("30", "30"),
		isNum("person.age", "30 år", 30),
		isNum("person.age", "12", 12),
		isNum("person.age", "99", 99),
		isNum("person.age", "16", 16), // the engine asks to confirm, not the parser
		isNum("person.age", "ca. 30", 30).with(yes),
		isNum("person.age", "ca 30", 30).with(yes),
		isNum("person.age", "Ca.30", 30).with(yes),
		isNum("person.age", "cirka 45", 45).with(yes),
		isNum("person.age", "omkring 25", 25).with(yes),
		isNum("person.age", "about 30", 30).with(yes),
		isNum("person.age", "~40", 40).with(yes),
		isNum("person.age", "30?", 30).with(yes),
		isNum("person.age", "ca. 30 år", 30).with(yes),
		refused("visit.food_packages", "6").saying("0 til 5"),
		refused("visit.food_packages", "-1"),
		refused("visit.food_packages", "2.5"),
		refused("visit.food_packages", "to"),
		refused("visit.food_packages", ""),
		refused("person.age", "7").saying("12 til 99"),
		refused("person.age", "11"),
		refused("person.age", "100"),
		refused("person.age", "150"),
		refused("person.age", "ca."),
		refused("person.age", "30-35"),
		refused("person.age", "99999999999999999999999"),
		refused("person.age", "trediv"),
	},
	Date: {
		is("visit.date", "i dag", "2026-12-04"),
		is("visit.date", "idag", "2026-12-04"),
		is("visit.date", "I DAG", "2026-12-04"),
		is("visit.date", "today", "2026-12-04"),
		is("visit.date", "i går", "2026-12-03").shown("torsdag 3. december 2026", "Thursday 3 December 2026"),
		is("visit.date", "igår", "2026-12-03"),
		is("visit.date", "i gaar", "2026-12-03"),
		is("visit.date", "yesterday", "2026-12-03"),
		is("visit.date", "Yesterday", "2026-12-03"),
		is("visit.date", "i forgårs", "2026-12-02"),
		is("visit.date", "fredag", "2026-12-04"), // today is Friday
		is("visit.date", "torsdag", "2026-12-03"),
		is("visit.date", "mandag", "2026-11-30"),
		is("visit.date", "lørdag", "2026-11-28"),
		is("visit.date", "Sunday", "2026-11-29"),
		is("visit.date", "thursday", "2026-12-03"),
		is("visit.date", "3/12", "2026-12-03"),
		is("visit.date", "3.12.", "2026-12-03"),
		is("visit.date", "3.12", "2026-12-03"),
		is("visit.date", "3.12.2026", "2026-12-03"),
		is("visit.date", "03.12.2026", "2026-12-03"),
		is("visit.date", "3-12-26", "2026-12-03"),
		is("visit.date", "2026-12-03", "2026-12-03"),
		is("visit.date", "4/12", "2026-12-04"),
		is("visit.date", "5/12", "2025-12-05"), // no year: the most recent 5 December
		is("visit.date", "1.1.2020", "2020-01-01").shown("onsdag 1. januar 2020", "Wednesday 1 January 2020"),
		is("visit.date", "30/12", "2026-12-30").at(saturday2027),
		is("visit.date", "i går", "2027-01-01").at(saturday2027),
		is("visit.date", "3-12-26", "2026-12-03").at(saturday2027),
		refused("visit.date", "31.02").saying("findes ikke"),
		refused("visit.date", "31.02.2026").saying("findes ikke"),
		refused("visit.date", "29.02.2026"),
		refused("visit.date", "32/1"),
		refused("visit.date", "1/13"),
		refused("visit.date", "0/1"),
		refused("visit.date", "5.12.2026").saying("«lørdag 5. december 2026» ligger i fremtiden"),
		refused("visit.date", "2027-01-01").saying("fremtiden"),
		refused("visit.date", "i morgen"),
		refused("visit.date", "3.12.1999").saying("for langt tilbage"),
		refused("visit.date", "noget i sidste uge"),
		refused("visit.date", "3 12"),
		refused("visit.date", "3/12/2026/1"),
		refused("visit.date", ""),
		refused("visit.date", "2026-13-01"),
	},
	FreeText: {
		is("visit.address", "Vestergade 12, Aarhus", "Vestergade 12, Aarhus"),
		is("visit.address", "  Vestergade 12,\nAarhus\t", "Vestergade 12, Aarhus"),
		is("visit.address", "Vester\x00gade\x07 12\x1b", "Vestergade 12"),
		is("visit.address", "Vestergade \xff12", "Vestergade 12"),
		is("visit.address", strings.Repeat("a", 200), strings.Repeat("a", 200)),
		is("visit.address", strings.Repeat("æ", 200), strings.Repeat("æ", 200)),
		is("visit.remarks", "Glad for maden 🙂", "Glad for maden 🙂"),
		is("visit.remarks", "שלום עולם", "שלום עולם"),
		is("visit.filled_by", "mk", "MK").shown("MK", "MK"),
		is("visit.filled_by", "Mk", "MK"),
		is("visit.filled_by", "abcd", "ABCD"),
		is("visit.filled_by", "æøå", "ÆØÅ"),
		is("visit.filled_by", " mk ", "MK"),
		refused("visit.address", strings.Repeat("a", 201)).saying("for langt"),
		refused("visit.remarks", strings.Repeat("ord ", 600)),
		refused("visit.address", ""),
		refused("visit.address", "\x00\x01\x02"),
		refused("visit.filled_by", "m").saying("2–4 bogstaver"),
		refused("visit.filled_by", "abcde"),
		refused("visit.filled_by", "M.K."),
		refused("visit.filled_by", "M K"),
		refused("visit.filled_by", "12"),
		refused("visit.filled_by", "mk1"),
	},
	Country: {
		is("person.nationality", "Thailand", "TH").shown("Thailand", "Thailand"),
		is("person.nationality", "thailand", "TH"),
		is("person.nationality", "thai", "TH"),
		is("person.nationality", "Myanmar", "MM"),
		is("person.nationality", "TH", "TH"),
		is("person.nationality", "th", "TH"),
		is("person.nationality", "tha", "TH"),
		is("person.nationality", "Rumænien", "RO").shown("Rumænien", "Romania"),
		is("person.nationality", "Romania", "RO"),
		is("person.nationality", "rumaenien", "RO"),
		is("person.nationality", "rumænsk", "RO"),
		is("person.nationality", "Kina", "CN"),
		is("person.nationality", "China", "CN"),
		is("person.nationality", "kinesisk", "CN"),
		is("person.nationality", "Nigeria", "NG"),
		is("person.nationality", "NG", "NG"),
		is("person.nationality", "Danmark", "DK"),
		is("person.nationality", "ukendt", "unknown").shown("Ukendt", "Unknown"),
		is("person.nationality", "unknown", "unknown"),
		is("person.nationality", "Ukendt", "unknown"),
		is("person.nationality", "ved ikke", "unknown"),
		refused("person.nationality", "Nigeira").suggesting("NG").saying("Mente du"),
		refused("person.nationality", "Tailand").suggesting("TH"),
		refused("person.nationality", "Rumanien").suggesting("RO"),
		refused("person.nationality", "xyzzyq").saying("ukendt"),
		refused("person.nationality", ""),
		refused("person.nationality", "Atlantis"),
		refused("person.nationality", "ZZ"),
	},
	YesNo: {
		is("person.trafficking_suspected", "ja", "yes").shown("Ja", "Yes"),
		is("person.trafficking_suspected", "Ja", "yes"),
		is("person.trafficking_suspected", "JA", "yes"),
		is("person.trafficking_suspected", "yes", "yes"),
		is("person.trafficking_suspected", "j", "yes"),
		is("person.trafficking_suspected", "1", "yes"),
		is("person.trafficking_suspected", "nej", "no").shown("Nej", "No"),
		is("person.trafficking_suspected", "Nej", "no"),
		is("person.trafficking_suspected", "no", "no"),
		is("person.trafficking_suspected", "n", "no"),
		is("person.trafficking_suspected", "2", "no"),
		is("person.trafficking_suspected", "ja.", "yes"),
		is("person.trafficking_suspected", "ja, virker bange", "yes").with(Answer{Text: "virker bange"}),
		is("person.trafficking_suspected", "Ja: virker bange og træt", "yes").with(Answer{Text: "virker bange og træt"}),
		is("person.trafficking_suspected", "ja - ejeren tog hendes pas", "yes").with(Answer{Text: "ejeren tog hendes pas"}),
		is("person.trafficking_suspected", "yes, seems scared", "yes").with(Answer{Text: "seems scared"}),
		is("person.health_issue_self", "ja, tandpine", "yes").with(Answer{Text: "tandpine"}),
		is("person.age_estimated", "nej", "no"),
		refused("person.trafficking_suspected", "nej, blah").saying("uden tekst efter"),
		refused("person.age_estimated", "ja, virker bange"), // no note to fill
		refused("person.trafficking_suspected", "måske"),
		refused("person.trafficking_suspected", "jaja"),
		refused("person.trafficking_suspected", "3"),
		refused("person.trafficking_suspected", ""),
		refused("person.trafficking_suspected", "ja, "+strings.Repeat("a", 1001)),
	},
}

// TestEveryKindHasExamples demands accepted and refused examples for every
// entry of the kinds table, and runs them through that entry's parser.
func TestEveryKindHasExamples(t *testing.T) {
	for k, kd := range kinds {
		t.Run(string(k), func(t *testing.T) {
			examples := kindExamples[k]
			var accepted, rejected int
			for _, e := range examples {
				if e.rejected {
					rejected++
				} else {
					accepted++
				}
			}
			if accepted == 0 || rejected == 0 {
				t.Fatalf("kind %s has %d accepted and %d refused examples; kindExamples needs both", k, accepted, rejected)
			}
			for _, e := range examples {
				t.Run(e.name(), func(t *testing.T) {
					q := question(t, e.q)
					if q.Kind != k {
						t.Fatalf("%s is a %s question, listed under %s", e.q, q.Kind, k)
					}
					now := e.now
					if now.IsZero() {
						now = friday
					}
					a, comp, p := kd.parse(q, e.in, env{now: now, lang: e.lang})
					if e.rejected {
						checkRefused(t, e, a, comp, p)
						return
					}
					if p != nil {
						t.Fatalf("refused with %q", p.Msg.Da)
					}
					if !reflect.DeepEqual(a, *e.want) {
						t.Errorf("answer = %#v, want %#v", a, *e.want)
					}
					if !reflect.DeepEqual(comp, e.companion) {
						t.Errorf("companion = %v, want %v", comp, e.companion)
					}
					if e.companion != nil && q.Companion == "" {
						t.Errorf("%s has no Companion to fill", e.q)
					}
					if e.show != nil {
						for _, lang := range []Lang{Danish, English} {
							if got, want := kd.show(q, a, lang), e.show.In(lang); got != want {
								t.Errorf("shown in %s as %q, want %q", lang, got, want)
							}
						}
					}
				})
			}
		})
	}
	for k := range kindExamples {
		if _, ok := kinds[k]; !ok {
			t.Errorf("kindExamples has %s, which the kinds table does not", k)
		}
	}
}

func checkRefused(t *testing.T, e example, a Answer, comp *Answer, p *Problem) {
	t.Helper()
	if p == nil {
		t.Fatalf("accepted as %#v (companion %v), want it refused", a, comp)
	}
	if strings.TrimSpace(p.Msg.Da) == "" || strings.TrimSpace(p.Msg.En) == "" {
		t.Fatalf("problem without text in both languages: %+v", p.Msg)
	}
	if e.says != "" && !strings.Contains(p.Msg.Da, e.says) {
		t.Errorf("problem %q does not say %q", p.Msg.Da, e.says)
	}
	if len(p.Msg.Da) > 400 || len(p.Msg.En) > 400 {
		t.Errorf("problem is %d/%d bytes long: the input must not be echoed whole", len(p.Msg.Da), len(p.Msg.En))
	}
	if e.suggest != "" && (len(p.Suggest) == 0 || p.Suggest[0].ID != e.suggest) {
		t.Errorf("suggestions %v, want %s first", p.Suggest, e.suggest)
	}
}

// A midwife answering with an emoji has not answered: only free text takes
// one.
func TestEmojiIsRefusedEverywhereButFreeText(t *testing.T) {
	sample := map[Kind]string{
		SingleChoice: "visit.method", MultiChoice: "visit.onsite", Number: "person.age", Date: "visit.date",
		FreeText: "visit.remarks", Country: "person.nationality", YesNo: "person.trafficking_suspected",
	}
	for k, kd := range kinds {
		ref, ok := sample[k]
		if !ok {
			t.Errorf("no sample question for kind %s", k)
			continue
		}
		q := question(t, ref)
		for _, in := range []string{"👍", "🙂🙂", "🇹🇭", "❤️", "👍🏽", "👍, 🙂"} {
			t.Run(fmt.Sprintf("%s %s", k, in), func(t *testing.T) {
				a, _, p := kd.parse(q, in, env{now: friday})
				if k == FreeText {
					if p != nil || a.Text != in {
						t.Errorf("free text %q: got %#v, %v", in, a, p)
					}
					return
				}
				if p == nil {
					t.Fatalf("%s %q accepted as %#v", ref, in, a)
				}
				if p.Msg.Da == "" || p.Msg.En == "" {
					t.Errorf("problem without text: %+v", p.Msg)
				}
			})
		}
	}
}

// Every choice of every choice question is picked by its number, its id and
// its label in either language, as typed on the paper form.
func TestEveryChoiceIsPickedByItsOwnNames(t *testing.T) {
	for _, f := range []*Form{VisitForm(), PersonForm()} {
		for i := range f.Questions {
			q := &f.Questions[i]
			for n, c := range q.Choices {
				for _, in := range []string{fmt.Sprint(n + 1), c.ID, c.Label.Da, c.Label.En, strings.ToUpper(c.Label.Da)} {
					t.Run(fmt.Sprintf("%s %q", q.ID, in), func(t *testing.T) {
						a, _, p := kinds[q.Kind].parse(q, in, env{now: friday})
						if p != nil {
							t.Fatalf("refused: %s", p.Msg.Da)
						}
						got := a.Text
						if q.Kind == MultiChoice {
							got = strings.Join(a.List, ",")
						}
						if got != c.ID {
							t.Errorf("got %q, want %q", got, c.ID)
						}
					})
				}
			}
		}
	}
}

func TestLongDateInBothLanguages(t *testing.T) {
	tests := []struct {
		day    time.Time
		da, en string
	}{
		{time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC), "torsdag 3. december 2026", "Thursday 3 December 2026"},
		{time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC), "søndag 6. december 2026", "Sunday 6 December 2026"},
		{time.Date(2027, 5, 1, 0, 0, 0, 0, time.UTC), "lørdag 1. maj 2027", "Saturday 1 May 2027"},
		{time.Date(2020, 9, 25, 0, 0, 0, 0, time.UTC), "fredag 25. september 2020", "Friday 25 September 2020"},
	}
	for _, tt := range tests {
		if got := LongDate(tt.day, Danish); got != tt.da {
			t.Errorf("LongDate(%s, da) = %q, want %q", tt.day.Format(time.DateOnly), got, tt.da)
		}
		if got := LongDate(tt.day, English); got != tt.en {
			t.Errorf("LongDate(%s, en) = %q, want %q", tt.day.Format(time.DateOnly), got, tt.en)
		}
		a := Answer{Text: tt.day.Format(time.DateOnly)}
		if got := showDate(nil, a, Danish); got != tt.da {
			t.Errorf("showDate(%s, da) = %q, want %q", a.Text, got, tt.da)
		}
	}
	if got := showDate(nil, Answer{Text: "not a date"}, Danish); got != "not a date" {
		t.Errorf("showDate of a malformed answer = %q, want it shown as stored", got)
	}
}

// An English user is told about a future date in English, with the day
// written out.
func TestFutureDateIsExplainedInTheUsersLanguage(t *testing.T) {
	_, _, p := parseDate(question(t, "visit.date"), "5.12.2026", env{now: friday, lang: English})
	if p == nil {
		t.Fatal("5.12.2026 accepted on 4.12.2026")
	}
	if !strings.Contains(p.Msg.En, "Saturday 5 December 2026") || !strings.Contains(p.Msg.Da, "fremtiden") {
		t.Errorf("problem = %+v", p.Msg)
	}
}

// Just after midnight it is already the next day in Copenhagen, even where
// UTC is still on the day before.
func TestTodayIsTheTeamsDay(t *testing.T) {
	justAfterMidnight := time.Date(2026, 12, 5, 0, 30, 0, 0, copenhagen) // 23:30 UTC on the 4th
	a, _, p := parseDate(question(t, "visit.date"), "i dag", env{now: justAfterMidnight})
	if p != nil || a.Text != "2026-12-05" {
		t.Errorf("i dag at 00:30 on 5 December = %#v, %v", a, p)
	}
}

func TestTypoSuggestionsAreNearCountries(t *testing.T) {
	tests := []struct{ typed, first string }{
		{"Nigeira", "NG"},
		{"Tailand", "TH"},
		{"Rumanien", "RO"},
		{"Bulgarein", "BG"},
		{"Ukriane", "UA"},
		{"vitenam", "VN"},
	}
	for _, tt := range tests {
		t.Run(tt.typed, func(t *testing.T) {
			a, _, p := parseCountry(nil, tt.typed, env{})
			if p == nil {
				if a.Text != tt.first {
					t.Errorf("accepted as %s, want %s or a suggestion of it", a.Text, tt.first)
				}
				return
			}
			if len(p.Suggest) == 0 || p.Suggest[0].ID != tt.first {
				t.Errorf("suggestions %v, want %s first", p.Suggest, tt.first)
			}
			if len(p.Suggest) > 3 {
				t.Errorf("%d suggestions, want at most 3", len(p.Suggest))
			}
			for _, s := range p.Suggest {
				if s.Label.Da == "" || s.Label.En == "" {
					t.Errorf("suggestion %s without a name in both languages", s.ID)
				}
			}
		})
	}
}

// Free text keeps what was typed but never control characters or broken
// UTF-8, so what is stored can be shown and exported as is.
func TestFreeTextIsCleanUTF8(t *testing.T) {
	q := question(t, "visit.remarks")
	for _, in := range []string{"a\x00b", "\xff\xfe", "line1\r\nline2", "\u202eevil", "tab\there"} {
		a, _, p := parseText(q, in, env{})
		if p != nil {
			continue
		}
		if !utf8.ValidString(a.Text) || strings.ContainsFunc(a.Text, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			t.Errorf("parseText(%q) = %q", in, a.Text)
		}
	}
}

// The nationality is stored as a current ISO 3166-1 code: a name never
// lands on a withdrawn code that CLDR still knows (DD for Germany, VD for
// Vietnam, BU for Myanmar) nor on a grouping (EZ, UN).
func TestCountryNamesGiveCurrentCodes(t *testing.T) {
	tests := []struct{ typed, code string }{
		{"Tyskland", "DE"}, {"Germany", "DE"}, {"Vietnam", "VN"}, {"vietnamesisk", "VN"},
		{"Myanmar (Burma)", "MM"}, {"mmr", "MM"}, {"Zimbabwe", "ZW"}, {"Yemen", "YE"}, {"Kiribati", "KI"},
		{"Vanuatu", "VU"}, {"Benin", "BJ"}, {"Burkina Faso", "BF"}, {"Frankrig", "FR"},
		{"Storbritannien", "GB"}, {"UK", "GB"}, {"England", "GB"}, {"USA", "US"},
		{"Kosovo", "XK"}, {"Filippinerne", "PH"}, {"Ukraine", "UA"}, {"Bulgarien", "BG"},
	}
	for _, tt := range tests {
		a, _, p := parseCountry(nil, tt.typed, env{})
		if p != nil || a.Text != tt.code {
			t.Errorf("%s = %q (%v), want %s", tt.typed, a.Text, p, tt.code)
		}
	}
	for _, typed := range []string{"eurozone", "eurozonen", "United Nations", "EZ", "UN", "DD", "VD"} {
		if a, _, p := parseCountry(nil, typed, env{}); p == nil {
			t.Errorf("%s accepted as the nationality %s", typed, a.Text)
		}
	}
	owner := map[string]string{}
	for _, c := range countries() {
		if len(c.code) != 2 || strings.ToUpper(c.code) != c.code {
			t.Errorf("code %q is not ISO 3166-1 alpha-2", c.code)
		}
		for _, k := range c.keys {
			if o, dup := owner[k]; dup && o != c.code {
				t.Errorf("%q names both %s and %s", k, o, c.code)
			}
			owner[k] = c.code
		}
	}
}
