package workflows

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// summarySlots lists, in order, every answered question that still applies:
// the numbered lines of the summary.
func (r *Registration) summarySlots(d *Draft) []Slot {
	crisis := d.Crisis != nil
	var out []Slot
	for i := range r.Visit.Questions {
		q := &r.Visit.Questions[i]
		if _, ok := d.Visit[q.ID]; ok && q.relevant(d.Visit, nil, crisis) {
			out = append(out, Slot{Person: -1, Field: q.ID})
		}
	}
	if !r.personsAsked(d) {
		return out
	}
	for p, block := range d.Persons {
		for i := range r.Person.Questions {
			q := &r.Person.Questions[i]
			if _, ok := block[q.ID]; ok && q.relevant(block, d.Visit, crisis) {
				out = append(out, Slot{Person: p, Field: q.ID})
			}
		}
	}
	return out
}

// summary shows every answer, numbered, so one can be changed by its number
// before saving.
func (r *Registration) summary(d *Draft, out *Output, lead string) {
	lang := d.Lang
	var b strings.Builder
	if lead != "" {
		b.WriteString(lead + "\n")
	}
	b.WriteString(msgSummaryHead.In(lang))
	person := -1
	for n, s := range r.summarySlots(d) {
		if s.Person != person {
			person = s.Person
			b.WriteString("\n" + fmt.Sprintf(msgPerson.In(lang), person+1))
		}
		q := r.question(s)
		fmt.Fprintf(&b, "\n%d. %s: %s", n+1, q.label(lang, d.Crisis), r.show(d, s))
	}
	if !r.personsAsked(d) {
		b.WriteString("\n" + msgNoPersons.In(lang))
		if n := len(r.personsWithAnswers(d)); n > 0 {
			b.WriteString("\n" + fmt.Sprintf(msgPersonsDropped.In(lang), n))
		}
	}
	b.WriteString("\n" + msgSummaryHelp.In(lang))
	d.Offered = nil
	p := Prompt{Text: b.String(), Keywords: true, Options: []Option{{Value: "gem", Label: optSave.In(lang)}}}
	if r.personsAsked(d) {
		p.Options = append(p.Options, Option{Value: "tilføj person", Label: optAddPerson.In(lang)})
	}
	p.Options = append(p.Options, Option{Value: "afbryd", Label: optCancel.In(lang)})
	out.Say = append(out.Say, p)
}

// show renders the answer in a slot for the user.
func (r *Registration) show(d *Draft, s Slot) string {
	a := d.block(s.Person)[s.Field]
	if a.Skipped {
		return msgSkippedValue.In(d.Lang)
	}
	q := r.question(s)
	return kinds[q.Kind].show(q, a, d.Lang)
}

// OneLine sums a draft up in one line, for the offer to resume it.
func (r *Registration) OneLine(d Draft) string {
	lang := d.Lang
	var parts []string
	if a, ok := d.Visit["date"]; ok {
		parts = append(parts, showDate(nil, a, lang))
	}
	for _, id := range []string{"location", "address"} {
		if a, ok := d.Visit[id]; ok && !a.Skipped {
			q, _ := r.Visit.Question(id)
			parts = append(parts, kinds[q.Kind].show(q, a, lang))
		}
	}
	if n := len(d.Persons); n > 0 {
		parts = append(parts, fmt.Sprintf(Text{"%d person(er)", "%d person(s)"}.In(lang), n))
	}
	answered := len(r.summarySlots(&d))
	parts = append(parts, fmt.Sprintf(Text{"%d svar", "%d answers"}.In(lang), answered))
	return strings.Join(parts, ", ")
}

// Resume repeats what the draft is waiting for, as after a restart. The
// numbered options are shown anew, so the draft is to be saved when they
// changed (old suggestions must not answer a new "1").
func (r *Registration) Resume(d Draft) (Draft, Output) {
	d = d.clone()
	before := slices.Clone(d.Offered)
	var out Output
	r.ask(&d, &out, "")
	out.Save = !slices.Equal(before, d.Offered)
	return d, out
}

