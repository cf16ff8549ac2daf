// Package records turns stored visits into the figures a coordinator
// reports: monthly aggregates that outlive the person data they were counted
// from (retention deletes Form 2 and notes, the counts stay), the yearly
// statistics report and its chart.
//
// The store keeps one MonthFigures a month, changed in the same
// transaction that saves, edits or deletes a visit by what the visit counts
// for (Counted), so the report reads a few hundred small records instead of
// every visit. Retention deletes a visit's persons and flags it
// FlagPersonDataDeleted without changing its month's figures: the persons
// stay counted there. Add fields as you need them, and count them in Add,
// sum them in Merge and sort them into PersonFigures or VisitFigures so the
// report and the store stay right.
package records

import (
	"slices"

	"beredskab/workflows"
)

// MonthFigures are the counts of one calendar month's visits. They hold no
// person data, only numbers under canonical ids, so they are kept after the
// person data of the month is deleted and the statistics of past years
// still answer. Maps count visits or persons by the id of their answer;
// an unanswered field is counted under "" nowhere (it is left out).
type MonthFigures struct {
	// Month is "YYYY-MM", the month of the visits' date.
	Month string `json:"month"`

	// Visits and their Skema 1 answers: Method, Reason and Location count
	// visits by their choice id, Contact by the contact outcome; Contacts
	// is the visits whose contact was "contact".
	Visits   int            `json:"visits"`
	Contacts int            `json:"contacts"`
	Method   map[string]int `json:"method,omitempty"`
	Reason   map[string]int `json:"reason,omitempty"`
	Location map[string]int `json:"location,omitempty"`
	Contact  map[string]int `json:"contact,omitempty"`
	// FoodPackages is the number of packages handed out; Referral counts
	// visits by where a person was referred (hospital, dentist, other);
	// Discussed counts visits by who they were discussed with afterwards.
	FoodPackages int            `json:"food_packages"`
	Referral     map[string]int `json:"referral,omitempty"`
	Discussed    map[string]int `json:"discussed,omitempty"`

	// Persons met (Skema 2 blocks), by nationality (ISO code or
	// "unknown"), gender, age band (AgeBand) and met before.
	Persons     int            `json:"persons"`
	Nationality map[string]int `json:"nationality,omitempty"`
	Gender      map[string]int `json:"gender,omitempty"`
	AgeBand     map[string]int `json:"age_band,omitempty"`
	MetBefore   map[string]int `json:"met_before,omitempty"`
	// Persons with the answer yes: suspected trafficking, health issues by
	// their own account and observed by the staff.
	Trafficking    int `json:"trafficking_suspected"`
	HealthSelf     int `json:"health_issue_self"`
	HealthObserved int `json:"health_issue_observed"`
	// CrisisSymptoms counts persons asked the crisis question, by answer
	// (yes, suspected, no).
	CrisisSymptoms map[string]int `json:"crisis_symptoms,omitempty"`
}

// FlagPersonDataDeleted marks a visit whose person data retention has
// deleted: the persons it had stay counted in its month's stored figures,
// so counting it again would count them twice (Tally skips the visit,
// Counted its persons).
const FlagPersonDataDeleted = "person_data_deleted"

// AgeBands are the age bands of the report, in order; AgeBand gives a
// person's.
var AgeBands = []string{"12-17", "18-24", "25-34", "35-44", "45-54", "55+"}

// AgeBand is the band of an age in years; "" when there is none.
func AgeBand(age *int) string {
	if age == nil {
		return ""
	}
	switch a := *age; {
	case a < 18:
		return "12-17"
	case a < 25:
		return "18-24"
	case a < 35:
		return "25-34"
	case a < 45:
		return "35-44"
	case a < 55:
		return "45-54"
	default:
		return "55+"
	}
}

// Count counts visits into one MonthFigures. Callers pass one month's
// visits; Month is taken from the first.
func Count(visits []workflows.Visit) MonthFigures {
	var f MonthFigures
	for _, v := range visits {
		f.Add(v)
	}
	return f
}

// MonthOf is the "YYYY-MM" month of a visit's ISO date.
func MonthOf(v workflows.Visit) string {
	if len(v.Date) < 7 {
		return ""
	}
	return v.Date[:7]
}

// inc adds n (which may be negative) to m[key]; a count that reaches 0 is
// removed, and an empty map becomes nil, so figures changed back and forth
// equal figures counted afresh.
func inc(m *map[string]int, key string, n int) {
	if key == "" || n == 0 {
		return
	}
	if *m == nil {
		*m = map[string]int{}
	}
	if (*m)[key] += n; (*m)[key] == 0 {
		delete(*m, key)
		if len(*m) == 0 {
			*m = nil
		}
	}
}

