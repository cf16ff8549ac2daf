// Package recordstest holds visits for the tests and benchmarks of the
// statistics and the exports: a small fixed set whose figures are counted by
// hand in the tests, and a generator of any number of realistic ones.
package recordstest

import (
	"fmt"
	"iter"
	"math/rand/v2"
	"time"

	"beredskab/workflows"
)

func text(s string) workflows.Answer    { return workflows.Answer{Text: s} }
func list(s ...string) workflows.Answer { return workflows.Answer{List: s} }
func number(n int) workflows.Answer     { return workflows.Answer{Number: &n} }
func person(nat, gender string, age int, metBefore, traf, self, obs string) workflows.Answers {
	return workflows.Answers{
		"nationality": text(nat), "gender": text(gender), "age": number(age), "age_estimated": text("no"),
		"met_before": text(metBefore), "trafficking_suspected": text(traf), "health_issue_self": text(self),
		"health_issue_observed": text(obs), "escort": text("unknown"), "escort_per_ads": text("no"),
	}
}

// Fixed is six visits, five of them in 2026 (one on 30 December 2025),
// with free text that a spreadsheet would run as a formula. Their figures
// are counted by hand in records' golden test.
func Fixed() []workflows.Visit {
	created := time.Date(2026, 3, 16, 12, 0, 0, 0, time.UTC)
	v := func(id, date string, f workflows.Answers, persons ...workflows.Answers) workflows.Visit {
		f["filled_by"], f["organisation"], f["date"] = text("MK"), text("CMM"), text(date)
		return workflows.Visit{Schema: 1, ID: id, Date: date, CreatedBy: "mw", CreatedAt: created, Fields: f, Persons: persons}
	}
	p4 := person("NG", "trans", 45, "yes", "yes", "yes", "yes")
	p4["trafficking_note"] = text("=HYPERLINK(\"http://x\",\"klik\")")
	p4["crisis_symptoms"], p4["crisis_advice_given"] = text("yes"), text("yes")
	p5 := person("unknown", "man", 60, "no", "no", "no", "no")
	p5["crisis_symptoms"], p5["crisis_advice_given"] = text("suspected"), text("no")
	p1 := person("TH", "woman", 34, "no", "yes", "yes", "no")
	p1["health_issue_self_note"] = text("-hovedpine")
	v4 := v("2026-0004", "2026-03-15", workflows.Answers{"method": text("physical_visit"), "location": text("massage_clinic"),
		"address": text("@Vestergade 12, Aarhus"), "reason": text("police_request"), "reason_detail": text("+45 70 20 02 33"),
		"contact": text("contact"), "onsite": list("food_packages", "referral"), "food_packages": number(3),
		"referral": list("other"), "referral_other": text("Apotek"),
		"discussed_with": list("police", "other"), "discussed_with_who": text("AmiAmi"),
		"discussed_with_reason_police": text("=1+1")}, p4, p5)
	v4.Crisis = &workflows.CrisisRef{ID: "2026-K01", Disease: "COVID-19"}
	v4.Flags = []string{"trafficking_suspected", "referral"}
	return []workflows.Visit{
		v("2025-0031", "2025-12-30", workflows.Answers{"method": text("physical_visit"), "location": text("massage_clinic"),
			"address": text("Nørregade 1, Odense"), "reason": text("outreach"), "contact": text("contact")},
			person("TH", "woman", 30, "yes", "no", "no", "no")),
		v("2026-0001", "2026-01-10", workflows.Answers{"method": text("physical_visit"), "location": text("massage_clinic"),
			"address": text("Vestergade 12, Aarhus"), "reason": text("outreach"), "contact": text("contact"),
			"onsite": list("food_packages", "referral"), "food_packages": number(2), "referral": list("hospital", "dentist"),
			"discussed_with": list("police"), "remarks": text("Ringer igen")},
			p1, person("TH", "woman", 17, "yes", "no", "no", "yes")),
		v("2026-0002", "2026-01-20", workflows.Answers{"method": text("phone"), "location": text("other"), "location_other": text("Telefon"),
			"reason": text("follow_up"), "contact": text("contact"), "onsite": list("health_advice"),
			"discussed_with": list("cmm_social_worker", "doctor"), "discussed_with_reason_doctor": text("prøvesvar")},
			person("RO", "woman", 25, "unknown", "no", "no", "no")),
		v("2026-0003", "2026-02-03", workflows.Answers{"method": text("physical_visit"), "location": text("massage_clinic"),
			"address": text("Algade 3, Aalborg"), "reason": text("outreach"), "contact": text("no_contact_nobody")}),
		v4,
		v("2026-0005", "2026-03-16", workflows.Answers{"method": text("sms"), "location": text("other"), "location_other": text("SMS"),
			"reason": text("self_referral"), "contact": text("no_contact_activity")}),
	}
}

