package workflows

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// anotherKey is the internal answer, kept in each person block, to "did you
// meet another person?". It is never exported.
const anotherKey = "_another"

// Registration is the visit flow: Skema 1, then one Skema 2 block per person
// met (when there was contact), then a summary to check and save. It holds
// only the forms and limits; all state is in the Draft.
type Registration struct {
	Visit  *Form
	Person *Form
	// ConfirmPersonsAbove asks for confirmation before person number
	// ConfirmPersonsAbove+1 (the paper form has four columns; ten is plenty).
	ConfirmPersonsAbove int
	// MaxInput is the longest message, in bytes, the engine reads at all.
	MaxInput int
}

// NewRegistration returns the flow over Skema 1 and Skema 2 with the
// default limits.
func NewRegistration() *Registration {
	return &Registration{Visit: VisitForm(), Person: PersonForm(), ConfirmPersonsAbove: 10, MaxInput: 8 << 10}
}

// Input is one message from the user, with the time it arrived in the
// team's time zone.
type Input struct {
	Text string
	Now  time.Time
}

// Option is a numbered choice shown with a prompt; an adapter may make it a
// button that sends Value.
type Option struct {
	Value string
	Label string
}

// Prompt is one message of the bot to the user.
type Prompt struct {
	Text    string
	Options []Option
	// Multi marks options of which several may be chosen.
	Multi bool
	// Keywords marks options that are words to type, not numbers: the
	// summary's lines are numbered already.
	Keywords bool
}

// Output is what a step asks its caller to carry out, in this order: store
// the draft (Save), or store the finished visit (Done), or drop the draft
// (Discard); then send Say.
type Output struct {
	Say     []Prompt
	Save    bool
	Done    *Visit
	Discard bool
}

// Start begins a registration for user. Known answers (filled_by from the
// staff profile, organisation from the config) are filled in, not asked;
// they can be changed from the summary.
func (r *Registration) Start(user string, lang Lang, now time.Time, known Answers, crisis *CrisisRef) (Draft, Output) {
	d := Draft{Schema: SchemaVersion, User: user, Lang: lang, Started: now, Updated: now, Crisis: crisis, Visit: Answers{}}
	for id, a := range known {
		if _, ok := r.Visit.Question(id); ok {
			d.Visit[id] = a
		}
	}
	out := Output{Save: true}
	r.ask(&d, &out, msgStart.In(lang))
	return d, out
}

// Step is the engine: it takes the draft and one message and returns the new
// draft and what to do. It does no I/O and does not change d.
func (r *Registration) Step(d Draft, in Input) (Draft, Output) {
	d = d.clone()
	var out Output
	lang := d.Lang
	text := in.Text
	if len(text) > r.MaxInput {
		r.reject(&d, &out, msgTooLong.In(lang))
		return d, out
	}
	text = strings.TrimSpace(text)
	if text == "" {
		r.reject(&d, &out, msgEmpty.In(lang))
		return d, out
	}
	if n, err := strconv.Atoi(text); err == nil && n >= 1 && n <= len(d.Offered) {
		text = d.Offered[n-1]
	}
	word := fold(text)
	d.Updated = in.Now

	if d.Mode == ConfirmCancel {
		switch {
		case isYes(word):
			out.Discard = true
			msg := msgCancelled
			if d.EditOf != "" {
				msg = msgEditCancelled
			}
			out.Say = append(out.Say, Prompt{Text: msg.In(lang)})
		case isNo(word):
			d.Mode = Asking
			if d.Editing == nil && r.next(&d) == nil {
				d.Mode = Summary
			}
			out.Save = true
			r.ask(&d, &out, msgNotCancelled.In(lang))
		default:
			r.askCancel(&d, &out, msgYesOrNo.In(lang))
		}
		return d, out
	}
	switch {
	case slices.Contains(wordsCancel, word):
		d.Mode = ConfirmCancel
		out.Save = true
		r.askCancel(&d, &out, "")
		return d, out
	case slices.Contains(wordsHelp, word) || text == "?":
		r.ask(&d, &out, r.help(&d))
		return d, out
	case slices.Contains(wordsBack, word):
		r.back(&d, &out)
		return d, out
	}

	if d.Pending != nil {
		r.confirmPending(&d, &out, word)
		return d, out
	}
	if d.Mode == Summary {
		r.summaryInput(&d, &out, text, word)
		return d, out
	}
	slot := r.current(&d)
	if slot == nil { // nothing left to ask: show the summary
		d.Mode = Summary
		out.Save = true
		r.ask(&d, &out, "")
		return d, out
	}
	if slot.Field == anotherKey {
		r.answerAnother(&d, &out, *slot, word)
		return d, out
	}
	q := r.question(*slot)
	if slices.Contains(wordsSkip, word) || (q.Kind == MultiChoice && slices.Contains(wordsNone, word)) {
		if q.Required {
			r.reject(&d, &out, msgRequired.In(lang))
			return d, out
		}
		r.accept(&d, &out, *slot, Answer{Skipped: true}, nil, "")
		return d, out
	}
	a, companion, p := kinds[q.Kind].parse(q, text, env{now: in.Now, lang: lang})
	if p != nil {
		r.rejectProblem(&d, &out, p)
		return d, out
	}
	if q.ConfirmBelow > 0 && a.Number != nil && *a.Number < q.ConfirmBelow {
		d.Pending = &Pending{Slot: *slot, Answer: a, Kind: q.FlagBelow}
		if companion != nil {
			d.Pending.Companion = companion
		}
		out.Save = true
		r.askYesNo(&d, &out, fmt.Sprintf(msgMinor.In(lang), *a.Number))
		return d, out
	}
	r.accept(&d, &out, *slot, a, companion, text)
	return d, out
}

