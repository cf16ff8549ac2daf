package bot

import "beredskab/workflows"

type text = workflows.Text

// The core's own words, in both languages.
var (
	txtUnknownUser   = text{Da: "Beklager, du er ikke på listen over medarbejdere, der kan bruge denne bot. Kontakt din koordinator. / Sorry, you are not on the staff list for this bot. Please contact your coordinator."}
	txtGoToDM        = text{Da: "Registrering sker kun i din direkte samtale med mig, så personoplysninger ikke havner her. Jeg har skrevet til dig dér.", En: "Registration happens only in your direct conversation with me, so that no person data ends up here. I have written to you there."}
	txtDMOnly        = text{Da: "Det kan kun gøres i din direkte samtale med mig.", En: "That can only be done in your direct conversation with me."}
	txtResumeOffer   = text{Da: "Du har en registrering, der ikke er gjort færdig: %s.\nVil du fortsætte den eller kassere den?", En: "You have a registration that is not finished: %s.\nDo you want to continue it or discard it?"}
	txtResumeAgain   = text{Da: "Svar «fortsæt» eller «kassér».", En: "Answer «continue» or «discard»."}
	txtDiscarded     = text{Da: "Kladden er kasseret.", En: "The draft has been discarded."}
	txtExpired       = text{Da: "Din ufærdige registrering fra %s er slettet, fordi den var mere end %d dage gammel.", En: "Your unfinished registration from %s has been deleted because it was more than %d days old."}
	txtSaved         = text{Da: "Besøget er gemt som %s. Tak!", En: "The visit has been saved as %s. Thank you!"}
	txtFollowUpHint  = text{Da: "Husk opfølgning: %s.", En: "Remember to follow up: %s."}
	txtInternal      = text{Da: "Noget gik galt hos mig. Dine gemte svar er ikke tabt; prøv igen, eller skriv «afbryd».", En: "Something went wrong on my side. Your saved answers are not lost; try again, or type «cancel»."}
	txtSaveFailed    = text{Da: "Jeg kunne ikke gemme lige nu. Intet er tabt – prøv igen om lidt.", En: "I could not save just now. Nothing is lost – please try again in a moment."}
	txtUnknownCmd    = text{Da: "Jeg kender ikke kommandoen %s.", En: "I do not know the command %s."}
	txtDidYouMean    = text{Da: "Mente du %s?", En: "Did you mean %s?"}
	txtSeeHelp       = text{Da: "Skriv «hjælp» for at se, hvad du kan.", En: "Type «help» to see what you can do."}
	txtNotUnderstood = text{Da: "Jeg forstod ikke beskeden.", En: "I did not understand the message."}
	txtNotAllowed    = text{Da: "Det har din rolle ikke adgang til.", En: "Your role does not allow that."}
	txtNothingToStop = text{Da: "Der er ingen registrering i gang.", En: "There is no registration in progress."}
	txtHelpHead      = text{Da: "Det kan du (%s):", En: "What you can do (%s):"}
	txtHelpFoot      = text{Da: "Kommandoer virker som /kommando og som almindelig besked her.", En: "Commands work as /command and as a plain message here."}

	optContinue = text{Da: "Fortsæt", En: "Continue"}
	optDiscard  = text{Da: "Kassér", En: "Discard"}
)

// followUpNames explain the visit's follow-up flags, without person details.
var followUpNames = map[string]text{
	"minor":                 {Da: "en person under 18", En: "a person under 18"},
	"trafficking_suspected": {Da: "mistanke om menneskehandel", En: "suspected trafficking"},
	"follow_up_reason":      {Da: "besøget var en opfølgning", En: "the visit was a follow-up"},
	"referral":              {Da: "der blev henvist", En: "a referral was made"},
}
