package records

import (
	"cmp"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"beredskab/workflows"
)

// Period is the months a report covers, From to To inclusive, as
// "YYYY-MM". Reports go by whole months because the figures of months whose
// person data was deleted are kept per month.
type Period struct {
	From, To string
}

const monthLayout = "2006-01"

// Year is the period of one calendar year.
func Year(y int) Period {
	return Period{From: fmt.Sprintf("%04d-01", y), To: fmt.Sprintf("%04d-12", y)}
}

// ParsePeriod reads the arguments of /report and `beredskab report`: none
// (the current year, by now), a year ("2026"), or a first and last month
// ("2026-01 2026-06"; a year alone stands for its first or last month).
func ParsePeriod(args []string, now time.Time) (Period, error) {
	switch len(args) {
	case 0:
		return Year(now.Year()), nil
	case 1:
		y, err := parseYear(args[0])
		if err != nil {
			return Period{}, err
		}
		return Year(y), nil
	case 2:
		from, err := parseMonth(args[0], false)
		if err != nil {
			return Period{}, err
		}
		to, err := parseMonth(args[1], true)
		if err != nil {
			return Period{}, err
		}
		if to < from {
			return Period{}, fmt.Errorf("the period ends (%s) before it begins (%s)", to, from)
		}
		return Period{From: from, To: to}, nil
	}
	return Period{}, fmt.Errorf("want a year or a first and last month, got %d arguments", len(args))
}

func parseYear(s string) (int, error) {
	y, err := strconv.Atoi(s)
	if err != nil || len(s) != 4 || y < 2000 || y > 2999 {
		return 0, fmt.Errorf("%q is not a year like 2026", s)
	}
	return y, nil
}

func parseMonth(s string, last bool) (string, error) {
	if y, err := parseYear(s); err == nil {
		if last {
			return fmt.Sprintf("%04d-12", y), nil
		}
		return fmt.Sprintf("%04d-01", y), nil
	}
	if t, err := time.Parse(monthLayout, s); err == nil && len(s) == 7 && t.Year() >= 2000 {
		return s, nil
	}
	return "", fmt.Errorf("%q is not a year (2026) or a month (2026-03)", s)
}

// Months lists the months of the period in order.
func (p Period) Months() []string {
	from, err1 := time.Parse(monthLayout, p.From)
	to, err2 := time.Parse(monthLayout, p.To)
	if err1 != nil || err2 != nil {
		return nil
	}
	var out []string
	for m := from; !m.After(to); m = m.AddDate(0, 1, 0) {
		out = append(out, m.Format(monthLayout))
	}
	return out
}

// Dates is the first and last day of the period as ISO dates, the range
// the store lists visits by.
func (p Period) Dates() (from, to string) {
	t, err := time.Parse(monthLayout, p.To)
	if err != nil {
		return p.From + "-01", p.To + "-31"
	}
	return p.From + "-01", t.AddDate(0, 1, -1).Format("2006-01-02")
}

// Contains reports whether month ("YYYY-MM") is in the period.
func (p Period) Contains(month string) bool { return month >= p.From && month <= p.To }

// String names the period: "2026" for a calendar year, else "2026-01 – 2026-06".
func (p Period) String() string {
	if strings.HasSuffix(p.From, "-01") && strings.HasSuffix(p.To, "-12") && p.From[:4] == p.To[:4] {
		return p.From[:4]
	}
	return p.From + " – " + p.To
}

// Slug names the period in a file name: "2026" or "2026-01_2026-06".
func (p Period) Slug() string {
	return strings.ReplaceAll(p.String(), " – ", "_")
}

// Tally counts the visits of the period month by month as they stream from
// the store, holding one MonthFigures per month and never the visits.
// Visits flagged FlagPersonDataDeleted are left out: their figures are kept.
func Tally(visits iter.Seq2[workflows.Visit, error], p Period) ([]MonthFigures, error) {
	byMonth := map[string]*MonthFigures{}
	for v, err := range visits {
		if err != nil {
			return nil, fmt.Errorf("count visits: %w", err)
		}
		m := MonthOf(v)
		if !p.Contains(m) || slices.Contains(v.Flags, FlagPersonDataDeleted) {
			continue
		}
		f, ok := byMonth[m]
		if !ok {
			f = &MonthFigures{Month: m}
			byMonth[m] = f
		}
		f.Add(v)
	}
	out := make([]MonthFigures, 0, len(byMonth))
	for _, f := range byMonth {
		out = append(out, *f)
	}
	slices.SortFunc(out, func(a, b MonthFigures) int { return cmp.Compare(a.Month, b.Month) })
	return out, nil
}

// Report is the statistics of a period: every month's figures (zero where
// nothing was registered) and their total.
type Report struct {
	Period Period
	Months []MonthFigures
	Total  MonthFigures
	// Kept lists the months answered from stored aggregates.
	Kept []string
}

