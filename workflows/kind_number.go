package workflows

import (
	"strconv"
	"strings"
)

// estimatePrefixes mark a number as estimated: "ca. 30", "~30", "30?".
var estimatePrefixes = []string{"ca.", "ca", "cirka", "omkring", "about", "approx.", "approx", "around", "~"}

// parseNumber reads a whole number within the question's range. When the
// question has a Companion (age_estimated), "ca. 30" also answers it.
func parseNumber(q *Question, in string, _ env) (Answer, *Answer, *Problem) {
	s := strings.ToLower(strings.TrimSpace(in))
	estimated := false
	for _, p := range estimatePrefixes {
		if rest, ok := strings.CutPrefix(s, p); ok {
			s, estimated = strings.TrimSpace(rest), true
			break
		}
	}
	if rest, ok := strings.CutSuffix(s, "?"); ok {
		s, estimated = strings.TrimSpace(rest), true
	}
	for _, unit := range []string{"år", "years", "year", "stk.", "stk", "pcs"} {
		s = strings.TrimSpace(strings.TrimSuffix(s, unit))
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < q.Min || n > q.Max {
		if q.Invalid.Da != "" {
			return Answer{}, nil, &Problem{Msg: q.Invalid}
		}
		return Answer{}, nil, problem("%s er ikke et helt tal fra %d til %d.",
			"%s is not a whole number from %d to %d.", quote(in), q.Min, q.Max)
	}
	var companion *Answer
	if q.Companion != "" && estimated {
		companion = &Answer{Text: "yes"}
	}
	return Answer{Number: &n}, companion, nil
}

// showNumber shows the number.
func showNumber(_ *Question, a Answer, _ Lang) string {
	if a.Number == nil {
		return ""
	}
	return strconv.Itoa(*a.Number)
}
