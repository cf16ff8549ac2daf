package workflows

// The engine's own words, besides the forms' labels, in both languages.
var (
	msgStart          = Text{"Ny registrering. Svar på ét spørgsmål ad gangen. Skriv «hjælp» når som helst.", "New registration. Answer one question at a time. Type «help» at any time."}
	msgOptional       = Text{"(valgfri – «spring over»)", "(optional – «skip»)"}
	msgMultiHint      = Text{"Vælg en eller flere, fx «1, 3».", "Choose one or more, e.g. «1, 3»."}
	msgEmpty          = Text{"Jeg fik ikke noget svar.", "I got no answer."}
	msgTooLong        = Text{"Beskeden er for lang. Skriv et kortere svar.", "The message is too long. Please type a shorter answer."}
	msgRequired       = Text{"Dette spørgsmål kan ikke springes over.", "This question cannot be skipped."}
	msgFirst          = Text{"Du er ved det første spørgsmål.", "You are at the first question."}
	msgCancelAsk      = Text{"Vil du afbryde og slette denne registrering?", "Do you want to cancel and delete this registration?"}
	msgCancelled      = Text{"Registreringen er slettet.", "The registration has been deleted."}
	msgEditCancelled  = Text{"Rettelsen er opgivet; det gemte besøg er uændret.", "The change is abandoned; the saved visit is unchanged."}
	msgNotCancelled   = Text{"Godt, vi fortsætter.", "Fine, we carry on."}
	msgYesOrNo        = Text{"Svar «ja» eller «nej».", "Answer «yes» or «no»."}
	msgHelpWords      = Text{"Du kan altid skrive: «tilbage», «spring over» (valgfrie spørgsmål), «afbryd», «hjælp».", "You can always type: «back», «skip» (optional questions), «cancel», «help»."}
	msgAnother        = Text{"Mødte du en person mere?", "Did you meet another person?"}
	msgManyPersons    = Text{"Du har allerede registreret %d personer. Er der virkelig en mere?", "You have already registered %d persons. Is there really another?"}
	msgMinor          = Text{"Alder %d er under 18. Er det rigtigt? Besøget markeres til opfølgning.", "Age %d is under 18. Is that right? The visit will be marked for follow-up."}
	msgPerson         = Text{"Person %d", "Person %d"}
	msgSummaryHead    = Text{"Opsummering – tjek svarene:", "Summary – check the answers:"}
	msgSummaryHelp    = Text{"Skriv et nummer for at rette et svar, eller «gem» for at gemme.", "Type a number to change an answer, or «save» to save."}
	msgSummaryBad     = Text{"Skriv et nummer fra 1 til %d for at rette et svar, «gem» for at gemme eller «afbryd».", "Type a number from 1 to %d to change an answer, «save» to save or «cancel»."}
	msgSkippedValue   = Text{"–", "–"}
	msgUnknownOption  = Text{"Jeg forstod ikke %s.", "I did not understand %s."}
	msgNoPersons      = Text{"(ingen personer – kun når der var kontakt)", "(no persons – only when there was contact)"}
	msgPersonsDropped = Text{"⚠ %d person(er) registreret før gemmes ikke, fordi der ikke var kontakt. Ret «Kontakt», hvis det er forkert.", "⚠ %d person(s) registered earlier will not be saved, because there was no contact. Change «Contact» if that is wrong."}
	msgRetry          = Text{"Prøv igen:", "Try again:"}
	msgWas            = Text{"Tidligere svar: %s", "Previous answer: %s"}

	optSave      = Text{"Gem", "Save"}
	optAddPerson = Text{"Tilføj person", "Add person"}
	optCancel    = Text{"Afbryd", "Cancel"}
	optSkip      = Text{"Spring over", "Skip"}
	optUnknown   = Text{"Ukendt", "Unknown"}
)

// Words the engine understands at every question, in either language,
// compared after fold.
var (
	wordsBack = []string{"tilbage", "back", "fortryd"}
	wordsSkip = []string{"spring over", "skip", "spring", "videre"}
	// wordsNone answer "which of these?" with none of them: the same as
	// skipping an optional multiple choice.
	wordsNone   = []string{"ingen", "intet", "nej", "none", "nothing", "no"}
	wordsCancel = []string{"afbryd", "cancel", "annuller", "stop"}
	wordsHelp   = []string{"hjaelp", "help", "?"}
	wordsSave   = []string{"gem", "save", "ok", "faerdig", "done"}
	wordsAdd    = []string{"tilfoej person", "add person", "ny person", "new person"}
)