// NewReport combines the two sources of figures: kept, the figures stored
// for the visits whose person data retention deleted, and live, the figures
// counted from the visits that still have theirs (Tally). A month's figures
// are the sum of both.
func NewReport(p Period, kept, live []MonthFigures) Report {
	var keptMonths []string
	for _, f := range kept {
		keptMonths = append(keptMonths, f.Month)
	}
	return FromFigures(p, slices.Concat(kept, live), keptMonths)
}

// FromFigures is the report of a period from figures by month (several
// for one month are summed; months outside the period are left out), as a
// store that keeps them hands them over; kept names the months whose person
// data retention deleted, for the report's note on them.
func FromFigures(p Period, figures []MonthFigures, kept []string) Report {
	r := Report{Period: p, Total: MonthFigures{Month: p.String()}}
	by := map[string]MonthFigures{}
	for _, f := range figures {
		g := by[f.Month]
		g.Merge(f)
		by[f.Month] = g
	}
	isKept := map[string]bool{}
	for _, m := range kept {
		isKept[m] = true
	}
	for _, m := range p.Months() {
		if isKept[m] {
			r.Kept = append(r.Kept, m)
		}
		f := by[m]
		f.Month = m
		r.Months = append(r.Months, f)
		r.Total.Merge(f)
	}
	return r
}

// labels are the Danish and English words for the canonical ids of each
// field the report counts, from the forms themselves.
var labels = sync.OnceValue(func() map[string]map[string]workflows.Text {
	out := map[string]map[string]workflows.Text{}
	for _, f := range forms() {
		for _, q := range f.Questions {
			if len(q.Choices) == 0 {
				continue
			}
			m := map[string]workflows.Text{}
			for _, c := range q.Choices {
				m[c.ID] = c.Label
			}
			out[q.ID] = m
		}
	}
	return out
})

// Label is the word for a choice id of a field in lang; the id itself when
// the forms do not know it. Nationalities are country names.
func Label(field, id string, lang workflows.Lang) string {
	if field == "nationality" {
		return workflows.CountryName(id, lang)
	}
	if t, ok := labels()[field][id]; ok {
		return t.In(lang)
	}
	return id
}