// Add counts one visit into f.
func (f *MonthFigures) Add(v workflows.Visit) {
	if f.Month == "" {
		f.Month = MonthOf(v)
	}
	a := v.Fields
	f.Visits++
	inc(&f.Method, a["method"].Text, 1)
	inc(&f.Reason, a["reason"].Text, 1)
	inc(&f.Location, a["location"].Text, 1)
	inc(&f.Contact, a["contact"].Text, 1)
	if a["contact"].Text == "contact" {
		f.Contacts++
	}
	onsite := a["onsite"].List
	if n := a["food_packages"].Number; n != nil && slices.Contains(onsite, "food_packages") {
		f.FoodPackages += *n
	}
	if slices.Contains(onsite, "referral") {
		for _, to := range a["referral"].List {
			inc(&f.Referral, to, 1)
		}
	}
	for _, party := range a["discussed_with"].List {
		inc(&f.Discussed, party, 1)
	}
	for _, p := range v.Persons {
		f.Persons++
		inc(&f.Nationality, p["nationality"].Text, 1)
		inc(&f.Gender, p["gender"].Text, 1)
		inc(&f.AgeBand, AgeBand(p["age"].Number), 1)
		inc(&f.MetBefore, p["met_before"].Text, 1)
		if p["trafficking_suspected"].Text == "yes" {
			f.Trafficking++
		}
		if p["health_issue_self"].Text == "yes" {
			f.HealthSelf++
		}
		if p["health_issue_observed"].Text == "yes" {
			f.HealthObserved++
		}
		inc(&f.CrisisSymptoms, p["crisis_symptoms"].Text, 1)
	}
}

// Merge adds o's counts to f (Month stays f's).
func (f *MonthFigures) Merge(o MonthFigures) { f.combine(o, 1) }

// Sub takes o's counts from f (Month stays f's): what a visit counted for
// leaves its month when it is edited or deleted.
func (f *MonthFigures) Sub(o MonthFigures) { f.combine(o, -1) }

func (f *MonthFigures) combine(o MonthFigures, sign int) {
	if f.Month == "" {
		f.Month = o.Month
	}
	f.Visits += sign * o.Visits
	f.Contacts += sign * o.Contacts
	f.FoodPackages += sign * o.FoodPackages
	f.Persons += sign * o.Persons
	f.Trafficking += sign * o.Trafficking
	f.HealthSelf += sign * o.HealthSelf
	f.HealthObserved += sign * o.HealthObserved
	for _, m := range []struct {
		dst *map[string]int
		src map[string]int
	}{
		{&f.Method, o.Method}, {&f.Reason, o.Reason}, {&f.Location, o.Location}, {&f.Contact, o.Contact},
		{&f.Referral, o.Referral}, {&f.Discussed, o.Discussed}, {&f.Nationality, o.Nationality},
		{&f.Gender, o.Gender}, {&f.AgeBand, o.AgeBand}, {&f.MetBefore, o.MetBefore}, {&f.CrisisSymptoms, o.CrisisSymptoms},
	} {
		for k, n := range m.src {
			inc(m.dst, k, sign*n)
		}
	}
}

// PersonFigures are f's counts of the persons met (Skema 2) alone: what
// retention keeps of a visit when it deletes the visit's persons.
func (f MonthFigures) PersonFigures() MonthFigures {
	return MonthFigures{
		Month: f.Month, Persons: f.Persons, Nationality: f.Nationality, Gender: f.Gender, AgeBand: f.AgeBand,
		MetBefore: f.MetBefore, Trafficking: f.Trafficking, HealthSelf: f.HealthSelf,
		HealthObserved: f.HealthObserved, CrisisSymptoms: f.CrisisSymptoms,
	}
}

// VisitFigures are f's counts of the visits' own answers (Skema 1) alone,
// which stay in the visit after retention.
func (f MonthFigures) VisitFigures() MonthFigures {
	return MonthFigures{
		Month: f.Month, Visits: f.Visits, Contacts: f.Contacts, Method: f.Method, Reason: f.Reason,
		Location: f.Location, Contact: f.Contact, FoodPackages: f.FoodPackages, Referral: f.Referral,
		Discussed: f.Discussed,
	}
}

// Counted is what a stored visit adds to its month's stored figures: all
// of Count, or, for a visit flagged FlagPersonDataDeleted, its Skema 1
// figures only. Its persons were counted when it had them and stay in the
// month's figures after retention deleted them; persons an edit gives such
// a visit again are not counted a second time (retention deletes them
// again). A store adds Counted of a visit it saves and takes away Counted
// of the visit it replaces or deletes, so a month's figures are always
// the sum of Counted over its visits plus the persons retention took.
func Counted(v workflows.Visit) MonthFigures {
	var f MonthFigures
	f.Add(v)
	if slices.Contains(v.Flags, FlagPersonDataDeleted) {
		return f.VisitFigures()
	}
	return f
}
