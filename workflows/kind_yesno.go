package workflows

import "strings"

// parseYesNo reads ja/nej (and the question's further choices such as "ved
// ikke"). After "ja" the rest of the message may be the note the question
// carries: "ja, virker bange" answers the note too.
func parseYesNo(q *Question, in string, e env) (Answer, *Answer, *Problem) {
	if c, ok := matchChoice(q.Choices, in); ok {
		return Answer{Text: c.ID}, nil, nil
	}
	s := strings.TrimSpace(in)
	cut := strings.IndexAny(s, ",.:;-– ")
	if cut <= 0 {
		return Answer{}, nil, choiceProblem(q, in)
	}
	head, rest := s[:cut], strings.TrimSpace(strings.TrimLeft(s[cut:], ",.:;-– "))
	c, ok := matchChoice(q.Choices, head)
	if !ok {
		return Answer{}, nil, choiceProblem(q, in)
	}
	if rest == "" {
		return Answer{Text: c.ID}, nil, nil
	}
	if q.Companion == "" || c.ID != "yes" {
		return Answer{}, nil, problem("Svar kun %s her, uden tekst efter.",
			"Answer just %s here, with no text after it.", quote(c.Label.In(e.lang)))
	}
	note, _, p := parseText(&Question{}, rest, e)
	if p != nil {
		return Answer{}, nil, p
	}
	return Answer{Text: c.ID}, &note, nil
}
