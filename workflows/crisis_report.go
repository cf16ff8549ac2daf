package workflows

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// CrisisFigures are the numbers of the visits registered during a run.
type CrisisFigures struct {
	Visits, Contacts, Persons           int
	Symptoms, SuspectedSymptoms, Advice int
	FoodPackages                        int
	Referrals                           int
	ReferralsTo                         map[string]int
}

// FigureVisits counts the visits that recorded the run.
func FigureVisits(run CrisisRun, visits []Visit) CrisisFigures {
	f := CrisisFigures{ReferralsTo: map[string]int{}}
	for _, v := range visits {
		if v.Crisis == nil || v.Crisis.ID != run.ID {
			continue
		}
		f.Visits++
		if v.Fields["contact"].Text == "contact" {
			f.Contacts++
		}
		f.Persons += len(v.Persons)
		for _, p := range v.Persons {
			switch p["crisis_symptoms"].Text {
			case "yes":
				f.Symptoms++
			case "suspected":
				f.SuspectedSymptoms++
			}
			if p["crisis_advice_given"].Text == "yes" {
				f.Advice++
			}
		}
		if n := v.Fields["food_packages"].Number; n != nil {
			f.FoodPackages += *n
		}
		if slices.Contains(v.Fields["onsite"].List, "referral") {
			f.Referrals++
			for _, to := range v.Fields["referral"].List {
				f.ReferralsTo[to]++
			}
		}
	}
	return f
}

// CrisisReport writes the Markdown report of a run: dates and phases, each
// item with who and when, the timeline, and the figures of the visits
// registered during it. It holds no person data: staff initials, checklist
// notes and counts only.
func CrisisReport(run CrisisRun, visits []Visit, lang Lang, names Names, loc *time.Location) string {
	t := func(da, en string) string { return Text{da, en}.In(lang) }
	when := func(x time.Time) string {
		if x.IsZero() {
			return "–"
		}
		return LongDate(x.In(loc), lang) + " " + x.In(loc).Format("15:04")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# %s %s (%s)\n\n", t("Krise:", "Crisis:"), run.Disease, run.ID)
	fmt.Fprintf(&b, "- %s: %s\n", t("Fase", "Phase"), txtPhase[run.Phase].In(lang))
	fmt.Fprintf(&b, "- %s: %s (%s)\n", t("Startet", "Started"), when(run.Started), names(run.StartedBy))
	fmt.Fprintf(&b, "- %s: %s\n", t("Genåbning", "Reopening"), when(run.Reopened))
	fmt.Fprintf(&b, "- %s: %s\n", t("Afsluttet", "Ended"), when(run.Ended))
	if run.Phase == PhaseEnded {
		done := t("nej", "no")
		if run.EvaluationDone() {
			done = t("ja", "yes")
		}
		fmt.Fprintf(&b, "- %s: %s\n", t("Evaluering gennemført", "Evaluation done"), done)
	}
	section := func(title string, items []ChecklistItem, plan []PlanItem) {
		fmt.Fprintf(&b, "\n## %s\n\n| # | %s | %s | %s | %s |\n|---|---|---|---|---|\n", title,
			t("Punkt", "Item"), t("Status", "State"), t("Ansvarlig", "Assigned"), t("Afkrydset", "Checked"))
		for i, it := range items {
			checked := "–"
			if it.State != ItemOpen {
				checked = names(it.CheckedBy) + ", " + ShortTime(it.CheckedAt, loc)
			}
			assignee := "–"
			if it.Assignee != "" {
				assignee = names(it.Assignee)
			}
			fmt.Fprintf(&b, "| %d | %s | %s | %s | %s |\n", i+1, plan[i].Title.In(lang), stateWord(it.State, lang), assignee, checked)
		}
	}
	section(t("Beredskabsplanen", "The crisis plan"), run.Items, CrisisPlan)
	if run.Phase == PhaseEnded {
		section(t("Evaluering", "Evaluation"), run.Evaluation, EvaluationChecklist)
	}

	f := FigureVisits(run, visits)
	fmt.Fprintf(&b, "\n## %s\n\n| %s | %s |\n|---|---|\n", t("Registrerede besøg under krisen", "Visits registered during the crisis"),
		t("Tal", "Figure"), t("Antal", "Count"))
	rows := []struct {
		label string
		n     int
	}{
		{t("Besøg", "Visits"), f.Visits},
		{t("Besøg med kontakt", "Visits with contact"), f.Contacts},
		{t("Personer mødt", "Persons met"), f.Persons},
		{t("Personer med symptomer", "Persons with symptoms"), f.Symptoms},
		{t("Personer med mistanke om symptomer", "Persons with suspected symptoms"), f.SuspectedSymptoms},
		{t("Personer rådgivet om sygdommen", "Persons advised about the disease"), f.Advice},
		{t("Madpakker uddelt", "Food packages handed out"), f.FoodPackages},
		{t("Besøg med henvisning", "Visits with a referral"), f.Referrals},
		{t("– til sygehus", "– to hospital"), f.ReferralsTo["hospital"]},
		{t("– til tandlæge", "– to a dentist"), f.ReferralsTo["dentist"]},
		{t("– andet", "– other"), f.ReferralsTo["other"]},
	}
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %d |\n", r.label, r.n)
	}

	fmt.Fprintf(&b, "\n## %s\n\n", t("Tidslinje", "Timeline"))
	for _, e := range run.Timeline {
		fmt.Fprintf(&b, "- %s %s: %s\n", ShortTime(e.At, loc), names(e.By), timelineText(e, lang, names))
	}
	return b.String()
}

func stateWord(s ItemState, lang Lang) string {
	return map[ItemState]Text{ItemOpen: {"åben", "open"}, ItemDone: {"udført", "done"}, ItemSkipped: {"sprunget over", "skipped"}}[s].In(lang)
}

// timelineText says what a timeline entry records.
func timelineText(e TimelineEntry, lang Lang, names Names) string {
	t := func(da, en string) string { return Text{da, en}.In(lang) }
	switch e.Action {
	case "start":
		return t("krisen startet: ", "crisis started: ") + e.Detail
	case "reopen":
		return t("genåbningsfasen begyndt", "reopening phase begun")
	case "end":
		return t("krisen afsluttet; evalueringen åbnet", "crisis ended; evaluation opened")
	case "assign":
		return fmt.Sprintf(t("punkt %d tildelt %s", "item %d assigned to %s"), e.Item, names(e.Detail))
	case "note":
		return fmt.Sprintf(t("note til punkt %d: %s", "note on item %d: %s"), e.Item, e.Detail)
	case string(ItemDone), string(ItemSkipped), string(ItemOpen):
		if e.Detail == "evaluation" {
			return fmt.Sprintf(t("evalueringspunkt %d: %s", "evaluation item %d: %s"), e.Item, stateWord(ItemState(e.Action), lang))
		}
		return fmt.Sprintf(t("punkt %d: %s", "item %d: %s"), e.Item, stateWord(ItemState(e.Action), lang))
	}
	return e.Action
}
