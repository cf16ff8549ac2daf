package workflows

import (
	"regexp"
	"unicode"
)

// Form ids, as stored and exported.
const (
	VisitFormID  = "visit"
	PersonFormID = "person"
)

func yesNo(extra ...Choice) []Choice {
	c := []Choice{
		{ID: "yes", Label: Text{"Ja", "Yes"}, Aliases: []string{"j", "y", "jo"}},
		{ID: "no", Label: Text{"Nej", "No"}, Aliases: []string{"n", "nope"}},
	}
	return append(c, extra...)
}

var dontKnow = Choice{ID: "unknown", Label: Text{"Ved ikke", "Don't know"}, Aliases: []string{"ukendt", "vides ikke"}}

// otherText is a required "what/who" follow-up to an "other" choice.
func otherText(id, parent, on string, label Text) Question {
	return Question{ID: id, Kind: FreeText, Required: true, MaxLen: 200, Label: label,
		When: []Rule{{Field: parent, In: []string{on}}}}
}

func otherOf(id, parent string, label Text) Question {
	return Question{ID: id, Kind: FreeText, Required: true, MaxLen: 200, Label: label,
		When: []Rule{{Field: parent, Includes: "other"}}}
}

// discussedParties are the parties of Skema 1 item 8.
var discussedParties = []Choice{
	{ID: "cmm_social_worker", Label: Text{"CMM socialfaglig medarbejder", "CMM social worker"}, Aliases: []string{"socialraadgiver", "social worker"}},
	{ID: "police", Label: Text{"Politi", "Police"}},
	{ID: "doctor", Label: Text{"Læge", "Doctor"}},
	{ID: "other", Label: Text{"Anden", "Other"}, Aliases: []string{"andet", "andre"}},
}

// discussedReason is the id of the optional reason for one party of item 8;
// the record assembles these into discussed_with[].reason.
func discussedReason(party string) string { return "discussed_with_reason_" + party }

// DiscussedWho is the id of who the "other" party of item 8 was; the record
// assembles it into discussed_with[].who.
const DiscussedWho = "discussed_with_who"