// accept stores an answer and moves on: to the next question, back to the
// summary after an edit, or to the summary at the end.
func (r *Registration) accept(d *Draft, out *Output, slot Slot, a Answer, companion *Answer, typed string) {
	q := r.question(slot)
	block := d.block(slot.Person)
	block[slot.Field] = a
	if companion != nil && q.Companion != "" {
		block[q.Companion] = *companion
	}
	// An edit from the summary goes on the history too: "back" after the
	// questions it opened returns to it, not to an answer she did not touch.
	d.History = append(d.History, slot)
	d.Editing = nil
	d.Offered = nil
	out.Save = true
	echo := ""
	if !a.Skipped && typed != "" {
		shown := kinds[q.Kind].show(q, a, d.Lang)
		if companion != nil && q.Companion != "" {
			cq := r.question(Slot{Person: slot.Person, Field: q.Companion})
			shown += " · " + cq.label(d.Lang, d.Crisis) + ": " + kinds[cq.Kind].show(cq, *companion, d.Lang)
		}
		if fold(shown) != fold(typed) {
			echo = "✓ " + q.label(d.Lang, d.Crisis) + ": " + shown
		}
	}
	if r.next(d) == nil {
		d.Mode = Summary
	}
	r.ask(d, out, echo)
}

// confirmPending handles the yes/no to an answer that needed confirmation.
func (r *Registration) confirmPending(d *Draft, out *Output, word string) {
	p := d.Pending
	switch {
	case isYes(word):
		d.Pending = nil
		if p.Slot.Field == anotherKey {
			r.addPerson(d, p.Slot.Person)
			d.History = append(d.History, p.Slot)
			out.Save = true
			r.ask(d, out, "")
			return
		}
		if p.Kind != "" && !slices.Contains(d.Flags, p.Kind) {
			d.Flags = append(d.Flags, p.Kind)
		}
		r.accept(d, out, p.Slot, p.Answer, p.Companion, "")
	case isNo(word):
		d.Pending = nil
		out.Save = true
		if p.Slot.Field == anotherKey {
			d.block(p.Slot.Person)[anotherKey] = Answer{Text: "no"}
			d.History = append(d.History, p.Slot)
			if r.next(d) == nil {
				d.Mode = Summary
			}
		}
		r.ask(d, out, "")
	default:
		r.askPending(d, out, msgYesOrNo.In(d.Lang))
	}
}

// answerAnother handles "did you meet another person?".
func (r *Registration) answerAnother(d *Draft, out *Output, slot Slot, word string) {
	switch {
	case isYes(word):
		if len(d.Persons) >= r.ConfirmPersonsAbove {
			d.Pending = &Pending{Slot: slot, Answer: Answer{Text: "yes"}}
			out.Save = true
			r.askPending(d, out, "")
			return
		}
		r.addPerson(d, slot.Person)
		d.History = append(d.History, slot)
		out.Save = true
		r.ask(d, out, "")
	case isNo(word):
		d.block(slot.Person)[anotherKey] = Answer{Text: "no"}
		d.History = append(d.History, slot)
		d.Mode = Summary
		if r.next(d) != nil {
			d.Mode = Asking
		}
		out.Save = true
		r.ask(d, out, "")
	default:
		r.reject(d, out, msgYesOrNo.In(d.Lang))
	}
}

