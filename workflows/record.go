package workflows

import "strings"

// Field is one value of a visit or person under its canonical id, as
// exported: a string (choice ids, text, ISO dates, ISO country codes), an
// int, a []string (multiple choice), []Discussion, or nil when unanswered.
type Field struct {
	ID    string
	Value any
}

// Discussion is one entry of Skema 1 item 8, discussed_with: who the visit
// was discussed with afterwards, and why.
type Discussion struct {
	Party  string `json:"party"`
	Who    string `json:"who,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// isDiscussionDetail reports the questions that are folded into
// discussed_with rather than exported under their own id.
func isDiscussionDetail(id string) bool {
	return id == DiscussedWho || strings.HasPrefix(id, "discussed_with_reason_")
}

// VisitColumns lists Skema 1's canonical ids in the paper form's order.
func (r *Registration) VisitColumns() []string {
	var ids []string
	for _, q := range r.Visit.Questions {
		if !isDiscussionDetail(q.ID) {
			ids = append(ids, q.ID)
		}
	}
	return ids
}

// PersonColumns lists Skema 2's canonical ids in order.
func (r *Registration) PersonColumns() []string {
	ids := make([]string, 0, len(r.Person.Questions))
	for _, q := range r.Person.Questions {
		ids = append(ids, q.ID)
	}
	return ids
}

// VisitFields gives a visit's Skema 1 values under their canonical ids, in
// order, with discussed_with assembled into its list of parties.
func (r *Registration) VisitFields(v Visit) []Field {
	out := make([]Field, 0, len(r.Visit.Questions))
	for i := range r.Visit.Questions {
		q := &r.Visit.Questions[i]
		if isDiscussionDetail(q.ID) {
			continue
		}
		if q.ID == "discussed_with" {
			out = append(out, Field{ID: q.ID, Value: discussions(v.Fields)})
			continue
		}
		out = append(out, Field{ID: q.ID, Value: value(q, v.Fields)})
	}
	return out
}

// PersonFields gives one person's Skema 2 values under their canonical ids.
func (r *Registration) PersonFields(p Answers) []Field {
	out := make([]Field, 0, len(r.Person.Questions))
	for i := range r.Person.Questions {
		q := &r.Person.Questions[i]
		out = append(out, Field{ID: q.ID, Value: value(q, p)})
	}
	return out
}

func value(q *Question, a Answers) any {
	ans, ok := a[q.ID]
	if !ok || ans.Skipped {
		return nil
	}
	switch q.Kind {
	case Number:
		if ans.Number == nil {
			return nil
		}
		return *ans.Number
	case MultiChoice:
		return ans.List
	}
	return ans.Text
}

func discussions(a Answers) any {
	parties := a["discussed_with"].List
	if len(parties) == 0 {
		return nil
	}
	out := make([]Discussion, 0, len(parties))
	for _, p := range parties {
		d := Discussion{Party: p, Reason: a[discussedReason(p)].Text}
		if p == "other" {
			d.Who = a[DiscussedWho].Text
		}
		out = append(out, d)
	}
	return out
}