// VisitForm declares Skema 1 ("Generel data fra klinikbesøg") with the
// canonical ids of domain.md, in the paper form's order.
func VisitForm() *Form {
	qs := []Question{
		{ID: "filled_by", Kind: FreeText, Required: true, Label: Text{"Udfyldt af (initialer)", "Filled in by (initials)"},
			Pattern: regexp.MustCompile(`^\p{L}{2,4}$`),
			Invalid: Text{"Initialer er 2–4 bogstaver, fx «MK».", "Initials are 2–4 letters, e.g. «MK»."}},
		{ID: "organisation", Kind: FreeText, Required: true, MaxLen: 100, Label: Text{"Organisation", "Organisation"}},
		{ID: "date", Kind: Date, Required: true, Label: Text{"Dato for opsøgende indsats", "Date of the outreach"},
			Help: Text{"Skriv «i dag», «i går», en ugedag eller en dato som «3/12» eller «3.12.2026».",
				"Type «today», «yesterday», a weekday or a date like «3/12» or «3.12.2026»."},
			Shortcuts: []Choice{{ID: "i dag", Label: Text{"I dag", "Today"}}, {ID: "i går", Label: Text{"I går", "Yesterday"}}}},
		{ID: "method", Kind: SingleChoice, Required: true, Label: Text{"Metode", "Method"}, Choices: []Choice{
			{ID: "physical_visit", Label: Text{"Fysisk besøg", "Physical visit"}, Aliases: []string{"besøg", "visit", "fysisk"}},
			{ID: "phone", Label: Text{"Telefon", "Phone"}, Aliases: []string{"tlf"}},
			{ID: "sms", Label: Text{"SMS", "SMS"}},
			{ID: "online", Label: Text{"Online/internet", "Online/internet"}, Aliases: []string{"internet"}},
			{ID: "other", Label: Text{"Andet", "Other"}},
		}},
		otherText("method_other", "method", "other", Text{"Metode – hvad?", "Method – what?"}),
		{ID: "location", Kind: SingleChoice, Required: true, Label: Text{"Lokation", "Location"}, Choices: []Choice{
			{ID: "massage_clinic", Label: Text{"Massageklinik", "Massage clinic"}, Aliases: []string{"klinik", "clinic"}},
			{ID: "other", Label: Text{"Andet", "Other"}},
		}},
		{ID: "address", Kind: FreeText, Required: true, MaxLen: 200,
			Label: Text{"Klinikkens adresse (gade, nr., by)", "The clinic's address (street, no., city)"},
			When:  []Rule{{Field: "location", In: []string{"massage_clinic"}}}},
		otherText("location_other", "location", "other", Text{"Lokation – hvad?", "Location – what?"}),
		{ID: "reason", Kind: SingleChoice, Required: true, Label: Text{"Årsag til besøget", "Reason for the visit"}, Choices: []Choice{
			{ID: "outreach", Label: Text{"Opsøgende indsats", "Outreach"}},
			{ID: "follow_up", Label: Text{"Opfølgning / formidling af prøvesvar", "Follow-up / test results"}, Aliases: []string{"opfølgning", "follow-up", "prøvesvar"}},
			{ID: "self_referral", Label: Text{"Selvhenvender", "Self-referral"}},
			{ID: "police_request", Label: Text{"Henvendelse fra politiet", "Request from the police"}, Aliases: []string{"politi", "police"}},
			{ID: "public_request", Label: Text{"Henvendelse fra offentlighed", "Request from the public"}, Aliases: []string{"offentlighed", "public"}},
			{ID: "other", Label: Text{"Andet", "Other"}},
		}},
		{ID: "reason_detail", Kind: FreeText, Required: true, MaxLen: 200,
			Label: Text{"Årsag – hvem/hvad?", "Reason – who/what?"},
			When:  []Rule{{Field: "reason", In: []string{"police_request", "public_request", "other"}}}},
		{ID: "contact", Kind: SingleChoice, Required: true, Label: Text{"Kontakt", "Contact"}, Choices: []Choice{
			{ID: "contact", Label: Text{"Kontakt", "Contact"}},
			{ID: "no_contact_nobody", Label: Text{"Ingen kontakt: ingen på klinikken", "No contact: nobody at the clinic"}},
			{ID: "no_contact_activity", Label: Text{"Ingen kontakt: aktivitet på klinikken", "No contact: activity at the clinic"}},
			{ID: "other", Label: Text{"Andet", "Other"}},
		}},
		otherText("contact_other", "contact", "other", Text{"Kontakt – hvad?", "Contact – what?"}),
		{ID: "onsite", Kind: MultiChoice, Label: Text{"Indsats på stedet (vælg alle, der passer)", "Done on site (choose all that apply)"},
			Help: Text{"Skriv numrene, fx «1, 4», eller «spring over», hvis intet blev gjort.",
				"Type the numbers, e.g. «1, 4», or «skip» if nothing was done."},
			When: []Rule{{Field: "contact", NotIn: []string{"no_contact_nobody"}}},
			Choices: []Choice{
				{ID: "food_packages", Label: Text{"Aflevering af mad", "Food delivered"}, Aliases: []string{"mad", "food", "madpakker"}},
				{ID: "referral", Label: Text{"Henvisning / følgeskab", "Referral / escort to care"}, Aliases: []string{"henvisning"}},
				{ID: "medicine", Label: Text{"Afleveret medicin", "Medicine delivered"}, Aliases: []string{"medicin"}},
				{ID: "health_advice", Label: Text{"Sundhedsfaglig rådgivning", "Health advice"}, Aliases: []string{"rådgivning", "advice"}},
				{ID: "social_worker_referral", Label: Text{"Henvisning til socialfaglig medarbejder", "Referral to a social worker"}},
				{ID: "other", Label: Text{"Andet", "Other"}},
			}},
		{ID: "food_packages", Kind: Number, Required: true, Min: 0, Max: 5,
			Label:   Text{"Aflevering af mad – antal pakker (0–5)", "Food delivered – number of packages (0–5)"},
			Invalid: Text{"Antal madpakker er et tal fra 0 til 5.", "The number of food packages is a number from 0 to 5."},
			When:    []Rule{{Field: "onsite", Includes: "food_packages"}}},
		{ID: "referral", Kind: MultiChoice, Required: true, Label: Text{"Henvisning / følgeskab til", "Referral / escort to"},
			When: []Rule{{Field: "onsite", Includes: "referral"}},
			Choices: []Choice{
				{ID: "hospital", Label: Text{"Sygehus", "Hospital"}},
				{ID: "dentist", Label: Text{"Tandlæge", "Dentist"}},
				{ID: "other", Label: Text{"Andet", "Other"}},
			}},
		otherOf("referral_other", "referral", Text{"Henvisning til – hvad?", "Referral to – what?"}),
		otherOf("onsite_other", "onsite", Text{"Indsats på stedet – hvad?", "Done on site – what?"}),
		{ID: "discussed_with", Kind: MultiChoice,
			Label: Text{"Indsats efterfølgende: har du drøftet besøget med nogen?", "Afterwards: have you discussed the visit with anyone?"},
			Help: Text{"Vælg alle, der passer, eller «spring over», hvis ingen.",
				"Choose all that apply, or «skip» if nobody."},
			Choices: discussedParties},
		{ID: DiscussedWho, Kind: FreeText, Required: true, MaxLen: 200, Label: Text{"Drøftet med anden – hvem?", "Discussed with another – who?"},
			When: []Rule{{Field: "discussed_with", Includes: "other"}}},
	}
	for _, p := range discussedParties {
		qs = append(qs, Question{ID: discussedReason(p.ID), Kind: FreeText, MaxLen: 500,
			Label: Text{"Drøftet med " + lower(p.Label.Da) + " – evt. begrundelse", "Discussed with " + lower(p.Label.En) + " – reason, if any"},
			When:  []Rule{{Field: "discussed_with", Includes: p.ID}}})
	}
	qs = append(qs, Question{ID: "remarks", Kind: FreeText, MaxLen: 2000,
		Label: Text{"Eventuelle øvrige bemærkninger", "Any other remarks"}})
	return NewForm(VisitFormID, Text{"Skema 1 – besøget", "Form 1 – the visit"}, qs)
}

