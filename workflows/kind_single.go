package workflows

// parseSingle reads a single-choice answer: number, id, label or alias.
func parseSingle(q *Question, in string, _ env) (Answer, *Answer, *Problem) {
	c, ok := matchChoice(q.Choices, in)
	if !ok {
		return Answer{}, nil, choiceProblem(q, in)
	}
	return Answer{Text: c.ID}, nil, nil
}

// showSingle shows the chosen label.
func showSingle(q *Question, a Answer, lang Lang) string {
	if c, ok := q.choice(a.Text); ok {
		return c.Label.In(lang)
	}
	return a.Text
}
