package workflows

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// defaultMaxLen bounds free text when a question sets no MaxLen.
const defaultMaxLen = 1000

// parseText takes free text: control characters removed, spaces trimmed,
// within the length limit and the question's pattern.
func parseText(q *Question, in string, _ env) (Answer, *Answer, *Problem) {
	s := strings.TrimSpace(strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return ' '
		}
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, in))
	max := q.MaxLen
	if max == 0 {
		max = defaultMaxLen
	}
	if n := utf8.RuneCountInString(s); n > max {
		return Answer{}, nil, problem("Svaret er for langt (%d tegn, højst %d). Skriv det kortere.",
			"The answer is too long (%d characters, at most %d). Please shorten it.", n, max)
	}
	if s == "" {
		return Answer{}, nil, problem("Jeg fik ikke noget svar.", "I got no answer.")
	}
	if q.Pattern != nil {
		if !q.Pattern.MatchString(s) {
			return Answer{}, nil, &Problem{Msg: q.Invalid}
		}
		s = strings.ToUpper(s)
	}
	return Answer{Text: s}, nil, nil
}

// showText shows the text.
func showText(_ *Question, a Answer, _ Lang) string { return a.Text }
