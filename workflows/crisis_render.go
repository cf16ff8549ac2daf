package workflows

import (
	"fmt"
	"strings"
	"time"
)

var (
	txtPhase = map[Phase]Text{
		PhaseActive:    {"aktiv", "active"},
		PhaseReopening: {"genåbning", "reopening"},
		PhaseEnded:     {"afsluttet – evaluering", "ended – evaluation"},
	}
	txtState = map[ItemState]string{ItemOpen: "☐", ItemDone: "☑", ItemSkipped: "⊘"}
)

// Names turns a chat user id into what the team calls the person (initials
// from the roster).
type Names func(user string) string

// ShortTime writes a time as "4.12. 10:05" in the team's time zone.
func ShortTime(t time.Time, loc *time.Location) string {
	t = t.In(loc)
	return fmt.Sprintf("%d.%d. %02d:%02d", t.Day(), int(t.Month()), t.Hour(), t.Minute())
}

// RenderChecklist writes the checklist message of a run: crisis, phase,
// every item with its state, assignee, who checked it when, and notes. A
// read-only copy (broadcast channels) leaves out the command hints.
func RenderChecklist(r CrisisRun, lang Lang, names Names, loc *time.Location, readOnly bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s · %s: %s\n", Text{"🚨 Krise:", "🚨 Crisis:"}.In(lang), r.Disease,
		Text{"fase", "phase"}.In(lang), txtPhase[r.Phase].In(lang))
	fmt.Fprintf(&b, "%s %s %s %s\n", Text{"Startet", "Started"}.In(lang), ShortTime(r.Started, loc),
		Text{"af", "by"}.In(lang), names(r.StartedBy))
	if r.Phase == PhaseEnded {
		b.WriteString(renderItems(r.Items, CrisisPlan, lang, names, loc, true))
		b.WriteString("\n" + Text{"Evaluering:", "Evaluation:"}.In(lang) + "\n")
		b.WriteString(renderItems(r.Evaluation, EvaluationChecklist, lang, names, loc, false))
	} else {
		b.WriteString(renderItems(r.Items, CrisisPlan, lang, names, loc, false))
	}
	if !readOnly {
		b.WriteString(Text{"Skriv fx «/krise check 3», «/krise assign 3 MK», «/krise note 3 tekst».",
			"Type e.g. «/crisis check 3», «/crisis assign 3 MK», «/crisis note 3 text»."}.In(lang))
	} else {
		b.WriteString(Text{"(Kopi til orientering – opdateres automatisk.)", "(Copy for information – kept up to date.)"}.In(lang))
	}
	return b.String()
}

func renderItems(items []ChecklistItem, plan []PlanItem, lang Lang, names Names, loc *time.Location, brief bool) string {
	var b strings.Builder
	for i, it := range items {
		p := plan[i]
		fmt.Fprintf(&b, "%d. %s %s", i+1, txtState[it.State], p.Title.In(lang))
		if !brief {
			b.WriteString(" – " + p.Summary.In(lang))
		}
		var who []string
		if it.Assignee != "" {
			who = append(who, Text{"ansvarlig", "assigned"}.In(lang)+": "+names(it.Assignee))
		}
		if it.State != ItemOpen {
			who = append(who, txtState[it.State]+" "+names(it.CheckedBy)+" "+ShortTime(it.CheckedAt, loc))
		}
		if len(who) > 0 {
			b.WriteString("\n   " + strings.Join(who, " · "))
		}
		if !brief {
			for _, n := range it.Notes {
				fmt.Fprintf(&b, "\n   💬 %s (%s %s)", n.Text, names(n.By), ShortTime(n.At, loc))
			}
			switch p.Annex {
			case AnnexSMS:
				b.WriteString("\n   " + Text{"Bilag 1: SMS-skabelon – «/krise sms»", "Annex 1: SMS template – «/crisis sms»"}.In(lang))
			case AnnexMealPacket:
				b.WriteString("\n   " + Text{"Bilag 2, måltidspakke: ", "Annex 2, meal package: "}.In(lang) + mealPacket(lang))
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

func mealPacket(lang Lang) string {
	parts := make([]string, len(MealPacket))
	for i, m := range MealPacket {
		parts[i] = m.In(lang)
	}
	return strings.Join(parts, ", ")
}