// record turns a finished draft into the visit to store: only answers that
// still apply, no internal keys, and the reasons to follow up.
func (r *Registration) record(d *Draft) Visit {
	v := Visit{Schema: SchemaVersion, ID: d.EditOf, Date: d.Visit["date"].Text, CreatedBy: d.User, CreatedAt: d.Updated,
		Crisis: d.Crisis, Fields: Answers{}}
	flag := func(f string) {
		if !slices.Contains(v.Flags, f) {
			v.Flags = append(v.Flags, f)
		}
	}
	slots := r.summarySlots(d)
	for _, f := range d.Flags {
		if r.flagStands(d, slots, f) {
			flag(f)
		}
	}
	for _, s := range slots {
		a := d.block(s.Person)[s.Field]
		if a.Skipped {
			continue
		}
		if s.Person < 0 {
			v.Fields[s.Field] = a
			continue
		}
		for len(v.Persons) <= s.Person {
			v.Persons = append(v.Persons, Answers{})
		}
		v.Persons[s.Person][s.Field] = a
		if s.Field == "trafficking_suspected" && a.Text == "yes" {
			flag("trafficking_suspected")
		}
	}
	if v.Fields["reason"].Text == "follow_up" {
		flag("follow_up_reason")
	}
	if slices.Contains(v.Fields["onsite"].List, "referral") {
		flag("referral")
	}
	return v
}

// flagStands reports whether a flag set by confirming an answer (an age
// under 18) still has such an answer among slots: the answer may have been
// changed since, or dropped with the persons. Other flags always stand.
func (r *Registration) flagStands(d *Draft, slots []Slot, f string) bool {
	confirmed := false
	for _, form := range []*Form{r.Visit, r.Person} {
		for i := range form.Questions {
			confirmed = confirmed || form.Questions[i].FlagBelow == f
		}
	}
	if !confirmed {
		return true
	}
	for _, s := range slots {
		q, a := r.question(s), d.block(s.Person)[s.Field]
		if q.FlagBelow == f && !a.Skipped && a.Number != nil && *a.Number < q.ConfirmBelow {
			return true
		}
	}
	return false
}

// personsWithAnswers are the person blocks that hold answers.
func (r *Registration) personsWithAnswers(d *Draft) []int {
	var out []int
	for i, p := range d.Persons {
		for k := range p {
			if k != anotherKey {
				out = append(out, i)
				break
			}
		}
	}
	return out
}

// EditDraft opens a saved visit for changes: a draft holding its answers,
// at the summary, that saves back under the same id.
func (r *Registration) EditDraft(v Visit, user string, lang Lang, now time.Time) (Draft, Output) {
	d := Draft{Schema: SchemaVersion, User: user, Lang: lang, Started: now, Updated: now, Crisis: v.Crisis,
		Visit: cloneAnswers(v.Fields), EditOf: v.ID, Mode: Summary}
	for _, f := range v.Flags {
		if f == "minor" {
			d.Flags = append(d.Flags, f)
		}
	}
	for i, p := range v.Persons {
		block := cloneAnswers(p)
		more := "yes"
		if i == len(v.Persons)-1 {
			more = "no"
		}
		block[anotherKey] = Answer{Text: more}
		d.Persons = append(d.Persons, block)
	}
	// A saved visit keeps no skipped answers: mark the optional questions
	// it left out as skipped again, so the edit does not ask them.
	for s := r.next(&d); s != nil; s = r.next(&d) {
		if s.Field == anotherKey {
			d.block(s.Person)[anotherKey] = Answer{Text: "no"}
			continue
		}
		if r.question(*s).Required {
			break
		}
		d.block(s.Person)[s.Field] = Answer{Skipped: true}
	}
	out := Output{Save: true}
	r.ask(&d, &out, fmt.Sprintf(Text{"Besøg %s – skriv nummeret på det svar, du vil rette.", "Visit %s – type the number of the answer to change."}.In(lang), v.ID))
	return d, out
}

// Diff lists the answers that differ between a saved visit and its edit,
// under canonical ids, for the visit's change history.
func Diff(old, new Visit, by string, at time.Time) []Change {
	var out []Change
	diff := func(prefix string, a, b Answers) {
		keys := map[string]bool{}
		for k := range a {
			keys[k] = true
		}
		for k := range b {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		slices.Sort(sorted)
		for _, k := range sorted {
			if !sameAnswer(a[k], b[k]) {
				out = append(out, Change{At: at, By: by, Field: prefix + k, Old: a[k], New: b[k]})
			}
		}
	}
	diff("", old.Fields, new.Fields)
	for i := range max(len(old.Persons), len(new.Persons)) {
		var a, b Answers
		if i < len(old.Persons) {
			a = old.Persons[i]
		}
		if i < len(new.Persons) {
			b = new.Persons[i]
		}
		diff(fmt.Sprintf("persons[%d].", i+1), a, b)
	}
	return out
}

func sameAnswer(a, b Answer) bool {
	if a.Text != b.Text || a.Skipped != b.Skipped || !slices.Equal(a.List, b.List) {
		return false
	}
	if (a.Number == nil) != (b.Number == nil) {
		return false
	}
	return a.Number == nil || *a.Number == *b.Number
}
