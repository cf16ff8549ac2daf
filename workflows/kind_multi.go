package workflows

import (
	"regexp"
	"slices"
	"strings"
)

// multiSeparators split a multiple-choice answer: "1, 3", "1 og 3", "mad+medicin".
var multiSeparators = regexp.MustCompile(`(?i)\s*(?:[,;+&/]|\bog\b|\band\b)\s*`)

// parseMulti reads several choices: numbers, names or both, separated by
// commas, "og"/"and" or (for numbers) spaces. Each choice counts once.
func parseMulti(q *Question, in string, _ env) (Answer, *Answer, *Problem) {
	var ids []string
	add := func(c Choice) {
		if !contains(ids, c.ID) {
			ids = append(ids, c.ID)
		}
	}
	parts := multiSeparators.Split(strings.TrimSpace(in), -1)
	for i := 0; i < len(parts); i++ {
		part := parts[i]
		if strings.TrimSpace(part) == "" {
			continue
		}
		// A label with a separator in it ("Henvisning / følgeskab") was
		// split apart: take it whole when the next part completes it.
		if i+1 < len(parts) {
			if c, ok := exactChoice(q.Choices, part+" "+parts[i+1]); ok {
				add(c)
				i++
				continue
			}
		}
		if c, ok := matchChoice(q.Choices, part); ok {
			add(c)
			continue
		}
		words := strings.Fields(part)
		var each []Choice
		for _, w := range words {
			c, ok := matchChoice(q.Choices, w)
			if !ok {
				return Answer{}, nil, problem(
					"Jeg forstod ikke %s. Skriv numrene på dem, der passer, fx «1, 3», eller «spring over».",
					"I did not understand %s. Type the numbers that apply, e.g. «1, 3», or «skip».", quote(part))
			}
			each = append(each, c)
		}
		for _, c := range each {
			add(c)
		}
	}
	if len(ids) == 0 {
		return Answer{}, nil, choiceProblem(q, in)
	}
	// Keep the form's order, whatever order they were typed in.
	ordered := make([]string, 0, len(ids))
	for _, c := range q.Choices {
		if contains(ids, c.ID) {
			ordered = append(ordered, c.ID)
		}
	}
	return Answer{List: ordered}, nil, nil
}

// exactChoice finds the choice whose id, label or alias is in, folded.
func exactChoice(choices []Choice, in string) (Choice, bool) {
	f := fold(in)
	for _, c := range choices {
		if slices.Contains(c.words(), f) {
			return c, true
		}
	}
	return Choice{}, false
}

// showMulti lists the chosen labels.
func showMulti(q *Question, a Answer, lang Lang) string {
	labels := make([]string, 0, len(a.List))
	for _, id := range a.List {
		if c, ok := q.choice(id); ok {
			labels = append(labels, c.Label.In(lang))
		} else {
			labels = append(labels, id)
		}
	}
	return strings.Join(labels, ", ")
}