// addPerson opens a new Skema 2 block after person i.
func (r *Registration) addPerson(d *Draft, i int) {
	d.block(i)[anotherKey] = Answer{Text: "yes"}
	if len(d.Persons) == i+1 {
		d.Persons = append(d.Persons, Answers{})
	}
	d.Mode = Asking
}

// back steps to the previous question (from an edit: to the summary) and
// forgets its answer so it is asked again.
func (r *Registration) back(d *Draft, out *Output) {
	if d.Pending != nil {
		d.Pending = nil
		out.Save = true
		r.ask(d, out, "")
		return
	}
	if d.Editing != nil {
		d.Editing = nil
		d.Mode = Summary
		out.Save = true
		r.ask(d, out, "")
		return
	}
	if len(d.History) == 0 {
		r.reject(d, out, msgFirst.In(d.Lang))
		return
	}
	last := d.History[len(d.History)-1]
	d.History = d.History[:len(d.History)-1]
	old := d.block(last.Person)[last.Field]
	delete(d.block(last.Person), last.Field)
	// What the answer filled in passing ("ca. 30", "ja, virker bange") goes
	// with it, or its question would never be asked again.
	var oldCompanion *Answer
	if last.Field != anotherKey {
		if q := r.question(last); q.Companion != "" && !slices.Contains(d.History, Slot{Person: last.Person, Field: q.Companion}) {
			if a, ok := d.block(last.Person)[q.Companion]; ok {
				oldCompanion = &a
				delete(d.block(last.Person), q.Companion)
			}
		}
	}
	if last.Field == anotherKey && len(d.Persons) > last.Person+1 && len(d.Persons[last.Person+1]) == 0 {
		d.Persons = d.Persons[:last.Person+1]
	}
	d.Mode = Asking
	d.Offered = nil
	out.Save = true
	note := ""
	if last.Field != anotherKey && !old.Skipped {
		q := r.question(last)
		shown := kinds[q.Kind].show(q, old, d.Lang)
		if oldCompanion != nil && !oldCompanion.Skipped {
			cq := r.question(Slot{Person: last.Person, Field: q.Companion})
			shown += " · " + cq.label(d.Lang, d.Crisis) + ": " + kinds[cq.Kind].show(cq, *oldCompanion, d.Lang)
		}
		note = fmt.Sprintf(msgWas.In(d.Lang), shown)
	}
	r.ask(d, out, note)
}

// summaryInput handles a message while the summary is shown.
func (r *Registration) summaryInput(d *Draft, out *Output, text, word string) {
	lines := r.summarySlots(d)
	if n, err := strconv.Atoi(strings.TrimSuffix(text, ".")); err == nil && n >= 1 && n <= len(lines) {
		s := lines[n-1]
		d.Editing = &s
		d.Mode = Asking
		out.Save = true
		r.ask(d, out, "")
		return
	}
	switch {
	case slices.Contains(wordsSave, word) || isYes(word):
		v := r.record(d)
		out.Done = &v
	case slices.Contains(wordsAdd, word) && r.personsAsked(d):
		last := len(d.Persons) - 1
		if last < 0 {
			d.Persons = []Answers{{}}
		} else {
			r.addPerson(d, last)
		}
		d.Mode = Asking
		out.Save = true
		r.ask(d, out, "")
	default:
		r.reject(d, out, fmt.Sprintf(msgSummaryBad.In(d.Lang), len(lines)))
	}
}

// current is the question being answered: the one being edited, else the
// first one not yet answered.
func (r *Registration) current(d *Draft) *Slot {
	if d.Editing != nil {
		return d.Editing
	}
	return r.next(d)
}

// next finds the first relevant question without an answer, walking Skema 1
// and then the persons; nil when everything is answered.
func (r *Registration) next(d *Draft) *Slot {
	crisis := d.Crisis != nil
	for i := range r.Visit.Questions {
		q := &r.Visit.Questions[i]
		if _, ok := d.Visit[q.ID]; !ok && q.relevant(d.Visit, nil, crisis) {
			return &Slot{Person: -1, Field: q.ID}
		}
	}
	if !r.personsAsked(d) {
		return nil
	}
	if len(d.Persons) == 0 {
		return &Slot{Person: 0, Field: r.Person.Questions[0].ID}
	}
	for p, block := range d.Persons {
		for i := range r.Person.Questions {
			q := &r.Person.Questions[i]
			if _, ok := block[q.ID]; !ok && q.relevant(block, d.Visit, crisis) {
				return &Slot{Person: p, Field: q.ID}
			}
		}
		if _, ok := block[anotherKey]; !ok {
			return &Slot{Person: p, Field: anotherKey}
		}
	}
	return nil
}

