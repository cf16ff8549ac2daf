package workflows

import (
	"regexp"
	"slices"
	"strings"
)

// Text is a phrase in both UI languages. "{sygdom}" in it is replaced by the
// disease of the active crisis.
type Text struct {
	Da string
	En string
}

// In returns the phrase in lang, falling back to Danish.
func (t Text) In(lang Lang) string {
	if lang == English && t.En != "" {
		return t.En
	}
	return t.Da
}

// Kind is a question type. Each kind has one parser, registered in kinds.
type Kind string

// The question types the forms are built from.
const (
	SingleChoice Kind = "single_choice"
	MultiChoice  Kind = "multi_choice"
	Number       Kind = "number"
	Date         Kind = "date"
	FreeText     Kind = "text"
	Country      Kind = "country"
	YesNo        Kind = "yes_no"
)

// Choice is one option of a choice question. ID is what is stored and
// exported; Aliases are further words a user may type for it.
type Choice struct {
	ID      string
	Label   Text
	Aliases []string
	folded  []string
}

// Rule is one condition of a question's relevance (skip logic). A question
// is asked only when all its rules hold.
type Rule struct {
	// Field is the answer the rule looks at, in the same block, or in Skema 1
	// when the question belongs to a person and the field is not there.
	Field string
	// In: the answer is one of these ids. NotIn: it is none of them (an
	// unanswered field counts as none). Includes: a multiple-choice answer
	// includes this id.
	In       []string
	NotIn    []string
	Includes string
	// Crisis: asked only while a crisis is active or reopening.
	Crisis bool
}

// Question is one field of a form, declared as data.
type Question struct {
	ID       string
	Kind     Kind
	Label    Text
	Help     Text
	Required bool
	Choices  []Choice
	// Min and Max bound a Number.
	Min, Max int
	// MaxLen bounds a FreeText in characters (default 1000).
	MaxLen int
	// Pattern, when set, must match a FreeText answer; Invalid is then the
	// message for an answer that does not.
	Pattern *regexp.Regexp
	Invalid Text
	// When is the relevance rule: all must hold for the question to be asked.
	When []Rule
	// Companion is a field this question's answer may fill in passing: the
	// note of a yes/no ("ja, virker bange") or age_estimated ("ca. 30").
	Companion string
	// ConfirmBelow asks the user to confirm a Number below it (ages under
	// 18) and flags the visit for follow-up with FlagBelow.
	ConfirmBelow int
	FlagBelow    string
	// Shortcuts are offered as buttons besides Choices (dates: today,
	// yesterday).
	Shortcuts []Choice
}

// Form is a list of questions asked in order: Skema 1 or one person's
// Skema 2 block.
type Form struct {
	ID        string
	Title     Text
	Questions []Question
	index     map[string]int
}

// NewForm indexes the questions by id and checks that every rule names a
// field the form or parent has; it panics on a malformed declaration, which
// is a programming error found by any test.
func NewForm(id string, title Text, qs []Question) *Form {
	f := &Form{ID: id, Title: title, Questions: qs, index: make(map[string]int, len(qs))}
	for i, q := range qs {
		if _, dup := f.index[q.ID]; dup {
			panic("workflows: duplicate question " + q.ID + " in " + id)
		}
		if _, ok := kinds[q.Kind]; !ok {
			panic("workflows: question " + q.ID + " has unknown kind " + string(q.Kind))
		}
		f.index[q.ID] = i
		// The choices may be shared with other forms (discussedParties):
		// fold a copy, so that building forms concurrently does not race.
		f.Questions[i].Choices = slices.Clone(q.Choices)
		for j := range q.Choices {
			c := &f.Questions[i].Choices[j]
			c.folded = nil
			c.folded = c.words()
		}
	}
	return f
}

// Question returns the question with the given id.
func (f *Form) Question(id string) (*Question, bool) {
	i, ok := f.index[id]
	if !ok {
		return nil, false
	}
	return &f.Questions[i], true
}

// relevant reports whether q is asked, given the answers of its own block
// and (for persons) of Skema 1, and whether a crisis is active.
func (q *Question) relevant(own, parent Answers, crisis bool) bool {
	for _, r := range q.When {
		if r.Crisis && !crisis {
			return false
		}
		if r.Field == "" {
			continue
		}
		a, ok := own[r.Field]
		if !ok && parent != nil {
			a, ok = parent[r.Field]
		}
		if len(r.In) > 0 && !(ok && contains(r.In, a.Text)) {
			return false
		}
		if len(r.NotIn) > 0 && ok && contains(r.NotIn, a.Text) {
			return false
		}
		if r.Includes != "" && !(ok && contains(a.List, r.Includes)) {
			return false
		}
	}
	return true
}

// choice finds a choice by id.
func (q *Question) choice(id string) (Choice, bool) {
	for _, c := range q.Choices {
		if c.ID == id {
			return c, true
		}
	}
	return Choice{}, false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// label renders the question's label with the crisis disease filled in.
func (q *Question) label(lang Lang, crisis *CrisisRef) string {
	s := q.Label.In(lang)
	if crisis != nil {
		s = strings.ReplaceAll(s, "{sygdom}", crisis.Disease)
	}
	return s
}
