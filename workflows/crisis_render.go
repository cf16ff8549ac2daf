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

// ChecklistView is how a checklist message is rendered: language, names,
// time zone, whether it is a read-only copy (broadcast channels: no command
// hints and no notes, which stay with the team) and the filled SMS of
// Bilag 1 that point 1 carries.
type ChecklistView struct {
	Lang     Lang
	Names    Names
	Location *time.Location
	ReadOnly bool
	SMS      string
}

// RenderChecklist writes the checklist message of a run: crisis, phase,
// every item with its state, assignee, who checked it when, and notes.
func RenderChecklist(r CrisisRun, v ChecklistView) string {
	lang := v.Lang
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s · %s: %s\n", Text{"🚨 Krise:", "🚨 Crisis:"}.In(lang), r.Disease,
		Text{"fase", "phase"}.In(lang), txtPhase[r.Phase].In(lang))
	fmt.Fprintf(&b, "%s %s %s %s\n", Text{"Startet", "Started"}.In(lang), ShortTime(r.Started, v.Location),
		Text{"af", "by"}.In(lang), v.Names(r.StartedBy))
	if r.Phase == PhaseEnded {
		// The plan's items lose their numbers: "check 1" now means the
		// evaluation's first item.
		b.WriteString(renderItems(r.Items, CrisisPlan, v, true))
		b.WriteString("\n" + Text{"Evaluering:", "Evaluation:"}.In(lang) + "\n")
		b.WriteString(renderItems(r.Evaluation, EvaluationChecklist, v, false))
	} else {
		b.WriteString(renderItems(r.Items, CrisisPlan, v, false))
	}
	if !v.ReadOnly {
		b.WriteString(Text{"Skriv fx «/krise check 3», «/krise assign 3 MK», «/krise note 3 tekst».",
			"Type e.g. «/crisis check 3», «/crisis assign 3 MK», «/crisis note 3 text»."}.In(lang))
	} else {
		b.WriteString(Text{"(Kopi til orientering – opdateres automatisk.)", "(Copy for information – kept up to date.)"}.In(lang))
	}
	return b.String()
}

func renderItems(items []ChecklistItem, plan []PlanItem, v ChecklistView, brief bool) string {
	lang, names, loc := v.Lang, v.Names, v.Location
	var b strings.Builder
	for i, it := range items {
		p := plan[i]
		if brief {
			fmt.Fprintf(&b, "• %s %s", txtState[it.State], p.Title.In(lang))
		} else {
			fmt.Fprintf(&b, "%d. %s %s – %s", i+1, txtState[it.State], p.Title.In(lang), p.Summary.In(lang))
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
			if !v.ReadOnly {
				for _, n := range it.Notes {
					fmt.Fprintf(&b, "\n   💬 %s (%s %s)", n.Text, names(n.By), ShortTime(n.At, loc))
				}
			}
			switch p.Annex {
			case AnnexSMS:
				b.WriteString("\n   " + Text{"Bilag 1, SMS («/krise sms» for andre sprog og længde): ", "Annex 1, SMS («/crisis sms» for other languages and length): "}.In(lang))
				if v.SMS != "" {
					b.WriteString("«" + v.SMS + "»")
				}
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