// personsAsked reports whether Skema 2 applies: only when there was contact.
func (r *Registration) personsAsked(d *Draft) bool {
	return d.Visit["contact"].Text == "contact"
}

// question returns the question a slot addresses.
func (r *Registration) question(s Slot) *Question {
	f := r.Visit
	if s.Person >= 0 {
		f = r.Person
	}
	q, ok := f.Question(s.Field)
	if !ok {
		panic("workflows: no question " + s.Field) // slots are made from the forms
	}
	return q
}

// ask appends the prompt for whatever the draft is waiting for, with lead
// (an echo, a problem, a note) on top.
func (r *Registration) ask(d *Draft, out *Output, lead string) {
	// A number typed next picks from the options shown now: when they are
	// not the ones stored (suggestions shown before), store them.
	offered := d.Offered
	defer func() {
		if !slices.Equal(offered, d.Offered) {
			out.Save = true
		}
	}()
	switch {
	case d.Mode == ConfirmCancel:
		r.askCancel(d, out, lead)
		return
	case d.Pending != nil:
		r.askPending(d, out, lead)
		return
	case d.Mode == Summary:
		r.summary(d, out, lead)
		return
	}
	slot := r.current(d)
	if slot == nil {
		d.Mode = Summary
		r.summary(d, out, lead)
		return
	}
	lang := d.Lang
	var b strings.Builder
	if lead != "" {
		b.WriteString(lead + "\n")
	}
	if slot.Field == anotherKey {
		b.WriteString(msgAnother.In(lang))
		offerYesNo(d)
		out.Say = append(out.Say, Prompt{Text: b.String(), Options: yesNoOptions(lang)})
		return
	}
	q := r.question(*slot)
	if slot.Person >= 0 {
		b.WriteString(fmt.Sprintf(msgPerson.In(lang), slot.Person+1) + " · ")
	}
	pos, total := r.position(d, *slot)
	fmt.Fprintf(&b, "%d/%d %s", pos, total, q.label(lang, d.Crisis))
	if !q.Required {
		b.WriteString(" " + msgOptional.In(lang))
	}
	if d.Editing != nil {
		if old, ok := d.block(slot.Person)[slot.Field]; ok && !old.Skipped {
			b.WriteString("\n" + fmt.Sprintf(msgWas.In(lang), kinds[q.Kind].show(q, old, lang)))
		}
	}
	p := Prompt{Multi: q.Kind == MultiChoice}
	d.Offered = nil
	switch {
	case len(q.Choices) > 0:
		for _, c := range q.Choices {
			p.Options = append(p.Options, Option{Value: c.ID, Label: c.Label.In(lang)})
		}
		if p.Multi {
			b.WriteString("\n" + msgMultiHint.In(lang))
		}
	case q.Kind == Number:
		// Numbers are typed; numbered options would be mistaken for answers.
	default:
		extra := slices.Clone(q.Shortcuts)
		if q.Kind == Country {
			extra = append(extra, Choice{ID: UnknownCountry, Label: optUnknown})
		}
		if !q.Required {
			extra = append(extra, Choice{ID: "spring over", Label: optSkip})
		}
		for _, c := range extra {
			p.Options = append(p.Options, Option{Value: c.ID, Label: c.Label.In(lang)})
			d.Offered = append(d.Offered, c.ID)
		}
	}
	p.Text = b.String()
	out.Say = append(out.Say, p)
}

// position numbers a question among the relevant questions of its block,
// as "3/9", so the user knows how far she is.
func (r *Registration) position(d *Draft, s Slot) (int, int) {
	f, own, parent := r.Visit, d.Visit, Answers(nil)
	if s.Person >= 0 {
		f, own, parent = r.Person, d.block(s.Person), d.Visit
	}
	pos, total := 0, 0
	for i := range f.Questions {
		q := &f.Questions[i]
		if !q.relevant(own, parent, d.Crisis != nil) {
			continue
		}
		total++
		if q.ID == s.Field {
			pos = total
		}
	}
	return pos, total
}