// Generate yields n realistic visits, dated from the first of January of
// year first on, spread evenly (about 500 a year, as the service registers),
// with 0–4 persons each when there was contact. The same seed gives the same
// visits; none is held after it is yielded.
func Generate(n int, first int, seed uint64) iter.Seq2[workflows.Visit, error] {
	return func(yield func(workflows.Visit, error) bool) {
		r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
		pick := func(s ...string) string { return s[r.IntN(len(s))] }
		nats := []string{"TH", "TH", "TH", "RO", "RO", "NG", "NG", "CN", "BG", "HU", "UA", "BR", "VN", "PH", "unknown"}
		start := time.Date(first, 1, 1, 0, 0, 0, 0, time.UTC)
		for i := range n {
			date := start.AddDate(0, 0, i*365/500)
			ds := date.Format("2006-01-02")
			contact := pick("contact", "contact", "contact", "no_contact_nobody", "no_contact_activity")
			f := workflows.Answers{
				"filled_by": text("MK"), "organisation": text("CMM"), "date": text(ds),
				"method":  text(pick("physical_visit", "physical_visit", "physical_visit", "phone", "sms", "online")),
				"reason":  text(pick("outreach", "outreach", "follow_up", "self_referral", "police_request")),
				"contact": text(contact),
			}
			if r.IntN(5) == 0 {
				f["location"], f["location_other"] = text("other"), text("Café")
			} else {
				f["location"], f["address"] = text("massage_clinic"), text(fmt.Sprintf("Vestergade %d, 8000 Aarhus C", r.IntN(90)+1))
			}
			if f["reason"].Text == "police_request" {
				f["reason_detail"] = text("Politiet i Østjylland")
			}
			v := workflows.Visit{Schema: 1, ID: fmt.Sprintf("%04d-%04d", date.Year(), i%10000+1), Date: ds, CreatedBy: "mw",
				CreatedAt: date.Add(14 * time.Hour), Fields: f}
			if contact == "contact" {
				onsite := []string{"health_advice"}
				if r.IntN(3) == 0 {
					onsite = append(onsite, "food_packages")
					f["food_packages"] = number(r.IntN(5) + 1)
				}
				if r.IntN(6) == 0 {
					onsite = append(onsite, "referral")
					f["referral"] = list(pick("hospital", "dentist", "other"))
				}
				f["onsite"] = list(onsite...)
				if r.IntN(4) == 0 {
					f["discussed_with"] = list(pick("cmm_social_worker", "police", "doctor"))
				}
				f["remarks"] = text("Alt roligt; aftalt at komme igen om to uger.")
				for range r.IntN(4) + 1 {
					p := person(pick(nats...), pick("woman", "woman", "woman", "man", "trans"), 18+r.IntN(45),
						pick("yes", "no", "unknown"), pick("no", "no", "no", "yes"), pick("no", "yes"), pick("no", "no", "yes"))
					if p["trafficking_suspected"].Text == "yes" {
						p["trafficking_note"] = text("Virker bange; passet holdes af en anden.")
					}
					v.Persons = append(v.Persons, p)
				}
			}
			if !yield(v, nil) {
				return
			}
		}
	}
}
