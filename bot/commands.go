package bot

import (
	"context"
	"slices"
	"strings"

	"beredskab/workflows"
)

// Command is one thing the bot can be asked to do, as a slash command or a
// plain message in the direct conversation. Run gets the parsed request and
// does the work; commands stay thin and hand work to the services.
type Command struct {
	// Name is the English name, Names all the words that call it (Danish
	// and English, with and without Danish letters).
	Name    string
	Names   []string
	Roles   []Role
	Summary text
	// Coordinators is added to the summary for coordinators and admins.
	Coordinators text
	Run          func(ctx context.Context, req Request) error
}

// Request is a message from a known staff member, parsed into a command and
// its arguments.
type Request struct {
	Message
	Staff Staff
	Args  string
	// Slash marks a slash command, as opposed to a plain message.
	Slash bool
}

// Lang is the language to answer the request in.
func (r Request) Lang() workflows.Lang { return r.Staff.Lang }

// commands lists what the bot can do, in the order help shows it.
func (b *Bot) commands() []Command {
	all := []Role{Midwife, Coordinator, Admin}
	return []Command{
		{Name: "visit", Names: []string{"visit", "besøg", "besog", "besoeg", "registrer", "register"}, Roles: all,
			Summary: text{Da: "/besøg – registrér et besøg (Skema 1 og 2); «/besøg opfølgning 2026-0042» følger et besøg op", En: "/visit – register a visit (forms 1 and 2); «/visit follow-up 2026-0042» follows a visit up"},
			Run:     b.startVisit},
		{Name: "crisis", Names: []string{"crisis", "krise"}, Roles: all,
			Summary:      text{Da: "/krise – beredskabsplanen som tjekliste: status, check, uncheck, skip, assign, note, report, list, sms", En: "/crisis – the crisis plan as a checklist: status, check, uncheck, skip, assign, note, report, list, sms"},
			Coordinators: text{Da: "; som koordinator også start, reopen, end", En: "; as a coordinator also start, reopen, end"},
			Run:          b.crisis},
		{Name: "reminder", Names: []string{"reminder", "remind", "påmind", "paamind", "pamind", "husk"}, Roles: all,
			Summary: text{Da: "/påmind <hvornår> <tekst> – fx «/påmind i morgen kl 9 ring til klinikken»", En: "/reminder <when> <text> – e.g. «/reminder tomorrow 9:00 call the clinic»"},
			Run:     b.remind},
		{Name: "reminders", Names: []string{"reminders", "påmindelser", "paamindelser", "pamindelser"}, Roles: all,
			Summary: text{Da: "/påmindelser – dine påmindelser; «/påmindelser slet 2» sletter nr. 2", En: "/reminders – your reminders; «/reminders cancel 2» cancels no. 2"},
			Run:     b.reminderList},
		{Name: "drill", Names: []string{"drill", "øvelse", "ovelse", "oevelse"}, Roles: all,
			Summary:      text{Da: "/øvelse status – hvornår planen sidst blev gennemgået, og hvornår igen", En: "/drill status – when the plan was last reviewed, and when next"},
			Coordinators: text{Da: "; «/øvelse udført» registrerer den", En: "; «/drill done» records it"},
			Run:          b.drill},
		{Name: "visits", Names: []string{"visits", "besøgsliste", "besogsliste", "besoegsliste"}, Roles: all,
			Summary:      text{Da: "/besøgsliste – dine seneste besøg; «/besøgsliste 2026-0042» retter et", En: "/visits – your recent visits; «/visits 2026-0042» changes one"},
			Coordinators: text{Da: " (alle besøg); «/besøgsliste slet 2026-0042 <begrundelse>» sletter et", En: " (all visits); «/visits delete 2026-0042 <reason>» deletes one"},
			Run:          b.visits},
		{Name: "report", Names: []string{"report", "rapport", "statistik", "statistics"}, Roles: []Role{Coordinator, Admin},
			Summary: text{Da: "/rapport [år | fra til] – statistik med diagram, fx «/rapport 2026» eller «/rapport 2026-01 2026-06»", En: "/report [year | from to] – statistics with a chart, e.g. «/report 2026» or «/report 2026-01 2026-06»"},
			Run:     b.report},
		{Name: "export", Names: []string{"export", "eksport", "eksportér", "eksporter"}, Roles: []Role{Coordinator, Admin},
			Summary: text{Da: "/export [år] – besøgene som Excel-fil, fx «/export 2026»", En: "/export [year] – the visits as an Excel file, e.g. «/export 2026»"},
			Run:     b.exportFile},
		{Name: "cancel", Names: []string{"cancel", "afbryd"}, Roles: all,
			Summary: text{Da: "afbryd – afbryd registreringen i gang", En: "cancel – cancel the registration in progress"},
			Run:     b.cancelOutsideDraft},
		{Name: "help", Names: []string{"help", "hjælp", "hjaelp", "hjalp"}, Roles: all,
			Summary: text{Da: "/hjælp – denne liste", En: "/help – this list"},
			Run:     b.help},
	}
}

// findCommand matches the first word of a message against every command's
// names.
func (b *Bot) findCommand(word string) (Command, bool) {
	word = strings.ToLower(word)
	for _, c := range b.commands() {
		if slices.Contains(c.Names, word) {
			return c, true
		}
	}
	return Command{}, false
}

// closestCommand suggests the command a mistyped word was probably meant as.
func (b *Bot) closestCommand(word string) string {
	best, bestD := "", 3
	for _, c := range b.commands() {
		for _, n := range c.Names {
			if d := workflows.EditDistance(strings.ToLower(word), n); d < bestD {
				best, bestD = n, d
			}
		}
	}
	return best
}

func (c Command) allows(r Role) bool { return slices.Contains(c.Roles, r) }

// help lists what the user's role may do.
func (b *Bot) help(ctx context.Context, req Request) error {
	lang := req.Lang()
	lines := []string{fmtText(txtHelpHead, lang, req.Staff.Role)}
	for _, c := range b.commands() {
		if !c.allows(req.Staff.Role) {
			continue
		}
		line := "• " + c.Summary.In(lang)
		if req.Staff.Role != Midwife {
			line += c.Coordinators.In(lang)
		}
		lines = append(lines, line)
	}
	lines = append(lines, txtHelpFoot.In(lang))
	return b.reply(ctx, req.Message, Reply{Text: strings.Join(lines, "\n")})
}

func (b *Bot) cancelOutsideDraft(ctx context.Context, req Request) error {
	return b.reply(ctx, req.Message, Reply{Text: txtNothingToStop.In(req.Lang())})
}
