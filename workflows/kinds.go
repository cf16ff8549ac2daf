package workflows

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// kind is what the engine needs of a question type: how to read an answer
// and how to show one. Each kind lives in its own file (kind_*.go).
type kind struct {
	// parse reads the user's text. It returns the answer, an optional
	// answer for the question's Companion field, or a problem to show.
	parse func(q *Question, in string, env env) (Answer, *Answer, *Problem)
	// show renders a stored answer for the summary and echoes.
	show func(q *Question, a Answer, lang Lang) string
}

// kinds is the table of question types; NewForm refuses a kind not in it and
// a test demands examples for every entry.
var kinds = map[Kind]kind{
	SingleChoice: {parse: parseSingle, show: showSingle},
	MultiChoice:  {parse: parseMulti, show: showMulti},
	Number:       {parse: parseNumber, show: showNumber},
	Date:         {parse: parseDate, show: showDate},
	FreeText:     {parse: parseText, show: showText},
	Country:      {parse: parseCountry, show: showCountry},
	YesNo:        {parse: parseYesNo, show: showSingle},
}

// env is what parsers may know of the world: the time (dates) and the
// user's language.
type env struct {
	now  time.Time
	lang Lang
}

// Problem is why an answer was not accepted, in both languages, with
// suggestions the user can pick instead.
type Problem struct {
	Msg     Text
	Suggest []Choice
}

func problem(da, en string, args ...any) *Problem {
	return &Problem{Msg: Text{Da: fmt.Sprintf(da, args...), En: fmt.Sprintf(en, args...)}}
}

// fold makes typed words comparable: lower case, single spaces, Danish
// letters spelled out (æ→ae, ø→oe, å→aa) and other accents removed.
func fold(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if !isASCII(s) { // the common short answers skip the Unicode work
		s = danishLetters.Replace(s)
		t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
		if out, _, err := transform.String(t, s); err == nil {
			s = out
		}
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return ' '
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

var danishLetters = strings.NewReplacer("æ", "ae", "ø", "oe", "å", "aa")

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// quote shortens a user's text for an error message, so a 100 KB message is
// not echoed back whole.
func quote(s string) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > 30 {
		s = string(r[:30]) + "…"
	}
	return "«" + s + "»"
}

// matchChoice finds the choice the user meant: its number in the list, its
// id, its label in either language, an alias, or an unambiguous beginning of
// a label (at least three letters).
func matchChoice(choices []Choice, in string) (Choice, bool) {
	if n, err := strconv.Atoi(strings.TrimRight(strings.TrimSpace(in), ").")); err == nil {
		if n >= 1 && n <= len(choices) {
			return choices[n-1], true
		}
		return Choice{}, false
	}
	f := fold(in)
	if f == "" {
		return Choice{}, false
	}
	for _, c := range choices {
		if slices.Contains(c.words(), f) {
			return c, true
		}
	}
	if len([]rune(f)) < 3 {
		return Choice{}, false
	}
	var found []Choice
	for _, c := range choices {
		w := c.words()
		if strings.HasPrefix(w[1], f) || strings.HasPrefix(w[2], f) {
			found = append(found, c)
		}
	}
	if len(found) == 1 {
		return found[0], true
	}
	return Choice{}, false
}

// choiceProblem says which answers a choice question takes.
func choiceProblem(q *Question, in string) *Problem {
	return problem("Jeg forstod ikke %s. Svar med et tal fra 1 til %d eller et af navnene.",
		"I did not understand %s. Answer with a number from 1 to %d or one of the names.",
		quote(in), len(q.Choices))
}

// words are the folded forms that select a choice: id, Danish label,
// English label, then the aliases. Forms fill them once (NewForm); a choice
// made elsewhere folds them on use.
func (c Choice) words() []string {
	if c.folded != nil {
		return c.folded
	}
	w := []string{fold(c.ID), fold(c.Label.Da), fold(c.Label.En)}
	for _, a := range c.Aliases {
		w = append(w, fold(a))
	}
	// On a keyboard without Danish letters "besog" and "tandlage" are
	// typed for "besøg" and "tandlæge".
	for _, x := range []string{c.Label.Da, c.Label.En} {
		if plain := fold(plainLetters.Replace(strings.ToLower(x))); !slices.Contains(w, plain) {
			w = append(w, plain)
		}
	}
	return w
}

var plainLetters = strings.NewReplacer("æ", "a", "ø", "o", "å", "a")