// reject says why the message was not taken and asks the same again.
func (r *Registration) reject(d *Draft, out *Output, why string) {
	r.ask(d, out, why)
}

// rejectProblem shows a parser's problem; its suggestions become the
// numbered options, and the question is asked again.
func (r *Registration) rejectProblem(d *Draft, out *Output, p *Problem) {
	if len(p.Suggest) == 0 {
		r.reject(d, out, p.Msg.In(d.Lang)+" "+msgRetry.In(d.Lang))
		return
	}
	pr := Prompt{Text: p.Msg.In(d.Lang)}
	d.Offered = nil
	for _, c := range p.Suggest {
		pr.Options = append(pr.Options, Option{Value: c.ID, Label: c.Label.In(d.Lang)})
		d.Offered = append(d.Offered, c.ID)
	}
	out.Save = true // the suggestions must survive a restart to be picked by number
	out.Say = append(out.Say, pr)
}

func (r *Registration) askCancel(d *Draft, out *Output, lead string) {
	text := msgCancelAsk.In(d.Lang)
	if lead != "" {
		text = lead + "\n" + text
	}
	offerYesNo(d)
	out.Say = append(out.Say, Prompt{Text: text, Options: yesNoOptions(d.Lang)})
}

func (r *Registration) askPending(d *Draft, out *Output, lead string) {
	p := d.Pending
	var text string
	if p.Slot.Field == anotherKey {
		text = fmt.Sprintf(msgManyPersons.In(d.Lang), len(d.Persons))
	} else {
		text = fmt.Sprintf(msgMinor.In(d.Lang), *p.Answer.Number)
	}
	r.askYesNo(d, out, joinLines(lead, text))
}

func (r *Registration) askYesNo(d *Draft, out *Output, text string) {
	offerYesNo(d)
	out.Say = append(out.Say, Prompt{Text: text, Options: yesNoOptions(d.Lang)})
}

// offerYesNo records the yes/no options as offered, so that typing the
// number an adapter shows them with ("1) Ja") picks them.
func offerYesNo(d *Draft) {
	d.Offered = []string{"ja", "nej"}
}

func yesNoOptions(lang Lang) []Option {
	return []Option{{Value: "ja", Label: Text{"Ja", "Yes"}.In(lang)}, {Value: "nej", Label: Text{"Nej", "No"}.In(lang)}}
}

// help explains the current question and the words that always work.
func (r *Registration) help(d *Draft) string {
	if slot := r.current(d); slot != nil && slot.Field != anotherKey && d.Mode == Asking && d.Pending == nil {
		if h := r.question(*slot).Help.In(d.Lang); h != "" {
			return h + "\n" + msgHelpWords.In(d.Lang)
		}
	}
	if d.Mode == Summary {
		return msgSummaryHelp.In(d.Lang) + "\n" + msgHelpWords.In(d.Lang)
	}
	return msgHelpWords.In(d.Lang)
}

func isYes(word string) bool {
	return slices.Contains([]string{"ja", "j", "yes", "y", "jo", "ok"}, word)
}

func isNo(word string) bool {
	return slices.Contains([]string{"nej", "n", "no", "nope"}, word)
}

func joinLines(a, b string) string {
	if a == "" {
		return b
	}
	return a + "\n" + b
}

// block returns the answers of Skema 1 (person < 0) or of one person,
// creating the person's block if needed.
func (d *Draft) block(person int) Answers {
	if person < 0 {
		if d.Visit == nil {
			d.Visit = Answers{}
		}
		return d.Visit
	}
	for len(d.Persons) <= person {
		d.Persons = append(d.Persons, Answers{})
	}
	return d.Persons[person]
}

// clone copies the draft deeply enough that Step never changes its input.
func (d Draft) clone() Draft {
	c := d
	c.Visit = cloneAnswers(d.Visit)
	c.Persons = make([]Answers, len(d.Persons))
	for i, p := range d.Persons {
		c.Persons[i] = cloneAnswers(p)
	}
	c.History = slices.Clone(d.History)
	c.Offered = slices.Clone(d.Offered)
	c.Flags = slices.Clone(d.Flags)
	if d.Editing != nil {
		e := *d.Editing
		c.Editing = &e
	}
	if d.Pending != nil {
		p := *d.Pending
		c.Pending = &p
	}
	return c
}

func cloneAnswers(a Answers) Answers {
	c := make(Answers, len(a))
	for k, v := range a {
		c[k] = v // Answer's slices are never modified in place
	}
	return c
}