// PersonForm declares one Skema 2 block ("Data fordelt på personer på
// klinikken"), asked once per person met when there was contact.
func PersonForm() *Form {
	note := func(id, parent string, label Text) Question {
		return Question{ID: id, Kind: FreeText, MaxLen: 1000, Label: label,
			When: []Rule{{Field: parent, In: []string{"yes"}}}}
	}
	qs := []Question{
		{ID: "nationality", Kind: Country, Required: true, Label: Text{"Nationalitet", "Nationality"},
			Help: Text{"Skriv landet på dansk eller engelsk (fx «Thailand», «Rumænien», «NG») eller «ukendt».",
				"Type the country in Danish or English (e.g. «Thailand», «Romania», «NG») or «unknown»."}},
		{ID: "gender", Kind: SingleChoice, Required: true, Label: Text{"Køn", "Gender"}, Choices: []Choice{
			{ID: "woman", Label: Text{"Kvinde", "Woman"}, Aliases: []string{"k", "f", "female"}},
			{ID: "man", Label: Text{"Mand", "Man"}, Aliases: []string{"m", "male"}},
			{ID: "trans", Label: Text{"Trans", "Trans"}, Aliases: []string{"t"}},
		}},
		{ID: "age", Kind: Number, Required: true, Min: 12, Max: 99, Companion: "age_estimated",
			ConfirmBelow: 18, FlagBelow: "minor",
			Label:   Text{"Alder (år)", "Age (years)"},
			Help:    Text{"Et helt tal fra 12 til 99. Skriv «ca. 30», hvis alderen er skønnet.", "A whole number from 12 to 99. Type «about 30» if the age is estimated."},
			Invalid: Text{"Alder er et helt tal fra 12 til 99.", "Age is a whole number from 12 to 99."}},
		{ID: "age_estimated", Kind: YesNo, Required: true, Label: Text{"Er alderen skønnet?", "Is the age estimated?"}, Choices: yesNo()},
		{ID: "met_before", Kind: SingleChoice, Required: true, Label: Text{"Er personen mødt før?", "Has the person been met before?"},
			Choices: yesNo(dontKnow)},
		{ID: "trafficking_suspected", Kind: YesNo, Required: true, Companion: "trafficking_note",
			Label: Text{"Har du mistanke om menneskehandel?", "Do you suspect trafficking?"},
			Help:  Text{"Svar ja eller nej. «ja, …» gemmer også en note.", "Answer yes or no. «yes, …» also saves a note."}, Choices: yesNo()},
		note("trafficking_note", "trafficking_suspected", Text{"Mistanke om menneskehandel – note", "Suspected trafficking – note"}),
		{ID: "health_issue_self", Kind: YesNo, Required: true, Companion: "health_issue_self_note",
			Label: Text{"Sundhedsfaglige problematikker ifølge personen selv?", "Health issues according to the person?"}, Choices: yesNo()},
		note("health_issue_self_note", "health_issue_self", Text{"Problematikker ifølge personen – note", "Health issues according to the person – note"}),
		{ID: "health_issue_observed", Kind: YesNo, Required: true, Companion: "health_issue_observed_note",
			Label: Text{"Tydelige tegn på sundhedsfaglige problematikker (ifølge sundhedsfagligt personale)?", "Clear signs of health issues (according to health staff)?"}, Choices: yesNo()},
		note("health_issue_observed_note", "health_issue_observed", Text{"Tegn på problematikker – note", "Signs of health issues – note"}),
		{ID: "crisis_symptoms", Kind: SingleChoice, Required: true, Label: Text{"Symptomer på {sygdom}?", "Symptoms of {sygdom}?"},
			When:    []Rule{{Crisis: true}},
			Choices: yesNo(Choice{ID: "suspected", Label: Text{"Mistanke", "Suspected"}})},
		{ID: "crisis_advice_given", Kind: YesNo, Required: true, Label: Text{"Givet rådgivning om {sygdom}?", "Advice given about {sygdom}?"},
			When: []Rule{{Crisis: true}}, Choices: yesNo()},
		{ID: "escort", Kind: SingleChoice, Required: true, Label: Text{"Prostituerer personen sig ved escort?", "Does the person work as an escort?"},
			Choices: yesNo(dontKnow)},
		{ID: "escort_per_ads", Kind: YesNo, Required: true, Label: Text{"Escort ifølge annoncering?", "Escort according to ads?"}, Choices: yesNo()},
	}
	return NewForm(PersonFormID, Text{"Skema 2 – personer", "Form 2 – persons"}, qs)
}

func lower(s string) string {
	r := []rune(s)
	if len(r) < 2 || unicode.IsUpper(r[1]) { // keep acronyms like CMM
		return s
	}
	r[0] = unicode.ToLower(r[0])
	return string(r)
}