// order gives the keys of m in the form's choice order, then the rest
// sorted, so tables read like the paper form.
func order(field string, m map[string]int) []string {
	var out []string
	if field == "age_band" {
		out = slices.Clone(AgeBands)
	} else if q, ok := questionOf(field); ok {
		for _, c := range q.Choices {
			out = append(out, c.ID)
		}
	}
	rest := slices.Sorted(maps.Keys(m))
	for _, k := range rest {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

var forms = sync.OnceValue(func() []*workflows.Form {
	return []*workflows.Form{workflows.VisitForm(), workflows.PersonForm()}
})

func questionOf(id string) (*workflows.Question, bool) {
	for _, f := range forms() {
		if q, ok := f.Question(id); ok {
			return q, true
		}
	}
	return nil, false
}

// percent is n of total as a whole percentage, "–" when total is 0.
func percent(n, total int) string {
	if total == 0 {
		return "–"
	}
	return strconv.Itoa((n*100+total/2)/total) + " %"
}

// Markdown writes the report in lang: visits by method, reason, location,
// contact and month, the contact rate, the persons met by nationality (top
// 10), gender, age band and met before, suspicion and health, crisis
// symptoms, food packages, referrals and discussions afterwards. It holds
// counts only.
func (r Report) Markdown(lang workflows.Lang) string {
	t := func(da, en string) string { return workflows.Text{Da: da, En: en}.In(lang) }
	tot := r.Total
	var b strings.Builder
	fmt.Fprintf(&b, "# %s %s\n\n", t("Statistik", "Statistics"), r.Period)
	fmt.Fprintf(&b, "%s: %s – %s.", t("Perioden", "The period"), r.Period.From, r.Period.To)
	if len(r.Kept) > 0 {
		fmt.Fprintf(&b, " %s: %s.", t("Fra gemte månedstal (personoplysninger slettet)", "From kept monthly figures (person data deleted)"),
			strings.Join(r.Kept, ", "))
	}
	b.WriteString("\n\n")

	fmt.Fprintf(&b, "## %s\n\n", t("Besøg", "Visits"))
	fmt.Fprintf(&b, "- %s: %d\n", t("Besøg i alt", "Visits in all"), tot.Visits)
	fmt.Fprintf(&b, "- %s: %d (%s: %s)\n", t("Besøg med kontakt", "Visits with contact"), tot.Contacts,
		t("kontaktrate", "contact rate"), percent(tot.Contacts, tot.Visits))
	table := func(title, field string, m map[string]int, total int, top int) {
		fmt.Fprintf(&b, "\n### %s\n\n| %s | %s | %s |\n|---|--:|--:|\n", title, title, t("Antal", "Count"), t("Andel", "Share"))
		keys := order(field, m)
		if top > 0 {
			keys = slices.Collect(maps.Keys(m))
			slices.SortFunc(keys, func(a, c string) int {
				return cmp.Or(cmp.Compare(m[c], m[a]), cmp.Compare(a, c))
			})
		}
		rest, shown := 0, 0
		for _, k := range keys {
			if top > 0 && shown == top {
				rest += m[k]
				continue
			}
			if m[k] == 0 { // the paper form's other choices, never chosen
				continue
			}
			shown++
			fmt.Fprintf(&b, "| %s | %d | %s |\n", Label(field, k, lang), m[k], percent(m[k], total))
		}
		if rest > 0 {
			fmt.Fprintf(&b, "| %s | %d | %s |\n", t("Øvrige", "Others"), rest, percent(rest, total))
		}
	}
	table(t("Metode", "Method"), "method", tot.Method, tot.Visits, 0)
	table(t("Årsag", "Reason"), "reason", tot.Reason, tot.Visits, 0)
	table(t("Lokation", "Location"), "location", tot.Location, tot.Visits, 0)
	table(t("Kontakt", "Contact"), "contact", tot.Contact, tot.Visits, 0)

	fmt.Fprintf(&b, "\n### %s\n\n| %s | %s | %s | %s |\n|---|--:|--:|--:|\n", t("Pr. måned", "By month"),
		t("Måned", "Month"), t("Besøg", "Visits"), t("Med kontakt", "With contact"), t("Personer", "Persons"))
	for _, m := range r.Months {
		fmt.Fprintf(&b, "| %s | %d | %d | %d |\n", m.Month, m.Visits, m.Contacts, m.Persons)
	}

	fmt.Fprintf(&b, "\n## %s\n\n- %s: %d\n", t("Personer mødt", "Persons met"), t("Personer i alt", "Persons in all"), tot.Persons)
	table(t("Nationalitet (top 10)", "Nationality (top 10)"), "nationality", tot.Nationality, tot.Persons, 10)
	table(t("Køn", "Gender"), "gender", tot.Gender, tot.Persons, 0)
	table(t("Alder", "Age"), "age_band", tot.AgeBand, tot.Persons, 0)
	table(t("Mødt før", "Met before"), "met_before", tot.MetBefore, tot.Persons, 0)

	fmt.Fprintf(&b, "\n## %s\n\n| %s | %s | %s |\n|---|--:|--:|\n", t("Mistanke og sundhed", "Suspicion and health"),
		t("Personer med", "Persons with"), t("Antal", "Count"), t("Andel", "Share"))
	for _, row := range []struct {
		label string
		n     int
	}{
		{t("Mistanke om menneskehandel", "Suspected trafficking"), tot.Trafficking},
		{t("Sundhedsproblemer ifølge personen selv", "Health issues by their own account"), tot.HealthSelf},
		{t("Tydelige tegn på sundhedsproblemer (observeret)", "Clear signs of health issues (observed)"), tot.HealthObserved},
		{t("Symptomer på krisens sygdom", "Symptoms of the crisis disease"), tot.CrisisSymptoms["yes"]},
		{t("Mistanke om symptomer", "Suspected symptoms"), tot.CrisisSymptoms["suspected"]},
	} {
		fmt.Fprintf(&b, "| %s | %d | %s |\n", row.label, row.n, percent(row.n, tot.Persons))
	}
	asked := tot.CrisisSymptoms["yes"] + tot.CrisisSymptoms["suspected"] + tot.CrisisSymptoms["no"]
	fmt.Fprintf(&b, "\n%s: %d.\n", t("Personer spurgt om symptomer under en krise", "Persons asked about symptoms during a crisis"), asked)

	fmt.Fprintf(&b, "\n## %s\n\n| %s | %s |\n|---|--:|\n", t("Indsats", "Help given"), t("Indsats", "Help"), t("Antal", "Count"))
	fmt.Fprintf(&b, "| %s | %d |\n", t("Madpakker uddelt", "Food packages handed out"), tot.FoodPackages)
	for _, to := range []string{"hospital", "dentist", "other"} {
		fmt.Fprintf(&b, "| %s: %s | %d |\n", t("Besøg med henvisning til", "Visits with a referral to"),
			strings.ToLower(Label("referral", to, lang)), tot.Referral[to])
	}
	for _, party := range []string{"cmm_social_worker", "police", "doctor", "other"} {
		fmt.Fprintf(&b, "| %s: %s | %d |\n", t("Drøftet efterfølgende med", "Discussed afterwards with"),
			Label("discussed_with", party, lang), tot.Discussed[party])
	}
	return b.String()
}
